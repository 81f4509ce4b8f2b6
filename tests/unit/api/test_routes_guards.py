"""What the applicant, clerk and admin API refuses (TestClient, SQLite, no OCR: submitted
applications are recorded by a dispatcher instead of processed): wrong roles 403, missing
tokens 401, other people's applications 404, bad uploads a 4xx with a code and nothing written,
invalid state changes 409, and processing enqueued only after the submission committed."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from office_db import BACKENDS, office_database_url  # a sibling module
from PIL import Image
from sqlalchemy import func, select

from api.app import create_app
from api.auth import Role as AuthRole
from api.db import (
    Account,
    Application,
    ApplicationState,
    AuditEntry,
    Database,
    Material,
    Role,
    SqlLicenceRegistry,
    change_state,
    create_account,
    create_db,
    upgrade,
)
from api.service_api import ServiceContext
from api.users_db import DbUsers, auth_role, db_role
from core import Settings

ROOT = Path(__file__).resolve().parents[3]
JPEG = (ROOT / "samples" / "documents" / "0000_id_card_front_clean.jpg").read_bytes()
PASSWORD = "correct horse battery"
USERS = {"alice": Role.APPLICANT, "bob": Role.APPLICANT, "carol": Role.CLERK, "dave": Role.ADMIN,
         "erin": Role.APPLICANT}
UPLOAD_LIMIT = 256 * 1024


def png_bytes(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="PNG")
    return out.getvalue()


class RecordingJobs:
    """Records which applications were handed over, and the state each had in the database at
    that moment (proving the submission had committed)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.calls: list[tuple[int, ApplicationState]] = []

    def submit(self, application_id: int) -> None:
        with self.db.transaction(read_only=True) as session:
            application = session.get(Application, application_id)
            assert application is not None
            self.calls.append((application_id, application.state))


def service_app(settings: Settings, db: Database, context: ServiceContext) -> FastAPI:
    """The app serving ``context``, with accounts and the licence register in ``db``."""
    return create_app(settings, users=DbUsers(db), registry=SqlLicenceRegistry(db),
                      service=context)


