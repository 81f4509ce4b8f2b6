"""Authentication for the service: bearer access tokens for the OAuth2 password flow
(``POST /api/v1/auth/token`` with form fields ``username`` and ``password``, routed in
:mod:`api.routes.auth`) in the JWS compact form (``header.payload.signature``, HS256:
HMAC-SHA256 with the secret key in effect, ``core.secret_key_of``) carrying the subject, its
role, ``iat``, a bounded ``exp`` and a ``jti``. Every token names a server-side session
(``issue_access_token`` opens it): a token whose session is missing, revoked
(``POST /api/v1/auth/logout``, a password change, a deactivation) or expired is refused.
Users and sessions come from a :class:`UserSource`: ``api.users_db.DbUsers`` (the
``auth_sessions`` table) in the service, :class:`InMemoryUsers` in tests and demos. The request
dependencies ``CurrentUser`` and :func:`require_role` live here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import Argon2Error
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel

from api.errors_http import ApiError
from core import ErrorCode, Settings, secret_key_of

TOKEN_URL = "/api/v1/auth/token"
_HEADER = {"alg": "HS256", "typ": "JWT"}
_MAX_TOKEN_CHARS = 4096


class Role(StrEnum):
    """Who a user is to the service; each role may do what its pages and endpoints allow."""

    APPLICANT = "applicant"
    CLERK = "clerk"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: a user name (an account id, never personal data) and a role."""

    username: str
    role: Role


class UserSource(Protocol):
    """Where accounts and their sessions live. ``authenticate`` checks a password; ``lookup``
    re-reads an account; ``open_session`` records a token's ``jti``; ``session_user`` is the
    account a token names, re-read, if its session is live (so a deleted, demoted or signed-out
    account stops working before its token expires); ``revoke_session`` ends one session."""

    def authenticate(self, username: str, password: str) -> Principal | None: ...

    def lookup(self, username: str) -> Principal | None: ...

    def open_session(self, username: str, jti: str, expires_at: datetime) -> None: ...

    def session_user(self, username: str, jti: str, now: datetime) -> Principal | None: ...

    def revoke_session(self, jti: str, now: datetime) -> None: ...


class InMemoryUsers:
    """A :class:`UserSource` held in memory, passwords hashed with argon2id."""

    def __init__(self) -> None:
        self._hasher = PasswordHasher()
        self._users: dict[str, tuple[Role, str]] = {}
        self._sessions: dict[str, tuple[str, datetime]] = {}  # jti -> (username, expires at)
        self._lock = threading.Lock()
        # Unknown names are checked against this too, so timing does not reveal which exist.
        self._dummy = self._hasher.hash("not a password of anyone")

    def add(self, username: str, password: str, role: Role) -> Principal:
        with self._lock:
            self._users[username] = (role, self._hasher.hash(password))
        return Principal(username, role)

    def authenticate(self, username: str, password: str) -> Principal | None:
        entry = self._users.get(username)
        try:
            self._hasher.verify(entry[1] if entry else self._dummy, password)
        except Argon2Error:
            return None
        return Principal(username, entry[0]) if entry else None

    def lookup(self, username: str) -> Principal | None:
        entry = self._users.get(username)
        return None if entry is None else Principal(username, entry[0])

    def open_session(self, username: str, jti: str, expires_at: datetime) -> None:
        with self._lock:
            self._sessions[jti] = (username, expires_at)

    def session_user(self, username: str, jti: str, now: datetime) -> Principal | None:
        session = self._sessions.get(jti)
        if session is None or session[0] != username or now >= session[1]:
            return None
        return self.lookup(username)

    def revoke_session(self, jti: str, now: datetime) -> None:
        with self._lock:
            self._sessions.pop(jti, None)

    def revoke_sessions(self, username: str) -> None:
        """End every session of ``username`` (what a password change does)."""
        with self._lock:
            for jti in [j for j, (name, _) in self._sessions.items() if name == username]:
                del self._sessions[jti]


