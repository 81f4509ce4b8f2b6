"""``api.db`` against real concurrency and the real issuer, on SQLite and PostgreSQL:
concurrent writers keep the audit chain intact and the status-list indexes distinct, and
``elicense`` issues into and revokes from the SQL register exactly as from its file register.

PostgreSQL: ``$ZZ_TEST_POSTGRES_URL`` (default the local trust-auth server), one uniquely named
database for this module, dropped at the end.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.db import AuditAction, Base, Database, SqlLicenceRegistry, append_audit, verify_chain
from api.db.engine import database_for_url
from core import Settings
from elicense import (
    LicenceStatus,
    issue_licence,
    load_licence,
    load_templates,
    load_trust,
    publish,
    revoke_licence,
    verify_licence_token,
)
from signing import Indication, IssuerIdentity, KeyStore

pytestmark = pytest.mark.integration

POSTGRES_URL = os.environ.get(
    "ZZ_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
RECORDS = Path(__file__).resolve().parents[1].parent / "samples" / "licences"
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = database_for_url(f"sqlite:///{tmp_path / 'zhengzhao.db'}")
        Base.metadata.create_all(database.engine)
        yield database
        database.dispose()
        return
    server = make_url(POSTGRES_URL)
    name = f"zz_it_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database = database_for_url(server.set(database=name).render_as_string(hide_password=False),
                                pool_size=10)
    try:
        Base.metadata.create_all(database.engine)
        yield database
    finally:
        database.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _in_threads(count: int, work) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run(n: int) -> None:
        try:
            start.wait()
            work(n)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_concurrent_appends_keep_one_intact_chain(db: Database) -> None:
    per_thread = 15

    def work(n: int) -> None:
        for i in range(per_thread):
            with db.transaction() as session:
                append_audit(session, AuditAction.LICENCE_VERIFIED, actor_id=None,
                             subject_type="licence", subject_id=f"{n}-{i}")

    _in_threads(6, work)
    with db.transaction(read_only=True) as session:
        verdict = verify_chain(session)
    assert verdict.intact and verdict.entries == 6 * per_thread


def test_concurrent_reservations_never_share_an_index(db: Database) -> None:
    registry = SqlLicenceRegistry(db)
    got: list[int] = []
    lock = threading.Lock()

    def work(_n: int) -> None:
        for _ in range(10):
            index = registry.reserve_index(64)
            with lock:
                got.append(index)

    _in_threads(6, work)
    assert len(got) == 60 == len(set(got)) and all(0 <= i < 64 for i in got)


def test_the_issuer_issues_into_and_revokes_from_the_database(db: Database,
                                                            tmp_path: Path) -> None:
    settings = Settings(_env_file=None)
    store = KeyStore(tmp_path / "keys", SecretStr("integration passphrase"))
    store.initialise(IssuerIdentity.from_settings(settings), now=NOW - timedelta(days=10))
    registry = SqlLicenceRegistry(db)
    published = tmp_path / "published"
    licence = load_licence(RECORDS / "food_business_licence.json")
    template = load_templates().get(licence.type_code)
    photo = (RECORDS / "holder_photo.jpg").read_bytes() if template.photo else None
    issued = issue_licence(licence, template, photo=photo, store=store, registry=registry,
                           issuer_code=settings.issuer_code, published_dir=published, now=NOW)

    entry = registry.get(licence.identifier)
    assert entry is not None and entry.status is LicenceStatus.VALID
    assert registry.find_by_sha256(entry.pdf_sha256) == entry
    publish(store, registry, published, settings.issuer_code, NOW)
    verdict = verify_licence_token(issued.token, load_trust(published), now=NOW)
    assert verdict.indication is Indication.PASSED, verdict.to_dict()

    revoke_licence(licence.identifier, "test", store=store, registry=registry,
                   issuer_code=settings.issuer_code, published_dir=published,
                   now=NOW + timedelta(minutes=5))
    assert registry.revoked_indices() == {entry.status_index}
    verdict = verify_licence_token(issued.token, load_trust(published),
                                   now=NOW + timedelta(minutes=6))
    assert verdict.indication is not Indication.PASSED
