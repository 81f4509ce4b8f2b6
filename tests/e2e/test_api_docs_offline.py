"""The interactive API docs work without internet: the app runs under uvicorn on a loopback port,
Debian's chromium (Playwright) opens ``/api/v1/docs`` with every request outside 127.0.0.1
aborted, and Swagger UI renders the operations from ``/api/v1/openapi.json``. The page asks
for nothing outside the server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright import sync_api

from api.app import create_app
from core import Settings

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("docs"))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(
        create_app(settings, refresh_trust_on_startup=False), host="127.0.0.1", port=port,
        log_level="warning", ws="none", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_the_api_docs_render_with_the_network_cut_off(base_url: str) -> None:
    assert CHROMIUM.is_file(), "Debian chromium is required: apt-get install chromium"
    blocked: list[str] = []
    local: list[str] = []

    def only_loopback(route: sync_api.Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1":
            local.append(url)
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            context = browser.new_context()
            context.route("**/*", only_loopback)
            page = context.new_page()
            refused: list[str] = []  # Swagger UI runs under the page's CSP (scripts by hash)
            page.on("console", lambda message: refused.append(message.text)
                    if "Content Security Policy" in message.text else None)
            page.goto(f"{base_url}/api/v1/docs")
            operation = page.locator(".opblock-summary-path", has_text="/api/v1/verify")
            operation.first.wait_for(timeout=20_000)
            assert page.locator(".opblock").count() >= 10
            assert page.get_by_text("zhengzhao", exact=False).first.is_visible()
            assert refused == []
        finally:
            browser.close()
    assert blocked == []
    assert any(url.endswith("/swagger-ui-bundle.js") for url in local)
    assert any(url.endswith("/api/v1/openapi.json") for url in local)
