"""The interactive API docs (Swagger UI at ``/api/v1/docs``) served from this process, so they
work on an office network without internet: FastAPI's default page loads Swagger UI from a
CDN. The JavaScript, CSS and favicon are the ones shipped in the ``fastapi-offline`` wheel
(Swagger UI 5, which renders the OpenAPI 3.1 FastAPI emits; the ``swagger-ui-bundle`` wheel's
4.15 cannot). Only the asset folder of that package is used, not its app factory.

The pages are served by :mod:`api.routes.docs`. Both start Swagger UI with an inline script.
Their Content-Security-Policy allows exactly those scripts by their SHA-256 (computed from the
page being sent), never ``unsafe-inline``."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.security_headers import CONTENT_SECURITY_POLICY

DOCS_URL = "/api/v1/docs"
OAUTH2_REDIRECT_URL = "/api/v1/docs/oauth2-redirect"
ASSETS_URL = "/api/v1/docs-assets"
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def with_script_hashes(page: HTMLResponse) -> HTMLResponse:
    """``page`` with the site's policy, its inline scripts allowed by their SHA-256 only."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(bytes(page.body)))
    policy = CONTENT_SECURITY_POLICY.replace("script-src 'self'", f"script-src 'self' {hashes}")
    page.headers["Content-Security-Policy"] = policy
    return page


def assets_dir() -> Path:
    """The folder holding ``swagger-ui-bundle.js``, ``swagger-ui.css`` and ``favicon.png``."""
    import fastapi_offline  # noqa: PLC0415 - only the docs need it

    return Path(fastapi_offline.__file__).resolve().parent / "static"


def install_offline_docs(app: FastAPI) -> None:
    """Mount the Swagger UI assets at :data:`ASSETS_URL` (the pages themselves are the router
    in :mod:`api.routes.docs`; build ``app`` with ``docs_url=None``)."""
    app.mount(ASSETS_URL, StaticFiles(directory=assets_dir()), name="docs-assets")
