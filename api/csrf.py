"""Cross-site request forgery defence for the cookie-authenticated pages (``/login``,
``/logout``, the applicant's and the clerk's forms).

Two checks on every unsafe request (POST, PUT, PATCH, DELETE) those routers receive:

1. **Origin.** A request whose ``Origin`` is not ours (or is ``null``) is refused. Without an
   ``Origin``, the ``Referer``'s origin must be ours if there is one. "Ours" is the request's own
   scheme and (trusted, see :mod:`api.security_headers`) host, and the origin of
   ``ZZ_PUBLIC_URL``. With neither header, the token decides.
2. **A signed double-submit token.** A random value lives in the ``zz_csrf`` cookie (HttpOnly,
   ``SameSite=Strict``; set by the first page that renders a form, renewed at sign-in so a
   value planted before it is worthless after); forms carry HMAC-SHA256(key, value) in the
   hidden field ``csrf_token``, the key derived from the service's secret key. A cross-site page
   can neither read the cookie nor compute the token. The multipart upload form carries it in
   its action's query string instead (its body is streamed to the upload code unread); scripts
   may send the header ``X-CSRF-Token``.

``SameSite=Strict`` on the session cookie already keeps it off cross-site requests; these checks
also cover what SameSite does not: a sign-in (no session cookie yet, finding 5 of issue 11 was a
cross-site ``POST /login`` that signed the victim into the attacker's account), same-site
sibling hosts, and old browsers. A refusal is 403 ``auth.csrf``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request, Response

from api.errors_http import ApiError
from core import ErrorCode, Settings, secret_key_of

__all__ = ["CSRF_COOKIE", "CSRF_FIELD", "CSRF_HEADER", "csrf_protect", "csrf_token",
           "renew_csrf_cookie", "set_csrf_cookie"]

CSRF_COOKIE = "zz_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_NEW_COOKIE = "zz_csrf_new"  # request.state: a cookie value made for this response


def _refused(en: str, zh: str) -> ApiError:
    return ApiError(ErrorCode.CSRF_FAILED, en, zh)


def _key(settings: Settings) -> bytes:
    secret = secret_key_of(settings).get_secret_value().encode("utf-8")
    return hashlib.sha256(b"zz-csrf\x00" + secret).digest()


def _sign(settings: Settings, value: str) -> str:
    return hmac.new(_key(settings), value.encode("ascii", "replace"),
                    hashlib.sha256).hexdigest()


def _cookie_value(request: Request) -> str:
    """The browser's ``zz_csrf`` value, or a new one this response will set."""
    made = getattr(request.state, _NEW_COOKIE, None)
    if made:
        return str(made)
    value = request.cookies.get(CSRF_COOKIE)
    if value and 16 <= len(value) <= 128:
        return value
    made = secrets.token_urlsafe(32)
    setattr(request.state, _NEW_COOKIE, made)
    return made


def csrf_token(request: Request) -> str:
    """The token for the forms of the page being rendered (call :func:`set_csrf_cookie` on its
    response so a browser without the cookie gets it)."""
    return _sign(request.app.state.settings, _cookie_value(request))


def _set(response: Response, request: Request, value: str) -> None:
    response.set_cookie(CSRF_COOKIE, value, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")


def set_csrf_cookie(response: Response, request: Request) -> None:
    """Send the ``zz_csrf`` cookie if this request made a new value."""
    made = getattr(request.state, _NEW_COOKIE, None)
    if made:
        _set(response, request, str(made))


def renew_csrf_cookie(response: Response, request: Request) -> None:
    """A fresh ``zz_csrf`` value (at sign-in: a value someone planted earlier stops working)."""
    value = secrets.token_urlsafe(32)
    setattr(request.state, _NEW_COOKIE, value)
    _set(response, request, value)


def _origin_of(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def _our_origins(request: Request) -> set[str]:
    origins = set()
    host = request.headers.get("host")
    if host:
        origins.add(f"{request.url.scheme}://{host}".lower())
    settings: Settings = request.app.state.settings
    if settings.public_url:
        public = _origin_of(settings.public_url)
        if public:
            origins.add(public)
    return origins


def check_origin(request: Request) -> None:
    """Refuse a request that says it comes from another origin (see the module docstring)."""
    origin = request.headers.get("origin")
    if origin is not None:
        if origin.strip().lower() not in _our_origins(request):
            raise _refused("the form was sent from another site", "表单来自其他网站，已拒绝")
        return
    referer = request.headers.get("referer")
    if referer:
        if _origin_of(referer) not in _our_origins(request):
            raise _refused("the form was sent from another site", "表单来自其他网站，已拒绝")


async def _submitted_token(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        # Starlette keeps the parsed form on the request: the route's own Form(...) fields
        # read the same one.
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    if media == "multipart/form-data":
        return request.query_params.get(CSRF_FIELD)
    return None


async def csrf_protect(request: Request) -> None:
    """A router dependency: safe methods pass; others need our origin and a valid token."""
    if request.method in SAFE_METHODS:
        return
    check_origin(request)
    cookie = request.cookies.get(CSRF_COOKIE)
    token = await _submitted_token(request)
    if not cookie or not token or not hmac.compare_digest(
            token.encode("ascii", "replace"),
            _sign(request.app.state.settings, cookie).encode("ascii")):
        raise _refused(
            "the form's security token is missing or out of date: reload the page and "
            "send it again", "表单安全令牌缺失或已过期：请刷新页面后重新提交")
