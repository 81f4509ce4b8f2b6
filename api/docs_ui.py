"""The interactive API docs (Swagger UI at ``/api/v1/docs``) served from this process, so they
work on an office network without internet: FastAPI's default page loads Swagger UI from a
CDN. The JavaScript, CSS and favicon are the ones shipped in the ``fastapi-offline`` wheel
(Swagger UI 5, which renders the OpenAPI 3.1 FastAPI emits; the ``swagger-ui-bundle`` wheel's
4.15 cannot). Only the asset folder of that package is used, not its app factory."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/api/v1/docs"
OAUTH2_REDIRECT_URL = "/api/v1/docs/oauth2-redirect"
ASSETS_URL = "/api/v1/docs-assets"


def assets_dir() -> Path:
    """The folder holding ``swagger-ui-bundle.js``, ``swagger-ui.css`` and ``favicon.png``."""
    import fastapi_offline  # noqa: PLC0415 - only the docs need it

    return Path(fastapi_offline.__file__).resolve().parent / "static"


def install_offline_docs(app: FastAPI) -> None:
    """Serve Swagger UI for ``app.openapi_url`` at :data:`DOCS_URL` from local assets (build
    ``app`` with ``docs_url=None``)."""
    openapi_url = app.openapi_url or "/openapi.json"
    app.mount(ASSETS_URL, StaticFiles(directory=assets_dir()), name="docs-assets")

    @app.get(DOCS_URL, include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}", title=f"{app.title} – API",
            oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT_URL}",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            swagger_ui_parameters=app.swagger_ui_parameters)

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
