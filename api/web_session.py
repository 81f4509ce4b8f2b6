"""The web pages' session: a bearer token from the OAuth2 password flow kept in an HttpOnly,
``SameSite=Strict`` cookie, and the page guards that read it: ``WebApplicant`` and ``WebClerk``
(``Annotated`` dependencies) give a page its signed-in user of the right role or raise
:class:`LoginRequired`, which the one handler ``create_app`` registers
(:func:`login_required_handler`) turns into a 303 to ``/login``. State changes are POST forms
only, and every form carries a CSRF token checked with the request's origin (:mod:`api.csrf`,
a router dependency, so it runs before the guard), ``/login`` included. Sign-ins are throttled
(:mod:`api.login_guard`). Used by the page routers ``api.routes.web_login`` (``/login``,
``/logout``), ``api.routes.web_applicant`` and ``api.routes.web_clerk`` only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api.auth import Principal, Role, UserSource, issue_access_token, session_user
from api.csrf import csrf_token, set_csrf_cookie
from api.db import ApplicationState
from api.labels import LABELS
from core import Settings, ZhengzhaoError

__all__ = ["COOKIE_NAME", "LANG_COOKIE", "LoginRequired", "WebApplicant", "WebApplicantPoll",
           "WebClerk", "clear_session", "lang_of", "login_redirect", "login_required_handler",
           "page_url", "home_for", "render", "set_session_cookie", "start_session", "web_user"]

COOKIE_NAME = "zz_session"
# What each application state is called on the pages, in Chinese and English (api.labels).
STATE_LABELS: dict[ApplicationState, tuple[str, str]] = {
    state: LABELS.state(state) for state in ApplicationState}


LANG_COOKIE = "zz_lang"  # the page language the toggle chose (api/static/base.js sets it)


def lang_of(request: Request) -> str:
    """The page language: ``?lang=en|zh`` when the link says so, else the toggle's cookie, else
    Chinese."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return "en" if asked == "en" else "zh"


def page_url(request: Request, path: str) -> str:
    """``path`` keeping the page language of ``request``."""
    return path + ("?lang=en" if lang_of(request) == "en" else "")


def render(request: Request, name: str, context: dict[str, Any], status: int = 200
           ) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    response = templates.TemplateResponse(
        request, name, {"lang": lang_of(request), "q": page_url(request, ""),
                  "states": STATE_LABELS, "csrf_token": csrf_token(request), **context},
        status_code=status)
    set_csrf_cookie(response, request)
    return response


def start_session(request: Request, username: str, password: str) -> tuple[Principal, str] | None:
    """Check the password against the app's user source; the principal and a fresh bearer
    token, or ``None`` when the name or password is wrong."""
    users: UserSource = request.app.state.users
    # Throttled per account and per client (api.login_guard: raises auth.throttled).
    principal = request.app.state.login_guard.sign_in(
        username, password, request.client.host if request.client else None)
    if principal is None:
        return None
    settings: Settings = request.app.state.settings
    return principal, issue_access_token(users, principal, settings)


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    settings: Settings = request.app.state.settings
    response.set_cookie(COOKIE_NAME, token, max_age=settings.access_token_minutes * 60,
                        httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")


def clear_session(response: Response) -> None:
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="strict")


def web_user(request: Request) -> Principal | None:
    """The caller named by the session cookie (re-read from the user source), or ``None``
    when there is no cookie or it is bad, expired, signed out, or names an account that has
    gone."""
    token = request.cookies.get(COOKIE_NAME)
    if not token:
        return None
    try:
        return session_user(request, token)
    except ZhengzhaoError:
        return None


def login_redirect(request: Request) -> RedirectResponse:
    return RedirectResponse(page_url(request, "/login"), status_code=303)


class LoginRequired(Exception):
    """A page was asked for by a caller without a session of the page's role (none, a bad or
    revoked one, or another role's). Carries where to send the browser (the sign-in page in the
    page's language); ``poll`` marks the page script's status poll, which gets a 401 JSON
    answer instead of a redirect."""

    def __init__(self, login_url: str, *, poll: bool = False) -> None:
        super().__init__("sign-in required")
        self.login_url = login_url
        self.poll = poll


def _signed_in(request: Request, role: Role, *, poll: bool = False) -> Principal:
    user = web_user(request)
    if user is None or user.role is not role:
        raise LoginRequired(page_url(request, "/login"), poll=poll)
    return user


def web_applicant(request: Request) -> Principal:
    """The signed-in applicant of a page, or :class:`LoginRequired`."""
    return _signed_in(request, Role.APPLICANT)


def web_applicant_poll(request: Request) -> Principal:
    """The signed-in applicant polling a status, or :class:`LoginRequired` (answered 401)."""
    return _signed_in(request, Role.APPLICANT, poll=True)


def web_clerk(request: Request) -> Principal:
    """The signed-in clerk of a page, or :class:`LoginRequired`."""
    return _signed_in(request, Role.CLERK)


WebApplicant = Annotated[Principal, Depends(web_applicant)]
WebApplicantPoll = Annotated[Principal, Depends(web_applicant_poll)]
WebClerk = Annotated[Principal, Depends(web_clerk)]


async def login_required_handler(request: Request, exc: Exception) -> Response:
    """The one answer to :class:`LoginRequired`: 303 to the sign-in page, or for a status
    poll 401 ``{"signed_in": false}`` (the page's script then stops polling)."""
    if not isinstance(exc, LoginRequired):  # registered for LoginRequired only
        raise exc
    if exc.poll:
        return JSONResponse({"signed_in": False}, status_code=401)
    return RedirectResponse(exc.login_url, status_code=303)


def home_for(role: Role) -> str:
    return {Role.APPLICANT: "/apply", Role.CLERK: "/clerk/queue"}.get(role, "/login")
