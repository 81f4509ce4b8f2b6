"""The offline verifier page, ``GET /verify/offline`` (issue 14): a page that checks a licence
token entirely in the browser (``api/static/offline/verifier.js``, built from ``web/offline``),
against the trust material it carries: this office's and the imported issuers' signing keys and
signed status lists, as :func:`api.workflow.offline_trust.offline_trust` gives them from the
Python verifier's own trust. Nothing typed into the page is sent to the office."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from api.deps import SettingsDep, TrustDep
from api.web_session import render
from api.workflow.offline_trust import imported_materials, offline_trust

router = APIRouter(include_in_schema=False)


@router.get("/verify/offline", response_class=HTMLResponse)
async def offline_page(request: Request, trust: TrustDep, settings: SettingsDep) -> HTMLResponse:
    """The page, with the trust material as JSON for its script."""
    imported = await run_in_threadpool(imported_materials, settings)
    data = offline_trust(trust, imported, generated_at=datetime.now(UTC))
    response = render(request, "verify_offline.html", {"trust": data})
    # The trust material in the page ages: a revalidated copy, never a cached one.
    response.headers["Cache-Control"] = "no-cache"
    return response
