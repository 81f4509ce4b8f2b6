"""Issue 11, finding 1 and finding 7 (logout): the service on its defaults has no usable
built-in secret, and every token names a server-side session that logout, a password change and
a deactivation revoke. Replays the red team's forged admin token (HS256 signed with the constant
earlier versions built in) and a stolen cookie after logout; SQLite and PostgreSQL."""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import io
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from office_db import BACKENDS, office_database_url
from sqlalchemy import func, select

from api.app import create_app
from api.cli.users import run as run_users
from api.db import (
    AuthSession,
    Database,
    Role,
    change_password,
    create_account,
    create_db,
    deactivate_account,
    find_account,
    upgrade,
)
from api.service_api import ServiceContext
from api.users_db import DbUsers
from core import Settings, secret_key_of

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"
USERS = {"alice": Role.APPLICANT, "bob": Role.APPLICANT, "dave": Role.ADMIN}
OLD_DEV_SECRET_KEY = b"zhengzhao-dev-only-secret-key-change-me"


class NoJobs:
    """A dispatcher that runs nothing (these tests never process materials)."""

    def submit(self, application_id: int) -> None: ...

    def material_added(self, material_id: int) -> None: ...


@dataclass
class Office:
    settings: Settings
    db: Database
    client: TestClient


@pytest.fixture(scope="module", params=BACKENDS)
def office(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Office]:
    directory = tmp_path_factory.mktemp("sessions")
    with office_database_url(request.param, directory) as url:
        # The defaults: no ZZ_SECRET_KEY, no ZZ_KEY_PASSPHRASE, dev.
        settings = Settings(_env_file=None, data_dir=directory, database_url=url,
                            verify_rate_per_minute=10_000)
        upgrade(settings)
        db = create_db(settings)
        with db.transaction() as session:
            for name, role in USERS.items():
                create_account(session, name, role, PASSWORD)
        app = create_app(settings, users=DbUsers(db),
                         service=ServiceContext(settings, db=db, jobs=NoJobs()))
        try:
            with TestClient(app) as client:
                yield Office(settings, db, client)
        finally:
            db.dispose()


def bearer(office: Office, name: str, password: str = PASSWORD) -> dict[str, str]:
    response = office.client.post("/api/v1/auth/token",
                                  data={"username": name, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256(claims: dict, secret: bytes) -> str:
    """An HS256 JWS of ``claims`` as the red team made it (PyJWT's layout)."""
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{head}.{body}." + _b64(hmac.new(secret, f"{head}.{body}".encode(),
                                             hashlib.sha256).digest())


def test_the_old_built_in_secret_forges_nothing(office: Office) -> None:
    """The red team's attack: an admin token signed with the constant dev secret."""
    now = int(time.time())
    claims = {"sub": "dave", "role": "admin", "iat": now, "exp": now + 600}
    for forged in (hs256(claims, OLD_DEV_SECRET_KEY),
                   hs256({**claims, "jti": "guessed-session-id-0001"}, OLD_DEV_SECRET_KEY)):
        for path in ("/api/v1/auth/me", "/api/v1/admin/audit"):
            response = office.client.get(path, headers={"Authorization": f"Bearer {forged}"})
            assert response.status_code == 401, (path, response.text)
            assert response.json()["code"] == "auth.unauthorized"
    # The secret in effect is generated, not the constant, and the admin's real login works.
    assert secret_key_of(office.settings).get_secret_value().encode() != OLD_DEV_SECRET_KEY
    me = office.client.get("/api/v1/auth/me", headers=bearer(office, "dave"))
    assert me.status_code == 200 and me.json() == {"username": "dave", "role": "admin"}


def test_a_signed_token_without_a_session_is_refused(office: Office) -> None:
    """Even with the real secret (a leaked key, or a token minted outside a login), a token
    whose jti names no session is refused."""
    now = int(time.time())
    secret = secret_key_of(office.settings).get_secret_value().encode()
    token = hs256({"sub": "dave", "role": "admin", "iat": now, "exp": now + 600,
                   "jti": "no-such-session-00000001"}, secret)
    response = office.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.json()["code"] == "auth.unauthorized"


