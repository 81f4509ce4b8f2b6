"""Issue 13, the applicant's slots and submit through the API and the pages (TestClient; SQLite
and PostgreSQL; jobs inline with the real OCR reader): a wrong document in a slot is replaced
by uploading again, and a slot is emptied with DELETE (also after a return for correction);
either way the old row, its results, its corrections and its stored file go, audited, while a
file another row still holds stays. A refused replacement changes nothing. Saving the value
that was read is no correction. Submitting while a material is missing is refused with its
name (API), and the page's submit lands back on the application page saying what is missing.
The licence downloads under a readable name (RFC 6266)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest
from applicant_office import DOCS, ID_NUMBER, MATERIALS, PASSWORD, Office, build_office
from office_db import BACKENDS, office_database_url
from sqlalchemy import select
from web_forms import sign_in

from api.db import Application, ApplicationState, Material, PhotoCheck, change_state
from api.routes.applicant import content_disposition
from api.routes.web_applicant import human_size, licence_view, mask_id_number, steps_of
from api.schemas.applications import ApplicationPublic, LicencePublic
from api.workflow.licence_files import licence_state

BUSINESS_LICENCE = "0002_business_licence_clean.jpg"


@pytest.fixture(scope="module", params=BACKENDS)
def office(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           reader: Any) -> Iterator[Office]:
    directory = tmp_path_factory.mktemp("slots")
    with office_database_url(request.param, directory) as url:
        yield from build_office(directory, url, reader, f"slots-{request.param}")


@pytest.fixture(scope="module")
def alice(office: Office) -> dict[str, str]:
    return office.token("alice")


def read(name: str) -> bytes:
    return (DOCS / name).read_bytes()


def rows(office: Office, app_id: int) -> list[tuple[str, str]]:
    with office.db.transaction(read_only=True) as session:
        return [(m.material_type, m.sha256) for m in session.scalars(
            select(Material).where(Material.application_id == app_id).order_by(Material.id))]


def test_a_wrong_document_is_replaced_and_its_file_and_results_go(office: Office,
                                                                    alice) -> None:
    app_id = office.new_application(alice)
    wrong = office.upload(alice, app_id, "id_back", read(BUSINESS_LICENCE), "x.jpg")
    assert wrong.status_code == 201, wrong.text
    [(_, wrong_sha)] = rows(office, app_id)
    assert office.store.exists(wrong_sha)
    fixed = office.client.patch(f"/api/v1/applications/{app_id}/fields", headers=alice,
                                json={"field": "id_back.issuing_authority", "value": "某公安局"})
    assert fixed.status_code == 200, fixed.text
    right = office.upload(alice, app_id, "id_back", read(MATERIALS["id_back"]), "back.jpg")
    assert right.status_code == 201, right.text
    body = right.json()
    [back] = [m for m in body["materials"] if m["material_type"] == "id_back"]
    assert back["processed"] and back["fields"]["issuing_authority"]["value"]
    assert body["corrected_fields"] == {}  # corrections were of the old file's reading
    assert [t for t, _ in rows(office, app_id)] == ["id_back"]  # one row in the slot
    assert not office.store.exists(wrong_sha)
    entries = office.audit()
    removed = [e for e in entries if e.action == "material.removed"]
    assert removed and f'"replaced_by":{back["id"]}' in removed[-1].details
    assert '"material_type":"id_back"' in removed[-1].details


def test_delete_empties_a_slot_also_after_a_return(office: Office, alice) -> None:
    app_id = office.new_application(alice)
    assert office.upload(alice, app_id, "id_front", read(MATERIALS["id_front"])).status_code == 201
    # The same bytes in another application: its file must stay when this one goes.
    other = office.new_application(alice)
    assert office.upload(alice, other, "id_front", read(MATERIALS["id_front"])).status_code == 201
    [(_, sha)] = rows(office, app_id)
    with office.db.transaction() as session:
        application = session.get(Application, app_id)
        assert application is not None
        for state in (ApplicationState.SUBMITTED, ApplicationState.PROCESSING,
                      ApplicationState.NEEDS_REVIEW,
                      ApplicationState.RETURNED_FOR_CORRECTION):
            change_state(session, application, state, actor_id=None)
    gone = office.client.delete(f"/api/v1/applications/{app_id}/materials/id_front",
                                headers=alice)
    assert gone.status_code == 200, gone.text
    assert gone.json()["materials"] == [] and gone.json()["state"] == "returned_for_correction"
    assert rows(office, app_id) == [] and office.store.exists(sha)  # still the other's
    again = office.client.delete(f"/api/v1/applications/{app_id}/materials/id_front",
                                 headers=alice)
    assert again.status_code == 404 and again.json()["code"] == "api.not_found"
    unknown = office.client.delete(f"/api/v1/applications/{app_id}/materials/passport",
                                   headers=alice)
    assert unknown.status_code == 422 and unknown.json()["code"] == "material.invalid"
    # Someone else cannot empty it.
    bob = office.token("bob")
    theirs = office.client.delete(f"/api/v1/applications/{other}/materials/id_front",
                                  headers=bob)
    assert theirs.status_code == 404
    assert [t for t, _ in rows(office, other)] == ["id_front"]


def test_a_submitted_application_keeps_its_materials(office: Office, alice) -> None:
    app_id = office.new_application(alice)
    assert office.upload(alice, app_id, "photo", read(MATERIALS["id_front"])).status_code == 201
    with office.db.transaction() as session:
        application = session.get(Application, app_id)
        assert application is not None
        change_state(session, application, ApplicationState.SUBMITTED, actor_id=None)
    before = rows(office, app_id)
    refused = office.client.delete(f"/api/v1/applications/{app_id}/materials/photo",
                                   headers=alice)
    assert refused.status_code == 409 and refused.json()["code"] == "api.conflict"
    replaced = office.upload(alice, app_id, "photo", read(MATERIALS["id_back"]))
    assert replaced.status_code == 409
    assert rows(office, app_id) == before and office.store.exists(before[0][1])
    with office.db.transaction(read_only=True) as session:
        material_id = session.scalars(select(Material.id).where(
            Material.application_id == app_id)).one()
        assert session.scalars(select(PhotoCheck).where(
            PhotoCheck.material_id == material_id)).all()  # its check is still there


def test_a_refused_replacement_leaves_the_old_material(office: Office, alice) -> None:
    app_id = office.new_application(alice)
    assert office.upload(alice, app_id, "id_front", read(MATERIALS["id_front"])).status_code == 201
    before = rows(office, app_id)
    bad = office.upload(alice, app_id, "id_front", b"MZ not an image", "x.jpg")
    assert bad.status_code == 415 and bad.json()["code"] == "input.unsupported_type"
    assert rows(office, app_id) == before and office.store.exists(before[0][1])


def test_saving_the_value_read_is_no_correction(office: Office, alice) -> None:
    app_id = office.new_application(alice)
    assert office.upload(alice, app_id, "id_front", read(MATERIALS["id_front"])).status_code == 201
    audits = len(office.audit())
    same = office.client.patch(f"/api/v1/applications/{app_id}/fields", headers=alice,
                               json={"field": "id_front.id_number", "value": f" {ID_NUMBER} "})
    assert same.status_code == 200 and same.json()["corrected_fields"] == {}
    assert len(office.audit()) == audits  # nothing changed, nothing audited
    preview = office.client.get(f"/api/v1/applications/{app_id}/preview", headers=alice).json()
    [field] = [f for f in preview["fields"] if f["ref"] == "id_front.id_number"]
    assert field["corrected"] is False
    assert not [f for f in preview["findings"] if f["code"] == "field.corrected"]
    # A real change is a correction; saving the read value again withdraws it.
    changed = office.client.patch(f"/api/v1/applications/{app_id}/fields", headers=alice,
                                  json={"field": "id_front.name", "value": "王小明"})
    assert changed.json()["corrected_fields"] == {"id_front.name": "王小明"}
    read_name = changed.json()["materials"][0]["fields"]["name"]["value"]
    back = office.client.patch(f"/api/v1/applications/{app_id}/fields", headers=alice,
                               json={"field": "id_front.name", "value": read_name})
    assert back.json()["corrected_fields"] == {}


def test_submitting_without_a_material_names_it(office: Office, alice) -> None:
    app_id = office.new_application(alice)
    assert office.upload(alice, app_id, "id_front", read(MATERIALS["id_front"])).status_code == 201
    refused = office.client.post(f"/api/v1/applications/{app_id}/submit", headers=alice)
    assert refused.status_code == 422 and refused.json()["code"] == "material.invalid"
    text = refused.text
    assert "居民身份证（国徽面）" in text and "居民身份证申领登记表" in text
    assert "id_back" not in text and "form," not in text


def test_the_page_submit_goes_back_to_the_page_with_what_is_missing(office: Office) -> None:
    browser = office.client
    assert sign_in(browser, "alice", PASSWORD).status_code == 303
    created = browser.post("/apply", data={"service_id": "id-card-renewal"},
                           follow_redirects=False)
    app_id = int(created.headers["location"].rsplit("/", 1)[1])
    page = browser.get(f"/apply/{app_id}").text
    assert 'id="submit" class="primary" disabled' in page and 'id="submit-blockers"' in page
    submitted = browser.post(f"/apply/{app_id}/submit", follow_redirects=False)
    assert submitted.status_code == 303
    assert submitted.headers["location"] == f"/apply/{app_id}?notice=incomplete"
    page = browser.get(submitted.headers["location"]).text
    assert 'role="alert"' in page and "请先上传“居民身份证（人像面）”" in page
    assert "material.invalid" not in page
    with office.db.transaction(read_only=True) as session:
        application = session.get(Application, app_id)
        assert application is not None and application.state is ApplicationState.DRAFT


def test_page_helpers() -> None:
    assert mask_id_number(ID_NUMBER) == "320***********4666"
    assert mask_id_number("某公安局") == "某公安局"
    assert human_size(143_847) == "140 KB" and human_size(900) == "900 B"
    assert human_size(3 * 1024 * 1024) == "3.0 MB"
    assert [s["status"] for s in steps_of(ApplicationState.NEEDS_REVIEW)] == [
        "done", "done", "done", "current", "todo"]
    assert [s["status"] for s in steps_of(None)][:2] == ["current", "todo"]
    day = date(2021, 1, 1)
    assert licence_state("valid", "2020-12-31", day) == "expired"
    assert licence_state("valid", "2021-01-01", day) == "valid"  # its last day
    assert licence_state("valid", None, day) == "valid"  # open-ended
    assert licence_state("valid", "长期", day) == "valid"  # 长期 (no end) is no date
    assert licence_state("revoked", "2999-12-31", day) == "revoked"
    header = content_disposition("居住证-ZZ20261207-000012.pdf", "licence-ZZ20261207-000012.pdf")
    assert header == ("attachment; filename=\"licence-ZZ20261207-000012.pdf\"; "
                      f"filename*=UTF-8''{quote('居住证-ZZ20261207-000012.pdf')}")


def test_a_start_page_without_instant_approval_has_no_badge(office: Office) -> None:
    browser = office.client
    assert sign_in(browser, "alice", PASSWORD).status_code == 303
    plain = browser.get("/apply/services/visa-photo").text
    assert 'id="no-instant"' in plain and 'id="instant-badge"' not in plain
    instant = browser.get("/apply/services/id-card-renewal").text
    assert 'id="instant-badge"' in instant and "20 个工作日" in instant
    assert browser.get("/apply/services/no-such-service").status_code == 404


def test_the_licence_is_red_when_revoked_or_expired(office: Office) -> None:
    ctx = SimpleNamespace(settings=office.settings)
    now = datetime.now(UTC)

    def view(**licence: str) -> dict[str, Any] | None:
        application = ApplicationPublic(
            id=1, service_id="id-card-renewal", state=ApplicationState.ISSUED, created_at=now,
            updated_at=now, licence=LicencePublic(identifier="x", issued_at="2020-01-01",
                                                  **{"status": "valid", **licence}))
        return licence_view(ctx, application)  # type: ignore[arg-type]

    valid = view(valid_until="2999-12-31")
    assert valid is not None and not valid["bad"] and valid["state"] == "valid"
    expired = view(valid_until="2020-12-31")
    assert expired is not None and expired["bad"] and expired["state"] == "expired"
    assert expired["status"] == ("已过期", "Expired")
    revoked = view(status="revoked", reason="证件信息有误", revoked_at="2025-01-02T03:04:05Z")
    assert revoked is not None and revoked["bad"] and revoked["reason"] == "证件信息有误"
    assert revoked["revoked_at"] == "2025-01-02 11:04"  # the office's time (Asia/Shanghai)
