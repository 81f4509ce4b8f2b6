"""Issue 13, the applicant's pages in a real browser (Debian chromium under Playwright, the
shared running office of ``pages_office``; validating as of a day before the sample card's
validity, so a clerk decides):

- a service's start page comes before anything is created: 办理须知, the materials, what 秒批
  requires, the time limit, and the step indicator, which the application page carries on;
- a wrong document in a slot is replaced by uploading again (重新上传), and a slot is emptied
  (删除); the page updates itself in place while checking, without reloading;
- submit stays disabled while a material is missing and says which, by name; a forced submit
  lands back on the application page with the reason;
- the page is plain and accessible: file inputs named by their material behind a bilingual
  label (no browser "Choose File"), distinct names for every 更正 button, masked ID numbers,
  human file sizes, no bare confidence, no error codes, an aria-live region; saving an
  unchanged value marks nothing corrected;
- after submitting, a receipt (受理编号, time, what next, time limit); once a clerk approved,
  the licence downloads as 证照名称-受理编号.pdf;
- revoked, the licence is red with the reason on the application page, and 我的办件 no longer
  says 已发证.

Screenshots of each page at desktop and phone size go to var/test-artifacts/pages/."""

from __future__ import annotations

import re

import httpx
import pytest
from pages_office import (
    DOCS,
    ID_CARD_MATERIALS,
    JOB_WAIT_MS,
    PASSWORD,
    Office,
    browser,
    shots,
    sign_in,
    wait_until_checked,
)
from playwright import sync_api
from sqlalchemy import select

from api.db import Material, Role

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ID_NUMBER = "320102199108294666"  # what the sample card reads
WRONG_BACK = "0002_business_licence_clean.jpg"  # a business licence, not an ID card's back


