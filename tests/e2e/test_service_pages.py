"""The verifier page in a real browser: the app runs under uvicorn on a free loopback port, a
licence is issued with ``elicense`` into its data dir, Debian's chromium (driven by Playwright)
opens ``/v/<token>`` and sees the green verdict; the licence is revoked, the reload is red. The
English toggle is clicked too. Screenshots go to ``var/test-artifacts/`` (git-ignored)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import uvicorn
from playwright import sync_api

from api.app import create_app
from core import Settings
from elicense import FileRegistry, issue_licence, load_licence, load_templates, revoke_licence
from signing import KeyStore

ROOT = Path(__file__).resolve().parents[2]
RECORDS = ROOT / "samples" / "licences"
ARTIFACTS = ROOT / "var" / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings]]:
    settings = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("office"))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning", ws="none", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", settings
    server.should_exit = True
    thread.join(timeout=10)


def _office(settings: Settings) -> dict:
    return {"store": KeyStore.from_settings(settings),
            "registry": FileRegistry(settings.data_dir / "licences"),
            "issuer_code": settings.issuer_code,
            "published_dir": settings.data_dir / "published"}


def test_the_qr_page_turns_red_after_revocation(service) -> None:
    assert CHROMIUM.is_file(), "Debian chromium is required: apt-get install chromium"
    base, settings = service
    licence = load_licence(RECORDS / "residence_permit.json")
    template = load_templates().get(licence.type_code)
    issued = issue_licence(licence, template, photo=(RECORDS / "holder_photo.jpg").read_bytes(),
                           **_office(settings))
    url = f"{base}/v/{quote(issued.token, safe='')}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
            page.goto(url)
            verdict = page.locator("#verdict")
            assert verdict.get_attribute("data-indication") == "PASSED"
            assert page.get_by_text("证照有效").is_visible()
            assert not page.get_by_text("Valid licence").is_visible()
            colour = verdict.evaluate("e => getComputedStyle(e).backgroundColor")
            assert colour == "rgb(27, 127, 59)"  # --ok, green
            page.screenshot(path=str(ARTIFACTS / "verify-page-valid-zh.png"), full_page=True)
            page.click("#lang-toggle")
            assert page.get_by_text("Valid licence").is_visible()
            page.screenshot(path=str(ARTIFACTS / "verify-page-valid-en.png"), full_page=True)
            page.click("#lang-toggle")  # back to Chinese: the choice persists across reloads

            revoke_licence(licence.identifier, "e2e test", **_office(settings))
            page.reload()
            verdict = page.locator("#verdict")
            assert verdict.get_attribute("data-indication") == "FAILED"
            assert verdict.evaluate("e => getComputedStyle(e).backgroundColor") \
                == "rgb(179, 38, 30)"  # --bad, red
            assert page.get_by_text("该证照已被吊销/注销").is_visible()
            page.screenshot(path=str(ARTIFACTS / "verify-page-revoked.png"), full_page=True)

            page.goto(f"{base}/verify")
            page.set_input_files("input[name=file]", files=[{
                "name": "licence.pdf", "mimeType": "application/pdf", "buffer": issued.pdf}])
            page.click("button[type=submit]")
            assert page.locator("#verdict").get_attribute("data-indication") == "FAILED"
            page.screenshot(path=str(ARTIFACTS / "verify-upload-revoked.png"), full_page=True)
        finally:
            browser.close()
