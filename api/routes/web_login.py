"""The sign-in pages: ``GET``/``POST /login`` (the password checked against the app's user
source, throttled by ``api.login_guard`` and rate-limited per client; the token kept in the
session cookie of :mod:`api.web_session`) and ``POST /logout`` (the session revoked and the
cookie cleared). Every form is CSRF-checked by the router dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth import end_session
from api.csrf import csrf_protect, renew_csrf_cookie
from api.login_guard import LoginThrottled
from api.ratelimit import rate_limited
from api.web_session import (
    COOKIE_NAME,
    clear_session,
    home_for,
    login_redirect,
    page_url,
    render,
    set_session_cookie,
    start_session,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    """The sign-in form (applicants and clerks)."""
    return render(request, "login.html", {"failed": False})


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(rate_limited)])
def login(request: Request, username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=256)]) -> Response:
    """Check the password, keep the token in the session cookie, go to the caller's home page.
    While the account or this client is locked after failed attempts: 429 with Retry-After."""
    try:
        session = start_session(request, username, password)
    except LoginThrottled as exc:
        page = render(request, "login.html", {"failed": False, "error": exc}, status=429)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    if session is None:
        return render(request, "login.html", {"failed": True}, status=401)
    principal, token = session
    response = RedirectResponse(page_url(request, home_for(principal.role)), status_code=303)
    set_session_cookie(response, request, token)
    renew_csrf_cookie(response, request)
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    """Revoke the cookie's session (a copy of the cookie stops working too) and clear it."""
    token = request.cookies.get(COOKIE_NAME)
    if token:
        end_session(request, token)
    response = login_redirect(request)
    clear_session(response)
    return response
