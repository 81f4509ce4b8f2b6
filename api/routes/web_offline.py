"""The offline verifier page, ``GET /verify/offline`` (issue 14): a page that checks a licence
token entirely in the browser (``api/static/offline/verifier.js``, built from ``web/offline``),
against the trust material it carries: this office's and the imported issuers' signing keys and
signed status lists, as :func:`api.workflow.offline_trust.offline_trust` gives them from the
Python verifier's own trust, signed by this office's root
(:func:`api.workflow.offline_trust.signed_offline_trust`). Nothing typed into the page is sent
to the office.

``GET /verify/offline-sw.js`` is the page's service worker (``api/static/offline/sw.js``): served
from ``/verify/`` so that its scope can be the page, it keeps the page and its assets for visits
with no network."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from starlette.concurrency import run_in_threadpool

from api.deps import SettingsDep, TrustDep
from api.web_session import render
from api.workflow.offline_trust import page_trust

router = APIRouter(include_in_schema=False)
SERVICE_WORKER = Path(__file__).resolve().parents[1] / "static" / "offline" / "sw.js"


@router.get("/verify/offline", response_class=HTMLResponse)
async def offline_page(request: Request, trust: TrustDep, settings: SettingsDep) -> HTMLResponse:
    """The page, with the trust material as JSON for its script."""
    signed = await run_in_threadpool(page_trust, settings, trust)
    response = render(request, "verify_offline.html", {"signed": signed})
    # The trust material in the page ages: a revalidated copy, never a cached one.
    response.headers["Cache-Control"] = "no-cache"
    return response


@router.get("/verify/offline-sw.js", response_class=FileResponse)
def offline_service_worker() -> FileResponse:
    """The page's service worker, always revalidated (browsers check it for updates)."""
    return FileResponse(SERVICE_WORKER, media_type="text/javascript",
                        headers={"Cache-Control": "no-cache"})
