"""Issue 15, item 6: the clerk's review page shows the licence the office issued for the
application — for each file it was issued as (PDF, and the sealed OFD for a ``[pdf, ofd]``
service) a verdict worked out on every view against the office's own trust material, with its
stable code, the register's status, the identifier and the masked holder code — and the clerk
downloads each file from ``/clerk/review/{id}/licence.pdf`` / ``.ofd``.

Real app (TestClient, session cookies through the sign-in form), the real database, demo PKI
with SM2 keys, the licence issued by the validation job (instant approval of sample case 1's
individual business registration, both formats). The stored files are changed on disk in
place: one byte of the OFD's page content (re-zipped) gives ``licence.forged`` for the OFD
while the PDF still verifies, and one byte of the PDF's page stream the other way round; a
revocation through the admin API shows revoked for both; a file gone from the store is a
failed state with its code, not a 500. An applicant's session (even the owner's) is sent to
the sign-in page by the clerk's download routes. A person's licence (an ID card renewal
receipt) shows the holder's resident ID number masked only, never in full."""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from elicence_builders import flip, our_office, sample_application  # a sibling module
from fastapi.testclient import TestClient
from huey import MemoryHuey
from jobs_builders import case_truths  # a sibling module
from sqlalchemy import select
from web_forms import sign_in  # tests/unit/api/web_forms.py (tests/conftest.py)

from api.app import create_app
from api.db import (
    Application,
    ApplicationState,
    LicenceRecord,
    ReviewDecision,
    Role,
    SqlLicenceRegistry,
    create_account,
    record_review,
)
from api.jobs import JobContext, JobOutcome, create_jobs, validate_application
from api.service_api import ServiceContext
from api.users_db import DbUsers
from api.workflow.issuing import finish_licence, reserve_licence
from elicense import licence_attachment

CASE = 1  # sample case 1: an individual business registration, issued instantly as PDF + OFD
SERVICE = "individual-business-registration"
PASSWORD = "correct horse battery"
USERS = {"alice": Role.APPLICANT, "carol": Role.CLERK, "dave": Role.ADMIN}


@dataclass
class Issued:
    app_id: int
    record: LicenceRecord
    context: JobContext
    client: TestClient  # signed in as the clerk carol

    def page(self) -> str:
        response = self.client.get(f"/clerk/review/{self.app_id}")
        assert response.status_code == 200, response.text
        return response.text

    def blob(self, sha256: str) -> Path:
        return self.context.store.path_of(sha256)

    def overwrite(self, sha256: str, data: bytes) -> None:
        """Change the stored file in place (the store keeps blobs read-only)."""
        path = self.blob(sha256)
        os.chmod(path, 0o640)
        path.write_bytes(data)


def _app(context: JobContext) -> TestClient:
    jobs = create_jobs(context.settings, huey=MemoryHuey("clerk-issued", immediate=True),
                       context=context)
    app = create_app(context.settings, users=DbUsers(context.db),
                     registry=SqlLicenceRegistry(context.db),
                     service=ServiceContext(context.settings, db=context.db, store=context.store,
                                            jobs=jobs))
    return TestClient(app)


@pytest.fixture
def issued(context: JobContext, tmp_path: Path) -> Iterator[Issued]:
    """Sample case 1 issued instantly as PDF and OFD, alice's application, the app open and
    signed in as the clerk carol."""
    office = our_office(context.settings, tmp_path / "us")
    assert office.store.has_sm2()
    app_id, _ = sample_application(context.db, context.store, CASE, SERVICE)
    assert validate_application(context, app_id) is JobOutcome.APPLIED
    with context.db.transaction() as session:
        accounts = {name: create_account(session, name, role, PASSWORD)
                    for name, role in USERS.items()}
        application = session.get(Application, app_id)
        assert application is not None and application.state is ApplicationState.ISSUED
        application.applicant_id = accounts["alice"].id
        record = session.scalars(select(LicenceRecord).where(
            LicenceRecord.application_id == app_id)).one()
        session.expunge(record)
    assert record.ofd_sha256 is not None
    with _app(context) as client:
        assert sign_in(client, "carol", PASSWORD).status_code == 303
        yield Issued(app_id, record, context, client)


