"""Login CSRF and forged form posts (issue 11, finding 5), replayed through the real app: a
cross-site page that auto-submits ``POST /login`` (with the attacker's name and password, no
token, or the attacker's own token, or a foreign ``Origin``/``Referer``) sets no session
cookie; every signed-in form post without the page's token is refused with 403 ``auth.csrf``
and changes nothing; the browser's own forms (token in the hidden field, or in the upload
form's query) work. Every template form carries the token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from test_login_throttle import NoJobs  # a sibling module
from web_forms import csrf_token_of, sign_in  # a sibling module

from api.app import create_app
from api.db import Application, Role, create_account, create_db, upgrade
from api.service_api import ServiceContext
from core import Settings

PASSWORD = "correct horse battery"
TEMPLATES = Path(__file__).resolve().parents[3] / "api" / "templates"
EVIL = "https://evil.example"
OURS = "http://testserver"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    directory = tmp_path_factory.mktemp("csrf")
    settings = Settings(_env_file=None, data_dir=directory,
                        database_url=f"sqlite:///{directory / 'zhengzhao.db'}",
                        verify_rate_per_minute=100_000)
    upgrade(settings)
    db = create_db(settings)
    with db.transaction() as session:
        create_account(session, "victim", Role.APPLICANT, PASSWORD)
        create_account(session, "attacker", Role.APPLICANT, PASSWORD)
        create_account(session, "clerk", Role.CLERK, PASSWORD)
    application = create_app(settings, service=ServiceContext(settings, db=db,
                                                                     jobs=NoJobs()),
                             refresh_trust_on_startup=False)
    with TestClient(application):
        application.state.test_db = db
        yield application
    db.dispose()


def applications(app: Any) -> int:
    with app.state.test_db.transaction(read_only=True) as session:
        return session.scalar(select(func.count()).select_from(Application)) or 0


def has_session(response: Any) -> bool:
    return "zz_session=" in response.headers.get("set-cookie", "")


def test_a_cross_site_auto_submitted_login_sets_no_session(app: Any) -> None:
    victim = TestClient(app)  # a browser that has been to the site before
    csrf_token_of(victim)
    attacker = TestClient(app)
    attackers_token = csrf_token_of(attacker)
    credentials = {"username": "attacker", "password": PASSWORD}
    forged = [
        # What the red team did: the attacker's page posts name and password, nothing else.
        ({}, {"Origin": EVIL}),
        ({}, {}),
        # The attacker's own token (copied from their page) does not fit the victim's cookie.
        ({"csrf_token": attackers_token}, {"Origin": EVIL}),
        ({"csrf_token": attackers_token}, {}),
        ({"csrf_token": attackers_token}, {"Referer": f"{EVIL}/lure.html"}),
        # A right token from a foreign origin is refused too (Origin null: sandboxed frames).
        ({"csrf_token": csrf_token_of(victim)}, {"Origin": "null"}),
        ({"csrf_token": csrf_token_of(victim)}, {"Origin": EVIL}),
    ]
    for extra, headers in forged:
        response = victim.post("/login", data={**credentials, **extra}, headers=headers,
                               follow_redirects=False)
        assert response.status_code == 403, (extra, headers, response.text)
        assert response.json()["code"] == "auth.csrf"
        assert response.json()["detail_zh"]
        assert not has_session(response)
    assert "zz_session" not in victim.cookies
    # A browser that never visited has no cookie: a token alone is not enough either.
    fresh = TestClient(app)
    blind = fresh.post("/login", data={**credentials, "csrf_token": attackers_token},
                       follow_redirects=False)
    assert blind.status_code == 403 and not has_session(blind)


def test_the_login_form_itself_signs_in(app: Any) -> None:
    browser = TestClient(app)
    for headers in ({"Origin": OURS}, {"Referer": f"{OURS}/login"}, {}):
        token = csrf_token_of(browser)
        response = browser.post("/login", data={"username": "victim", "password": PASSWORD,
                                                "csrf_token": token},
                                headers=headers, follow_redirects=False)
        assert response.status_code == 303, response.text
        assert has_session(response)
        # Signing in renews the token's cookie: a value planted before is worthless after.
        assert "zz_csrf=" in response.headers["set-cookie"]
        assert csrf_token_of(browser) != token


def test_signed_in_forms_need_the_token(app: Any) -> None:
    browser = TestClient(app)
    assert sign_in(browser, "victim", PASSWORD).status_code == 303
    token = browser.headers.pop("X-CSRF-Token")
    before = applications(app)
    for headers, data in (({}, {"service_id": "id-card-renewal"}),
                          ({"Origin": EVIL}, {"service_id": "id-card-renewal",
                                              "csrf_token": token}),
                          ({}, {"service_id": "id-card-renewal", "csrf_token": "0" * 64})):
        refused = browser.post("/apply", data=data, headers=headers, follow_redirects=False)
        assert refused.status_code == 403 and refused.json()["code"] == "auth.csrf"
    assert applications(app) == before  # nothing was written
    created = browser.post("/apply", data={"service_id": "id-card-renewal", "csrf_token": token},
                           headers={"Origin": OURS}, follow_redirects=False)
    assert created.status_code == 303 and applications(app) == before + 1
    app_id = int(created.headers["location"].rsplit("/", 1)[1])

    # The upload form is multipart: its token rides in the action's query string.
    page = browser.get(f"/apply/{app_id}").text
    action = re.search(r'action="(/apply/\d+/materials/id_front[^"]*)"', page)
    assert action and f"csrf_token={token}" in action.group(1)
    forged = browser.post(f"/apply/{app_id}/materials/id_front",
                          files={"file": ("a.jpg", b"\xff\xd8\xff")}, follow_redirects=False)
    assert forged.status_code == 403 and forged.json()["code"] == "auth.csrf"
    sent = browser.post(action.group(1).replace("&amp;", "&"),
                        files={"file": ("a.jpg", b"\xff\xd8\xff")}, follow_redirects=False)
    assert sent.status_code != 403  # past the CSRF check (the bytes are no real JPEG)

    for path in (f"/apply/{app_id}/submit", f"/apply/{app_id}/fields", "/logout"):
        refused = browser.post(path, data={"field": "x"}, follow_redirects=False)
        assert refused.status_code == 403, path
    # Still signed in: the forged logout did nothing either.
    assert browser.get("/apply").status_code == 200


def test_the_clerks_decision_needs_the_token(app: Any) -> None:
    clerk = TestClient(app)
    sign_in(clerk, "clerk", PASSWORD)
    clerk.headers.pop("X-CSRF-Token")
    refused = clerk.post("/clerk/review/1/decision", data={"decision": "approve"},
                         follow_redirects=False)
    assert refused.status_code == 403 and refused.json()["code"] == "auth.csrf"


FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.DOTALL | re.IGNORECASE)
# Anonymous forms that no cookie authenticates: the public verifier's PDF upload.
ANONYMOUS_FORMS = {"upload.html"}


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_every_cookie_authenticated_form_carries_the_token(template: str) -> None:
    text = (TEMPLATES / template).read_text("utf-8")
    for form in FORM.findall(text):
        if 'method="post"' not in form.lower() or template in ANONYMOUS_FORMS:
            continue
        assert ('name="csrf_token" value="{{ csrf_token }}"' in form
                or "csrf_token={{ csrf_token }}" in form.split(">", 1)[0]), form[:120]
