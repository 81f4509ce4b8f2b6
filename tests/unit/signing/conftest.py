"""The test PKI for ``signing``: one key store made once per session by ``KeyStore.initialise``
at a fixed moment, used read-only; tests that rotate, revoke or break files make their own
(``fresh_store``, about 10 ms). The clock is an argument (``now``), never the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from core import Settings
from signing import IssuerIdentity, KeyStore

PKI_NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
TEST_PASSPHRASE = SecretStr("correct horse battery staple (tests)")


@pytest.fixture(scope="session")
def pki_now() -> datetime:
    """When the test key stores were made."""
    return PKI_NOW


@pytest.fixture(scope="session")
def openssl_at(pki_now: datetime) -> str:
    """``openssl verify -attime`` value: a day after the test PKI was made."""
    return str(int((pki_now + timedelta(days=1)).timestamp()))


@pytest.fixture(scope="session")
def issuer_identity() -> IssuerIdentity:
    return IssuerIdentity.from_settings(Settings(_env_file=None))


@pytest.fixture(scope="session")
def pki_store(tmp_path_factory: pytest.TempPathFactory,
              issuer_identity: IssuerIdentity) -> KeyStore:
    """A key store with one signing certificate, made at ``PKI_NOW``. Do not modify it."""
    store = KeyStore(tmp_path_factory.mktemp("pki") / "keys", TEST_PASSPHRASE)
    store.initialise(issuer_identity, now=PKI_NOW)
    return store


@pytest.fixture()
def fresh_store(tmp_path: Path, issuer_identity: IssuerIdentity) -> KeyStore:
    """A key store of this test's own, made at ``PKI_NOW``."""
    store = KeyStore(tmp_path / "keys", TEST_PASSPHRASE)
    store.initialise(issuer_identity, now=PKI_NOW)
    return store
