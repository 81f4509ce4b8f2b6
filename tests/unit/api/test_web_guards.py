"""The page guards (``WebApplicant``, ``WebClerk`` and the one ``LoginRequired`` handler): every
applicant and clerk page sends a caller without a session, or with another role's session, to
``/login`` with a 303 (keeping ``?lang=en``) and changes nothing; the status poll answers 401
``{"signed_in": false}`` instead; the CSRF check still comes first on a form post; the guard
comes before the checks of the request's parameters (as the JSON API's 401 comes before its
422); the right role gets the page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from test_login_throttle import NoJobs  # a sibling module
from web_forms import csrf_token_of, sign_in  # a sibling module

from api.app import create_app
from api.db import Application, Role, create_account, create_db, upgrade
from api.service_context import ServiceContext
from core import Settings

PASSWORD = "correct horse battery"
ACCOUNTS = {"alice": Role.APPLICANT, "carol": Role.CLERK, "dave": Role.ADMIN}
UPLOAD = {"files": {"file": ("me.jpg", b"\xff\xd8\xff")}}
# (method, path, request arguments) of every page route behind a guard.
APPLICANT_ROUTES: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/apply", {}),
    ("POST", "/apply", {"data": {"service_id": "id-card-renewal"}}),
    ("GET", "/apply/1", {}),
    ("POST", "/apply/1/materials/photo", UPLOAD),
    ("POST", "/apply/1/fields", {"data": {"field": "form.name", "value": "张三"}}),
    ("GET", "/apply/1/materials/photo/content", {}),
    ("GET", "/apply/1/materials/photo/fixed-photo", {}),
    ("POST", "/apply/1/materials/photo/use-fixed", {}),
    ("POST", "/apply/1/submit", {}),
    ("GET", "/apply/1/licence.pdf", {}),
]
CLERK_ROUTES: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/clerk/queue", {}),
    ("GET", "/clerk/review/1", {}),
    ("GET", "/clerk/materials/1/content", {}),
    ("GET", "/clerk/materials/1/page.png", {}),
    ("POST", "/clerk/review/1/decision", {"data": {"decision": "approve", "comment": "ok"}}),
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    directory = tmp_path_factory.mktemp("web-guards")
    settings = Settings(_env_file=None, data_dir=directory,
                        database_url=f"sqlite:///{directory / 'zhengzhao.db'}",
                        verify_rate_per_minute=100_000)
    upgrade(settings)
    db = create_db(settings)
    with db.transaction() as session:
        for name, role in ACCOUNTS.items():
            create_account(session, name, role, PASSWORD)
    application = create_app(settings, service=ServiceContext(settings, db=db, jobs=NoJobs()),
                             refresh_trust_on_startup=False)
    with TestClient(application):
        application.state.test_db = db
        yield application
    db.dispose()


@pytest.fixture(scope="module")
def clients(app: Any) -> dict[str | None, TestClient]:
    """A browser per account, and an anonymous one (``None``) that has a CSRF cookie, so its
    form posts pass the CSRF check and meet the guard."""
    browsers: dict[str | None, TestClient] = {}
    for name in ACCOUNTS:
        browser = TestClient(app)
        assert sign_in(browser, name, PASSWORD).status_code == 303
        browsers[name] = browser
    anonymous = TestClient(app)
    anonymous.headers["X-CSRF-Token"] = csrf_token_of(anonymous)
    browsers[None] = anonymous
    return browsers


def applications(app: Any) -> int:
    with app.state.test_db.transaction(read_only=True) as session:
        return session.scalar(select(func.count()).select_from(Application)) or 0


def call(client: TestClient, method: str, path: str, arguments: dict[str, Any],
         lang: str = "") -> Any:
    if "files" in arguments:  # the upload form carries its token in the query (api.csrf)
        token = client.headers["X-CSRF-Token"]
        path = f"{path}?csrf_token={token}"
        lang = lang.replace("?", "&")
    return client.request(method, path + lang, follow_redirects=False, **arguments)


@pytest.mark.parametrize(("routes", "outsiders"), [
    (APPLICANT_ROUTES, (None, "carol", "dave")),
    (CLERK_ROUTES, (None, "alice", "dave")),
], ids=["applicant-pages", "clerk-pages"])
def test_a_page_sends_a_caller_without_its_role_to_the_login(
        app: Any, clients: dict[str | None, TestClient], routes: list, outsiders: tuple) -> None:
    before = applications(app)
    for who in outsiders:
        for method, path, arguments in routes:
            for lang, login in (("", "/login"), ("?lang=en", "/login?lang=en")):
                response = call(clients[who], method, path, arguments, lang)
                assert (response.status_code, response.headers.get("location")) == (
                    303, login), (who, method, path, lang, response.text)
    assert applications(app) == before


def test_the_status_poll_answers_401_without_the_applicant(
        clients: dict[str | None, TestClient]) -> None:
    for who in (None, "carol", "dave"):
        response = clients[who].get("/apply/1/status.json", follow_redirects=False)
        assert response.status_code == 401, who
        assert response.json() == {"signed_in": False}


def test_the_csrf_check_comes_before_the_guard(app: Any) -> None:
    fresh = TestClient(app)  # no CSRF cookie, no token
    response = fresh.post("/apply", data={"service_id": "id-card-renewal"},
                          follow_redirects=False)
    assert response.status_code == 403
    assert response.json()["code"] == "auth.csrf"


def test_the_guard_answers_before_the_parameters_are_checked(
        clients: dict[str | None, TestClient]) -> None:
    anonymous = clients[None]
    for method, path, arguments in [("GET", "/apply/abc", {}), ("POST", "/apply", {"data": {}}),
                                    ("POST", "/clerk/review/1/decision",
                                     {"data": {"decision": "maybe"}})]:
        response = call(anonymous, method, path, arguments)
        assert (response.status_code, response.headers.get("location")) == (303, "/login")
    assert anonymous.get("/apply/abc/status.json").status_code == 401
    assert anonymous.get("/api/v1/applications/abc").status_code == 401  # the API's order
    # Signed in with the right role, a bad parameter is still refused as before.
    assert clients["alice"].get("/apply/abc", follow_redirects=False).status_code == 422
    assert clients["carol"].post("/clerk/review/1/decision", data={"decision": "maybe"},
                                 follow_redirects=False).status_code == 422


def test_each_role_gets_its_own_pages(clients: dict[str | None, TestClient]) -> None:
    page = clients["alice"].get("/apply")
    assert page.status_code == 200 and "居民身份证换领" in page.text
    assert clients["carol"].get("/clerk/queue").status_code == 200
    created = clients["alice"].post("/apply", data={"service_id": "id-card-renewal"},
                                    follow_redirects=False)
    assert created.status_code == 303 and created.headers["location"].startswith("/apply/")
    assert clients["alice"].get(created.headers["location"]).status_code == 200