def _section(page: str) -> str:
    start = page.find('<section class="issued-licence"')
    assert start >= 0, "no issued-licence section on the review page"
    return page[start:page.index("</section>", start)]


def _verdict(page: str, fmt: str) -> dict[str, str]:
    """The verdict block of one format: its data attributes and its text."""
    section = _section(page)
    found = re.search(rf'<div class="[^"]*" id="issued-{fmt}"([^>]*)>(.*?)</div>', section,
                      re.S)
    assert found, f"no {fmt} verdict in the issued-licence section"
    attributes = dict(re.findall(r'data-([a-z]+)="([^"]*)"', found.group(1)))
    return {**attributes, "text": found.group(2)}


def _edited_ofd(ofd: bytes) -> bytes:
    """The package re-zipped with one byte of the first page's content changed (a digit of a
    text boundary: still well-formed XML, no longer the digest the seal signed)."""
    with zipfile.ZipFile(io.BytesIO(ofd)) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    page = min(name for name in files if name.endswith("Content.xml"))
    content = files[page]
    at = content.index(b'Boundary="') + len(b'Boundary="')
    assert content[at:at + 1].isdigit()
    files[page] = content[:at] + bytes([content[at] ^ 0x01]) + content[at + 1:]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    assert out.getvalue() != ofd
    return out.getvalue()


def test_both_issued_files_verify_and_the_clerk_downloads_them(issued: Issued) -> None:
    page = issued.page()
    section = _section(page)
    assert "已颁发的电子证照" in section and "Issued licence" in section
    record = issued.record
    for fmt, sha256 in (("pdf", record.pdf_sha256), ("ofd", record.ofd_sha256)):
        verdict = _verdict(page, fmt)
        assert verdict["code"] == "licence.verified" and verdict["passed"] == "true", verdict
        assert verdict["status"] == "valid"
        assert record.identifier in verdict["text"]
        assert record.holder_code_masked in verdict["text"]
        link = f'href="/clerk/review/{issued.app_id}/licence.{fmt}"'
        assert link in verdict["text"]
        download = issued.client.get(f"/clerk/review/{issued.app_id}/licence.{fmt}")
        assert download.status_code == 200, download.text
        assert hashlib.sha256(download.content).hexdigest() == sha256
        assert download.headers["content-disposition"].endswith(f".{fmt}")
    assert issued.client.get(f"/clerk/review/{issued.app_id}/licence.ofd").headers[
        "content-type"] == "application/ofd"


def test_a_changed_stored_file_fails_its_own_verdict_only(issued: Issued) -> None:
    record = issued.record
    assert record.ofd_sha256 is not None
    ofd = issued.blob(record.ofd_sha256).read_bytes()
    pdf = issued.blob(record.pdf_sha256).read_bytes()

    issued.overwrite(record.ofd_sha256, _edited_ofd(ofd))
    page = issued.page()
    assert _verdict(page, "ofd")["code"] == "licence.forged"
    assert _verdict(page, "ofd")["passed"] == "false"
    assert _verdict(page, "pdf")["code"] == "licence.verified"
    # A damaged file is not handed out as if it were the one issued.
    refused = issued.client.get(f"/clerk/review/{issued.app_id}/licence.ofd")
    assert refused.status_code == 409 and refused.content != ofd

    issued.overwrite(record.ofd_sha256, ofd)
    issued.overwrite(record.pdf_sha256, flip(pdf))
    page = issued.page()
    assert _verdict(page, "pdf")["code"] == "licence.forged"
    assert _verdict(page, "pdf")["passed"] == "false"
    assert _verdict(page, "ofd")["code"] == "licence.verified"

    # Gone from the store: a failed state with its code, the page still answers.
    issued.blob(record.pdf_sha256).unlink()
    page = issued.page()
    assert _verdict(page, "pdf")["code"] == "licence.file_missing"
    assert _verdict(page, "pdf")["passed"] == "false"
    assert _verdict(page, "ofd")["code"] == "licence.verified"
    assert issued.client.get(f"/clerk/review/{issued.app_id}/licence.pdf").status_code == 404