def _claims(headers: dict[str, str]) -> dict:
    body = headers["Authorization"].split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_a_bearer_token_carries_exp_iat_jti_and_a_session_row(office: Office) -> None:
    headers = bearer(office, "alice")
    claims = _claims(headers)
    assert claims["exp"] - claims["iat"] == office.settings.access_token_minutes * 60
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", claims["jti"])
    with office.db.transaction(read_only=True) as session:
        row = session.get(AuthSession, claims["jti"])
        assert row is not None and row.revoked_at is None
        account = find_account(session, "alice")
        assert account is not None and row.account_id == account.id
        assert int(row.expires_at.timestamp()) == claims["exp"] or (
            row.expires_at.tzinfo is None)  # SQLite keeps it naive (UTC)


def test_logout_revokes_the_bearer_token(office: Office) -> None:
    headers = bearer(office, "alice")
    other = bearer(office, "alice")  # a second session of the same account
    assert office.client.get("/api/v1/applications", headers=headers).status_code == 200
    out = office.client.post("/api/v1/auth/logout", headers=headers)
    assert out.status_code == 204
    for path in ("/api/v1/auth/me", "/api/v1/applications"):
        replay = office.client.get(path, headers=headers)
        assert replay.status_code == 401 and replay.json()["code"] == "auth.unauthorized"
    assert office.client.post("/api/v1/auth/logout", headers=headers).status_code == 401
    # Only that session ended.
    assert office.client.get("/api/v1/auth/me", headers=other).status_code == 200


def _change_password(office: Office, name: str, password: str) -> int:
    with office.db.transaction() as session:
        account = find_account(session, name)
        assert account is not None
        return change_password(session, account, password)


def test_a_password_change_revokes_every_session(office: Office) -> None:
    first, second = bearer(office, "bob"), bearer(office, "bob")
    assert office.client.get("/api/v1/auth/me", headers=first).status_code == 200
    assert _change_password(office, "bob", NEW_PASSWORD) >= 2
    for headers in (first, second):
        assert office.client.get("/api/v1/auth/me", headers=headers).status_code == 401
    fresh = bearer(office, "bob", NEW_PASSWORD)
    assert office.client.get("/api/v1/auth/me", headers=fresh).status_code == 200
    _change_password(office, "bob", PASSWORD)


def test_a_deactivation_revokes_every_session(office: Office) -> None:
    with office.db.transaction() as session:
        create_account(session, "temp-clerk", Role.CLERK, PASSWORD)
    headers = bearer(office, "temp-clerk")
    assert office.client.get("/api/v1/auth/me", headers=headers).status_code == 200
    with office.db.transaction() as session:
        account = find_account(session, "temp-clerk")
        assert account is not None
        assert deactivate_account(session, account) == 1
    assert office.client.get("/api/v1/auth/me", headers=headers).status_code == 401
    with office.db.transaction(read_only=True) as session:
        account = find_account(session, "temp-clerk")
        assert account is not None
        live = session.scalar(select(func.count()).select_from(AuthSession).where(
            AuthSession.account_id == account.id, AuthSession.revoked_at.is_(None)))
    assert live == 0


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _csrf(client: TestClient, path: str) -> dict[str, str]:
    """The form's CSRF field, if the page has one."""
    found = _CSRF.search(client.get(path).text)
    return {"csrf_token": found.group(1)} if found else {}


def test_a_stolen_cookie_is_refused_after_logout(office: Office, tmp_path: Path) -> None:
    client = office.client
    client.cookies.clear()
    signed_in = client.post("/login", data={"username": "alice", "password": PASSWORD,
                                            **_csrf(client, "/login")}, follow_redirects=False)
    assert signed_in.status_code == 303, signed_in.text
    stolen = client.cookies.get("zz_session")
    assert stolen
    assert client.get("/apply", follow_redirects=False).status_code == 200
    out = client.post("/logout", data=_csrf(client, "/apply"), follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"].startswith("/login")
    # The attacker replays the copied cookie: the session is revoked server-side.
    client.cookies.clear()
    client.cookies.set("zz_session", stolen)
    replay = client.get("/apply", follow_redirects=False)
    assert replay.status_code == 303 and replay.headers["location"].startswith("/login")
    as_bearer = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {stolen}"})
    assert as_bearer.status_code == 401
    client.cookies.clear()


def test_users_passwd_on_the_command_line_signs_every_session_out(office: Office) -> None:
    headers = bearer(office, "bob")
    args = argparse.Namespace(users_command="passwd", name="bob")
    assert run_users(args, office.settings, stdin=io.StringIO(NEW_PASSWORD + "\n")) == 0
    assert office.client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert office.client.get("/api/v1/auth/me",
                             headers=bearer(office, "bob", NEW_PASSWORD)).status_code == 200
    _change_password(office, "bob", PASSWORD)
