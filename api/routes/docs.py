"""The offline API docs pages: Swagger UI at ``/api/v1/docs`` and its OAuth2 redirect page,
started from the assets :func:`api.docs_ui.install_offline_docs` mounts, with a
Content-Security-Policy that allows their inline scripts by SHA-256 only."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

from api.docs_ui import ASSETS_URL, DOCS_URL, OAUTH2_REDIRECT_URL, with_script_hashes

router = APIRouter(include_in_schema=False)


@router.get(DOCS_URL)
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI for the app's OpenAPI document, from local assets."""
    app = request.app
    root = request.scope.get("root_path", "")
    return with_script_hashes(get_swagger_ui_html(
        openapi_url=f"{root}{app.openapi_url or '/openapi.json'}", title=f"{app.title} – API",
        oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT_URL}",
        swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
        swagger_ui_parameters=app.swagger_ui_parameters))


@router.get(OAUTH2_REDIRECT_URL)
def swagger_ui_redirect() -> HTMLResponse:
    """The page Swagger UI's OAuth2 flow returns to."""
    return with_script_hashes(get_swagger_ui_oauth2_redirect_html())