def api_token(office: Office, name: str) -> dict[str, str]:
    response = httpx.post(f"{office.base}/api/v1/auth/token",
                          data={"username": name, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def new_application(office: Office, name: str, service: str = "id-card-renewal") -> int:
    """An application made through the API (the pages' own start is tested on its own)."""
    response = httpx.post(f"{office.base}/api/v1/applications", json={"service_id": service},
                          headers=api_token(office, name))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def upload(page: sync_api.Page, material: str, name: str) -> None:
    page.set_input_files(f"#file-{material}", str(DOCS / name))
    page.click(f"#upload-{material}")


def fits_a_phone(page: sync_api.Page) -> None:
    """At 360 px: nothing wider than the screen, every visible control at least 44 px high."""
    size = page.viewport_size
    page.set_viewport_size({"width": 360, "height": 800})
    try:
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        controls = page.locator("main button, main input:not([type=hidden]), main a.button")
        low = controls.evaluate_all(
            "es => es.filter(e => e.offsetParent !== null)"
            "        .map(e => [e.id || e.name || e.textContent.trim(),"
            "                   e.getBoundingClientRect().height])"
            "        .filter(([_, h]) => h < 44)")
        assert low == [], low
    finally:
        if size:
            page.set_viewport_size(size)


def slot_rows(office: Office, app_id: int) -> list[str]:
    with office.db.transaction(read_only=True) as session:
        return list(session.scalars(select(Material.material_type)
                                    .where(Material.application_id == app_id)))


def test_a_start_page_comes_before_the_application(pages_office: Office) -> None:
    name = pages_office.new_user(Role.APPLICANT, "start")
    with browser() as chromium:
        page = chromium.new_page()
        sign_in(page, pages_office.base, name)
        page.click("a[data-service=id-card-renewal]")
        assert page.url.startswith(f"{pages_office.base}/apply/services/id-card-renewal")
        assert page.locator("#applications").count() == 0  # nothing created yet
        assert page.locator("#notes").get_by_text("办理须知").is_visible()
        assert page.locator("#service-description").get_by_text("有效期满或证件损坏").is_visible()
        assert "20 个工作日" in page.locator("#time-limit").inner_text()
        materials = page.locator("#material-list li")
        assert materials.count() == 4
        assert materials.first.get_by_text("居民身份证（人像面）").is_visible()
        assert page.locator("#material-list li[data-material=photo]").get_by_text(
            "选填").is_visible()
        assert page.locator("#instant-badge").is_visible()
        assert page.locator("#instant-rules li").count() >= 3
        assert page.locator("#steps li[aria-current=step]").inner_text().endswith("选择事项")
        assert page.title() != "电子证照核验"
        shots(page, "applicant-start-page")
        fits_a_phone(page)
        page.click("#start")
        assert re.fullmatch(rf"{re.escape(pages_office.base)}/apply/\d+", page.url)
        assert page.locator("#state").get_attribute("data-state") == "draft"
        steps = page.locator("#steps li")
        assert [steps.nth(i).get_attribute("data-status") for i in range(5)] == [
            "done", "current", "todo", "todo", "todo"]
        assert "上传材料" in page.locator("#steps li[aria-current=step]").inner_text()
        page.goto(f"{pages_office.base}/apply")
        assert page.locator("#applications li").count() == 1
        assert page.locator("#applications").get_by_text("居民身份证换领").is_visible()
        assert "id-card-renewal" not in page.locator("#applications").inner_text()
        shots(page, "applicant-apply-list")


def test_a_wrong_document_is_replaced_and_a_slot_emptied(pages_office: Office) -> None:
    name = pages_office.new_user(Role.APPLICANT, "slots")
    app_id = new_application(pages_office, name)
    with browser() as chromium:
        page = chromium.new_page()
        sign_in(page, pages_office.base, name)
        page.goto(f"{pages_office.base}/apply/{app_id}")
        upload(page, "id_back", WRONG_BACK)
        checked_in_place = page.locator("#application").get_attribute("data-busy") == "1"
        page.evaluate("window.zzSamePage = true")
        wait_until_checked(page, "id_back")
        back = page.locator("#material-id_back")
        assert back.locator("[data-uploaded=id_back]").is_visible()
        shots(page, "applicant-wrong-document")
        # The slot keeps its controls: upload again, or remove.
        assert page.locator("#upload-id_back").inner_text() == "重新上传"
        assert page.locator("#remove-id_back").is_visible()
        upload(page, "id_back", ID_CARD_MATERIALS["id_back"])
        checked_in_place = checked_in_place or \
            page.locator("#application").get_attribute("data-busy") == "1"
        page.evaluate("window.zzSamePage = true")
        wait_until_checked(page, "id_back")
        # Checked without reloading the page: the result was swapped in and announced.
        assert checked_in_place, "the page was never seen checking"
        assert page.evaluate("window.zzSamePage === true")
        page.locator("#announce:not(:empty)").wait_for(state="attached", timeout=5000)
        assert slot_rows(pages_office, app_id) == ["id_back"]
        assert back.locator("[data-field='id_back.issuing_authority']").count() == 1
        assert back.locator("[data-field^='id_back.']").count() == 3
        shots(page, "applicant-replaced")
        page.click("#remove-id_back")
        assert page.url.endswith(f"/apply/{app_id}?notice=removed")
        assert page.locator("[data-uploaded=id_back]").count() == 0
        assert page.locator("#notice").is_visible()
        assert page.locator("#upload-id_back").inner_text() == "上传"
        assert slot_rows(pages_office, app_id) == []
        shots(page, "applicant-removed")


def test_submit_waits_for_every_material_and_says_which(pages_office: Office) -> None:
    name = pages_office.new_user(Role.APPLICANT, "gate")
    app_id = new_application(pages_office, name)
    with browser() as chromium:
        page = chromium.new_page()
        sign_in(page, pages_office.base, name)
        page.goto(f"{pages_office.base}/apply/{app_id}")
        assert page.locator("#submit").is_disabled()
        blockers = page.locator("#submit-blockers").inner_text()
        assert "居民身份证（国徽面）" in blockers and "居民身份证申领登记表" in blockers
        assert "id_back" not in blockers
        shots(page, "applicant-submit-blocked")
        # Sent anyway (an old page, a script): back on the page, with the reason.
        with page.expect_navigation():
            page.evaluate("HTMLFormElement.prototype.submit.call("
                          "document.querySelector('form.submit'))")
        assert page.url == f"{pages_office.base}/apply/{app_id}?notice=incomplete"
        alert = page.get_by_role("alert")
        assert alert.count() == 1 and "居民身份证（人像面）" in alert.inner_text()
        assert "material." not in page.locator("main").inner_text()


def test_from_upload_to_the_licence_download(pages_office: Office) -> None:
    name = pages_office.new_user(Role.APPLICANT, "story")
    clerk = pages_office.new_user(Role.CLERK, "clerk")
    app_id = new_application(pages_office, name)
    with browser() as chromium:
        page = chromium.new_context(accept_downloads=True).new_page()
        sign_in(page, pages_office.base, name)
        page.goto(f"{pages_office.base}/apply/{app_id}")
        # Before any upload: each file input is named by its material, behind a label in the
        # page's language; the browser's own "Choose File" is nowhere.
        assert page.get_by_label("居民身份证（人像面）", exact=True).get_attribute(
            "type") == "file"
        assert page.get_by_text("选择文件", exact=True).first.is_visible()
        assert page.locator("#file-id_front").evaluate("e => getComputedStyle(e).opacity") == "0"
        for material, file_name in ID_CARD_MATERIALS.items():
            upload(page, material, file_name)
            wait_until_checked(page, material)
        text = page.locator("main").inner_text()
        assert ID_NUMBER not in text and ID_NUMBER not in page.content()
        assert "320***********4666" in text
        assert re.search(r"JPEG 图片，\d+ KB", text) and "PDF 文件，" in text
        assert not re.search(r"\b[01]\.\d\d\b", text)  # no bare confidence
        assert not re.search(r"\b[a-z]+\.[a-z_]+\b", text)  # no codes like field.low_confidence
        assert "image/jpeg" not in text and " B)" not in text
        # Each 更正 button has its own accessible name, the field's label.
        names = page.locator("button[data-save]").evaluate_all(
            "bs => bs.map(b => b.getAttribute('aria-label'))")
        assert len(names) >= 10 and len(set(names)) == len(names)
        assert all(n and n.startswith("更正") and n != "更正" for n in names)
        assert page.locator("#announce[aria-live=polite]").count() == 1
        # Saving a value unchanged marks nothing corrected.
        phone = page.locator("[data-field='form.phone']")
        phone.locator("button").click()
        phone = page.locator("[data-field='form.phone']")
        assert phone.get_by_text("已更正").count() == 0
        shots(page, "applicant-uploaded")
        fits_a_phone(page)

        page.click("#submit")
        assert page.url == f"{pages_office.base}/apply/{app_id}?notice=submitted"
        receipt = page.locator("#receipt")
        number = page.locator("#receipt-number").inner_text()
        assert re.fullmatch(rf"ZZ\d{{8}}-{app_id:06d}", number)
        submitted = page.locator("#receipt-time").inner_text()
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", submitted)
        assert "20 个工作日" in receipt.inner_text() and page.locator("#receipt-next").is_visible()
        page.locator("#state[data-state=needs_review]").wait_for(timeout=JOB_WAIT_MS)
        assert page.locator("#steps li[aria-current=step]").inner_text().endswith("审核")
        shots(page, "applicant-receipt")

        decided = httpx.post(f"{pages_office.base}/api/v1/review/applications/{app_id}/decision",
                             json={"decision": "approve", "comment": ""},
                             headers=api_token(pages_office, clerk))
        assert decided.status_code == 200, decided.text
        page.reload()
        assert page.locator("#state").get_attribute("data-state") == "issued"
        assert page.locator("#licence").get_attribute("data-licence-state") == "valid"
        with page.expect_download() as download:
            page.click("#licence-link")
        assert download.value.suggested_filename.endswith(f"-{number}.pdf")
        assert not download.value.suggested_filename.startswith("licence-")


def test_a_revoked_licence_is_red_for_its_holder(pages_office: Office) -> None:
    """Issue 13 item 8: the holder of a revoked licence sees it in red with the reason, and
    我的办件 does not say 已发证 (the application is made and decided through the API)."""
    name = pages_office.new_user(Role.APPLICANT, "holder")
    clerk = pages_office.new_user(Role.CLERK, "clerk")
    admin = pages_office.new_user(Role.ADMIN, "admin")
    app_id = new_application(pages_office, name)
    own = api_token(pages_office, name)
    for material, file_name in ID_CARD_MATERIALS.items():
        sent = httpx.post(f"{pages_office.base}/api/v1/applications/{app_id}/materials/"
                          f"{material}", files={"file": (file_name, (DOCS / file_name)
                                                         .read_bytes())}, headers=own)
        assert sent.status_code == 201, sent.text
    submitted = httpx.post(f"{pages_office.base}/api/v1/applications/{app_id}/submit",
                           headers=own)
    assert submitted.status_code == 200, submitted.text
    with browser() as chromium:
        page = chromium.new_page()
        sign_in(page, pages_office.base, name)
        page.goto(f"{pages_office.base}/apply/{app_id}")
        page.locator("#state[data-state=needs_review]").wait_for(timeout=JOB_WAIT_MS)
        decided = httpx.post(f"{pages_office.base}/api/v1/review/applications/{app_id}/decision",
                             json={"decision": "approve", "comment": ""},
                             headers=api_token(pages_office, clerk))
        assert decided.status_code == 200, decided.text
        page.reload()
        assert page.locator("#state").get_attribute("data-state") == "issued"
        identifier = page.locator("#licence").get_attribute("data-identifier")
        revoked = httpx.post(f"{pages_office.base}/api/v1/admin/licences/{identifier}/revoke",
                             json={"reason": "证件信息有误"},
                             headers=api_token(pages_office, admin))
        assert revoked.status_code == 200, revoked.text
        page.reload()
        licence = page.locator("#licence")
        assert "(revoked)" not in page.locator("main").inner_text()
        red, green, blue = map(int, re.findall(r"\d+", licence.evaluate(
            "e => getComputedStyle(e).backgroundColor"))[:3])
        assert red > 120 and red > 2 * green and red > 2 * blue  # red, not green
        assert "证照已吊销" in licence.inner_text() and "证件信息有误" in licence.inner_text()
        assert licence.get_attribute("data-licence-state") == "revoked"
        shots(page, "applicant-revoked")
        fits_a_phone(page)
        page.goto(f"{pages_office.base}/apply")
        listed = page.locator("main").inner_text()
        assert "已发证" not in listed and "已吊销" in listed
        shots(page, "applicant-list-revoked")
