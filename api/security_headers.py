"""HTTP hardening around the whole app (issue 11, findings 5 and 7): which proxies may speak
for a client, which ``Host`` names the service answers to, and the security headers of every
response.

- **Forwarded headers** (``X-Forwarded-For``, ``X-Forwarded-Proto``) are believed only when
  the connecting peer is in ``ZZ_TRUSTED_PROXIES`` (addresses or CIDR networks; empty by
  default). Then the client address (rate limits, sign-in throttling, the audit's client tag)
  and the scheme (HSTS, ``Secure`` cookies) come from them — uvicorn's own
  ``ProxyHeadersMiddleware``, which takes the right-most address not itself a trusted proxy.
  Otherwise they are ignored and the client is the peer. ``zhengzhao serve`` turns uvicorn's
  default (trust loopback) off, so this is the only place that reads them; ``Forwarded``
  (RFC 7239) is never read.
- **Trusted hosts.** A request whose ``Host`` is not in ``ZZ_TRUSTED_HOSTS`` (plus the host of
  ``ZZ_PUBLIC_URL``) gets 400 ``api.host_not_allowed``. Pages build links as paths, never from
  ``Host``, and a redirect to an absolute URL on the request's own host is sent as a path.
- **Headers.** A Content-Security-Policy with no ``unsafe-inline`` (scripts and styles are
  files under ``/static``; a route may set its own policy, as the API docs do with the hashes
  of Swagger UI's inline scripts), ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``,
  ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``, and
  ``Strict-Transport-Security`` when the request came over TLS (directly or from a trusted
  proxy that says so).
"""

from __future__ import annotations

import fnmatch

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api.errors_http import problem_response
from core import ErrorCode, Settings

__all__ = ["CONTENT_SECURITY_POLICY", "SecurityHeadersMiddleware", "host_allowed",
           "install_http_hardening"]

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'")
HSTS = "max-age=31536000"
_STATIC_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    # Not "no-referrer": under it browsers send "Origin: null" with same-origin form posts,
    # which the CSRF check (api.csrf) must refuse. "same-origin" sends nothing to other sites.
    (b"referrer-policy", b"same-origin"),
)


def _host_name(header: str) -> str:
    """The name part of a ``Host`` header value: no port, no IPv6 brackets, lower case."""
    value = header.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        return value[1:end] if end > 0 else value
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def host_allowed(header: str | None, patterns: tuple[str, ...]) -> bool:
    """Whether a ``Host`` header names one of ``patterns`` (exact names, ``*.domain`` for its
    subdomains, ``*`` for any)."""
    if not header:
        return False
    name = _host_name(header)
    if not name:
        return False
    for pattern in patterns:
        if pattern == "*" or name == pattern:
            return True
        if pattern.startswith("*.") and fnmatch.fnmatchcase(name, pattern) and "/" not in name:
            return True
    return False


def _relative_location(name: bytes, value: bytes, own_prefix: bytes | None
                       ) -> tuple[bytes, bytes]:
    """A redirect to this service's own URL as a path: Starlette builds some (a trailing
    slash's redirect) from the request's ``Host``, which the client chose."""
    if name.lower() == b"location" and own_prefix and value.startswith(own_prefix + b"/"):
        return name, value[len(own_prefix):]
    return name, value


class SecurityHeadersMiddleware:
    """Refuses untrusted hosts and adds the security headers (pure ASGI: streaming responses
    pass through untouched)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.hosts = settings.trusted_host_names

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tls = scope.get("scheme") == "https"
        host = None
        for name, value in scope.get("headers", []):
            if name == b"host":
                host = value.decode("latin-1")
                break
        own_prefix = f"{scope.get('scheme', 'http')}://{host}".encode("latin-1") if host else None

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [_relative_location(n, v, own_prefix)
                           for n, v in message.get("headers", [])]
                present = {name.lower() for name, _ in headers}
                extra = list(_STATIC_HEADERS)
                if b"content-security-policy" not in present:
                    extra.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
                if tls:
                    extra.append((b"strict-transport-security", HSTS.encode()))
                headers.extend((n, v) for n, v in extra if n not in present)
                message = {**message, "headers": headers}
            await send(message)

        if not host_allowed(host, self.hosts):
            response = problem_response(
                400, ErrorCode.HOST_NOT_ALLOWED.value,
                "this service does not answer to that host name (ZZ_TRUSTED_HOSTS)",
                "本服务不接受该主机名（ZZ_TRUSTED_HOSTS）", instance=scope.get("path"))
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


def install_http_hardening(app: FastAPI, settings: Settings) -> None:
    """Add the middleware: the proxy headers (when proxies are trusted) run first, so the host
    check and HSTS see the scheme the client used."""
    app.add_middleware(SecurityHeadersMiddleware, settings=settings)
    proxies = list(settings.trusted_proxy_list)
    if proxies:
        # Starlette wraps the last added middleware outermost.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
