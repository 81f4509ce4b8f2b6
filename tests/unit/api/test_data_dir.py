"""Issue 11, finding 1 (prod refuses weak ground) and finding 7 (database and job files 0644):
``api.data_dir.prepare_data_dir`` at startup. On a fresh data dir under umask 022 the data dir
is 0700 and the database, the job queue and the generated secrets 0600; a dev key store made
under the passphrase earlier versions built in is re-encrypted under the generated one; ``prod``
refuses generated or short secrets, a demo PKI or demo issuer, and data others may read, each
with ``config.invalid`` in Chinese and English."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.cli import main
from api.data_dir import prepare_data_dir
from core import (
    LEGACY_DEV_KEY_PASSPHRASE,
    Environment,
    ErrorCode,
    Settings,
    ZhengzhaoError,
    get_settings,
    secrets_dir,
)
from signing import IssuerIdentity, KeyStore

REAL_SECRETS = {"secret_key": SecretStr("s" * 40), "key_passphrase": SecretStr("p" * 40)}
OFFICE = {"issuer_name": "某市行政审批局", "issuer_name_en": "Some City Approval Bureau",
          "issuer_code": "11110000000000027Y", "public_url": "https://zwfw.example.gov.cn"}


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_fresh_data_dir_is_private_whatever_the_umask(tmp_path: Path, umask_022: None) -> None:
    data = tmp_path / "fresh"
    settings = Settings(_env_file=None, data_dir=data)
    with TestClient(create_app(settings)) as client:  # the service on its defaults
        assert client.get("/healthz").status_code == 200
    assert _mode(data) == 0o700
    private = [data / "zhengzhao.db", data / "jobs.db", *secrets_dir(settings).iterdir()]
    private += [Path(f"{base}{suffix}") for base in (data / "zhengzhao.db", data / "jobs.db")
                for suffix in ("-wal", "-shm") if Path(f"{base}{suffix}").exists()]
    assert len(private) >= 4
    for path in private:
        assert _mode(path) == 0o600, path
    # An older database made 0644 (as before) is tightened when it is opened again.
    os.chmod(data / "zhengzhao.db", 0o644)
    with TestClient(create_app(settings)):
        pass
    assert _mode(data / "zhengzhao.db") == 0o600


def test_a_legacy_dev_key_store_moves_to_the_generated_passphrase(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    legacy = SecretStr(LEGACY_DEV_KEY_PASSPHRASE)
    KeyStore(settings.resolved_keys_dir, legacy).initialise(IssuerIdentity.from_settings(settings))
    prepare_data_dir(settings)
    store = KeyStore.from_settings(settings)
    assert store.signer()  # opens under the generated passphrase
    assert not KeyStore(settings.resolved_keys_dir, legacy).opens_with(legacy)
    assert all(_mode(path) == 0o600 for path in store.private_key_files())
    prepare_data_dir(settings)  # the next start changes nothing
    assert KeyStore.from_settings(settings).signer()


def _prod(tmp_path: Path, **overrides: object) -> Settings:
    tmp_path.mkdir(exist_ok=True, mode=0o700)
    os.chmod(tmp_path, 0o700)
    return Settings(_env_file=None, data_dir=tmp_path, environment=Environment.PROD,
                    **{**REAL_SECRETS, **OFFICE, **overrides})


def _office_keys(settings: Settings) -> KeyStore:
    store = KeyStore.from_settings(settings)
    store.initialise(IssuerIdentity.from_settings(settings))
    return store


def _refusal(settings: Settings) -> ZhengzhaoError:
    with pytest.raises(ZhengzhaoError) as info:
        prepare_data_dir(settings)
    assert info.value.code is ErrorCode.CONFIG_INVALID
    assert info.value.message_en and info.value.message_zh
    return info.value


def test_prod_starts_on_real_secrets_an_office_pki_and_private_data(tmp_path: Path) -> None:
    settings = _prod(tmp_path)
    _office_keys(settings)
    prepare_data_dir(settings)  # nothing to refuse: the refusals below can fail
    assert not secrets_dir(settings).exists()


def test_prod_refuses_generated_or_short_secrets(tmp_path: Path) -> None:
    settings = _prod(tmp_path)
    _office_keys(settings)
    for name in ("secret_key", "key_passphrase"):
        generated = settings.model_copy(update={name: None})
        assert f"ZZ_{name.upper()}" in _refusal(generated).message_en
        short = settings.model_copy(update={name: SecretStr("x" * 31)})
        assert "32" in _refusal(short).message_en
    assert not secrets_dir(settings).exists()


def test_prod_refuses_a_demo_pki_and_the_demo_issuer(tmp_path: Path) -> None:
    settings = _prod(tmp_path)
    # The PKI `serve` makes in dev (demo=True in keystore.json, O=zhengzhao demo).
    dev = Settings(_env_file=None, data_dir=tmp_path, **REAL_SECRETS, **OFFICE)
    _office_keys(dev)
    refused = _refusal(settings)
    assert "demo PKI" in refused.message_en and "演示" in refused.message_zh
    demo_issuer = _prod(tmp_path / "d", issuer_code="11110000000000019K")
    assert "demo office" in _refusal(demo_issuer).message_en


def test_prod_refuses_to_issue_qr_codes_a_phone_cannot_open(tmp_path: Path) -> None:
    """Without ZZ_PUBLIC_URL a licence's QR holds the bare token, not a link (issue 13 item 3)."""
    settings = _prod(tmp_path, public_url=None)
    _office_keys(settings)
    refused = _refusal(settings)
    assert "ZZ_PUBLIC_URL" in refused.message_en and "ZZ_PUBLIC_URL" in refused.message_zh


@pytest.mark.parametrize("what", ["data_dir", "database", "key", "jobs"])
def test_prod_refuses_data_others_may_read(tmp_path: Path, what: str) -> None:
    settings = _prod(tmp_path)
    store = _office_keys(settings)
    (tmp_path / "zhengzhao.db").touch(mode=0o600)
    (tmp_path / "jobs.db").touch(mode=0o600)
    prepare_data_dir(settings)
    target = {"data_dir": tmp_path, "database": tmp_path / "zhengzhao.db",
              "key": store.private_key_files()[0], "jobs": tmp_path / "jobs.db"}[what]
    os.chmod(target, _mode(target) | 0o044)
    refused = _refusal(settings)
    assert str(target) in refused.message_en and "chmod" in refused.message_zh


def test_the_app_does_not_start_in_prod_on_a_demo_pki(tmp_path: Path) -> None:
    settings = _prod(tmp_path)
    _office_keys(Settings(_env_file=None, data_dir=tmp_path, **REAL_SECRETS, **OFFICE))
    app = create_app(settings, refresh_trust_on_startup=False)
    with pytest.raises(ZhengzhaoError) as info, TestClient(app):
        pass
    assert info.value.code is ErrorCode.CONFIG_INVALID


def test_serve_in_prod_without_secrets_exits_with_config_invalid(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    for name in ("ZZ_SECRET_KEY", "ZZ_KEY_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ZZ_ENVIRONMENT", "prod")
    monkeypatch.setenv("ZZ_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        assert main(["serve", "--port", "1"]) == 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert "config.invalid" in err and "ZZ_KEY_PASSPHRASE" in err
    assert not (tmp_path / "data").exists()
