"""Every public verification leaves exactly one ``licence.verified`` row in the hash-chained audit
log — token and PDF through the API, the QR page, the upload page; PASSED and FAILED verdicts
and refused inputs — with no personal data in it (no token, holder name or holder code, no
client address), the chain still intact, and the rows readable by an admin. An audit that
cannot be written never turns a verification into an error: it is counted, kept, and written
once the database answers again. On a SQLite file and on PostgreSQL (``integration``)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text

from api.app import create_app
from api.db import (
    AuditAction,
    AuditEntry,
    Database,
    Role,
    SqlLicenceRegistry,
    create_account,
    create_db,
    upgrade,
    verify_chain,
)
from api.db.engine import database_for_url
from api.metrics import ServiceMetrics, VerifyKind
from api.service_api import ServiceContext
from api.users_db import DbUsers
from api.verification_audit import (
    BufferedVerificationAudit,
    VerificationEvent,
    VerifyChannel,
    VerifyOutcome,
)
from core import Settings
from elicense import issue_licence, load_licence, load_templates, revoke_licence
from signing import KeyStore

ROOT = Path(__file__).resolve().parents[3]
RECORDS = ROOT / "samples" / "licences"
POSTGRES_URL = os.environ.get(
    "ZZ_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "correct horse battery"
HEX16 = re.compile(r"^[0-9a-f]{16}$")


@dataclass
class Office:
    settings: Settings
    db: Database
    client: TestClient
    good: Any  # an issued licence that stands
    revoked: Any  # an issued licence, revoked
    secrets: list[str]  # what must never appear in an audit row

    def flush(self) -> None:
        self.client.app.state.verify_audit.flush()  # type: ignore[attr-defined]


def loopback(client: TestClient) -> TestClient:
    """The same app asked from 127.0.0.1: ``/metrics`` answers loopback peers only by
    default, and TestClient's own peer is the host name ``testclient``."""
    return TestClient(client.app, client=("127.0.0.1", 50000))


@pytest.fixture(scope="module", params=[
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.integration)])
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[tuple[Settings, Database]]:
    settings = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("audit"),
                        verify_rate_per_minute=100_000)
    if request.param == "sqlite":
        db = create_db(settings)
        upgrade(settings, db=db)
        yield settings, db
        db.dispose()
        return
    schema = f"zz_audit_{secrets.token_hex(6)}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    db = database_for_url(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        upgrade(settings, db=db)
        yield settings, db
    finally:
        db.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _issue(settings: Settings, db: Database, record: str) -> Any:
    licence = load_licence(RECORDS / record)
    template = load_templates().get(licence.type_code)
    photo = (RECORDS / "holder_photo.jpg").read_bytes() if template.photo else None
    return issue_licence(licence, template, photo=photo, **_office_kwargs(settings, db))


def _office_kwargs(settings: Settings, db: Database) -> dict[str, Any]:
    return {"store": KeyStore.from_settings(settings),
            "registry": SqlLicenceRegistry(db), "issuer_code": settings.issuer_code,
            "published_dir": settings.data_dir / "published"}


@pytest.fixture(scope="module")
def office(database: tuple[Settings, Database]) -> Iterator[Office]:
    settings, db = database
    with db.transaction() as session:
        create_account(session, "dave", Role.ADMIN, PASSWORD)
    context = ServiceContext(settings, db=db)
    app = create_app(settings, users=DbUsers(db), registry=SqlLicenceRegistry(db),
                     service=context)
    with TestClient(app) as client:
        good = _issue(settings, db, "residence_permit.json")
        revoked = _issue(settings, db, "food_business_licence.json")
        revoke_licence(revoked.licence.identifier, "吊销", **_office_kwargs(settings, db))
        private: list[str] = ["testclient"]
        for issued in (good, revoked):
            record = issued.licence
            private += [issued.token, record.holder, record.holder_code,
                        record.masked_holder_code]
        yield Office(settings, db, client, good, revoked, private)
        context.jobs.close()  # type: ignore[attr-defined]


def verified_rows(office: Office, after: int) -> list[AuditEntry]:
    with office.db.transaction(read_only=True) as session:
        return list(session.scalars(select(AuditEntry).where(
            AuditEntry.seq > after,
            AuditEntry.action == AuditAction.LICENCE_VERIFIED.value).order_by(AuditEntry.seq)))


def last_seq(office: Office) -> int:
    with office.db.transaction(read_only=True) as session:
        return session.scalar(select(func.coalesce(func.max(AuditEntry.seq), 0))) or 0


def audited(office: Office, call: Callable[[TestClient], httpx.Response]
            ) -> tuple[httpx.Response, dict[str, Any], AuditEntry]:
    """Run one request; exactly one new verification row, free of personal data, chain
    intact."""
    before = last_seq(office)
    response = call(office.client)
    office.flush()
    rows = verified_rows(office, before)
    assert len(rows) == 1, [r.details for r in rows]
    row = rows[0]
    text_of_row = " ".join(str(v) for v in (row.subject_type, row.subject_id, row.details))
    for secret in office.secrets:
        assert secret not in text_of_row
    assert row.actor_id is None and row.subject_type == "licence"
    with office.db.transaction(read_only=True) as session:
        assert verify_chain(session).intact
    details = json.loads(row.details)
    assert HEX16.match(details["client"])
    return response, details, row


