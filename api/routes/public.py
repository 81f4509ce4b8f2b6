"""The public JSON API, no account needed: ``POST /api/v1/verify`` (a PDF or OFD upload or a QR
token; HTTP 200 whatever the verdict), the trust material verifiers pin (``/api/v1/trust-list``, its
root certificate, the signed status list), ``/healthz`` and ``/metrics``. Verification and
trust downloads are rate-limited per client IP; ``/metrics`` answers allowed networks (or the
metrics token) only; every verification, and every refused token or
upload, leaves one ``licence.verified`` audit row (``api.verification_audit``)."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api.deps import SettingsDep, TrustDep
from api.errors_http import PROBLEM_RESPONSES, ApiError
from api.metrics import ServiceMetrics, VerifyKind, metrics_allowed
from api.ratelimit import rate_limited
from api.request_body import read_body, read_uploaded_pdf
from api.schemas.verification import Health, VerdictPublic, VerifyTokenRequest
from api.verification_audit import (
    ClientTagger,
    VerificationAudit,
    VerificationEvent,
    VerifyChannel,
    VerifyOutcome,
)
from api.workflow.trust import ImportedTrust
from api.workflow.verification import verify_token
from api.workflow.verification_ofd import verify_upload
from core import ErrorCode, ZhengzhaoError
from elicense import LicenceVerdict, TrustMaterial, is_ofd_package

log = logging.getLogger(__name__)

router = APIRouter()

_JSON_LIMIT = 16 * 1024
_VERIFY_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": VerifyTokenRequest.model_json_schema()},
            "multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary",
                                        "description": "the e-licence PDF or OFD"}}}},
        },
    }
}


@router.post("/api/v1/verify", response_model=VerdictPublic, tags=["public"],
             dependencies=[Depends(rate_limited)], openapi_extra=_VERIFY_BODY,
             responses=PROBLEM_RESPONSES)
async def verify(request: Request, trust: TrustDep, settings: SettingsDep) -> Response:
    """Verify an e-licence: multipart field ``file`` with the PDF or OFD, or JSON
    ``{"token": "ZZ1:…"}`` from its QR code. The verdict's ``indication`` is PASSED, FAILED or
    INDETERMINATE."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/json":
        body = await read_body(request, _JSON_LIMIT)
        try:
            payload = VerifyTokenRequest.model_validate_json(body)
        except ValidationError:
            raise ApiError(ErrorCode.VALIDATION_FAILED,
                           'send JSON {"token": "ZZ1:..."}', '请发送 JSON {"token": "ZZ1:..."}'
                           ) from None
        verdict = await verify_token_request(request, payload.token, trust, VerifyChannel.API)
    elif media == "multipart/form-data":
        verdict = await verify_uploaded_pdf(request, trust, settings.max_upload_bytes,
                                            VerifyChannel.API)
    else:
        raise ApiError(ErrorCode.INPUT_UNSUPPORTED_TYPE,
                       "send multipart/form-data (a PDF) or application/json (a token)",
                       "请以 multipart/form-data（PDF）或 application/json（令牌）提交")
    # The verdict is already JSON-ready and matches VerdictPublic (the schema tests check it):
    # returning it directly spares a validation round per request.
    return JSONResponse(verdict.to_dict())


def _published_file(request: Request, name: str) -> Any:
    request.app.state.trust.get()  # makes sure the folder exists and is current
    return request.app.state.trust.directory / name


@router.get("/api/v1/trust-list", tags=["public"], dependencies=[Depends(rate_limited)],
            responses={200: {"content": {"application/json": {}}}})
def trust_list(request: Request) -> Response:
    """This office's signed trust list (its signing certificates and key ids)."""
    data = json.loads(_published_file(request, "trust-list.json").read_text("utf-8"))
    return Response(json.dumps(data, ensure_ascii=False), media_type="application/json")


@router.get("/api/v1/trust-list/root.pem", tags=["public"], response_class=FileResponse,
            dependencies=[Depends(rate_limited)],
            responses={200: {"content": {"application/x-pem-file": {}}}})
def root_certificate(request: Request) -> FileResponse:
    """The root certificate verifiers pin."""
    return FileResponse(_published_file(request, "root.pem"),
                        media_type="application/x-pem-file")


@router.get("/api/v1/status-list", tags=["public"], response_class=FileResponse,
            dependencies=[Depends(rate_limited)],
            responses={200: {"content": {"application/cose": {}}}})
def status_list(request: Request) -> FileResponse:
    """The signed licence status (revocation) list, COSE_Sign1."""
    return FileResponse(_published_file(request, "status-list.cose"),
                        media_type="application/cose")