def test_a_revoked_licence_shows_revoked_for_both_files(issued: Issued) -> None:
    admin = issued.client.post("/api/v1/auth/token",
                               data={"username": "dave", "password": PASSWORD})
    assert admin.status_code == 200, admin.text
    revoked = issued.client.post(
        f"/api/v1/admin/licences/{issued.record.identifier}/revoke",
        json={"reason": "测试吊销 / test revocation"},
        headers={"Authorization": f"Bearer {admin.json()['access_token']}"})
    assert revoked.status_code == 200, revoked.text
    page = issued.page()
    for fmt in ("pdf", "ofd"):
        verdict = _verdict(page, fmt)
        assert verdict["code"] == "licence.revoked" and verdict["passed"] == "false", verdict
        assert verdict["status"] == "revoked"
    assert "测试吊销" in _section(page)


def test_an_applicant_cannot_use_the_clerk_downloads(issued: Issued) -> None:
    paths = [f"/clerk/review/{issued.app_id}/licence.{fmt}" for fmt in ("pdf", "ofd")]
    files = [issued.client.get(path).content for path in paths]  # the clerk's
    with _app(issued.context) as client:
        for path, content in zip(paths, files, strict=True):
            anonymous = client.get(path, follow_redirects=False)
            assert anonymous.status_code == 303 and content not in anonymous.content
        # alice owns the application and downloads it from her own page, not the clerk's.
        assert sign_in(client, "alice", PASSWORD).status_code == 303
        assert client.get(f"/apply/{issued.app_id}/licence.pdf").status_code == 200
        for path, content in zip(paths, files, strict=True):
            refused = client.get(path, follow_redirects=False)
            assert refused.status_code == 303, (path, refused.status_code)
            assert refused.headers.get("location", "").startswith("/login")
            assert content not in refused.content
        assert client.get(f"/clerk/review/{issued.app_id}",
                          follow_redirects=False).status_code == 303


def test_a_persons_licence_shows_the_id_number_masked_only(context: JobContext,
                                                           tmp_path: Path) -> None:
    """An ID card renewal's receipt names the holder by resident ID number: the signed file
    carries it in full, the register and the review's licence section only masked."""
    our_office(context.settings, tmp_path / "us")
    number = next(t["fields"]["id_number"] for t in case_truths(CASE)
                  if t["doc_type"] == "id_card_front")
    app_id, _ = sample_application(context.db, context.store, CASE, "id-card-renewal")
    validate_application(context, app_id)
    with context.db.transaction() as session:
        application = session.get(Application, app_id)
        assert application is not None
        assert application.state is ApplicationState.NEEDS_REVIEW
        clerk = create_account(session, "carol", Role.CLERK, PASSWORD)
        record_review(session, application, clerk.id, ReviewDecision.APPROVE)
        reservation = reserve_licence(context.workflow, session, application)
        clerk_id = clerk.id
    assert finish_licence(context.workflow, reservation, actor_id=clerk_id)
    with context.db.transaction(read_only=True) as session:
        record = session.scalars(select(LicenceRecord).where(
            LicenceRecord.application_id == app_id)).one()
        pdf = context.store.get(record.pdf_sha256)
        masked = record.holder_code_masked
    signed = licence_attachment(pdf)
    assert signed is not None and signed["licence"]["holder_code"] == number  # in the file
    assert masked != number and masked[0] == number[0] and masked[-1] == number[-1]
    with _app(context) as client:
        assert sign_in(client, "carol", PASSWORD).status_code == 303
        page = client.get(f"/clerk/review/{app_id}")
        assert page.status_code == 200, page.text
    section = _section(page.text)
    verdict = _verdict(page.text, "pdf")
    assert verdict["code"] == "licence.verified", verdict
    assert masked in verdict["text"]
    assert number not in section
    # Issued as a PDF only: no OFD verdict, no OFD link.
    assert 'id="issued-ofd"' not in section and "licence.ofd" not in section
