"""What ``serve``, the worker and the app's startup do with the data dir before anything else:
make it owner-only, settle the secrets (``core.resolve_secrets``: generated on first start in
dev, required in prod), re-encrypt a dev key store made under the passphrase earlier versions
built in, and, in ``prod``, refuse to start on generated or short secrets, a demo PKI or data
that other users may read (``config.invalid``, in Chinese and English).
"""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy.engine import make_url

from api.errors import ProductionConfigError
from core import (
    LEGACY_DEV_KEY_PASSPHRASE,
    Environment,
    Settings,
    make_private_dir,
    others_may_access,
    resolve_secrets,
    secrets_dir,
)
from signing import KeyStore, SigningError

__all__ = ["DEMO_ISSUER_CODE", "prepare_data_dir", "production_problems"]

log = logging.getLogger(__name__)

# The issuer code the settings default to (a valid demo code of a government body).
DEMO_ISSUER_CODE = Settings.model_fields["issuer_code"].default
DEMO_ISSUER_NAME = Settings.model_fields["issuer_name"].default
SQLITE_SIBLINGS = ("", "-wal", "-shm", "-journal")


def prepare_data_dir(settings: Settings) -> None:
    """Create the data dir (0700), settle the secrets and, in dev, move a legacy key store to
    the generated passphrase. In ``prod`` raise ``config.invalid`` naming every problem found
    by :func:`production_problems`."""
    production = settings.environment is Environment.PROD
    if not production:
        make_private_dir(settings.data_dir)
    resolved = resolve_secrets(settings)  # prod: raises for a missing or short secret
    if production:
        problems = production_problems(settings)
        if problems:
            raise ProductionConfigError(problems)
        return
    if resolved.key_passphrase_generated:
        _reencrypt_legacy_dev_keys(settings, resolved.key_passphrase)


def _reencrypt_legacy_dev_keys(settings: Settings, passphrase: SecretStr) -> None:
    """A dev key store encrypted under the passphrase earlier versions built in is moved to the
    generated one, so that constant opens nothing after the first start."""

    store = KeyStore(settings.resolved_keys_dir, passphrase)
    if not store.exists():
        return
    legacy = SecretStr(LEGACY_DEV_KEY_PASSPHRASE)
    if store.opens_with(passphrase) or not store.opens_with(legacy):
        return
    count = store.reencrypt(legacy)
    log.warning("re-encrypted %d dev key(s) in %s under the generated passphrase in %s",
                count, store.directory, secrets_dir(settings))


def production_problems(settings: Settings) -> list[tuple[str, str]]:
    """What stops ``settings`` from running in production, as (English, Chinese) pairs: a
    demo PKI or demo issuer, no public address for the licences' QR links, and a data dir,
    secrets, keys, database or job queue file that group or other users may access. Secrets
    are checked by ``core.resolve_secrets``."""
    problems: list[tuple[str, str]] = []
    if not settings.public_url:
        problems.append(("ZZ_PUBLIC_URL is not set: licence QR codes would hold a bare token "
                         "that a phone camera cannot open (docs/tokens.md section 10)",
                         "未设置 ZZ_PUBLIC_URL：证照二维码将只含令牌，手机扫码无法打开核验页"))
    if settings.issuer_code == DEMO_ISSUER_CODE or settings.issuer_name == DEMO_ISSUER_NAME:
        problems.append(("the issuer is the built-in demo office (set ZZ_ISSUER_CODE and "
                         "ZZ_ISSUER_NAME)",
                         "颁发机构仍为内置演示机构（请设置 ZZ_ISSUER_CODE 和 ZZ_ISSUER_NAME）"))
    problems += _demo_pki(settings)
    exposed = [path for path in _private_paths(settings) if others_may_access(path)]
    if exposed:
        names = ", ".join(str(path) for path in exposed)
        problems.append((f"group or other users may access {names} (chmod go-rwx)",
                         f"其他用户可访问 {names}（请执行 chmod go-rwx）"))
    return problems


def _demo_pki(settings: Settings) -> list[tuple[str, str]]:
    store = KeyStore.from_settings(settings)
    if not store.exists():
        return []  # the trust refresh refuses a missing key store (keys.missing)
    try:
        identity = store.info().identity
    except SigningError as exc:
        return [(f"the key store is unreadable ({exc.message_en})",
                 f"密钥库无法读取（{exc.message_zh}）")]
    if identity.demo or identity.code == DEMO_ISSUER_CODE:
        return [("the key store holds a demo PKI (make the office's keys with "
                 "`zhengzhao keys init --force` under ZZ_ENVIRONMENT=prod)",
                 "密钥库为演示 PKI（请在 ZZ_ENVIRONMENT=prod 下运行 "
                 "`zhengzhao keys init --force` 生成本机构密钥）")]
    return []


def _private_paths(settings: Settings) -> list[Path]:
    """The data dir and what in it holds secrets or personal data."""
    paths = [settings.data_dir, secrets_dir(settings), settings.resolved_keys_dir]
    keys = settings.resolved_keys_dir
    if keys.is_dir():
        paths += sorted(keys.rglob("*.key.pem"))
    for name in (settings.resolved_database_url,
                 None if settings.jobs_url else f"sqlite:///{settings.data_dir / 'jobs.db'}"):
        if name is None:
            continue
        url = make_url(name)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            paths += [Path(f"{url.database}{suffix}") for suffix in SQLITE_SIBLINGS]
    return paths