@pytest.fixture(scope="module", params=BACKENDS)
def office(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    directory = tmp_path_factory.mktemp("guards")
    with office_database_url(request.param, directory) as url:
        yield from _office(directory, url)


def _office(directory: Path, url: str):
    settings = Settings(_env_file=None, data_dir=directory, database_url=url,
                        verify_rate_per_minute=10_000, max_upload_bytes=UPLOAD_LIMIT)
    upgrade(settings)
    db = create_db(settings)
    with db.transaction() as session:
        for name, role in USERS.items():
            create_account(session, name, role, PASSWORD)
    jobs = RecordingJobs(db)
    app = service_app(settings, db, ServiceContext(settings, db=db, jobs=jobs))
    with TestClient(app) as client:
        yield settings, db, jobs, client
    db.dispose()


@pytest.fixture(scope="module")
def client(office) -> TestClient:
    return office[3]


@pytest.fixture(scope="module")
def tokens(client: TestClient) -> dict[str, dict[str, str]]:
    headers = {}
    for name in USERS:
        response = client.post("/api/v1/auth/token",
                               data={"username": name, "password": PASSWORD})
        assert response.status_code == 200, response.text
        headers[name] = {"Authorization": f"Bearer {response.json()['access_token']}"}
    return headers


def new_application(client: TestClient, headers: dict[str, str]) -> int:
    response = client.post("/api/v1/applications", json={"service_id": "id-card-renewal"},
                           headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["state"] == "draft"
    return int(response.json()["id"])


def upload(client: TestClient, headers: dict[str, str], app_id: int, material: str,
           data: bytes, name: str = "scan.jpg") -> Any:
    return client.post(f"/api/v1/applications/{app_id}/materials/{material}",
                       files={"file": (name, data, "image/jpeg")}, headers=headers)


def assert_problem(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code


def counts(db: Database, settings: Settings) -> tuple[int, int, int]:
    with db.transaction(read_only=True) as session:
        materials = session.scalar(select(func.count()).select_from(Material)) or 0
        audit = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    root = settings.resolved_storage_dir
    blobs = sum(1 for p in root.rglob("*") if p.is_file() and ".tmp" not in p.parts) \
        if root.exists() else 0
    return materials, audit, blobs


def test_roles_map_both_ways() -> None:
    for role in Role:
        assert db_role(auth_role(role)) is role
    assert {r.value for r in Role} == {r.value for r in AuthRole}


def test_services_are_listed_with_their_materials(client, tokens) -> None:
    response = client.get("/api/v1/services", headers=tokens["alice"])
    assert response.status_code == 200
    services = {s["id"]: s for s in response.json()}
    assert services["id-card-renewal"]["name"] == "居民身份证换领"
    materials = {m["id"]: m["required"] for m in services["id-card-renewal"]["materials"]}
    assert materials == {"id_front": True, "id_back": True, "form": True, "photo": False}


@pytest.mark.parametrize(("user", "method", "path"), [
    ("carol", "post", "/api/v1/applications"),
    ("dave", "get", "/api/v1/services"),
    ("alice", "get", "/api/v1/review/queue"),
    ("dave", "post", "/api/v1/review/applications/1/decision"),
    ("alice", "get", "/api/v1/admin/audit"),
    ("carol", "post", "/api/v1/admin/keys/rotate"),
    ("carol", "post", "/api/v1/admin/licences/x/revoke"),
    ("alice", "get", "/api/v1/admin/audit/verify"),
])
def test_wrong_roles_are_forbidden(client, tokens, user: str, method: str, path: str) -> None:
    body = {"service_id": "id-card-renewal"} if path.endswith("applications") else (
        {"decision": "approve"} if path.endswith("decision") else {"reason": "x"})
    response = getattr(client, method)(path, headers=tokens[user],
                                       **({"json": body} if method == "post" else {}))
    assert_problem(response, 403, "auth.forbidden")


def test_no_token_is_unauthorized(client) -> None:
    assert_problem(client.get("/api/v1/applications/1"), 401, "auth.unauthorized")
    assert_problem(client.get("/api/v1/review/queue"), 401, "auth.unauthorized")


def test_a_deactivated_account_loses_access_at_once(office, client, tokens) -> None:
    _, db, _, _ = office
    assert client.get("/api/v1/applications", headers=tokens["erin"]).status_code == 200
    with db.transaction() as session:
        account = session.scalars(select(Account).where(Account.username == "erin")).one()
        account.active = False
    assert_problem(client.get("/api/v1/applications", headers=tokens["erin"]), 401,
                   "auth.unauthorized")


def test_other_peoples_applications_look_absent(office, client, tokens) -> None:
    settings, db, _, _ = office
    app_id = new_application(client, tokens["alice"])
    before = counts(db, settings)
    for response in (
        client.get(f"/api/v1/applications/{app_id}", headers=tokens["bob"]),
        upload(client, tokens["bob"], app_id, "id_front", JPEG),
        client.patch(f"/api/v1/applications/{app_id}/fields",
                     json={"field": "form.phone", "value": "13800138000"},
                     headers=tokens["bob"]),
        client.post(f"/api/v1/applications/{app_id}/submit", headers=tokens["bob"]),
        client.get(f"/api/v1/applications/{app_id}/licence.pdf", headers=tokens["bob"]),
        client.get("/api/v1/applications/999999", headers=tokens["bob"]),
    ):
        assert_problem(response, 404, "api.not_found")
    assert counts(db, settings) == before
    mine = client.get("/api/v1/applications", headers=tokens["bob"]).json()
    assert app_id not in [row["id"] for row in mine]
    assert app_id in [row["id"] for row in
                      client.get("/api/v1/applications", headers=tokens["alice"]).json()]


EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200)
ELF = b"\x7fELF\x02\x01\x01" + bytes(200)


@pytest.mark.parametrize(("material", "data", "name", "status", "code"), [
    ("id_front", b"", "empty.jpg", 422, "input.empty"),
    ("id_front", b"\xff\xd8\xff\xe0" + bytes(UPLOAD_LIMIT + 1), "big.jpg", 413,
     "input.too_large"),
    ("id_front", EXECUTABLE, "photo.jpg", 415, "input.unsupported_type"),
    ("id_front", ELF, "photo.jpg", 415, "input.unsupported_type"),
    ("id_front", JPEG[: len(JPEG) // 2], "cut.jpg", 422, "input.truncated"),
    ("id_front", JPEG, "../../../etc/passwd.jpg", 422, "api.validation_failed"),
    ("id_front", JPEG, "..\\..\\windows\\x.jpg", 422, "api.validation_failed"),
    ("photo", b"%PDF-1.7\n" + bytes(100), "photo.jpg", 415, "input.unsupported_type"),
    ("no_such_material", JPEG, "x.jpg", 422, "material.invalid"),
])
def test_bad_uploads_are_refused_and_write_nothing(office, client, tokens, material: str,
                                                   data: bytes, name: str, status: int,
                                                   code: str) -> None:
    settings, db, _, _ = office
    app_id = new_application(client, tokens["alice"])
    before = counts(db, settings)
    assert_problem(upload(client, tokens["alice"], app_id, material, data, name), status, code)
    assert counts(db, settings) == before
    assert not any("passwd" in p.name for p in settings.data_dir.rglob("*"))


def test_upload_needs_multipart(client, tokens) -> None:
    app_id = new_application(client, tokens["alice"])
    response = client.post(f"/api/v1/applications/{app_id}/materials/id_front",
                           content=JPEG, headers={**tokens["alice"],
                                                  "Content-Type": "image/jpeg"})
    assert_problem(response, 415, "input.unsupported_type")


def test_unknown_service_and_bad_field(client, tokens) -> None:
    response = client.post("/api/v1/applications", json={"service_id": "no-such-service"},
                           headers=tokens["alice"])
    assert_problem(response, 404, "service.not_found")
    app_id = new_application(client, tokens["alice"])
    for field in ("form.no_such_field", "nomaterial.name"):
        response = client.patch(f"/api/v1/applications/{app_id}/fields",
                                json={"field": field, "value": "x"}, headers=tokens["alice"])
        assert_problem(response, 422, "api.validation_failed")
    good = client.patch(f"/api/v1/applications/{app_id}/fields",
                        json={"field": "form.phone", "value": "13800138000"},
                        headers=tokens["alice"])
    assert good.status_code == 200
    assert good.json()["corrected_fields"] == {"form.phone": "13800138000"}


def test_same_bytes_are_stored_once(office, client, tokens) -> None:
    settings, db, _, _ = office
    image = png_bytes((1, 2, 3))
    first, second = new_application(client, tokens["alice"]), new_application(
        client, tokens["bob"])
    before = counts(db, settings)
    for headers, app_id in ((tokens["alice"], first), (tokens["bob"], second)):
        response = upload(client, headers, app_id, "id_front", image)
        assert response.status_code == 201, response.text
        assert response.json()["materials"][0]["content_type"] == "image/png"
    after = counts(db, settings)
    assert after[0] == before[0] + 2 and after[2] == before[2] + 1
    # Uploading again replaces alice's material (issue 13); the file bob's material shares
    # stays, the new one is stored once.
    replaced = upload(client, tokens["alice"], first, "id_front", png_bytes((9, 9, 9)))
    assert replaced.status_code == 201, replaced.text
    assert len(replaced.json()["materials"]) == 1
    final = counts(db, settings)
    assert final[0] == after[0] and final[2] == after[2] + 1


def test_submit_rules_and_invalid_transitions(office, client, tokens) -> None:
    settings, db, jobs, _ = office
    alice, carol = tokens["alice"], tokens["carol"]
    app_id = new_application(client, alice)
    missing = client.post(f"/api/v1/applications/{app_id}/submit", headers=alice)
    assert_problem(missing, 422, "material.invalid")
    for index, material in enumerate(("id_front", "id_back", "form")):
        response = upload(client, alice, app_id, material, png_bytes((index, 50, 50)))
        assert response.status_code == 201, response.text
    early = client.post(f"/api/v1/review/applications/{app_id}/decision",
                        json={"decision": "approve"}, headers=carol)
    assert_problem(early, 404, "api.not_found")  # a draft does not exist for a clerk
    submitted = client.post(f"/api/v1/applications/{app_id}/submit", headers=alice)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["state"] == "submitted"
    assert jobs.calls[-1] == (app_id, ApplicationState.SUBMITTED)
    calls = len(jobs.calls)
    before = counts(db, settings)
    again = client.post(f"/api/v1/applications/{app_id}/submit", headers=alice)
    assert_problem(again, 409, "application.invalid_transition")
    late = upload(client, alice, app_id, "photo", png_bytes())
    assert_problem(late, 409, "api.conflict")
    fix = client.patch(f"/api/v1/applications/{app_id}/fields",
                       json={"field": "form.phone", "value": "1"}, headers=alice)
    assert_problem(fix, 409, "api.conflict")
    decided = client.post(f"/api/v1/review/applications/{app_id}/decision",
                          json={"decision": "reject", "comment": "x"}, headers=carol)
    assert_problem(decided, 409, "application.invalid_transition")
    assert len(jobs.calls) == calls
    assert counts(db, settings) == before


def test_unknown_licence_and_chain_check(client, tokens) -> None:
    response = client.post("/api/v1/admin/licences/1.2.3/revoke", json={"reason": "x"},
                           headers=tokens["dave"])
    assert_problem(response, 404, "api.not_found")
    chain = client.get("/api/v1/admin/audit/verify", headers=tokens["dave"])
    assert chain.status_code == 200 and chain.json()["intact"] is True
    page = client.get("/api/v1/admin/audit", params={"after_seq": 2, "limit": 3},
                      headers=tokens["dave"]).json()
    assert [entry["seq"] for entry in page] == [3, 4, 5]


def awaiting_review(client: TestClient, db: Database, alice: dict[str, str], *,
                    blue: int) -> int:
    """An application with three blank materials, submitted and moved as the jobs would move it
    (submitted -> processing -> needs_review); ``blue`` keeps its files apart from others'."""
    app_id = new_application(client, alice)
    for index, material in enumerate(("id_front", "id_back", "form")):
        assert upload(client, alice, app_id, material,
                      png_bytes((index, blue, blue))).status_code == 201
    assert client.post(f"/api/v1/applications/{app_id}/submit", headers=alice).status_code \
        == 200
    with db.transaction() as session:
        application = session.get(Application, app_id)
        assert application is not None
        for target in (ApplicationState.PROCESSING, ApplicationState.NEEDS_REVIEW):
            change_state(session, application, target, actor_id=None)
    return app_id


def test_return_for_correction_and_resubmit(office, client, tokens) -> None:
    settings, db, jobs, _ = office
    alice, carol = tokens["alice"], tokens["carol"]
    app_id = awaiting_review(client, db, alice, blue=90)
    assert app_id in [row["id"] for row in
                      client.get("/api/v1/review/queue", headers=carol).json()]
    returned = client.post(f"/api/v1/review/applications/{app_id}/decision",
                           json={"decision": "return_for_correction",
                                 "comment": "请补正联系电话"}, headers=carol)
    assert returned.status_code == 200, returned.text
    assert returned.json()["state"] == "returned_for_correction"
    seen = client.get(f"/api/v1/applications/{app_id}", headers=alice).json()
    assert seen["reviews"][0]["comment"] == "请补正联系电话"
    fixed = client.patch(f"/api/v1/applications/{app_id}/fields",
                         json={"field": "form.phone", "value": "13800138000"}, headers=alice)
    assert fixed.status_code == 200
    again = client.post(f"/api/v1/applications/{app_id}/submit", headers=alice)
    assert again.status_code == 200 and again.json()["state"] == "submitted"
    assert jobs.calls[-1] == (app_id, ApplicationState.SUBMITTED)
    assert app_id not in [row["id"] for row in
                          client.get("/api/v1/review/queue", headers=carol).json()]


def test_admin_rotates_the_signing_key(office, client, tokens) -> None:
    settings, db, _, _ = office
    rotated = client.post("/api/v1/admin/keys/rotate", headers=tokens["dave"])
    assert rotated.status_code == 200, rotated.text
    kid = rotated.json()["kid"]
    assert len(kid) >= 8 and all(c in "0123456789abcdef" for c in kid)
    with db.transaction(read_only=True) as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())
                               .limit(1)).one()
    assert (last.action, last.subject_id) == ("keys.rotated", kid)
    trust = client.get("/api/v1/trust-list").text
    assert kid in trust or kid.upper() in trust


def test_an_approval_that_cannot_issue_writes_nothing(office, client, tokens) -> None:
    settings, db, _, _ = office
    alice, carol = tokens["alice"], tokens["carol"]
    app_id = awaiting_review(client, db, alice, blue=7)
    before = counts(db, settings)
    # Blank images were never read: the licence has no holder name, so issuing fails and the
    # review, its state changes and their audit entries must all be rolled back.
    response = client.post(f"/api/v1/review/applications/{app_id}/decision",
                           json={"decision": "approve"}, headers=carol)
    assert_problem(response, 409, "api.conflict")
    assert counts(db, settings) == before
    seen = client.get(f"/api/v1/review/applications/{app_id}", headers=carol).json()
    assert seen["state"] == "needs_review" and seen["reviews"] == [] and seen["licence"] is None