@router.get("/healthz", response_model=Health, tags=["ops"])
def healthz(request: Request) -> Health:
    """Liveness: the process answers; ``trust_loaded`` once the trust material was read."""
    return Health(status="ok", trust_loaded=request.app.state.trust.loaded)


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request, settings: SettingsDep) -> Response:
    """Prometheus text exposition of this app's registry, to allowed networks or the metrics
    token only (403 ``auth.forbidden`` otherwise)."""
    if not metrics_allowed(request, settings):
        raise ApiError(ErrorCode.FORBIDDEN, "metrics are served to allowed networks or with "
                       "the metrics token only", "监控指标仅向允许的网络或持有监控令牌的请求提供")
    return request.app.state.metrics.render()


# -- Verification as the public API and the verifier pages (api.routes.pages) run it: the use
# case (api.workflow.verification), timed in the metrics and handed to the app's audit.

def _imported(request: Request) -> ImportedTrust | None:
    return getattr(request.app.state, "imported_trust", None)


async def verify_token_request(request: Request, token: str, trust: TrustMaterial,
                               channel: VerifyChannel) -> LicenceVerdict:
    """Verify a token a client sent and audit it: a verdict, or the refusal (re-raised) of
    something that is not a token."""
    metrics: ServiceMetrics = request.app.state.metrics
    try:
        start = time.perf_counter()
        verdict = verify_token(token, trust, _imported(request), now=datetime.now(UTC))
        metrics.record_verdict(VerifyKind.TOKEN, verdict.indication.value,
                               time.perf_counter() - start)
    except ZhengzhaoError as exc:
        audit_verification(request, VerifyKind.TOKEN, channel, error=exc)
        raise
    audit_verification(request, VerifyKind.TOKEN, channel, verdict=verdict)
    return verdict


async def verify_uploaded_pdf(request: Request, trust: TrustMaterial, limit: int,
                              channel: VerifyChannel) -> LicenceVerdict:
    """Read the multipart field ``file`` (at most ``limit`` bytes), verify it as a licence PDF
    or OFD (by content, ``api.workflow.verification_ofd``) and audit it: a verdict, or the
    refusal (re-raised) of an upload that is not one."""
    metrics: ServiceMetrics = request.app.state.metrics
    kind = VerifyKind.PDF
    try:
        data = await read_uploaded_pdf(request, limit)
        kind = VerifyKind.OFD if is_ofd_package(data) else VerifyKind.PDF
        start = time.perf_counter()
        # PAdES and seal validation are CPU-bound: keep them off the event loop.
        verdict = await run_in_threadpool(verify_upload, data, trust, _imported(request),
                                          now=datetime.now(UTC))
        metrics.record_verdict(kind, verdict.indication.value, time.perf_counter() - start)
    except ZhengzhaoError as exc:
        audit_verification(request, kind, channel, error=exc)
        raise
    audit_verification(request, kind, channel, verdict=verdict,
                       pdf_sha256=hashlib.sha256(data).hexdigest())
    return verdict


def audit_verification(request: Request, kind: VerifyKind, channel: VerifyChannel, *,
                       verdict: LicenceVerdict | None = None,
                       error: ZhengzhaoError | None = None,
                       pdf_sha256: str | None = None) -> None:
    """Hand one verification to the app's audit. Never raises: a verification must not turn
    into an error because its audit row could not be made (logged and counted)."""
    try:
        audit: VerificationAudit = request.app.state.verify_audit
        tagger: ClientTagger = request.app.state.client_tagger
        now = datetime.now(UTC)
        client = tagger.tag(request.client.host if request.client else None, now)
        if verdict is not None:
            licence = verdict.licence or {}
            identifier = licence.get("identifier")
            event = VerificationEvent(
                at=now, kind=kind, channel=channel, outcome=VerifyOutcome.VERDICT,
                client_tag=client, indication=verdict.indication.value,
                sub_indication=verdict.sub_indication,
                identifier=identifier if isinstance(identifier, str) else None,
                pdf_sha256=pdf_sha256)
        else:
            event = VerificationEvent(
                at=now, kind=kind, channel=channel, outcome=VerifyOutcome.REFUSED,
                client_tag=client, error_code=None if error is None else error.code.value)
        audit.record(event)
    except Exception as exc:  # noqa: BLE001 - see the docstring
        log.error("verification not audited: %s", type(exc).__name__)
        request.app.state.metrics.audit_events.labels(result="failed").inc()
