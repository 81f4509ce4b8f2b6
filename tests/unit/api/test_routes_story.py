"""The whole story through the applicant, clerk and admin API (TestClient, SQLite, jobs run
inline by an immediate huey with the real OCR reader): an applicant applies for 居民身份证换领
with the sample ID card and form, submits, the jobs move it to needs_review, a clerk approves,
the licence is issued, the downloaded PDF verifies, an admin revokes it and it no longer does;
the audit chain is intact and tells the same story."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from huey import MemoryHuey
from office_db import BACKENDS, office_database_url  # a sibling module

from api.app import create_app
from api.db import Database, Role, SqlLicenceRegistry, create_account, create_db, upgrade
from api.jobs import JobContext, create_jobs
from api.service_api import ServiceContext
from api.storage import FileStore
from api.users_db import DbUsers
from core import Settings
from elicense import load_trust, verify_licence_pdf

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "samples" / "documents"
MATERIALS = {"id_front": "0000_id_card_front_clean.jpg", "id_back": "0001_id_card_back_clean.jpg",
             "form": "0003_form_clean.pdf"}
# The service auto-approves (秒批) clean samples; the jobs validate as of a day before the
# sample card's validity began (2019-05-08), so rules fail and the application needs a clerk.
BEFORE_CARD_VALIDITY = date(2019, 1, 1)
PASSWORD = "correct horse battery"
USERS = {"alice": Role.APPLICANT, "bob": Role.APPLICANT, "carol": Role.CLERK, "dave": Role.ADMIN}


def service_app(settings: Settings, db: Database, context: ServiceContext) -> FastAPI:
    """The app serving ``context``, with accounts and the licence register in ``db``."""
    return create_app(settings, users=DbUsers(db), registry=SqlLicenceRegistry(db),
                      service=context)


@pytest.fixture(scope="module", params=BACKENDS)
def office(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, reader: Any):
    directory = tmp_path_factory.mktemp("service")
    with office_database_url(request.param, directory) as url:
        yield from _office(directory, url, reader)


def _office(directory: Path, url: str, reader: Any):
    settings = Settings(_env_file=None, data_dir=directory, database_url=url,
                        verify_rate_per_minute=10_000)
    upgrade(settings)
    db = create_db(settings)
    with db.transaction() as session:
        for name, role in USERS.items():
            create_account(session, name, role, PASSWORD)
    jobs = create_jobs(settings, huey=MemoryHuey("story", immediate=True),
                       context=JobContext(settings, db, FileStore(settings.resolved_storage_dir),
                                          reader_factory=lambda _settings: reader,
                                          today=lambda: BEFORE_CARD_VALIDITY))
    context = ServiceContext(settings, db=db, jobs=jobs)
    app = service_app(settings, db, context)
    with TestClient(app) as client:
        yield settings, client
    db.dispose()


def login(client: TestClient, name: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture(scope="module")
def story(office) -> dict[str, Any]:
    """Run the story once; the tests below check what each step left behind."""
    settings, client = office
    alice, carol, dave = login(client, "alice"), login(client, "carol"), login(client, "dave")
    steps: dict[str, Any] = {}
    created = client.post("/api/v1/applications", json={"service_id": "id-card-renewal"},
                          headers=alice)
    assert created.status_code == 201, created.text
    app_id = created.json()["id"]
    steps["created"] = created.json()
    for material, name in MATERIALS.items():
        response = client.post(f"/api/v1/applications/{app_id}/materials/{material}",
                               files={"file": (name, (DOCS / name).read_bytes())}, headers=alice)
        assert response.status_code == 201, response.text
    steps["submitted"] = client.post(f"/api/v1/applications/{app_id}/submit", headers=alice)
    steps["queue"] = client.get("/api/v1/review/queue", headers=carol).json()
    steps["review_view"] = client.get(f"/api/v1/review/applications/{app_id}",
                                      headers=carol).json()
    steps["approved"] = client.post(f"/api/v1/review/applications/{app_id}/decision",
                                    json={"decision": "approve", "comment": "资料齐全"},
                                    headers=carol)
    steps["approve_again"] = client.post(f"/api/v1/review/applications/{app_id}/decision",
                                         json={"decision": "reject"}, headers=carol)
    steps["pdf"] = client.get(f"/api/v1/applications/{app_id}/licence.pdf", headers=alice)
    steps["verdict_before"] = verify_licence_pdf(steps["pdf"].content,
                                                 load_trust(settings.data_dir / "published"))
    assert steps["approved"].status_code == 200, steps["approved"].text
    identifier = steps["approved"].json()["licence"]["identifier"]
    steps["revoked"] = client.post(f"/api/v1/admin/licences/{identifier}/revoke",
                                   json={"reason": "测试吊销"}, headers=dave)
    steps["revoke_again"] = client.post(f"/api/v1/admin/licences/{identifier}/revoke",
                                        json={"reason": "again"}, headers=dave)
    steps["verdict_after"] = verify_licence_pdf(steps["pdf"].content,
                                                load_trust(settings.data_dir / "published"))
    steps["public_verify"] = client.post(
        "/api/v1/verify", files={"file": ("l.pdf", steps["pdf"].content, "application/pdf")})
    # Verifications are audited from a buffer every 200 ms: write it now, so the log and the
    # chain below are read over the same rows.
    client.app.state.verify_audit.flush()  # type: ignore[attr-defined]
    steps["audit"] = client.get("/api/v1/admin/audit", params={"limit": 1000},
                                headers=dave).json()
    steps["chain"] = client.get("/api/v1/admin/audit/verify", headers=dave).json()
    steps["final"] = client.get(f"/api/v1/applications/{app_id}", headers=alice).json()
    steps["app_id"], steps["identifier"] = app_id, identifier
    return steps


def test_submit_runs_the_jobs_to_needs_review(story: dict[str, Any]) -> None:
    response = story["submitted"]
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"] == "needs_review"
    assert {m["material_type"] for m in body["materials"]} == set(MATERIALS)
    assert all(m["processed"] for m in body["materials"])
    front = next(m for m in body["materials"] if m["material_type"] == "id_front")
    assert front["fields"]["id_number"]["value"] == "320102199108294666"
    assert front["content_type"] == "image/jpeg"
    assert body["validation"] is not None


def test_clerk_sees_the_application_in_the_queue(story: dict[str, Any]) -> None:
    assert [row["id"] for row in story["queue"]] == [story["app_id"]]
    assert story["review_view"]["state"] == "needs_review"


def test_approval_issues_a_licence_that_verifies(story: dict[str, Any]) -> None:
    approved = story["approved"]
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "issued"
    assert approved.json()["reviews"][0]["decision"] == "approve"
    assert story["pdf"].status_code == 200
    assert story["pdf"].headers["content-type"] == "application/pdf"
    assert story["pdf"].content.startswith(b"%PDF-")
    assert story["verdict_before"].indication.value == "PASSED"


def test_a_decided_application_cannot_be_decided_again(story: dict[str, Any]) -> None:
    response = story["approve_again"]
    assert response.status_code == 409
    assert response.json()["code"] == "application.invalid_transition"


def test_revocation_makes_the_licence_fail(story: dict[str, Any]) -> None:
    assert story["revoked"].status_code == 200, story["revoked"].text
    assert story["revoked"].json()["status"] == "revoked"
    assert story["revoke_again"].status_code == 409
    assert story["verdict_after"].indication.value == "FAILED"
    assert story["public_verify"].json()["indication"] == "FAILED"
    assert story["final"]["licence"]["status"] == "revoked"


def test_audit_chain_is_intact_and_tells_the_story(story: dict[str, Any]) -> None:
    assert story["chain"]["intact"] is True
    assert story["chain"]["entries"] == len(story["audit"])
    app_id = str(story["app_id"])
    moves = [(e["details"]["from"], e["details"]["to"]) for e in story["audit"]
             if e["action"] == "application.state_changed" and e["subject_id"] == app_id]
    assert moves == [("draft", "submitted"), ("submitted", "processing"),
                     ("processing", "needs_review"), ("needs_review", "approved"),
                     ("approved", "issued")]
    actions = [e["action"] for e in story["audit"]]
    for action in ("application.created", "material.added", "review.recorded",
                   "licence.issued", "licence.revoked"):
        assert action in actions
    assert actions.count("material.added") == len(MATERIALS)
    # No personal data in clear: the ID number and the clerk's comment never reach the log.
    text = str(story["audit"])
    assert "320102199108294666" not in text and "资料齐全" not in text


def test_a_clerk_sees_a_pdf_material_as_a_page_image(office, story: dict[str, Any]) -> None:
    """The review page shows PDFs as images: page 1 of the sample form at 100 dpi (A4 →
    827 × 1170 px), refused to applicants, 404 past the last page."""
    import io  # noqa: PLC0415

    from PIL import Image  # noqa: PLC0415

    _settings, client = office
    carol, alice = login(client, "carol"), login(client, "alice")
    view = client.get(f"/api/v1/review/applications/{story['app_id']}", headers=carol).json()
    form = next(m for m in view["materials"] if m["material_type"] == "form")
    url = f"/api/v1/review/materials/{form['id']}/page.png"
    response = client.get(url, headers=carol)
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(response.content)) as image:
        assert abs(image.width - 827) <= 1 and abs(image.height - 1170) <= 1
        assert image.convert("L").getextrema()[0] < 100  # there is ink on the page
    assert client.get(url, headers=alice).status_code == 403
    missing = client.get(url, params={"page": 2}, headers=carol)
    assert missing.status_code == 404 and missing.json()["code"] == "api.not_found"