def _pdf(data: bytes) -> dict[str, Any]:
    return {"files": {"file": ("licence.pdf", data, "application/pdf")}}


def _tampered(pdf: bytes) -> bytes:
    changed = bytearray(pdf)
    changed[len(changed) // 2] ^= 0x01
    return bytes(changed)


def test_a_passed_token_through_the_api_is_audited(office: Office) -> None:
    response, details, row = audited(office, lambda c: c.post(
        "/api/v1/verify", json={"token": office.good.token}))
    assert response.status_code == 200 and response.json()["indication"] == "PASSED"
    assert details == {"kind": "token", "channel": "api", "outcome": "verdict", "passed": True,
                       "indication": "PASSED", "client": details["client"]}
    assert row.subject_id == office.good.licence.identifier


def test_a_revoked_token_through_the_api_is_audited_as_failed(office: Office) -> None:
    response, details, row = audited(office, lambda c: c.post(
        "/api/v1/verify", json={"token": office.revoked.token}))
    body = response.json()
    assert response.status_code == 200 and body["indication"] == "FAILED"
    assert details["indication"] == "FAILED" and details["passed"] is False
    assert details["sub_indication"] == body["sub_indication"]
    assert row.subject_id == office.revoked.licence.identifier


def test_a_passed_pdf_through_the_api_is_audited_with_its_hash(office: Office) -> None:
    response, details, row = audited(office, lambda c: c.post(
        "/api/v1/verify", **_pdf(office.good.pdf)))
    assert response.json()["indication"] == "PASSED"
    assert details["kind"] == "pdf" and details["channel"] == "api"
    assert details["pdf_sha256"] == hashlib.sha256(office.good.pdf).hexdigest()
    assert row.subject_id == office.good.licence.identifier


def test_a_tampered_pdf_through_the_api_is_audited_as_not_passed(office: Office) -> None:
    tampered = _tampered(office.good.pdf)
    response, details, _row = audited(office, lambda c: c.post(
        "/api/v1/verify", **_pdf(tampered)))
    assert response.status_code == 200
    assert details["indication"] == response.json()["indication"] != "PASSED"
    assert details["pdf_sha256"] == hashlib.sha256(tampered).hexdigest()


@pytest.mark.parametrize("which", ["good", "revoked"])
def test_the_qr_page_is_audited(office: Office, which: str) -> None:
    issued = getattr(office, which)
    response, details, row = audited(office, lambda c: c.get(
        f"/v/{quote(issued.token, safe='')}"))
    assert response.status_code == 200
    expected = "PASSED" if which == "good" else "FAILED"
    assert f'data-indication="{expected}"' in response.text
    assert details["channel"] == "qr_page" and details["kind"] == "token"
    assert details["indication"] == expected
    assert row.subject_id == issued.licence.identifier


@pytest.mark.parametrize("tamper", [False, True], ids=["intact", "tampered"])
def test_the_upload_page_is_audited(office: Office, tamper: bool) -> None:
    pdf = _tampered(office.good.pdf) if tamper else office.good.pdf
    response, details, _row = audited(office, lambda c: c.post("/verify", **_pdf(pdf)))
    assert response.status_code == 200
    assert details["channel"] == "upload_page" and details["kind"] == "pdf"
    assert (details["indication"] == "PASSED") is not tamper
    assert details["pdf_sha256"] == hashlib.sha256(pdf).hexdigest()


def test_refused_inputs_are_audited_with_their_code(office: Office) -> None:
    response, details, row = audited(office, lambda c: c.post(
        "/api/v1/verify", json={"token": "not a token"}))
    assert response.status_code == 422
    assert details["outcome"] == "refused" and details["error_code"] == "token.malformed"
    assert "indication" not in details and row.subject_id == "-"
    response, details, _row = audited(office, lambda c: c.post(
        "/verify", files={"file": ("x.pdf", b"GIF89a not a pdf", "application/pdf")}))
    assert response.status_code == 415
    assert details["channel"] == "upload_page"
    assert details["error_code"] == "input.unsupported_type"


def test_one_client_gets_one_tag_that_is_not_its_address(office: Office) -> None:
    _r, first, _ = audited(office, lambda c: c.post(
        "/api/v1/verify", json={"token": office.good.token}))
    _r, second, _ = audited(office, lambda c: c.get(f"/v/{quote(office.good.token, safe='')}"))
    assert first["client"] == second["client"]


def test_an_admin_reads_the_verification_rows(office: Office) -> None:
    before = last_seq(office)
    office.client.post("/api/v1/verify", json={"token": office.good.token})
    office.flush()
    token = office.client.post("/api/v1/auth/token",
                               data={"username": "dave", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    entries = office.client.get(f"/api/v1/admin/audit?after_seq={before}", headers=headers)
    assert entries.status_code == 200
    verified = [e for e in entries.json() if e["action"] == "licence.verified"]
    assert len(verified) == 1
    assert verified[0]["subject_id"] == office.good.licence.identifier
    only = office.client.get("/api/v1/admin/audit", headers=headers,
                             params={"after_seq": 0, "limit": 1000, "action": "licence.verified"})
    assert only.status_code == 200 and only.json()
    assert {e["action"] for e in only.json()} == {"licence.verified"}
    everything = office.client.get("/api/v1/admin/audit", headers=headers,
                                   params={"after_seq": 0, "limit": 1000}).json()
    assert len(only.json()) == sum(e["action"] == "licence.verified" for e in everything)
    bad = office.client.get("/api/v1/admin/audit", headers=headers,
                            params={"action": "no.such.action"})
    assert bad.status_code == 422


def _metric(client: TestClient, name: str, labels: str = "") -> float:
    pattern = re.compile(rf"^{re.escape(name)}{re.escape(labels)} (\S+)$", re.MULTILINE)
    found = pattern.search(loopback(client).get("/metrics").text)
    return float(found.group(1)) if found else 0.0


def test_a_failing_audit_never_fails_the_verification(office: Office) -> None:
    """The audit table is renamed away: the verification still answers 200, the failure is
    counted, the row waits in the buffer and lands once the table is back."""
    failed_before = _metric(office.client, "zz_verify_audit_rows_total", '{result="failed"}')
    before = last_seq(office)
    with office.db.engine.begin() as connection:
        connection.execute(text("ALTER TABLE audit_log RENAME TO audit_log_away"))
    try:
        response = office.client.post("/api/v1/verify", json={"token": office.good.token})
        assert response.status_code == 200 and response.json()["indication"] == "PASSED"
        assert office.client.app.state.verify_audit.flush() == 0  # type: ignore[attr-defined]
        assert _metric(office.client, "zz_verify_audit_rows_total",
                       '{result="failed"}') > failed_before
    finally:
        with office.db.engine.begin() as connection:
            connection.execute(text("ALTER TABLE audit_log_away RENAME TO audit_log"))
    office.flush()
    rows = verified_rows(office, before)
    assert len(rows) == 1 and json.loads(rows[0].details)["indication"] == "PASSED"
    with office.db.transaction(read_only=True) as session:
        assert verify_chain(session).intact


def test_metrics_show_the_service_counts(office: Office) -> None:
    office.client.post("/api/v1/verify", json={"token": office.good.token})
    office.flush()
    with office.db.transaction(read_only=True) as session:
        chain = verify_chain(session)
    text_ = loopback(office.client).get("/metrics").text
    # Read at most a few seconds ago (cached): between one row and the whole chain.
    assert 1.0 <= _metric(office.client, "zz_audit_entries") <= chain.entries
    assert _metric(office.client, "zz_licences", '{status="revoked"}') == 1.0
    assert _metric(office.client, "zz_licences_issued") == 2.0
    assert _metric(office.client, "zz_applications", '{state="draft"}') == 0.0
    assert 'zz_verify_audit_rows_total{result="written"}' in text_
    assert "zz_jobs_queued 0.0" in text_


def _event(n: int) -> VerificationEvent:
    return VerificationEvent(at=datetime.now(UTC), kind=VerifyKind.TOKEN,
                             channel=VerifyChannel.API, outcome=VerifyOutcome.VERDICT,
                             indication="PASSED", identifier=f"test-{n}")


def test_stopping_appends_what_is_buffered(office: Office) -> None:
    metrics = ServiceMetrics()
    audit = BufferedVerificationAudit(lambda: office.db, metrics, interval=3600)
    audit.start()
    before = last_seq(office)
    for n in range(3):
        audit.record(_event(n))
    assert verified_rows(office, before) == []  # nothing written until the tick or the stop
    audit.stop()
    assert [r.subject_id for r in verified_rows(office, before)] == ["test-0", "test-1", "test-2"]
    assert metrics.registry.get_sample_value("zz_verify_audit_rows_total",
                                             {"result": "written"}) == 3.0


def test_a_full_buffer_drops_and_counts_instead_of_blocking(office: Office) -> None:
    metrics = ServiceMetrics()
    audit = BufferedVerificationAudit(lambda: office.db, metrics, capacity=2)
    before = last_seq(office)
    for n in range(5):
        audit.record(_event(n))
    assert metrics.registry.get_sample_value("zz_verify_audit_rows_total",
                                             {"result": "dropped"}) == 3.0
    assert metrics.registry.get_sample_value("zz_verify_audit_buffered") == 2.0
    assert audit.flush() == 2
    assert len(verified_rows(office, before)) == 2
    with office.db.transaction(read_only=True) as session:
        assert verify_chain(session).intact
