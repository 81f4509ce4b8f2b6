"""The verifier's pages in Debian's chromium (issue 13, items 3 and 9).

Licences are issued by the office's own ``zhengzhao issue`` (a subprocess over the running
office's data dir, with ``ZZ_PUBLIC_URL`` its address), then:

- item 3: the licence's QR code, decoded from a rendering of the page, is a link to the office's
  ``/v`` page with the token in the fragment; opened in the browser (a phone) it shows a green
  verdict checked in the page (issue 14: the offline verifier's code and root-signed trust
  material), and no request the browser makes carries the token in its URL or body; an edited
  token is red, also checked in the page; the office is asked only by the "联网核验" button
  (then with the holder photo), or when the page cannot check (no WebCrypto), and says so;
  ``/v`` and ``/verify`` link to ``/verify/offline``;
- item 9: the valid page shows the licence name, the issuer, the signing office and the check
  time (and the holder photo checked against its signed hash, for the uploaded PDF); a tampered
  PDF is red without any holder data; an ordinary PDF says it is not an e-licence; a revoked
  licence is red in words, with no raw code and no English "(revoked)";
- the pages fit a 360 px screen and their controls are at least 44 px high.

Screenshots at desktop and phone size go to ``var/test-artifacts/pages/verifier-*``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import httpx
import pytest
from pages_office import PASSWORD, browser, qr_text, shots  # a sibling module
from playwright import sync_api

from api.db import Role

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
RECORDS = ROOT / "samples" / "licences"
ORDINARY_PDF = ROOT / "samples" / "documents" / "0003_form_clean.pdf"
PHONE_360 = {"width": 360, "height": 780}
HOLDER = "林晓雨"  # the sample residence permit's holder
WAIT_MS = 30_000


def issue_with_the_cli(office: Any, record: str, out: Path, photo: bool) -> dict[str, Any]:
    """``zhengzhao issue`` over the running office's data dir, its address as ZZ_PUBLIC_URL."""
    settings = office.settings
    env = {**os.environ, "ZZ_DATA_DIR": str(settings.data_dir),
           "ZZ_SERVICES_DIR": str(settings.services_dir), "ZZ_PUBLIC_URL": office.base}
    command = [sys.executable, "-m", "api.cli", "issue", str(RECORDS / record),
               "--out", str(out), "--json"]
    if photo:
        command += ["--photo", str(RECORDS / "holder_photo.jpg")]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def licence(pages_office: Any, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A residence permit (with the holder's photo) issued by the office."""
    out = tmp_path_factory.mktemp("verifier") / "permit.pdf"
    issue_with_the_cli(pages_office, "residence_permit.json", out, photo=True)
    return out.read_bytes()


@pytest.fixture(scope="module")
def chromium() -> Iterator[sync_api.Browser]:
    with browser() as instance:
        yield instance


@pytest.fixture
def page(chromium: sync_api.Browser) -> Iterator[sync_api.Page]:
    context = chromium.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    context.close()
    assert refused == [], refused  # nothing inline, nothing from elsewhere


def verdict_of(page: sync_api.Page) -> sync_api.Locator:
    verdict = page.locator("#verdict[data-indication]")
    verdict.wait_for(timeout=WAIT_MS)
    return verdict


def fits_a_small_phone(page: sync_api.Page) -> None:
    """No horizontal overflow at 360 px; every control in the page at least 44 px high."""
    size = page.viewport_size
    page.set_viewport_size(PHONE_360)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_360["width"]
        heights = page.eval_on_selector_all(
            "main a.button-link, main button, main summary, main .file-pick, main textarea",
            "els => els.filter(e => e.offsetParent !== null)"
            "  .map(e => [e.id || e.className || e.tagName, e.getBoundingClientRect().height])")
        small = [(name, height) for name, height in heights if height < 44]
        assert small == [], small
    finally:
        if size:
            page.set_viewport_size(size)


def upload(page: sync_api.Page, base: str, name: str, data: bytes) -> sync_api.Locator:
    page.goto(f"{base}/verify")
    page.set_input_files("main form input[type=file]",
                         files=[{"name": name, "mimeType": "application/pdf", "buffer": data}])
    page.locator("main form button[type=submit]").click()
    return verdict_of(page)


def record_requests(page: sync_api.Page) -> list[tuple[str, str]]:
    """Every request the page makes from now on: its URL (without the fragment, which is never
    sent) and its body."""
    seen: list[tuple[str, str]] = []
    page.on("request", lambda request: seen.append(
        (request.url.split("#", 1)[0], request.post_data or "")))
    return seen


def carrying(seen: list[tuple[str, str]], token: str) -> list[str]:
    """The requests that carried ``token`` (or any ZZ1: token) in the URL or the body, in any
    of the forms a link or a JSON body writes it."""
    forms = {token, quote(token, safe=""), quote(token, safe="$*+-./:"), json.dumps(token)[1:-1],
             "ZZ1", "ZZ1%3A"}
    return [url for url, body in seen if any(form in url or form in body for form in forms)]


def edited(token: str) -> str:
    """``token`` with one base45 character in its middle changed (still base45)."""
    middle = len(token) // 2
    return token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1:]


def test_the_qr_code_is_a_link_that_opens_a_green_page(pages_office: Any, licence: bytes,
                                                        page: sync_api.Page) -> None:
    """Item 3 and issue 14: a phone camera reading the printed QR gets a link to this office's
    /v page, and opening it shows the verdict checked in the page: no request carries the
    token, in its URL or its body."""
    base = pages_office.base
    link = qr_text(licence)
    assert link.startswith(f"{base}/v#ZZ1:"), link[:60]
    token = unquote(link.split("#", 1)[1])
    seen = record_requests(page)
    page.goto(link)
    verdict = verdict_of(page)
    assert verdict.get_attribute("data-indication") == "PASSED"
    assert verdict.get_attribute("data-checked") == "in-page"
    assert page.locator("#verdict").get_by_text("证照有效").is_visible()
    assert page.locator("[data-fact=name] td").inner_text() == "居住证"
    assert page.locator("[data-fact=holder_name] td").inner_text() == HOLDER
    assert page.locator("[data-check=in-page]").is_visible()
    assert page.locator("#offline-link a").get_attribute("href") == "/verify/offline"
    assert seen and carrying(seen, token) == [], "the token reached the server"
    assert not any(url.rstrip("/").endswith("/v") and body for url, body in seen)  # no POST /v
    shots(page, "verifier-link-valid")
    fits_a_small_phone(page)
    page.locator("#lang-toggle").click()
    assert page.locator("#verdict").get_by_text("Valid licence").is_visible()
    shots(page, "verifier-link-valid-en")
    page.locator("#lang-toggle").click()
    # The explicit fallback asks the office, which adds the photo from the signed PDF it keeps
    # (checked against the token's photo hash).
    page.locator("#check-online").click()
    page.locator("[data-check=online]").wait_for(timeout=WAIT_MS)
    assert verdict_of(page).get_attribute("data-indication") == "PASSED"
    assert page.locator("#verdict").get_attribute("data-checked") is None
    assert page.locator("#holder-photo").evaluate("i => i.complete && i.naturalWidth") > 0
    assert carrying(seen, token), "the online check sent the token"
    shots(page, "verifier-link-valid-online")


def test_an_edited_token_is_red_in_the_page(pages_office: Any, licence: bytes,
                                            page: sync_api.Page) -> None:
    """Issue 14: an edited token in the QR link is FAILED by the in-page check, again with no
    request carrying it."""
    token = unquote(qr_text(licence).split("#", 1)[1])
    bad = edited(token)
    seen = record_requests(page)
    page.goto(f"{pages_office.base}/v#{quote(bad, safe='$*+-./:')}")
    verdict = verdict_of(page)
    assert verdict.get_attribute("data-indication") == "FAILED"
    assert verdict.get_attribute("data-checked") == "in-page"
    assert page.locator("#licence-facts").count() == 0
    assert carrying(seen, bad) == [] and carrying(seen, token) == []
    shots(page, "verifier-link-edited")


def test_without_webcrypto_the_page_asks_the_office_and_says_so(
        pages_office: Any, licence: bytes, page: sync_api.Page) -> None:
    """Where the in-page check cannot run (no WebCrypto, as on a page opened over plain HTTP),
    the page falls back to the office's check and says that it did."""
    page.add_init_script("Object.defineProperty(window.crypto, 'subtle', {value: undefined})")
    page.goto(qr_text(licence))
    verdict = verdict_of(page)
    assert verdict.get_attribute("data-indication") == "PASSED"
    assert verdict.get_attribute("data-checked") is None
    assert page.locator("[data-check=online-fallback]").is_visible()


def test_the_link_page_without_a_code_explains_and_takes_a_pasted_one(
        pages_office: Any, licence: bytes, page: sync_api.Page) -> None:
    base = pages_office.base
    page.goto(f"{base}/v")
    assert page.locator("#token-entry").is_visible()
    shots(page, "verifier-link-empty")
    fits_a_small_phone(page)
    assert page.locator("#offline-link a").get_attribute("href") == "/verify/offline"
    link = qr_text(licence)
    seen = record_requests(page)
    page.fill("#token-input", link)
    page.locator("#token-form button[type=submit]").click()
    verdict = verdict_of(page)
    assert verdict.get_attribute("data-indication") == "PASSED"
    assert verdict.get_attribute("data-checked") == "in-page"
    assert not page.locator("#token-entry").is_visible()
    assert carrying(seen, unquote(link.split("#", 1)[1])) == []
    page.locator("#offline-link a").click()
    page.wait_for_url(f"{base}/verify/offline")


def test_the_upload_form_speaks_chinese_and_fits_a_phone(pages_office: Any,
                                                         page: sync_api.Page) -> None:
    """The file control is a Chinese button (the browser's own one says "Choose File") with an
    accessible name; the chosen file's name shows beside it."""
    page.goto(f"{pages_office.base}/verify")
    assert page.locator("#offline-link a").get_attribute("href") == "/verify/offline"
    assert page.get_by_label("选择 PDF 或 OFD 文件").count() == 1
    assert page.locator("#pdf-file-name").inner_text() == "未选择文件"
    page.set_input_files("#pdf-file", str(ORDINARY_PDF))
    assert page.locator("#pdf-file-name").inner_text() == ORDINARY_PDF.name
    shots(page, "verifier-upload-form")
    fits_a_small_phone(page)


def test_a_valid_pdf_shows_name_issuer_photo_signer_and_time(
        pages_office: Any, licence: bytes, page: sync_api.Page) -> None:
    """Item 9: what a verifier needs to see on a valid licence."""
    verdict = upload(page, pages_office.base, "permit.pdf", licence)
    assert verdict.get_attribute("data-indication") == "PASSED"
    assert page.locator("[data-fact=name] td").inner_text() == "居住证"
    issuer = pages_office.settings.issuer_name
    assert page.locator("[data-fact=issuer_name] td").inner_text() == issuer
    assert issuer in page.locator("#signer").inner_text()
    assert page.locator("#checked-at time").inner_text()[:4].isdigit()
    photo = page.locator("#holder-photo")
    assert photo.is_visible()
    assert photo.evaluate("i => i.complete && i.naturalWidth") > 0
    shots(page, "verifier-upload-valid")
    fits_a_small_phone(page)


def test_a_tampered_pdf_is_red_and_shows_no_holder_data(
        pages_office: Any, licence: bytes, page: sync_api.Page) -> None:
    tampered = bytearray(licence)
    tampered[licence.index(b"stream", licence.index(b"/Length")) + 30] ^= 0x01
    verdict = upload(page, pages_office.base, "permit.pdf", bytes(tampered))
    assert verdict.get_attribute("data-indication") == "FAILED"
    main = page.locator("main").inner_text()
    assert HOLDER not in main and "居住证" not in main
    assert page.locator("#licence-facts, #holder-photo").count() == 0
    for code in ("HASH_FAILURE", "MODIFIED", "SIG_CRYPTO_FAILURE"):
        assert code not in main  # codes wait, small, behind "technical details"
    shots(page, "verifier-upload-tampered")
    fits_a_small_phone(page)


def test_an_ordinary_pdf_is_not_an_e_licence(pages_office: Any, page: sync_api.Page) -> None:
    verdict = upload(page, pages_office.base, "form.pdf", ORDINARY_PDF.read_bytes())
    assert verdict.get_by_text("这不是电子证照").is_visible()
    assert "NO_SIGNATURE" not in page.locator("main").inner_text()
    shots(page, "verifier-upload-not-elicence")
    fits_a_small_phone(page)


def test_a_revoked_licence_is_red_in_words(pages_office: Any, page: sync_api.Page,
                                           tmp_path: Path) -> None:
    base = pages_office.base
    issued = issue_with_the_cli(pages_office, "food_business_licence.json",
                                tmp_path / "food.pdf", photo=False)
    link = qr_text((tmp_path / "food.pdf").read_bytes())
    assert link.startswith(f"{base}/v#ZZ1:"), link[:60]
    admin = pages_office.new_user(Role.ADMIN, "verifier-admin")
    token = httpx.post(f"{base}/api/v1/auth/token",
                       data={"username": admin, "password": PASSWORD}).json()["access_token"]
    revoked = httpx.post(f"{base}/api/v1/admin/licences/{issued['identifier']}/revoke",
                         json={"reason": "测试吊销"},
                         headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 200, revoked.text
    seen = record_requests(page)
    page.goto(link)
    verdict = verdict_of(page)
    assert verdict.get_attribute("data-indication") == "FAILED"
    assert verdict.get_attribute("data-checked") == "in-page"  # the page's signed status list
    assert carrying(seen, unquote(link.split("#", 1)[1])) == []
    assert page.get_by_text("该证照已被吊销/注销").is_visible()
    main = page.locator("main").inner_text()
    assert "(revoked)" not in main and "licence.revoked" not in main
    assert page.locator("#licence-facts").count() == 0
    shots(page, "verifier-link-revoked")
