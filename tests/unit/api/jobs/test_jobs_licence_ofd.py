"""Issue 15, item 6: a service whose ``licence.formats`` is ``[pdf, ofd]`` (the bundled
individual business registration) issues both files. The commit stores the PDF and the sealed
OFD and records the OFD's SHA-256 (audited too); the OFD is PASSED by ``signing.validate_ofd``
against the office's SM2 root and its licence verdict is PASSED; the owner downloads each
through the API (``licence.pdf`` / ``licence.ofd``, listed in ``licence.formats``) and from the
application page (its 下载 OFD 版 link), another applicant gets a 404 for both and nobody signed
in a 401. An office whose key store has no SM2
keys is refused before anything is reserved: the instant approval goes to a clerk with
``api.conflict`` and no reservation or licence row is left."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

from elicence_builders import other_office, our_office, sample_application  # sibling
from fastapi.testclient import TestClient
from huey import MemoryHuey
from sqlalchemy import func, select
from web_forms import sign_in  # tests/unit/api/web_forms.py (tests/conftest.py)

from api.app import create_app
from api.db import (
    Application,
    ApplicationState,
    AuditAction,
    AuditEntry,
    LicenceRecord,
    Role,
    SqlLicenceRegistry,
    StatusIndexReservation,
    create_account,
)
from api.jobs import JobContext, JobOutcome, create_jobs, validate_application
from api.service_api import ServiceContext
from api.users_db import DbUsers
from core import key_passphrase_of
from elicense import load_trust, verify_licence_ofd, verify_licence_pdf
from signing import Indication, KeyStore, Sm2Role, read_ofd, validate_ofd

CASE = 1  # sample case 1: an individual business registration, issued instantly
SERVICE = "individual-business-registration"
PASSWORD = "correct horse battery"


def _issue(context: JobContext, tmp_path: Path) -> tuple[int, LicenceRecord, KeyStore]:
    office = our_office(context.settings, tmp_path / "us")
    assert office.store.has_sm2()
    app_id, _ = sample_application(context.db, context.store, CASE, SERVICE)
    assert validate_application(context, app_id) is JobOutcome.APPLIED
    with context.db.transaction(read_only=True) as session:
        application = session.get(Application, app_id)
        assert application is not None and application.state is ApplicationState.ISSUED
        record = session.scalars(select(LicenceRecord).where(
            LicenceRecord.application_id == app_id)).one()
        session.expunge(record)
    return app_id, record, office.store


def test_a_service_with_ofd_issues_and_stores_both_files(context: JobContext,
                                                         tmp_path: Path) -> None:
    _, record, keys = _issue(context, tmp_path)
    assert record.ofd_sha256 is not None and record.ofd_sha256 != record.pdf_sha256
    ofd = context.store.get(record.ofd_sha256)
    pdf = context.store.get(record.pdf_sha256)
    assert hashlib.sha256(ofd).hexdigest() == record.ofd_sha256
    assert ofd[:2] == b"PK" and pdf[:5] == b"%PDF-"
    read_ofd(ofd)  # the safe reader takes it

    # Sealed with this office's SM2 seal: PASSED against its SM2 root (CA as intermediate),
    # no chain against another office's root.
    verdict = validate_ofd(ofd, trust_roots_sm2=[keys.sm2_certificate(Sm2Role.ROOT)],
                           intermediates=[keys.sm2_certificate(Sm2Role.CA)],
                           now=datetime.now(UTC))
    assert verdict.indication is Indication.PASSED, verdict.to_dict()
    other = other_office(tmp_path / "other").store
    elsewhere = validate_ofd(ofd, trust_roots_sm2=[other.sm2_certificate(Sm2Role.ROOT)],
                             intermediates=[other.sm2_certificate(Sm2Role.CA)],
                             now=datetime.now(UTC))
    assert elsewhere.indication is not Indication.PASSED
    trust = load_trust(context.settings.data_dir / "published")
    ofd_verdict = verify_licence_ofd(ofd, trust)
    assert ofd_verdict.passed, ofd_verdict.to_dict()
    assert verify_licence_pdf(pdf, trust).passed
    # The same licence: the OFD's licence.json names the PDF's identifier.
    assert (ofd_verdict.licence or {}).get("identifier") == record.identifier

    with context.db.transaction(read_only=True) as session:
        details = json.loads(session.scalars(select(AuditEntry.details).where(
            AuditEntry.action == AuditAction.LICENCE_ISSUED.value,
            AuditEntry.subject_id == record.identifier)).one())
    assert details["ofd_sha256"] == record.ofd_sha256
    assert details["pdf_sha256"] == record.pdf_sha256


def test_the_owner_downloads_each_format_and_nobody_else(context: JobContext,
                                                       tmp_path: Path) -> None:
    app_id, record, _ = _issue(context, tmp_path)
    with context.db.transaction() as session:
        alice = create_account(session, "alice", Role.APPLICANT, PASSWORD)
        create_account(session, "bob", Role.APPLICANT, PASSWORD)
        application = session.get(Application, app_id)
        assert application is not None
        application.applicant_id = alice.id  # alice's application from here on
    settings = context.settings
    jobs = create_jobs(settings, huey=MemoryHuey("ofd-download", immediate=True),
                       context=context)
    app = create_app(settings, users=DbUsers(context.db),
                     registry=SqlLicenceRegistry(context.db),
                     service=ServiceContext(settings, db=context.db, store=context.store,
                                            jobs=jobs))
    with TestClient(app) as client:
        def login(name: str) -> dict[str, str]:
            token = client.post("/api/v1/auth/token",
                                data={"username": name, "password": PASSWORD})
            assert token.status_code == 200, token.text
            return {"Authorization": f"Bearer {token.json()['access_token']}"}

        owner, other = login("alice"), login("bob")
        shown = client.get(f"/api/v1/applications/{app_id}", headers=owner)
        assert shown.status_code == 200, shown.text
        assert shown.json()["licence"]["formats"] == ["pdf", "ofd"]
        pdf = client.get(f"/api/v1/applications/{app_id}/licence.pdf", headers=owner)
        ofd = client.get(f"/api/v1/applications/{app_id}/licence.ofd", headers=owner)
        assert pdf.status_code == 200 and ofd.status_code == 200, (pdf.text, ofd.text)
        assert hashlib.sha256(pdf.content).hexdigest() == record.pdf_sha256
        assert hashlib.sha256(ofd.content).hexdigest() == record.ofd_sha256
        assert ofd.headers["content-type"] == "application/ofd"
        disposition = ofd.headers["content-disposition"]
        assert 'filename="licence-' in disposition and disposition.endswith(".ofd")
        assert pdf.headers["content-disposition"].endswith(".pdf")
        for fmt in ("pdf", "ofd"):
            path = f"/api/v1/applications/{app_id}/licence.{fmt}"
            refused = client.get(path, headers=other)
            assert refused.status_code == 404, (fmt, refused.text)
            assert refused.content != ofd.content and refused.content != pdf.content
            assert client.get(path).status_code == 401, fmt

        # The application page, as a browser signed in as alice sees it: both links, both files.
        assert sign_in(client, "alice", PASSWORD).status_code == 303
        page = client.get(f"/apply/{app_id}")
        assert page.status_code == 200, page.text
        assert f'href="/apply/{app_id}/licence.pdf"' in page.text
        assert f'id="licence-ofd-link" class="button" href="/apply/{app_id}/licence.ofd"' \
            in page.text
        assert "下载 OFD 版" in page.text and "Download OFD" in page.text
        web_ofd = client.get(f"/apply/{app_id}/licence.ofd")
        assert web_ofd.status_code == 200 and web_ofd.content == ofd.content
        client.cookies.clear()
        del client.headers["X-CSRF-Token"]  # alice's, from her session
        assert sign_in(client, "bob", PASSWORD).status_code == 303
        for fmt in ("pdf", "ofd"):
            refused = client.get(f"/apply/{app_id}/licence.{fmt}", follow_redirects=False)
            assert refused.status_code == 404, (fmt, refused.status_code)
        assert "licence-ofd-link" not in client.get(f"/apply/{app_id}").text

        # A licence issued as PDF only (before formats, or a [pdf] service): no OFD to hand out.
        with context.db.transaction() as session:
            row = session.get(LicenceRecord, record.identifier)
            assert row is not None
            row.ofd_sha256 = None
        shown = client.get(f"/api/v1/applications/{app_id}", headers=owner).json()
        assert shown["licence"]["formats"] == ["pdf"]
        missing = client.get(f"/api/v1/applications/{app_id}/licence.ofd", headers=owner)
        assert missing.status_code == 404, missing.text
        assert client.get(f"/api/v1/applications/{app_id}/licence.pdf",
                          headers=owner).status_code == 200


def test_a_key_store_without_sm2_keys_refuses_before_reserving(context: JobContext,
                                                                tmp_path: Path) -> None:
    office = our_office(context.settings, tmp_path / "us")
    shutil.rmtree(context.settings.resolved_keys_dir / "sm2")
    assert not KeyStore(office.store.directory, key_passphrase_of(context.settings)).has_sm2()
    app_id, _ = sample_application(context.db, context.store, CASE, SERVICE)
    validate_application(context, app_id)
    with context.db.transaction(read_only=True) as session:
        application = session.get(Application, app_id)
        assert application is not None
        assert application.state is ApplicationState.NEEDS_REVIEW
        assert session.scalar(select(func.count()).select_from(LicenceRecord)) == 0
        assert session.scalar(select(func.count()).select_from(StatusIndexReservation).where(
            StatusIndexReservation.application_id.is_not(None))) == 0
        reasons = list(session.scalars(select(AuditEntry.details).where(
            AuditEntry.subject_id == str(app_id))))
    assert any("issue_failed:api.conflict" in r for r in reasons), reasons
