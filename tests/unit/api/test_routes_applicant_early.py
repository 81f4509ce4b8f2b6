"""Findings right away, through the applicant API (TestClient; SQLite and PostgreSQL; jobs run
inline with the real OCR reader and portrait analyzer): an upload is processed at once and
submitting does not read it again; the preview runs the form rules over what is processed and
stores nothing; a correction is shape-checked, audited without its value and seen by the
preview; a failed photo's auto-fixed version is served and, when accepted, replaces the
material and is checked again. Someone else's application is a 404, a submitted one a 409, a
bad value a 422 with a code, and a refused request writes nothing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from applicant_office import DOCS, ID_NUMBER, MATERIALS, Office, build_office  # siblings
from office_db import BACKENDS, office_database_url
from sqlalchemy import select

from api.db import (
    Application,
    ApplicationState,
    AuditEntry,
    Material,
    PhotoCheck,
    ValidationResult,
    change_state,
)


@pytest.fixture(scope="module", params=BACKENDS)
def office(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           reader: Any) -> Iterator[Office]:
    directory = tmp_path_factory.mktemp("early-api")
    with office_database_url(request.param, directory) as url:
        yield from build_office(directory, url, reader, f"early-api-{request.param}")


@pytest.fixture(scope="module")
def alice(office: Office) -> dict[str, str]:
    return office.token("alice")


@pytest.fixture(scope="module")
def bob(office: Office) -> dict[str, str]:
    return office.token("bob")


def assert_problem(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code


def material(body: dict[str, Any], material_type: str) -> dict[str, Any]:
    return next(m for m in body["materials"] if m["material_type"] == material_type)


def test_an_upload_is_read_at_once_and_not_again_at_submit(office: Office, alice) -> None:
    app_id = office.new_application(alice)
    reads = office.reader.reads
    name = MATERIALS["id_front"]
    response = office.upload(alice, app_id, "id_front", (DOCS / name).read_bytes(), name)
    assert response.status_code == 201, response.text
    front = material(response.json(), "id_front")
    assert response.json()["state"] == "draft"
    assert front["processed"] is True
    assert front["fields"]["id_number"]["value"] == ID_NUMBER
    assert office.reader.reads == reads + 1
    for material_type in ("id_back", "form"):
        name = MATERIALS[material_type]
        office.upload(alice, app_id, material_type, (DOCS / name).read_bytes(), name)
    assert office.reader.reads == reads + 3
    submitted = office.client.post(f"/api/v1/applications/{app_id}/submit", headers=alice)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["state"] == "needs_review"
    assert office.reader.reads == reads + 3  # every material was done before submitting


def test_the_preview_checks_what_is_processed_and_stores_nothing(office: Office, alice,
                                                                   bob) -> None:
    app_id = office.new_application(alice)
    name = MATERIALS["id_front"]
    office.upload(alice, app_id, "id_front", (DOCS / name).read_bytes(), name)
    audit, results = len(office.audit()), office.count(ValidationResult)
    response = office.client.get(f"/api/v1/applications/{app_id}/preview", headers=alice)
    assert response.status_code == 200, response.text
    preview = response.json()
    assert preview["application_id"] == app_id and preview["pending"] == []
    fields = {f["ref"]: f for f in preview["fields"]}
    assert fields["id_front.id_number"]["value"] == ID_NUMBER
    assert fields["id_front.id_number"]["corrected"] is False
    # The ID card's back and the form are not there yet: the preview says so.
    assert {"id_back", "form"} <= {f["material"] for f in preview["findings"]}
    assert preview["verdict"] != "valid"
    assert (len(office.audit()), office.count(ValidationResult)) == (audit, results)
    assert_problem(office.client.get(f"/api/v1/applications/{app_id}/preview", headers=bob),
                   404, "api.not_found")


@pytest.mark.parametrize(("value", "why"), [
    ("138\x00138", "a NUL"), ("13800\n138000", "a line break"), ("1" * 201, "too long"),
    ("138\u200b00138000", "an invisible mark"), ("1" * 501, "over the schema's cap"),
])
def test_a_correction_of_the_wrong_shape_is_refused(office: Office, alice, value: str,
                                                     why: str) -> None:
    app_id = office.new_application(alice)
    audit = len(office.audit())
    response = office.client.patch(f"/api/v1/applications/{app_id}/fields",
                                   json={"field": "form.phone", "value": value}, headers=alice)
    assert_problem(response, 422, "api.validation_failed")
    assert len(office.audit()) == audit, why
    body = office.client.get(f"/api/v1/applications/{app_id}", headers=alice).json()
    assert body["corrected_fields"] == {}


def test_a_correction_is_audited_without_its_value_and_previewed(office: Office, alice,
                                                                  bob) -> None:
    app_id = office.new_application(alice)
    name = MATERIALS["form"]
    office.upload(alice, app_id, "form", (DOCS / name).read_bytes(), name)
    path = f"/api/v1/applications/{app_id}/fields"
    correction = {"field": "form.phone", "value": " 13900139000 "}
    assert_problem(office.client.patch(path, json=correction, headers=bob), 404, "api.not_found")
    response = office.client.patch(path, json=correction, headers=alice)
    assert response.status_code == 200, response.text
    assert response.json()["corrected_fields"] == {"form.phone": "13900139000"}
    entry = office.audit()[-1]
    assert entry.action == "application.field_corrected"
    assert entry.subject_id == str(app_id)
    assert json.loads(entry.details) == {"field": "form.phone", "withdrawn": False}
    assert "13900139000" not in entry.details
    preview = office.client.get(f"/api/v1/applications/{app_id}/preview", headers=alice).json()
    phone = next(f for f in preview["fields"] if f["ref"] == "form.phone")
    assert (phone["value"], phone["corrected"], phone["confidence"]) == ("13900139000", True, 1.0)
    withdrawn = office.client.patch(path, json={"field": "form.phone", "value": ""},
                                    headers=alice)
    assert withdrawn.status_code == 200 and withdrawn.json()["corrected_fields"] == {}
    assert json.loads(office.audit()[-1].details)["withdrawn"] is True
    office.client.patch(path, json=correction, headers=alice)
    with office.db.transaction() as session:  # as if submitted (the ID card is not needed here)
        application = session.get(Application, app_id)
        assert application is not None
        change_state(session, application, ApplicationState.SUBMITTED, actor_id=None)
    audit = len(office.audit())
    assert_problem(office.client.patch(path, json={"field": "form.phone", "value": "1"},
                                       headers=alice), 409, "api.conflict")
    assert len(office.audit()) == audit


def test_the_fixed_photo_is_offered_and_replaces_the_material(office: Office, alice, bob,
                                                               portrait_photo: bytes) -> None:
    app_id = office.new_application(alice, "visa-photo")
    base = f"/api/v1/applications/{app_id}/materials/photo"
    uploaded = office.upload(alice, app_id, "photo", portrait_photo, "me.jpg")
    assert uploaded.status_code == 201, uploaded.text
    photo = material(uploaded.json(), "photo")
    assert photo["processed"] is True and photo["photo_check"]["passed"] is False
    assert "background_color" in photo["photo_check"]["result"]["failed"]
    old_id = photo["id"]
    fixed = office.offer_fixed_photo(old_id)

    shown = office.client.get(f"{base}/fixed-photo", headers=alice)
    assert shown.status_code == 200 and shown.content == fixed
    assert shown.headers["content-type"] == "image/jpeg"
    assert "no-store" in shown.headers["cache-control"]
    original = office.client.get(f"{base}/content", headers=alice)
    assert original.status_code == 200 and original.content == portrait_photo
    audit = len(office.audit())
    for response in (office.client.get(f"{base}/fixed-photo", headers=bob),
                     office.client.get(f"{base}/content", headers=bob),
                     office.client.post(f"{base}/use-fixed", headers=bob)):
        assert_problem(response, 404, "api.not_found")
    assert len(office.audit()) == audit

    used = office.client.post(f"{base}/use-fixed", headers=alice)
    assert used.status_code == 200, used.text
    photo = material(used.json(), "photo")
    assert photo["id"] != old_id
    assert photo["sha256"] == hashlib.sha256(fixed).hexdigest()
    assert photo["processed"] is True and photo["photo_check"]["passed"] is True
    assert len(used.json()["materials"]) == 1
    with office.db.transaction(read_only=True) as session:
        assert session.get(Material, old_id) is None
        assert session.scalars(select(PhotoCheck).where(
            PhotoCheck.material_id == old_id)).all() == []
    entries = [e for e in office.audit() if e.subject_id == str(app_id)]
    assert [e.action for e in entries[-2:]] == ["material.added", "material.fixed_photo_used"]
    assert json.loads(entries[-1].details) == {
        "material_id": photo["id"], "replaced_material_id": old_id, "material_type": "photo",
        "sha256": photo["sha256"]}
    assert office.client.get(f"{base}/content", headers=alice).content == fixed

    # The new photo passes, so nothing more is on offer.
    audit = len(office.audit())
    assert_problem(office.client.get(f"{base}/fixed-photo", headers=alice), 404,
                   "api.not_found")
    assert_problem(office.client.post(f"{base}/use-fixed", headers=alice), 409, "api.conflict")
    assert len(office.audit()) == audit


def test_use_fixed_needs_an_editable_application_and_an_uploaded_photo(
        office: Office, alice, portrait_photo: bytes) -> None:
    app_id = office.new_application(alice, "visa-photo")
    base = f"/api/v1/applications/{app_id}/materials/photo"
    assert_problem(office.client.post(f"{base}/use-fixed", headers=alice), 404, "api.not_found")
    assert_problem(office.client.get(f"{base}/content", headers=alice), 404, "api.not_found")
    photo = material(office.upload(alice, app_id, "photo", portrait_photo).json(), "photo")
    office.offer_fixed_photo(photo["id"])
    submitted = office.client.post(f"/api/v1/applications/{app_id}/submit", headers=alice)
    assert submitted.status_code == 200, submitted.text
    before = (len(office.audit()), office.count(Material))
    assert_problem(office.client.post(f"{base}/use-fixed", headers=alice), 409, "api.conflict")
    assert (len(office.audit()), office.count(Material)) == before
    # Still the applicant's own: the fixed photo can be looked at, not swapped in.
    assert office.client.get(f"{base}/fixed-photo", headers=alice).status_code == 200
    assert_problem(office.client.get(f"/api/v1/applications/{app_id}/materials/"
                                     f"{'x' * 65}/content", headers=alice), 422,
                   "api.validation_failed")


def test_audit_chain_stays_intact(office: Office) -> None:
    from api.db import verify_chain  # noqa: PLC0415

    with office.db.transaction(read_only=True) as session:
        assert verify_chain(session).intact
    assert office.count(AuditEntry) > 0
