"""Headers, hosts and proxies (issue 11, findings 5 and 7), replayed: every response carries a
Content-Security-Policy without ``unsafe-inline`` (the templates hold no inline script, style or
event handler for it to block), ``frame-ancestors 'none'``, ``X-Frame-Options``, ``nosniff``
and ``Referrer-Policy``, and HSTS only over TLS; ``Host: evil.example`` is refused, and never
reflected into a page even where any host is allowed; a spoofed ``X-Forwarded-For`` from a peer
that is no trusted proxy changes neither the rate-limit bucket nor the audit's client tag, in
the app and under ``zhengzhao serve``'s real uvicorn settings."""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import select
from test_login_throttle import NoJobs  # a sibling module

from api.app import create_app
from api.cli.serve import uvicorn_options
from api.db import AuditAction, AuditEntry, create_db, upgrade
from api.service_api import ServiceContext
from core import Settings

TEMPLATES = Path(__file__).resolve().parents[3] / "api" / "templates"
PAGES = ("/login", "/verify", "/healthz", "/api/v1/openapi.json", "/static/style.css",
         "/no-such-page", "/v/not-a-token")


def plain_app(directory: Path, **overrides: Any) -> Any:
    settings = Settings(_env_file=None, data_dir=directory, **overrides)
    return create_app(settings, service=ServiceContext(settings, jobs=NoJobs()),
                      refresh_trust_on_startup=False)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    directory = tmp_path_factory.mktemp("headers")
    settings = Settings(_env_file=None, data_dir=directory,
                        database_url=f"sqlite:///{directory / 'zhengzhao.db'}")
    upgrade(settings)
    db = create_db(settings)
    app = create_app(settings, service=ServiceContext(settings, db=db, jobs=NoJobs()),
                     refresh_trust_on_startup=False)
    with TestClient(app) as test_client:
        yield test_client
    db.dispose()


def csp_of(response: Any) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
            for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code < 500
    csp = csp_of(response)
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert "unsafe-eval" not in response.headers["content-security-policy"]
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    # Plain HTTP: a Strict-Transport-Security header there would be ignored at best.
    assert "strict-transport-security" not in response.headers


def test_hsts_only_over_tls(tmp_path: Path) -> None:
    app = plain_app(tmp_path, trusted_proxies="10.0.0.0/8")
    direct_tls = TestClient(app, base_url="https://testserver")
    assert direct_tls.get("/login").headers["strict-transport-security"].startswith("max-age=")
    # A proxy we trust says the client used TLS: HSTS. Anyone else saying so: ignored.
    proxy = TestClient(app, client=("10.1.2.3", 50000))
    stranger = TestClient(app, client=("203.0.113.9", 50000))
    tls = {"X-Forwarded-Proto": "https"}
    assert "strict-transport-security" in proxy.get("/healthz", headers=tls).headers
    assert "strict-transport-security" not in stranger.get("/healthz", headers=tls).headers


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_templates_hold_nothing_the_policy_blocks(template: str) -> None:
    text = (TEMPLATES / template).read_text("utf-8")
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to api/static"
    assert not EVENT_HANDLER.search(text), "inline event handler: use addEventListener"
    assert "<style" not in text.lower() and "style=" not in text.lower(), "inline style"


def test_the_api_docs_allow_exactly_their_own_inline_scripts(client: TestClient) -> None:
    for path in ("/api/v1/docs", "/api/v1/docs/oauth2-redirect"):
        response = client.get(path)
        csp = csp_of(response)
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        assert csp["frame-ancestors"] == "'none'"
        scripts = re.findall(rb"<script>(.*?)</script>", response.content, re.DOTALL)
        assert scripts
        allowed = set(csp["script-src"].split())
        for body in scripts:
            digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
            assert f"'sha256-{digest}'" in allowed


