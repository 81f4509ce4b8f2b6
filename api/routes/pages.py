"""The verifier's web pages (Jinja2, Chinese first with an English toggle):

- ``GET /v`` — the page a licence's QR code opens, ``/v#<token>``: the token stays in the URL
  fragment, which the browser never sends; ``api/static/verify_link.js`` reads it and checks it
  in the page with the offline verifier's code (``api/static/offline/verifier.js``, issue 14)
  against the signed trust material the page carries (as ``/verify/offline`` does), so the
  office never sees the token. Only the page's "check online" button, or a browser where the
  in-page check cannot run (no WebCrypto), asks the office (``POST /v``).
- ``POST /v`` — JSON ``{"token": "…"}`` (the token, or a link holding it): the verdict as the
  HTML fragment ``_verdict.html``.
- ``GET /v/{token}`` — the older address with the token in the path; still answered.
- ``GET|POST /verify`` — an upload form for a licence PDF, and its verdict.

Every verdict page shows what :mod:`api.workflow.verdict_view` makes of the verdict: the
outcome in words, the licence's public facts (none on a FAILED verdict), the holder photo
checked against its signed hash, the office that signed it as its trust list names it (never
the issuer name the token or PDF claims) and the time of the check. Each verification is
audited like the API's (channel ``qr_page`` or ``upload_page``)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api.deps import SettingsDep, TrustDep
from api.errors_http import status_for
from api.labels import register as register_labels
from api.ratelimit import rate_limited
from api.request_body import read_body
from api.routes.public import verify_token_request, verify_uploaded_pdf
from api.schemas.verification import VerifyTokenRequest
from api.service_context import ServiceContext
from api.verification_audit import VerifyChannel
from api.web_session import lang_of
from api.workflow.errors import VerificationInputError
from api.workflow.offline_trust import page_trust
from api.workflow.photo_step import photo_offer
from api.workflow.verdict_view import VerdictView, photo_on_file, refusal_view, verdict_view
from core import ErrorCode, ZhengzhaoError
from elicense import LicenceVerdict, TrustMaterial, load_templates

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"
_QR_PREFIX = "/v/"
_JSON_LIMIT = 16 * 1024
router = APIRouter(include_in_schema=False)


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    # Links are paths, never absolute URLs: Starlette's url_for would build them from the
    # request's Host header, which a client chooses (issue 11, finding 7).
    templates.env.globals["url_for"] = _path_for
    register_labels(templates.env)
    # The photo step of a material (its plain findings), for the applicant and clerk pages.
    templates.env.globals["photo_step"] = photo_offer
    return templates


@pass_context
def _path_for(context: dict[str, Any], name: str, /, **path_params: Any) -> str:
    request: Request = context["request"]
    root = request.scope.get("root_path", "")
    return root + str(request.app.url_path_for(name, **path_params))


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200
          ) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, {"lang": lang_of(request), **context},
                                      status_code=status)


def _now(request: Request) -> datetime:
    """Now, in the office's zone (the check time the page shows)."""
    return datetime.now(UTC).astimezone(request.app.state.settings.zone)


async def _view(request: Request, verdict: LicenceVerdict) -> VerdictView:
    """The page's view of ``verdict``; for a scanned code of one of our licences, the holder
    photo comes from the signed PDF on file (a database read and a PDF parse: off the loop)."""
    photo = None
    service: ServiceContext | None = getattr(request.app.state, "service", None)
    if verdict.photo is None and service is not None:
        photo = await run_in_threadpool(photo_on_file, service.workflow, verdict)
    return verdict_view(verdict, checked_at=_now(request), photo=photo)


async def _token_view(request: Request, token: str, trust: TrustMaterial
                      ) -> tuple[VerdictView, int]:
    try:
        verdict = await verify_token_request(request, token, trust, VerifyChannel.QR_PAGE)
    except ZhengzhaoError as exc:
        return refusal_view(exc, checked_at=_now(request)), 422
    return await _view(request, verdict), 200


@router.get("/v", response_class=HTMLResponse)
async def link_page(request: Request, trust: TrustDep, settings: SettingsDep) -> HTMLResponse:
    """The page a QR link opens: its script reads the token from the fragment and checks it
    against the signed trust material the page carries (the offline verifier's)."""
    signed = await run_in_threadpool(page_trust, settings, trust)
    response = _page(request, "verify_link.html", {"signed": signed,
                                                   "type_names": _type_names()})
    # The status lists in the page age: a revalidated copy, never a cached one.
    response.headers["Cache-Control"] = "no-cache"
    return response


@router.post("/v", response_class=HTMLResponse, dependencies=[Depends(rate_limited)])
async def link_verdict(request: Request, trust: TrustDep) -> HTMLResponse:
    """The verdict on a token (or a link holding one) as the HTML fragment the ``/v`` page
    shows; 422 with the fragment of a refusal for what is not a token."""
    try:
        payload = VerifyTokenRequest.model_validate_json(await read_body(request, _JSON_LIMIT))
    except (ValidationError, ZhengzhaoError):
        error = VerificationInputError(ErrorCode.TOKEN_MALFORMED,
                                       "not a well-formed e-licence token or link",
                                       "不是格式正确的电子证照二维码内容")
        return _page(request, "_verdict.html", {"view": refusal_view(
            error, checked_at=_now(request))}, status=422)
    view, status = await _token_view(request, payload.token, trust)
    return _page(request, "_verdict.html", {"view": view}, status=status)


@router.get("/v/{token:path}", response_class=HTMLResponse,
            dependencies=[Depends(rate_limited)])
async def verify_page(request: Request, token: str, trust: TrustDep) -> HTMLResponse:
    """The older page address, with the token in the path."""
    token = _token_from_raw_path(request) or token
    view, status = await _token_view(request, token, trust)
    return _page(request, "verdict.html", {"view": view}, status=status)


@cache
def _type_names() -> dict[str, str]:
    """The bundled templates' licence names by type code: what the Python verifier names a
    licence whose token carries no name (``elicense.verify``), for the /v page's own check."""
    catalog = load_templates()
    return {code: catalog.get(code).name for code in catalog.type_codes()}


def _token_from_raw_path(request: Request) -> str | None:
    """The token percent-decoded exactly once from the raw request path: base45 text holds
    ``%``, ``/`` and spaces, and a second decoding (some clients and test transports do one)
    would change it."""
    raw = request.scope.get("raw_path")
    if not isinstance(raw, bytes):
        return None
    text = raw.decode("ascii", "replace")
    start = text.find(_QR_PREFIX)
    return unquote(text[start + len(_QR_PREFIX):]) if start >= 0 else None


@router.get("/verify", response_class=HTMLResponse)
def upload_page(request: Request) -> HTMLResponse:
    """The form to upload a licence PDF."""
    return _page(request, "upload.html", {})


@router.post("/verify", response_class=HTMLResponse, dependencies=[Depends(rate_limited)])
async def upload_verdict(request: Request, trust: TrustDep, settings: SettingsDep,
                         ) -> HTMLResponse:
    """The verdict on an uploaded PDF, as a page."""
    try:
        verdict = await verify_uploaded_pdf(request, trust, settings.max_upload_bytes,
                                            VerifyChannel.UPLOAD_PAGE)
    except ZhengzhaoError as exc:
        return _page(request, "verdict.html",
                     {"view": refusal_view(exc, checked_at=_now(request))},
                     status=status_for(exc.code))
    return _page(request, "verdict.html", {"view": await _view(request, verdict)})
