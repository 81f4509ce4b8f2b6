"""The clerk's pages in a real browser (issue 13, items 2, 12 and the clerk part of 7): the
review shows "value read → corrected value" on the row the applicant corrected (on the old page
the corrected value appeared nowhere: the page looked corrections up under the form's printed
labels); the queue gives local time, the service's name, the holder and the waiting time; the
review is compact, the form's tick boxes are there and the ID number does not wrap, on a phone
too; a decision needs an explicit choice (none is pre-selected) and a comment to reject or
return — the browser and the server both refuse — and the queue confirms what was recorded.
The applications are made through the API (three sample uploads for one, three blank images for
the other), so the test spends its time on the clerk's pages. Screenshots at desktop and phone
size go to ``var/test-artifacts/pages/``."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from pages_office import (  # a sibling module
    DOCS,
    ID_CARD_MATERIALS,
    JOB_WAIT_MS,
    PASSWORD,
    Office,
    browser,
    shots,
    sign_in,
)
from PIL import Image
from playwright import sync_api

from api.db import Application, Role

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ID_NUMBER = "320102199108294666"  # the sample card's number
PHONE_READ = "18278733819"  # the sample form's 联系电话
PHONE_CORRECTED = "13900139000"
WAITED = timedelta(hours=2, minutes=5, seconds=20)


@dataclass(frozen=True)
class Case:
    app_id: int
    clerk: str


def headers_of(office: Office, name: str) -> dict[str, str]:
    token = httpx.post(f"{office.base}/api/v1/auth/token",
                       data={"username": name, "password": PASSWORD})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def application_waiting(office: Office, files: dict[str, tuple[str, bytes]],
                        corrections: dict[str, str]) -> int:
    """A fresh applicant's 居民身份证换领 with ``files`` uploaded and ``corrections`` made,
    submitted and waiting for a clerk."""
    alice = headers_of(office, office.new_user(Role.APPLICANT, "clerkcase"))
    created = httpx.post(f"{office.base}/api/v1/applications",
                         json={"service_id": "id-card-renewal"}, headers=alice)
    assert created.status_code == 201, created.text
    app_id = int(created.json()["id"])
    for material, (name, data) in files.items():
        sent = httpx.post(f"{office.base}/api/v1/applications/{app_id}/materials/{material}",
                          files={"file": (name, data)}, headers=alice, timeout=60)
        assert sent.status_code == 201, sent.text
    for field, value in corrections.items():
        fixed = httpx.patch(f"{office.base}/api/v1/applications/{app_id}/fields",
                            json={"field": field, "value": value}, headers=alice)
        assert fixed.status_code == 200, fixed.text
    submitted = httpx.post(f"{office.base}/api/v1/applications/{app_id}/submit", headers=alice,
                           timeout=60)
    assert submitted.status_code == 200, submitted.text
    deadline = time.monotonic() + JOB_WAIT_MS / 1000
    while True:  # the worker takes it to needs_review (validating before the card's validity)
        state = httpx.get(f"{office.base}/api/v1/applications/{app_id}",
                          headers=alice).json()["state"]
        if state == "needs_review":
            return app_id
        assert state in ("submitted", "processing") and time.monotonic() < deadline, state
        time.sleep(0.2)


@pytest.fixture(scope="module")
def corrected(pages_office: Office) -> Case:
    """The sample card and form, the form's 联系电话 corrected, waiting for a clerk."""
    files = {m: (n, (DOCS / n).read_bytes()) for m, n in ID_CARD_MATERIALS.items()}
    app_id = application_waiting(pages_office, files, {"form.phone": PHONE_CORRECTED})
    return Case(app_id, pages_office.new_user(Role.CLERK, "clerk"))


def wait_since(office: Office, app_id: int, waited: timedelta) -> datetime:
    """Make the application have entered the queue ``waited`` ago; that moment (UTC)."""
    entered = datetime.now(UTC).replace(microsecond=0) - waited
    with office.db.transaction() as session:
        application = session.get(Application, app_id)
        assert application is not None
        application.updated_at = entered
    return entered


def blank_png(grey: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (grey, grey, grey)).save(buffer, format="PNG")
    return buffer.getvalue()


def fits_a_phone(page: sync_api.Page) -> None:
    """No horizontal overflow at 360 px."""
    page.set_viewport_size({"width": 360, "height": 800})
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width} px wide on a 360 px screen"


def test_the_clerk_sees_what_the_applicant_corrected(pages_office: Office,
                                                     corrected: Case) -> None:
    """Item 2: the corrected row shows the value read, an arrow and the corrected value."""
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": 1366, "height": 900})
        sign_in(page, pages_office.base, corrected.clerk)
        page.goto(f"{pages_office.base}/clerk/review/{corrected.app_id}")
        row = page.locator("[data-field='form.phone']")
        assert row.locator("[data-corrected]").inner_text() == PHONE_CORRECTED
        assert row.locator("[data-read]").inner_text() == PHONE_READ
        assert "→" in row.inner_text() and "申请人更正" in row.inner_text()
        # The finding that asked the clerk to check it, and nothing marked that was not.
        assert page.locator("#findings").get_by_text("由申请人更正").count() == 1
        assert page.locator("[data-corrected]").count() == 1
        shots(page, "clerk-review-corrected")


