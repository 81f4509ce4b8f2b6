"""core.secrets: no built-in secret. In dev a random secret key and key passphrase are generated
into the data dir (0700 / 0600 whatever the umask), kept across starts, and replaced by the
environment's; prod refuses generated, short and damaged ones with ``config.invalid``."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from core import (
    LEGACY_DEV_KEY_PASSPHRASE,
    Environment,
    ErrorCode,
    Settings,
    ZhengzhaoError,
    key_passphrase_of,
    resolve_secrets,
    secret_key_of,
    secrets_dir,
)

OLD_DEV_SECRET_KEY = "zhengzhao-dev-only-secret-key-change-me"


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_dev_generates_random_private_secrets_once(tmp_path: Path, umask_022: None) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "fresh")
    first = resolve_secrets(settings)
    assert first.secret_key_generated and first.key_passphrase_generated
    key, passphrase = first.secret_key.get_secret_value(), first.key_passphrase.get_secret_value()
    assert len(key) >= 32 and len(passphrase) >= 32 and key != passphrase
    assert OLD_DEV_SECRET_KEY not in (key, passphrase)
    assert LEGACY_DEV_KEY_PASSPHRASE not in (key, passphrase)
    folder = secrets_dir(settings)
    assert _mode(tmp_path / "fresh") == 0o700 and _mode(folder) == 0o700
    assert sorted(p.name for p in folder.iterdir()) == ["key_passphrase", "secret_key"]
    assert all(_mode(p) == 0o600 for p in folder.iterdir())
    # Read back on the next start (another Settings object), not generated again.
    again = Settings(_env_file=None, data_dir=tmp_path / "fresh")
    assert secret_key_of(again).get_secret_value() == key
    assert key_passphrase_of(again).get_secret_value() == passphrase
    # Another data dir gets other secrets.
    other = Settings(_env_file=None, data_dir=tmp_path / "other")
    assert secret_key_of(other).get_secret_value() != key


def test_the_environment_overrides_and_nothing_is_generated(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path,
                        secret_key=SecretStr("k" * 40), key_passphrase=SecretStr("p" * 40))
    resolved = resolve_secrets(settings)
    assert resolved.secret_key.get_secret_value() == "k" * 40
    assert resolved.key_passphrase.get_secret_value() == "p" * 40
    assert not resolved.secret_key_generated and not resolved.key_passphrase_generated
    assert not secrets_dir(settings).exists()


def _config_error(settings: Settings) -> ZhengzhaoError:
    with pytest.raises(ZhengzhaoError) as info:
        resolve_secrets(settings)
    assert info.value.code is ErrorCode.CONFIG_INVALID
    assert info.value.message_en and info.value.message_zh
    return info.value


def test_prod_never_generates_and_refuses_short_secrets(tmp_path: Path) -> None:
    real = Settings(_env_file=None, data_dir=tmp_path, environment=Environment.PROD,
                    secret_key=SecretStr("k" * 32), key_passphrase=SecretStr("p" * 32))
    assert secret_key_of(real).get_secret_value() == "k" * 32
    # Settings refuses these at construction; a copy bypassing validation is refused here too.
    missing = real.model_copy(update={"secret_key": None})
    assert "ZZ_SECRET_KEY" in _config_error(missing).message_en
    short = real.model_copy(update={"key_passphrase": SecretStr(LEGACY_DEV_KEY_PASSPHRASE)})
    assert "ZZ_KEY_PASSPHRASE" in _config_error(short).message_en
    assert not secrets_dir(real).exists()


def test_a_damaged_generated_secret_is_refused_not_replaced(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    resolve_secrets(settings)
    (secrets_dir(settings) / "secret_key").write_text("short\n")
    assert "damaged" in _config_error(settings).message_en
