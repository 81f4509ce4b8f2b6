"""The verifier's web pages (Jinja2, Chinese first with an English toggle): ``GET /v/{token}``,
the page a phone opens when it scans a licence's QR code, and ``GET|POST /verify``, an upload
form for a licence PDF. Both show a green, red or amber verdict, the office that signed the
licence as its trust list names it (never the issuer name the token or PDF claims) and the
licence's other public fields (holder code masked). Each verification is audited like the
API's (channel ``qr_page`` or ``upload_page``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from api.deps import SettingsDep, TrustDep
from api.errors_http import status_for
from api.labels import register as register_labels
from api.ratelimit import rate_limited
from api.routes.public import verify_token_request, verify_uploaded_pdf
from api.verification_audit import VerifyChannel
from api.web_session import lang_of
from core import ZhengzhaoError
from elicense import LicenceVerdict

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"
# The fields a verifier sees, in page order, with their Chinese and English labels.
PUBLIC_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("name", "证照名称", "Licence"),
    ("identifier", "证照标识", "Identifier"),
    ("holder_name", "持证主体", "Holder"),
    ("holder_code", "持证主体代码", "Holder code"),
    ("issued_on", "颁证日期", "Issued on"),
    ("valid_from", "有效期起", "Valid from"),
    ("valid_until", "有效期至", "Valid until"),
)

_QR_PREFIX = "/v/"
router = APIRouter(include_in_schema=False)


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    # Links are paths, never absolute URLs: Starlette's url_for would build them from the
    # request's Host header, which a client chooses (issue 11, finding 7).
    templates.env.globals["url_for"] = _path_for
    register_labels(templates.env)
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


def _verdict_context(verdict: LicenceVerdict) -> dict[str, Any]:
    licence = verdict.licence or {}
    fields = [(zh, en, licence.get(key)) for key, zh, en in PUBLIC_FIELDS
              if licence.get(key) not in (None, "")]
    reasons = [c for c in verdict.checks if c.outcome.value != "PASSED"]
    return {"indication": verdict.indication.value, "fields": fields, "reasons": reasons,
            "signer": verdict.signed_by, "error": None}


def _error_context(exc: ZhengzhaoError) -> dict[str, Any]:
    return {"indication": "FAILED", "fields": [], "reasons": [], "signer": None, "error": exc}


@router.get("/v/{token:path}", response_class=HTMLResponse,
            dependencies=[Depends(rate_limited)])
async def verify_page(request: Request, token: str, trust: TrustDep) -> HTMLResponse:
    """The page behind a licence's QR code."""
    token = _token_from_raw_path(request) or token
    try:
        verdict = await verify_token_request(request, token, trust, VerifyChannel.QR_PAGE)
    except ZhengzhaoError as exc:
        return _page(request, "verdict.html", _error_context(exc), status=422)
    return _page(request, "verdict.html", _verdict_context(verdict))


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
        return _page(request, "verdict.html", _error_context(exc), status=status_for(exc.code))
    return _page(request, "verdict.html", _verdict_context(verdict))

