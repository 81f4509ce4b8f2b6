"""The authentication API under ``/api/v1/auth``: the OAuth2 password flow (``POST /token``,
throttled per account and client by ``api.login_guard`` and rate-limited per client IP), ending a
bearer token's session (``POST /logout``) and ``GET /me``. Tokens, sessions and the role guard
themselves live in :mod:`api.auth`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from api.auth import (
    TOKEN_URL,
    AccessToken,
    CurrentUser,
    UserSource,
    bearer_token,
    end_session,
    issue_access_token,
    unauthorized,
)
from api.ratelimit import rate_limited
from core import Settings

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post(TOKEN_URL.removeprefix("/api/v1/auth"), response_model=AccessToken,
             dependencies=[Depends(rate_limited)])
def issue_token(request: Request,
                form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> AccessToken:
    """OAuth2 password flow: exchange a user name and password for a bearer token (rate-limited
    per client IP like the public endpoints, against password guessing)."""
    users: UserSource = request.app.state.users
    # Throttled per account and per client (api.login_guard: 429 auth.throttled while locked).
    principal = request.app.state.login_guard.sign_in(
        form.username, form.password, request.client.host if request.client else None)
    if principal is None:
        raise unauthorized("wrong user name or password", "用户名或密码错误")
    settings: Settings = request.app.state.settings
    return AccessToken(access_token=issue_access_token(users, principal, settings),
                       expires_in=settings.access_token_minutes * 60)


@router.post("/logout", status_code=204, response_class=Response)
def sign_out(request: Request, user: CurrentUser,
             token: Annotated[str | None, Depends(bearer_token)]) -> Response:
    """End the session of this bearer token: the token is refused from now on (204)."""
    if token:
        end_session(request, token)
    return Response(status_code=204)


@router.get("/me", response_model=dict[str, str])
def who_am_i(user: CurrentUser) -> dict[str, str]:
    """The caller's user name and role."""
    return {"username": user.username, "role": user.role.value}
