"""The clerk's pages and API of issue 13 (TestClient with the session cookie; SQLite and
PostgreSQL; jobs inline with the real OCR reader): the review shows each field as read and,
where the applicant corrected it, "read → corrected" — a form's fields and tick boxes included,
and a field OCR did not read at all; the queue names the service, the holder and the account,
in the office's local time with the waiting time; a decision needs an explicit choice and,
to reject or return, a comment (refused on the page and in the API, nothing recorded), and the
queue confirms what was recorded."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from applicant_office import DOCS, ID_NUMBER, MATERIALS, PASSWORD, Office, build_office
from fastapi.testclient import TestClient
from office_db import BACKENDS, office_database_url
from PIL import Image
from web_forms import sign_in

from api.db import Application, ApplicationState

PHONE_READ = "18278733819"  # what the sample form reads as 联系电话


@pytest.fixture(scope="module", params=BACKENDS)
def office(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           reader: Any) -> Iterator[Office]:
    directory = tmp_path_factory.mktemp("clerk-web")
    with office_database_url(request.param, directory) as url:
        yield from build_office(directory, url, reader, f"clerk-web-{request.param}")


@pytest.fixture(scope="module")
def carol(office: Office) -> TestClient:
    """A second client on the same app, signed in as the clerk through the login form."""
    client = TestClient(office.client.app)
    assert sign_in(client, "carol", PASSWORD).status_code == 303
    return client


def _submit(office: Office, alice: dict[str, str], app_id: int) -> None:
    submitted = office.client.post(f"/api/v1/applications/{app_id}/submit", headers=alice)
    assert submitted.status_code == 200, submitted.text
    seen = office.client.get(f"/api/v1/applications/{app_id}", headers=alice).json()
    assert seen["state"] == "needs_review"


@pytest.fixture(scope="module")
def corrected(office: Office) -> int:
    """An application waiting for a clerk: the sample card and form, the form's 联系电话
    corrected, and its 申请人签名 dropped from what OCR read (as if it had missed it) and filled
    in by the applicant."""
    alice = office.token("alice")
    app_id = office.new_application(alice)
    for material, name in MATERIALS.items():
        assert office.upload(alice, app_id, material, (DOCS / name).read_bytes(),
                             name).status_code == 201
    with office.db.transaction() as session:
        form = next(m for m in session.get(Application, app_id).materials  # type: ignore[union-attr]
                    if m.material_type == "form")
        result = dict(form.ocr_result or {})
        assert "申请人签名" in result["fields"]
        result["fields"] = {k: v for k, v in result["fields"].items() if k != "申请人签名"}
        result["lines"] = [line for line in result.get("lines", [])
                           if "签名" not in str(line) and "丁洋娟" not in str(line)]
        form.ocr_result = result
    for field, value in (("form.phone", "13900139000"), ("form.signature", "丁洋娟")):
        response = office.client.patch(f"/api/v1/applications/{app_id}/fields",
                                       json={"field": field, "value": value}, headers=alice)
        assert response.status_code == 200, response.text
    _submit(office, alice, app_id)
    return app_id


def _row(page: str, ref: str) -> str:
    start = page.rindex("<tr ", 0, page.index(f'data-field="{ref}"'))
    return page[start:page.index("</tr>", start)]


def test_the_review_shows_what_was_read_beside_what_the_applicant_corrected(
        office: Office, carol: TestClient, corrected: int) -> None:
    page = carol.get(f"/clerk/review/{corrected}")
    assert page.status_code == 200, page.text
    phone = _row(page.text, "form.phone")
    assert f'data-read="form.phone"><span class="nowrap">{PHONE_READ}</span></del>' in phone
    assert '<strong data-corrected="form.phone" class="nowrap">13900139000</strong>' in phone
    assert "申请人更正" in phone and phone.startswith('<tr class="corrected')
    # A field OCR did not read at all: "not read → the applicant's value".
    signature = _row(page.text, "form.signature")
    assert re.search(r'data-read="form.signature"><span class="zh">未识别</span>', signature)
    assert 'data-corrected="form.signature"' in signature and "丁洋娟" in signature
    # Rows nobody corrected show the value read only, never a correction mark.
    name = _row(page.text, "id_front.name")
    assert "data-corrected" not in name and "丁洋娟" in name
    # The form's tick boxes are there, with the ticked option.
    for ref, ticked in (("form.sex", "女"), ("form.reason", "有效期满换领"),
                        ("form.delivery", "窗口领取")):
        row = _row(page.text, ref)
        assert ticked in row and "勾选项" in row, ref
    # The full ID number for the clerk, unbroken; labels, not keys.
    number = _row(page.text, "id_front.id_number")
    assert f'<span class="nowrap">{ID_NUMBER}</span>' in number
    assert "公民身份号码" in number and ">id_number<" not in page.text
    # Small images that open the original; no byte counts, no bare confidence column.
    assert 'target="_blank"' in page.text and "/static/clerk.css" in page.text
    assert " B)" not in page.text and "置信度</span>" not in page.text

    fields = office.client.get(f"/api/v1/review/applications/{corrected}/fields",
                               headers=office.token("carol"))
    assert fields.status_code == 200
    by_ref = {f["ref"]: f for f in fields.json()}
    assert by_ref["form.phone"]["read"] == PHONE_READ
    assert by_ref["form.phone"]["corrected"] == "13900139000"
    assert by_ref["form.signature"]["read"] is None
    assert by_ref["form.sex"] == {**by_ref["form.sex"], "read": "女", "checkbox": True,
                                  "confidence": None}


def test_a_draft_has_no_fields_for_a_clerk(office: Office) -> None:
    draft = office.new_application(office.token("alice"))
    response = office.client.get(f"/api/v1/review/applications/{draft}/fields",
                                 headers=office.token("carol"))
    assert response.status_code == 404 and response.json()["code"] == "api.not_found"


def test_the_queue_names_service_holder_and_account_in_local_time(
        office: Office, carol: TestClient, corrected: int) -> None:
    # It has waited 2 h 5 min.
    entered = datetime.now(UTC) - timedelta(hours=2, minutes=5, seconds=30)
    with office.db.transaction() as session:
        application = session.get(Application, corrected)
        assert application is not None
        application.updated_at = entered
    page = carol.get("/clerk/queue")
    assert page.status_code == 200
    row = page.text[page.text.index(f'<tr data-application="{corrected}"'):]
    row = row[:row.index("</tr>")]
    local = entered.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    assert f">{local}</time>" in row and "UTC" not in row
    assert "居民身份证换领" in row and "id-card-renewal" not in row
    assert '<span class="holder">丁洋娟</span>' in row and "alice" in row
    assert "已等待 2 小时 5 分钟" in row and "waiting 2 h 5 min" in row
    assert "Asia/Shanghai" in page.text

    queue = office.client.get("/api/v1/review/queue", headers=office.token("carol")).json()
    entry = next(e for e in queue if e["id"] == corrected)
    assert (entry["service_name"], entry["applicant"], entry["holder_name"]) == (
        "居民身份证换领", "alice", "丁洋娟")
    assert datetime.fromisoformat(entry["waiting_since"]) == entered
    waits = [datetime.fromisoformat(e["waiting_since"]) for e in queue]
    assert waits == sorted(waits)  # the longest waiting first


def _blank_png(grey: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (grey, grey, grey)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def unreadable(office: Office) -> int:
    """An application waiting for a clerk, quickly: three blank images nothing can be read
    from (each its own colour, so the store keeps three files)."""
    alice = office.token("alice")
    app_id = office.new_application(alice)
    for grey, material in enumerate(MATERIALS, start=200):
        assert office.upload(alice, app_id, material, _blank_png(grey),
                             f"{material}.png").status_code == 201
    _submit(office, alice, app_id)
    return app_id


def _reviews(office: Office, app_id: int) -> tuple[ApplicationState, int]:
    with office.db.transaction(read_only=True) as session:
        application = session.get(Application, app_id)
        assert application is not None
        return application.state, len(application.reviews)


def test_a_decision_needs_a_choice_and_a_reason_to_reject_or_return(
        office: Office, carol: TestClient, unreadable: int) -> None:
    url = f"/clerk/review/{unreadable}/decision"
    page = carol.get(f"/clerk/review/{unreadable}").text
    radios = re.findall(r'<input type="radio" name="decision"[^>]*>', page)
    assert len(radios) == 3 and not any("checked" in r for r in radios)
    assert all(re.search(label, page) for label in ("批准", "不予批准", "退回补正"))
    assert "return_for_correction</" not in page and ">approve<" not in page
    # Nothing could be read from the blank images: one line each, not a table of blanks.
    assert all(f'data-nothing-read="{m}"' in page for m in MATERIALS)
    assert 'data-field="id_front.name"' not in page

    none_chosen = carol.post(url, data={"comment": ""}, follow_redirects=False)
    assert none_chosen.status_code == 422 and 'id="error"' in none_chosen.text
    assert "请选择审核决定" in none_chosen.text
    no_reason = carol.post(url, data={"decision": "reject", "comment": "  "},
                           follow_redirects=False)
    assert no_reason.status_code == 422 and "须填写意见" in no_reason.text
    assert 'value="reject" required checked' in no_reason.text  # the choice is kept
    assert _reviews(office, unreadable) == (ApplicationState.NEEDS_REVIEW, 0)
    clerk_api = office.token("carol")
    refused = office.client.post(f"/api/v1/review/applications/{unreadable}/decision",
                                 json={"decision": "return_for_correction"}, headers=clerk_api)
    assert refused.status_code == 422 and refused.json()["code"] == "api.validation_failed"
    assert _reviews(office, unreadable) == (ApplicationState.NEEDS_REVIEW, 0)

    returned = carol.post(url, data={"decision": "return_for_correction",
                                     "comment": "请上传清晰的身份证照片"}, follow_redirects=False)
    assert returned.status_code == 303
    assert returned.headers["location"] == f"/clerk/queue?decided={unreadable}"
    assert _reviews(office, unreadable) == (ApplicationState.RETURNED_FOR_CORRECTION, 1)
    queue = carol.get(returned.headers["location"]).text
    confirm = queue[queue.index('id="decided"'):]
    confirm = confirm[:confirm.index("</p>")]
    assert "已退回补正" in confirm and f"#{unreadable}" in confirm
    assert "居民身份证换领" in confirm and 'role="status"' in confirm
    assert f'<tr data-application="{unreadable}"' not in queue  # no longer waiting
    # Decided already: the state is checked before the comment (409, not 422).
    again = office.client.post(f"/api/v1/review/applications/{unreadable}/decision",
                               json={"decision": "reject"}, headers=clerk_api)
    assert again.status_code == 409
    assert again.json()["code"] == "application.invalid_transition"
    # A confirmation asked for an application that is not there is simply not shown.
    assert 'id="decided"' not in carol.get("/clerk/queue?decided=999999").text
    assert carol.get("/clerk/queue?decided=x%00y").status_code == 200
