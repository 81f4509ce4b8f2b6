"""Bearer tokens and the OAuth2 password flow: tokens are checked against an independent HS256
implementation (PyJWT-compatible JWS written here from RFC 7515/7518), tampering, expiry, wrong
keys and algorithms are refused, and roles are enforced by ``require_role``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.auth import (
    InMemoryUsers,
    Principal,
    Role,
    create_access_token,
    decode_access_token,
    require_role,
)
from api.errors_http import ApiError
from core import ErrorCode, Settings

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("auth"),
                    secret_key=SecretStr("a test secret that is long enough"),
                    access_token_minutes=15)


def rfc7515_verify(token: str, secret: bytes) -> dict:
    """An independent HS256 check: base64url without padding, HMAC over 'header.payload'."""
    head, body, sig = token.split(".")

    def b64d(part: str) -> bytes:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))

    assert json.loads(b64d(head))["alg"] == "HS256"
    expected = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    assert hmac.compare_digest(expected, b64d(sig))
    assert "=" not in token
    return json.loads(b64d(body))


def test_a_token_is_standard_hs256_with_subject_role_and_expiry(settings) -> None:
    token = create_access_token(Principal("clerk-7", Role.CLERK), settings, now=NOW)
    claims = rfc7515_verify(token, b"a test secret that is long enough")
    assert claims["sub"] == "clerk-7" and claims["role"] == "clerk"
    assert claims["exp"] - claims["iat"] == 15 * 60
    assert decode_access_token(token, settings, now=NOW)["sub"] == "clerk-7"


def _error(token: str, settings: Settings, now: datetime = NOW) -> ErrorCode:
    with pytest.raises(ApiError) as info:
        decode_access_token(token, settings, now=now)
    return info.value.code


def test_expired_tokens_are_refused(settings) -> None:
    token = create_access_token(Principal("a", Role.ADMIN), settings, now=NOW)
    assert _error(token, settings, NOW + timedelta(minutes=15)) is ErrorCode.TOKEN_EXPIRED
    assert decode_access_token(token, settings, now=NOW + timedelta(minutes=14))


def test_tampered_or_foreign_tokens_are_refused(settings) -> None:
    token = create_access_token(Principal("u1", Role.APPLICANT), settings, now=NOW)
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["role"] = "admin"
    raised = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert _error(f"{head}.{raised}.{sig}", settings) is ErrorCode.UNAUTHORIZED
    other = settings.model_copy(update={"secret_key": SecretStr("another secret entirely!!")})
    assert _error(token, other) is ErrorCode.UNAUTHORIZED
    none_head = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    assert _error(f"{none_head}.{body}.", settings) is ErrorCode.UNAUTHORIZED
    for junk in ("", "a.b", "a.b.c", "...", "x" * 5000, "é.é.é", f"{head}.é{body}.{sig}"):
        assert _error(junk, settings) is ErrorCode.UNAUTHORIZED


def _signed(claims: dict, secret: bytes = b"a test secret that is long enough") -> str:
    """A token with ``claims`` signed as the service signs them (the attacker holds the key)."""
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{head}.{body}." + b64(hmac.new(secret, f"{head}.{body}".encode(),
                                            hashlib.sha256).digest())


def test_a_signed_token_with_an_unbounded_lifetime_is_refused(settings) -> None:
    # The red team's token: an admin claim with exp 1e300 and no iat (issue 11, finding 1).
    forged = _signed({"sub": "admin-1", "role": "admin", "exp": 1e300})
    assert _error(forged, settings) is ErrorCode.UNAUTHORIZED
    start = int(NOW.timestamp())
    longer = _signed({"sub": "admin-1", "role": "admin", "iat": start,
                      "exp": start + 15 * 60 + 1})
    assert _error(longer, settings) is ErrorCode.UNAUTHORIZED
    future = _signed({"sub": "admin-1", "role": "admin", "iat": start + 3600,
                      "exp": start + 3600 + 60})
    assert _error(future, settings) is ErrorCode.UNAUTHORIZED
    # The same claims with the lifetime the service issues are accepted: the test can fail.
    fair = _signed({"sub": "admin-1", "role": "admin", "iat": start, "exp": start + 15 * 60,
                    "jti": "a-session-id-0123456789"})
    assert decode_access_token(fair, settings, now=NOW)["sub"] == "admin-1"
    # A token naming no session (no jti) is refused before any session lookup.
    no_jti = _signed({"sub": "admin-1", "role": "admin", "iat": start, "exp": start + 15 * 60})
    assert _error(no_jti, settings) is ErrorCode.UNAUTHORIZED


@pytest.fixture(scope="module")
def client(settings: Settings):
    users = InMemoryUsers()
    users.add("applicant-1", "correct horse", Role.APPLICANT)
    users.add("admin-1", "battery staple", Role.ADMIN)
    app = create_app(settings, users=users, refresh_trust_on_startup=False)

    @app.get("/test/admin-only")
    def admin_only(user: Annotated[Principal, Depends(require_role(Role.ADMIN))]) -> dict:
        return {"who": user.username}

    with TestClient(app) as test_client:
        yield test_client


def login(client: TestClient, username: str, password: str):
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_the_password_flow_issues_a_bearer_token(client) -> None:
    response = login(client, "applicant-1", "correct horse")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 15 * 60
    me = client.get("/api/v1/auth/me",
                    headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {"username": "applicant-1", "role": "applicant"}


@pytest.mark.parametrize(("username", "password"), [
    ("applicant-1", "wrong"), ("nobody", "correct horse"), ("applicant-1", "")])
def test_wrong_credentials_are_401_problems(client, username, password) -> None:
    response = login(client, username, password)
    assert response.status_code in (401, 422)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] in ("auth.unauthorized", "api.validation_failed")
    if response.status_code == 401:
        assert response.headers["www-authenticate"] == "Bearer"


def test_missing_or_bad_bearer_is_401(client) -> None:
    assert client.get("/api/v1/auth/me").json()["code"] == "auth.unauthorized"
    bad = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer a.b.c"})
    assert bad.status_code == 401 and bad.json()["code"] == "auth.unauthorized"


def test_roles_are_enforced(client) -> None:
    applicant = login(client, "applicant-1", "correct horse").json()["access_token"]
    admin = login(client, "admin-1", "battery staple").json()["access_token"]
    denied = client.get("/test/admin-only", headers={"Authorization": f"Bearer {applicant}"})
    assert denied.status_code == 403 and denied.json()["code"] == "auth.forbidden"
    allowed = client.get("/test/admin-only", headers={"Authorization": f"Bearer {admin}"})
    assert allowed.status_code == 200 and allowed.json() == {"who": "admin-1"}


def test_a_token_of_a_removed_account_stops_working(settings, tmp_path: Path) -> None:
    users = InMemoryUsers()
    users.add("temp", "pw", Role.CLERK)
    token = create_access_token(Principal("temp", Role.CLERK), settings)
    app = create_app(settings, users=InMemoryUsers(), refresh_trust_on_startup=False)
    with TestClient(app) as test_client:
        response = test_client.get("/api/v1/auth/me",
                                   headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_passwords_are_stored_hashed() -> None:
    users = InMemoryUsers()
    users.add("u", "s3cret-pass", Role.APPLICANT)
    stored = users._users["u"][1]
    assert stored.startswith("$argon2id$") and "s3cret-pass" not in stored
    assert users.authenticate("u", "s3cret-pass") == Principal("u", Role.APPLICANT)
    assert users.authenticate("u", "s3cret-pasS") is None


def test_password_guessing_is_rate_limited(tmp_path: Path) -> None:
    tight = Settings(_env_file=None, data_dir=tmp_path, verify_rate_per_minute=2)
    app = create_app(tight, users=InMemoryUsers(), refresh_trust_on_startup=False)
    with TestClient(app) as test_client:
        codes = [login(test_client, "x", "guess").status_code for _ in range(3)]
    assert codes == [401, 401, 429]


def test_logout_ends_an_in_memory_session(client) -> None:
    token = login(client, "applicant-1", "correct horse").json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    replay = client.get("/api/v1/auth/me", headers=headers)
    assert replay.status_code == 401 and replay.json()["code"] == "auth.unauthorized"
    users: InMemoryUsers = client.app.state.users
    again = login(client, "applicant-1", "correct horse").json()["access_token"]
    users.revoke_sessions("applicant-1")  # what a password change does
    assert client.get("/api/v1/auth/me",
                      headers={"Authorization": f"Bearer {again}"}).status_code == 401
