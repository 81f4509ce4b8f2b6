"""The service's two secrets: the key that signs bearer tokens and session cookies
(``ZZ_SECRET_KEY``) and the passphrase that encrypts the private keys at rest
(``ZZ_KEY_PASSPHRASE``).

There is no built-in value. A secret set in the environment is used as given; otherwise, in
``dev`` only, a random one is generated on first use into ``<data_dir>/secrets/`` (directory
0700, files 0600, whatever the umask) and read back on every later start, as the demo PKI is.
``prod`` refuses a missing (that is, generated) or short secret with ``config.invalid``.

:data:`LEGACY_DEV_KEY_PASSPHRASE` is the passphrase earlier versions built in; it decrypts
nothing but a dev key store made by those versions, once, to re-encrypt it under the generated
passphrase (``api`` does that at startup). It never signs or verifies a token.
"""

from __future__ import annotations

import os
import secrets
import stat
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr

from core.errors import ErrorCode, ZhengzhaoError
from core.files import write_atomically
from core.settings import MIN_PROD_SECRET_CHARS

if TYPE_CHECKING:
    from core.settings import Settings

__all__ = ["LEGACY_DEV_KEY_PASSPHRASE", "MIN_SECRET_CHARS", "ResolvedSecrets",
           "key_passphrase_of", "make_private_dir", "others_may_access", "resolve_secrets",
           "secret_key_of",
           "secrets_dir"]

MIN_SECRET_CHARS = MIN_PROD_SECRET_CHARS
LEGACY_DEV_KEY_PASSPHRASE = "zhengzhao-dev-only-passphrase"
SECRET_KEY_FILE = "secret_key"
KEY_PASSPHRASE_FILE = "key_passphrase"
DIR_MODE = 0o700
FILE_MODE = 0o600
# 48 random bytes: 64 URL-safe characters, well above MIN_SECRET_CHARS.
_GENERATED_BYTES = 48


@dataclass(frozen=True)
class ResolvedSecrets:
    """The secrets in effect, and which of them were generated (not set in the environment)."""

    secret_key: SecretStr
    key_passphrase: SecretStr
    secret_key_generated: bool
    key_passphrase_generated: bool


def secrets_dir(settings: Settings) -> Path:
    """Where generated secrets live: ``<data_dir>/secrets``."""
    return settings.data_dir / "secrets"


def make_private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) owner-only (0700), whatever the umask. A directory
    that exists already is left as it is (``prod`` refuses one others may read)."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    for created in missing:
        try:
            os.chmod(created, DIR_MODE)
        except FileNotFoundError:  # pragma: no cover - removed meanwhile
            pass


def _invalid(en: str, zh: str) -> ZhengzhaoError:
    return ZhengzhaoError(ErrorCode.CONFIG_INVALID, en, zh)


_cache: dict[Path, tuple[tuple[int, int, int], SecretStr]] = {}
_cache_lock = threading.Lock()


def _read_secret(path: Path, env_name: str) -> SecretStr | None:
    """The secret in ``path`` (cached while the file is unchanged), ``None`` if there is none."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    key = (info.st_ino, info.st_mtime_ns, info.st_size)
    cached = _cache.get(path)
    if cached is not None and cached[0] == key:
        return cached[1]
    value = path.read_text("ascii", errors="replace").strip()
    if len(value) < MIN_SECRET_CHARS:
        raise _invalid(
            f"the generated secret in {path} is damaged: delete it or set {env_name}",
            f"{path} 中生成的密钥已损坏：请删除该文件或设置 {env_name}")
    secret = SecretStr(value)
    with _cache_lock:
        _cache[path] = (key, secret)
    return secret


def _generate(path: Path, env_name: str) -> SecretStr:
    """Read the secret in ``path``, or create it (0600) with a new random value. Several
    processes starting at once agree: the file appears whole (a hard link of a complete
    temporary file) and the first one to appear wins."""
    existing = _read_secret(path, env_name)
    if existing is not None:
        return existing
    make_private_dir(path.parent)
    # Exclusive: when another process generated it first, theirs is kept and used.
    write_atomically(path, (secrets.token_urlsafe(_GENERATED_BYTES) + "\n").encode("ascii"),
                     mode=FILE_MODE, exclusive=True)
    created = _read_secret(path, env_name)
    assert created is not None
    return created


def _configured(value: SecretStr | None, env_name: str, *, production: bool) -> SecretStr | None:
    if value is None:
        if production:
            raise _invalid(f"{env_name} must be set in production (ZZ_ENVIRONMENT=prod); a "
                           "generated secret is for dev only",
                           f"生产环境（ZZ_ENVIRONMENT=prod）必须设置 {env_name}；"
                           "自动生成的密钥仅供开发使用")
        return None
    if len(value.get_secret_value()) < MIN_SECRET_CHARS:
        if production:
            raise _invalid(f"{env_name} must have at least {MIN_SECRET_CHARS} characters",
                           f"{env_name} 至少需要 {MIN_SECRET_CHARS} 个字符")
    return value


def resolve_secrets(settings: Settings) -> ResolvedSecrets:
    """The secrets in effect for ``settings``: each one set in the environment, or (``dev``
    only) the one generated in :func:`secrets_dir`, created now if missing. Raises
    :class:`core.ZhengzhaoError` ``config.invalid`` in ``prod`` for a missing or short secret,
    and for a damaged generated file."""
    production = settings.environment.value == "prod"
    key = _configured(settings.secret_key, "ZZ_SECRET_KEY", production=production)
    passphrase = _configured(settings.key_passphrase, "ZZ_KEY_PASSPHRASE",
                             production=production)
    folder = secrets_dir(settings)
    return ResolvedSecrets(
        secret_key=key or _generate(folder / SECRET_KEY_FILE, "ZZ_SECRET_KEY"),
        key_passphrase=passphrase or _generate(folder / KEY_PASSPHRASE_FILE,
                                               "ZZ_KEY_PASSPHRASE"),
        secret_key_generated=key is None, key_passphrase_generated=passphrase is None)


def secret_key_of(settings: Settings) -> SecretStr:
    """The key that signs bearer tokens (see :func:`resolve_secrets`)."""
    return resolve_secrets(settings).secret_key


def key_passphrase_of(settings: Settings) -> SecretStr:
    """The passphrase that encrypts the private keys (see :func:`resolve_secrets`)."""
    return resolve_secrets(settings).key_passphrase


def others_may_access(path: Path) -> bool:
    """Whether group or other users have any permission bit on ``path`` (False if absent)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return False
    return bool(stat.S_IMODE(mode) & 0o077)