def test_an_untrusted_host_is_refused(client: TestClient) -> None:
    for host in ("evil.example", "evil.example:8000", "localhost.evil.example", ""):
        response = client.get("/login", headers={"Host": host})
        assert response.status_code == 400, host
        assert response.json()["code"] == "api.host_not_allowed"
        assert "evil" not in response.text
        assert response.headers["x-frame-options"] == "DENY"
    for host in ("testserver", "localhost:8000", "127.0.0.1:8000", "[::1]:8000"):
        assert client.get("/healthz", headers={"Host": host}).status_code == 200, host


def test_the_host_is_never_reflected_into_links(tmp_path: Path) -> None:
    # Even an operator who lets any host through (ZZ_TRUSTED_HOSTS=*) gets no absolute URL
    # built from it: before, every page linked http://evil.example/static/style.css.
    app = plain_app(tmp_path, trusted_hosts="*")
    browser = TestClient(app)
    for path in ("/verify", "/v/not-a-token", "/login"):
        response = browser.get(path, headers={"Host": "evil.example"})
        assert "evil.example" not in response.text, path
        assert "evil.example" not in json.dumps(dict(response.headers)), path
    page = browser.get("/verify", headers={"Host": "evil.example"}).text
    assert 'href="/static/style.css"' in page
    # Starlette's trailing-slash redirect builds an absolute URL from Host: sent as a path.
    moved = browser.get("/verify/", headers={"Host": "evil.example"}, follow_redirects=False)
    assert moved.status_code == 307 and moved.headers["location"] == "/verify"


def test_a_public_url_adds_its_host(tmp_path: Path) -> None:
    app = plain_app(tmp_path, public_url="https://zz.example.gov.cn")
    assert TestClient(app).get("/healthz", headers={"Host": "zz.example.gov.cn"}).status_code \
        == 200


def test_a_spoofed_forwarded_for_does_not_change_the_rate_limit_bucket(tmp_path: Path) -> None:
    app = plain_app(tmp_path, verify_rate_per_minute=3)
    client = TestClient(app)
    statuses = [client.get("/v/x", headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
                for i in range(5)]
    assert statuses[3:] == [429, 429], statuses
    # Behind a proxy we trust, the address it forwards is the client.
    app = plain_app(tmp_path, verify_rate_per_minute=3, trusted_proxies="testclient")
    client = TestClient(app)
    statuses = [client.get("/v/x", headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
                for i in range(5)]
    assert 429 not in statuses


def test_a_spoofed_forwarded_for_does_not_change_the_audit_client_tag(
        client: TestClient) -> None:
    for i in range(3):
        client.post("/api/v1/verify", json={"token": "x"},
                    headers={"X-Forwarded-For": f"198.51.100.{i}"})
    app = client.app
    app.state.verify_audit.stop()  # flush what is buffered
    app.state.verify_audit.start()
    db = app.state.service.db
    with db.transaction(read_only=True) as session:
        rows = list(session.scalars(select(AuditEntry).where(
            AuditEntry.action == AuditAction.LICENCE_VERIFIED.value)))
    tags = {json.loads(row.details).get("client") for row in rows}
    assert len(rows) >= 3 and len(tags) == 1 and None not in tags


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_does_not_let_loopback_forward_addresses(tmp_path: Path) -> None:
    """The red team's replay: through uvicorn as ``zhengzhao serve`` configures it, requests
    from 127.0.0.1 with a different ``X-Forwarded-For`` each share one bucket (uvicorn's own
    default would have believed loopback and given each its own)."""
    settings = Settings(_env_file=None, data_dir=tmp_path, verify_rate_per_minute=3)
    port = free_port()
    options = uvicorn_options(argparse.Namespace(host="127.0.0.1", port=port), settings)
    app = create_app(settings, service=ServiceContext(settings, jobs=NoJobs()),
                     refresh_trust_on_startup=False)
    server = uvicorn.Server(uvicorn.Config(app, **options, lifespan="on", ws="none"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            statuses = [http.get("/v/x", headers={"X-Forwarded-For": f"198.51.100.{i}"})
                        .status_code for i in range(5)]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert statuses[3:] == [429, 429], statuses
