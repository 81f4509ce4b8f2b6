"""Zero-original through the API (create_app, TestClient, jobs inline with the real OCR reader),
on SQLite and PostgreSQL: an admin imports another office's published trust folder (zipped),
an applicant hands in that office's signed 营业执照 as the ``licence`` material of a
legal-representative change, the job verifies it instead of OCR'ing it, the applicant's view
and the clerk's review page show the verified e-licence; the admin removes the issuer again.
Bad zips, non-admins and this office's own folder are refused (problem+json 4xx); everything
is audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import trust_offices as offices  # tests/unit/elicense/trust_offices.py (tests/conftest.py)
from fastapi.testclient import TestClient
from huey import MemoryHuey
from office_db import BACKENDS, office_database_url  # a sibling module
from web_forms import sign_in  # a sibling module

from api.app import create_app
from api.db import Role, SqlLicenceRegistry, create_account, create_db, upgrade
from api.jobs import JobContext, create_jobs
from api.service_api import ServiceContext
from api.storage import FileStore
from api.users_db import DbUsers
from core import Settings

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "samples" / "documents"
# Sample case 2 (a legal-representative change); its scanned licence is replaced by an
# e-licence for the same company.
SCANS = {"id_front": "0008_id_card_front_clean.jpg", "id_back": "0009_id_card_back_clean.jpg",
         "form": "0011_form_clean.png"}
USCC, COMPANY, REPRESENTATIVE = "91610113MA26Y1127U", "西安德润建筑工程有限公司", "段海"
# The jobs validate as of a day before the sample card was valid: the application needs a
# clerk, who then looks at it.
BEFORE_CARD_VALIDITY = date(2019, 1, 1)
PASSWORD = "correct horse battery"
USERS = {"alice": Role.APPLICANT, "carol": Role.CLERK, "dave": Role.ADMIN}


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_imported_offices_e_licence_is_verified_and_shown_to_applicant_and_clerk(
        backend: str, tmp_path: Path, reader: Any) -> None:
    with office_database_url(backend, tmp_path) as url:
        _story(tmp_path, url, reader)


def _story(tmp_path: Path, url: str, reader: Any) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", database_url=url,
                        verify_rate_per_minute=10_000)
    upgrade(settings)
    db = create_db(settings)
    with db.transaction() as session:
        for name, role in USERS.items():
            create_account(session, name, role, PASSWORD)
    jobs = create_jobs(settings, huey=MemoryHuey("elicence", immediate=True),
                       context=JobContext(settings, db, FileStore(settings.resolved_storage_dir),
                                          reader_factory=lambda _settings: reader,
                                          today=lambda: BEFORE_CARD_VALIDITY))
    app = create_app(settings, users=DbUsers(db), registry=SqlLicenceRegistry(db),
                     service=ServiceContext(settings, db=db, jobs=jobs))
    now = datetime.now(UTC).replace(microsecond=0)
    other = offices.Office(tmp_path / "other", *offices.OTHER, now - timedelta(days=1))
    issued = other.issue_company(now - timedelta(minutes=5), uscc=USCC, holder=COMPANY,
                                 representative=REPRESENTATIVE)
    pdf = issued.pdf
    with TestClient(app) as client:
        def login(name: str) -> dict[str, str]:
            token = client.post("/api/v1/auth/token",
                                data={"username": name, "password": PASSWORD})
            return {"Authorization": f"Bearer {token.json()['access_token']}"}

        def public_verdicts() -> tuple[dict[str, Any], dict[str, Any]]:
            by_token = client.post("/api/v1/verify", json={"token": issued.token})
            by_pdf = client.post("/api/v1/verify",
                                 files={"file": ("l.pdf", pdf, "application/pdf")})
            assert by_token.status_code == 200 and by_pdf.status_code == 200
            return by_token.json(), by_pdf.json()

        alice, dave = login("alice"), login("dave")
        assert client.get("/api/v1/admin/trust", headers=dave).json() == []
        # Not imported: the public verification does not know the other office's keys.
        assert {v["indication"] for v in public_verdicts()} == {"FAILED"}
        assert client.post("/api/v1/admin/trust", headers=alice, files={
            "file": ("t.zip", offices.zipped(other.published))}).status_code == 403

        bad = client.post("/api/v1/admin/trust", headers=dave,
                          files={"file": ("t.zip", b"PK\x03\x04 not a zip")})
        assert bad.status_code == 422 and bad.json()["code"] == "trust.invalid"
        assert bad.headers["content-type"].startswith("application/problem+json")
        own = client.post("/api/v1/admin/trust", headers=dave, files={
            "file": ("own.zip", offices.zipped(settings.data_dir / "published"))})
        assert own.status_code == 409 and own.json()["code"] == "trust.own_issuer"

        imported = client.post("/api/v1/admin/trust", headers=dave, files={
            "file": ("other.zip", offices.zipped(other.published, "published/"))})
        assert imported.status_code == 201, imported.text
        assert imported.json()["code"] == offices.OTHER[0]
        assert imported.json()["name_zh"] == offices.OTHER[1]
        listed = client.get("/api/v1/admin/trust", headers=dave).json()
        assert [issuer["code"] for issuer in listed] == [offices.OTHER[0]]
        # Imported: a bank or a counter clerk verifies the other office's licence here too.
        token_verdict, pdf_verdict = public_verdicts()
        assert token_verdict["indication"] == "PASSED", token_verdict
        assert pdf_verdict["indication"] == "PASSED", pdf_verdict
        assert pdf_verdict["licence"]["identifier"] == str(issued.licence.identifier)

        body = _apply(client, alice, pdf)
        assert body["state"] == "needs_review"
        licence = next(m for m in body["materials"] if m["material_type"] == "licence")
        summary = licence["elicence"]
        assert summary["code"] == "licence.verified" and summary["verified"] is True
        assert summary["issuer_code"] == offices.OTHER[0]
        assert summary["issuer_name"] == offices.OTHER[1] and summary["status"] == "valid"
        assert licence["fields"]["uscc"] == {"value": USCC, "confidence": 1.0,
                                             "source": "elicence"}
        assert licence["fields"]["legal_representative"]["value"] == REPRESENTATIVE
        findings = {f["rule"] for f in body["validation"]["findings"]}
        assert "form_uscc_matches_licence" not in findings  # the OCR'd form agrees with it
        assert "previous_representative_matches_licence" not in findings

        sign_in(client, "carol", PASSWORD)
        page = client.get(f"/clerk/review/{body['id']}")
        assert page.status_code == 200, page.text
        assert 'id="elicence-licence"' in page.text and "已核验电子证照" in page.text
        assert "verified e-licence" in page.text and offices.OTHER[1] in page.text
        assert summary["identifier"] in page.text
        client.post("/logout")

        removed = client.delete(f"/api/v1/admin/trust/{offices.OTHER[0]}", headers=dave)
        assert removed.status_code == 200 and removed.json()["code"] == offices.OTHER[0]
        again = client.delete(f"/api/v1/admin/trust/{offices.OTHER[0]}", headers=dave)
        assert again.status_code == 404 and again.json()["code"] == "trust.not_found"
        assert {v["indication"] for v in public_verdicts()} == {"FAILED"}
        # The review of the application already decided stays as it was; a new upload of the
        # same PDF would now be untrusted (the job tests check that on both databases).
        assert client.get("/api/v1/admin/trust", headers=dave).json() == []
        audit = client.get("/api/v1/admin/audit", params={"limit": 1000}, headers=dave).json()
        actions = [(e["action"], e["subject_id"]) for e in audit]
        assert ("trust.imported", offices.OTHER[0]) in actions
        assert ("trust.removed", offices.OTHER[0]) in actions
        trusted = {e["action"]: e for e in audit if e["action"].startswith("trust.")}
        # By the admin's account; the import says its key count and status list date.
        assert len({e["actor_id"] for e in trusted.values()} - {None}) == 1
        assert sorted(trusted["trust.imported"]["details"]) == ["keys", "status_list_issued_at"]
        assert trusted["trust.removed"]["details"] == {}
        assert USCC not in str([e for e in audit if e["action"].startswith("trust.")])
    db.dispose()


def _apply(client: TestClient, alice: dict[str, str], pdf: bytes) -> dict[str, Any]:
    created = client.post("/api/v1/applications",
                          json={"service_id": "legal-representative-change"}, headers=alice)
    assert created.status_code == 201, created.text
    app_id = created.json()["id"]
    uploads = {**{k: (v, (DOCS / v).read_bytes()) for k, v in SCANS.items()},
               "licence": ("licence.pdf", pdf)}
    for material, upload in uploads.items():
        response = client.post(f"/api/v1/applications/{app_id}/materials/{material}",
                               files={"file": upload}, headers=alice)
        assert response.status_code == 201, response.text
    submitted = client.post(f"/api/v1/applications/{app_id}/submit", headers=alice)
    assert submitted.status_code == 200, submitted.text
    return client.get(f"/api/v1/applications/{app_id}", headers=alice).json()