def test_the_queue_shows_local_time_service_applicant_and_waiting(pages_office: Office,
                                                                  corrected: Case) -> None:
    """Item 12: local time (Asia/Shanghai, not UTC), the service's name, the holder, the
    waiting time; the longest waiting first."""
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": 1366, "height": 900})
        entered = wait_since(pages_office, corrected.app_id, WAITED)
        local = entered.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
        sign_in(page, pages_office.base, corrected.clerk)
        assert page.url == f"{pages_office.base}/clerk/queue"
        row = page.locator(f"#queue tr:has(a[data-application='{corrected.app_id}'])")
        text = row.inner_text()
        assert local in text and "UTC" not in text
        assert "居民身份证换领" in text and "id-card-renewal" not in text
        assert "丁洋娟" in text
        assert "已等待 2 小时 5 分钟" in text
        times = page.locator("#queue time").evaluate_all(
            "ts => ts.map(t => t.getAttribute('datetime'))")
        assert times == sorted(times)
        page.click("#lang-toggle")
        assert "waiting 2 h 5 min" in row.inner_text()
        assert "Resident ID card renewal" in row.inner_text()
        page.click("#lang-toggle")
        shots(page, "clerk-queue")
        fits_a_phone(page)


def test_the_review_is_compact_with_tick_boxes_and_unbroken_id_numbers(
        pages_office: Office, corrected: Case) -> None:
    """Item 12: images small beside the fields (they open the original), the form's tick box
    fields shown, the ID number on one line at desktop and phone size, labels not keys."""
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": 1366, "height": 900})
        sign_in(page, pages_office.base, corrected.clerk)
        page.goto(f"{pages_office.base}/clerk/review/{corrected.app_id}")
        for ref, ticked in (("form.sex", "女"), ("form.reason", "有效期满换领"),
                            ("form.delivery", "窗口领取")):
            assert ticked in page.locator(f"[data-field='{ref}'] td.value").inner_text(), ref
        main = page.locator("main").inner_text()
        for key in ("id_number", "birth_date", "issuing_authority", "return_for_correction",
                    " B)", "1.00"):
            assert key not in main, key
        thumbs = page.locator("img[data-thumb]")
        assert thumbs.count() == 3
        for index in range(3):
            image = thumbs.nth(index)
            assert image.evaluate("i => i.complete && i.naturalWidth") > 0
            box = image.bounding_box()
            assert box is not None and box["height"] <= 13 * 16 + 2, box
            assert image.locator("xpath=..").get_attribute("target") == "_blank"
        # Fields beside the image, not under it.
        front = page.locator("#material-id_front")
        image_box = front.locator("img").bounding_box()
        table_box = front.locator("table").bounding_box()
        assert image_box and table_box and table_box["x"] > image_box["x"] + image_box["width"]
        height = page.evaluate("() => document.documentElement.scrollHeight")
        assert height < 2400, f"the review is {height} px tall"
        number = page.locator("[data-field='id_front.id_number'] td.value span")
        for size in ({"width": 1366, "height": 900}, {"width": 360, "height": 800}):
            page.set_viewport_size(size)
            assert number.inner_text() == ID_NUMBER
            lines = number.evaluate("e => e.getClientRects().length")
            assert lines == 1, f"the ID number wraps at {size['width']} px"
        fits_a_phone(page)
        page.set_viewport_size({"width": 1366, "height": 900})
        shots(page, "clerk-review")


def test_a_decision_needs_a_choice_and_the_queue_confirms_it(pages_office: Office) -> None:
    """Item 7, the clerk's part: nothing is chosen at first and the browser refuses a submit
    without a choice; rejecting or returning needs a comment; a client that skips the browser's
    checks is refused by the server; after the decision the queue says what was recorded."""
    files = {m: (f"{m}.png", blank_png(grey))
             for grey, m in enumerate(ID_CARD_MATERIALS, start=200)}
    app_id = application_waiting(pages_office, files, {})
    clerk = pages_office.new_user(Role.CLERK, "clerk")
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": 1366, "height": 900})
        sign_in(page, pages_office.base, clerk)
        review = f"{pages_office.base}/clerk/review/{app_id}"
        page.goto(review)
        radios = page.locator("input[name=decision]")
        assert radios.count() == 3
        assert page.locator("input[name=decision]:checked").count() == 0
        labels = page.locator("#decision-form fieldset").inner_text()
        assert all(word in labels for word in ("批准", "不予批准", "退回补正"))
        assert "approve" not in labels and "return_for_correction" not in labels
        page.click("#decide")  # no choice: the browser does not send it
        assert page.url == review
        assert radios.first.evaluate("r => r.validity.valueMissing")
        page.check("input[name=decision][value=reject]")
        page.click("#decide")  # a rejection without a reason: refused too
        assert page.url == review
        assert page.locator("#comment").evaluate("t => t.required && t.validity.valueMissing")
        shots(page, "clerk-decision-refused")
        # A client that skips those checks: the server refuses, nothing is recorded.
        page.evaluate("() => document.querySelectorAll('[required]').forEach("
                      "e => e.removeAttribute('required'))")
        page.evaluate("() => document.querySelectorAll('input[name=decision]').forEach("
                      "e => { e.checked = false; })")
        page.click("#decide")
        error = page.locator("#error")
        assert error.is_visible() and "请选择审核决定" in error.inner_text()
        assert page.locator("#state").get_attribute("data-state") == "needs_review"
        page.check("input[name=decision][value=return_for_correction]")
        page.fill("#comment", "请上传清晰的身份证照片和申请表")
        page.click("#decide")
        page.wait_for_url(f"{pages_office.base}/clerk/queue?decided={app_id}")
        confirm = page.locator("#decided")
        assert confirm.is_visible() and confirm.get_attribute("role") == "status"
        text = confirm.inner_text()
        assert "已退回补正" in text and f"#{app_id}" in text and "居民身份证换领" in text
        assert page.locator(f"#queue tr[data-application='{app_id}']").count() == 0
        shots(page, "clerk-queue-confirmed")