class AccessToken(BaseModel):
    """The OAuth2 token response."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, signing_input: str) -> bytes:
    return hmac.new(secret.encode("utf-8"), signing_input.encode("ascii"), hashlib.sha256).digest()


def new_jti() -> str:
    """A fresh session id: 24 random bytes, URL-safe."""
    return secrets.token_urlsafe(24)


def create_access_token(principal: Principal, settings: Settings, *,
                        now: datetime | None = None, jti: str | None = None) -> str:
    """A signed bearer token for ``principal``, valid ``settings.access_token_minutes``. It is
    refused by the service unless a session with its ``jti`` is open: use
    :func:`issue_access_token`."""
    now = now or datetime.now(UTC)
    exp = now + timedelta(minutes=settings.access_token_minutes)
    payload = {"sub": principal.username, "role": principal.role.value,
               "iat": int(now.timestamp()), "exp": int(exp.timestamp()),
               "jti": jti or new_jti()}
    signing_input = (_b64(json.dumps(_HEADER, separators=(",", ":")).encode())
                     + "." + _b64(json.dumps(payload, separators=(",", ":")).encode()))
    signature = _mac(secret_key_of(settings).get_secret_value(), signing_input)
    return signing_input + "." + _b64(signature)


def issue_access_token(users: UserSource, principal: Principal, settings: Settings, *,
                       now: datetime | None = None) -> str:
    """A bearer token for ``principal`` and the server-side session it names (opened now,
    ending when the token expires)."""
    now = now or datetime.now(UTC)
    jti = new_jti()
    token = create_access_token(principal, settings, now=now, jti=jti)
    # The session ends with the token, to the second the token's ``exp`` says.
    expires = datetime.fromtimestamp(
        int((now + timedelta(minutes=settings.access_token_minutes)).timestamp()), UTC)
    users.open_session(principal.username, jti, expires)
    return token


_CLOCK_SKEW_S = 60  # seconds a token's iat may lie ahead of this server's clock
_JTI = re.compile(r"[A-Za-z0-9_-]{16,64}")


def unauthorized(en: str = "not authenticated", zh: str = "未登录或凭证无效") -> ApiError:
    return ApiError(ErrorCode.UNAUTHORIZED, en, zh)


def decode_access_token(token: str, settings: Settings, *,
                        now: datetime | None = None) -> dict[str, Any]:
    """The claims of a token this service signed. Raises :class:`ApiError` with
    ``auth.unauthorized`` (malformed, wrong signature or algorithm) or ``auth.token_expired``."""
    parts = token.split(".")
    if len(token) > _MAX_TOKEN_CHARS or len(parts) != 3 or not token.isascii():
        raise unauthorized("malformed access token", "访问令牌格式错误")
    try:
        header = json.loads(_unb64(parts[0]))
        signature = _unb64(parts[2])
    except (ValueError, UnicodeDecodeError):
        raise unauthorized("malformed access token", "访问令牌格式错误") from None
    if header != _HEADER:
        raise unauthorized("unsupported token algorithm", "不支持的令牌算法")
    expected = _mac(secret_key_of(settings).get_secret_value(), parts[0] + "." + parts[1])
    if not hmac.compare_digest(expected, signature):
        raise unauthorized("access token signature not valid", "访问令牌签名无效")
    try:
        claims = json.loads(_unb64(parts[1]))
        exp = int(claims["exp"])
        iat = int(claims["iat"])
        str(claims["sub"])
        Role(claims["role"])
        if not _JTI.fullmatch(claims["jti"]):
            raise ValueError("jti")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, OverflowError):
        raise unauthorized("malformed access token", "访问令牌格式错误") from None
    moment = (now or datetime.now(UTC)).timestamp()
    # A token lives no longer than this service issues them for, and was not issued in the
    # future: a forged ``exp`` of 1e300 (issue 11, finding 1) is refused even when signed.
    if exp - iat > settings.access_token_minutes * 60 or iat > moment + _CLOCK_SKEW_S:
        raise unauthorized("access token lifetime not valid", "访问令牌有效期无效")
    if moment >= exp:
        raise ApiError(ErrorCode.TOKEN_EXPIRED, "access token expired", "访问令牌已过期")
    return claims


bearer_token = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


def current_user(request: Request,
                 token: Annotated[str | None, Depends(bearer_token)]) -> Principal:
    """The caller named by a valid bearer token, re-read from the app's user source (401 if the
    token is missing, bad or expired, or the account no longer exists)."""
    if not token:
        raise unauthorized()
    principal = session_user(request, token)
    if principal is None:
        raise unauthorized("session ended or account not found", "会话已结束或账户不存在")
    return principal


def session_user(request: Request, token: str) -> Principal | None:
    """The account a token names if the token is valid and its session live, else ``None``
    (raises :class:`ApiError` for a malformed, forged or expired token)."""
    claims = decode_access_token(token, request.app.state.settings)
    users: UserSource = request.app.state.users
    return users.session_user(str(claims["sub"]), str(claims["jti"]), datetime.now(UTC))


def end_session(request: Request, token: str) -> None:
    """Revoke the session a valid token names (nothing for a bad or expired token)."""
    try:
        claims = decode_access_token(token, request.app.state.settings)
    except ApiError:
        return
    users: UserSource = request.app.state.users
    users.revoke_session(str(claims["jti"]), datetime.now(UTC))


CurrentUser = Annotated[Principal, Depends(current_user)]


def require_role(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency that admits only callers holding one of ``roles`` (403 otherwise)."""

    def check(user: CurrentUser) -> Principal:
        if user.role not in roles:
            raise ApiError(ErrorCode.FORBIDDEN, "your role may not do this",
                           "您的角色无权执行此操作")
        return user

    return check


# The applicant's JSON routes (``api.routes.applicant`` and its photo and preview routes).
Applicant = Annotated[Principal, Depends(require_role(Role.APPLICANT))]
