"""Verifying what a client sends — a QR token or an uploaded PDF — against this office's trust
material, with the size and type checks done first, the verdict counted in the metrics and the
verification (or the refusal of an input that is not a licence) handed to the app's
verification audit (``api.verification_audit``; never in the request's way, never an error).
Shared by the JSON API and the verifier pages."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from api.errors_http import ApiError
from api.imported_trust import ImportedTrust
from api.metrics import ServiceMetrics, VerifyKind
from api.verification_audit import (
    ClientTagger,
    VerificationAudit,
    VerificationEvent,
    VerifyChannel,
    VerifyOutcome,
)
from core import ErrorCode, ZhengzhaoError
from elicense import LicenceVerdict, verify_licence_pdf, verify_licence_token
from signing import TOKEN_PREFIX, TokenCode

log = logging.getLogger(__name__)

_CHUNK = 64 * 1024
# Multipart framing (boundaries, part headers) on top of the file itself.
_MULTIPART_SLACK = 16 * 1024
PDF_MAGIC = b"%PDF-"


def too_large(limit: int) -> ApiError:
    return ApiError(ErrorCode.INPUT_TOO_LARGE, f"the upload is larger than {limit} bytes",
                    f"上传内容超过 {limit} 字节")


def check_token_shape(token: str) -> str:
    """``token`` stripped; raises ``token.malformed`` (422) when it lacks the ``ZZ1:`` prefix.
    Bad framing behind the prefix is found by the verification itself (one decode, not two)."""
    token = token.strip()
    if not token.startswith(TOKEN_PREFIX):
        raise ApiError(ErrorCode.TOKEN_MALFORMED, f"a token starts with {TOKEN_PREFIX}",
                       f"令牌应以 {TOKEN_PREFIX} 开头")
    return token


def _not_a_token(verdict: LicenceVerdict) -> bool:
    # Framing that does not decode (bad base45, zlib or COSE) leaves no key id: that is not a
    # token at all (422). A decodable token with bad claims is a verdict like any other.
    token = verdict.token
    return token is not None and token.code == TokenCode.MALFORMED.value and token.kid is None


def _imported_material(verdict: LicenceVerdict, imported: ImportedTrust | None) -> Any:
    return None if imported is None else imported.fallback(verdict)


async def verify_token_text(token: str, trust: Any, metrics: ServiceMetrics,
                            imported: ImportedTrust | None = None) -> LicenceVerdict:
    """The verdict on a token: against this office's keys, or — when they do not know the
    token's key id — against the imported issuer that lists it."""
    token = check_token_shape(token)
    start = time.perf_counter()
    now = datetime.now(UTC)
    verdict = verify_licence_token(token, trust, now=now)
    material = _imported_material(verdict, imported)
    if material is not None:
        verdict = verify_licence_token(token, material, now=now)
    if _not_a_token(verdict):
        raise ApiError(ErrorCode.TOKEN_MALFORMED, "not a well-formed e-licence token",
                       "不是格式正确的电子证照令牌")
    metrics.record_verdict(VerifyKind.TOKEN, verdict.indication.value,
                           time.perf_counter() - start)
    return verdict


def check_pdf(data: bytes) -> bytes:
    if not data:
        raise ApiError(ErrorCode.INPUT_EMPTY, "the uploaded file is empty", "上传的文件为空")
    if not data.startswith(PDF_MAGIC):
        raise ApiError(ErrorCode.INPUT_UNSUPPORTED_TYPE, "the uploaded file is not a PDF",
                       "上传的文件不是 PDF")
    return data


async def verify_pdf_bytes(data: bytes, trust: Any, metrics: ServiceMetrics,
                           imported: ImportedTrust | None = None) -> LicenceVerdict:
    """The verdict on a licence PDF, like :func:`verify_token_text` for the trust it uses."""
    data = check_pdf(data)
    start = time.perf_counter()
    now = datetime.now(UTC)
    # PAdES validation is CPU-bound: keep it off the event loop.
    verdict = await run_in_threadpool(verify_licence_pdf, data, trust, now=now)
    material = _imported_material(verdict, imported)
    if material is not None:
        verdict = await run_in_threadpool(verify_licence_pdf, data, material, now=now)
    metrics.record_verdict(VerifyKind.PDF, verdict.indication.value,
                           time.perf_counter() - start)
    return verdict


async def verify_token_request(request: Request, token: str, trust: Any,
                               channel: VerifyChannel) -> LicenceVerdict:
    """Verify a token a client sent and audit it: a verdict, or the refusal (re-raised) of
    something that is not a token."""
    try:
        verdict = await verify_token_text(token, trust, request.app.state.metrics,
                                          _imported(request))
    except ZhengzhaoError as exc:
        audit_verification(request, VerifyKind.TOKEN, channel, error=exc)
        raise
    audit_verification(request, VerifyKind.TOKEN, channel, verdict=verdict)
    return verdict


async def verify_uploaded_pdf(request: Request, trust: Any, limit: int,
                              channel: VerifyChannel) -> LicenceVerdict:
    """Read the multipart field ``file`` (at most ``limit`` bytes), verify it as a licence PDF
    and audit it: a verdict, or the refusal (re-raised) of an upload that is not one."""
    try:
        data = check_pdf(await read_uploaded_pdf(request, limit))
        verdict = await verify_pdf_bytes(data, trust, request.app.state.metrics,
                                         _imported(request))
    except ZhengzhaoError as exc:
        audit_verification(request, VerifyKind.PDF, channel, error=exc)
        raise
    audit_verification(request, VerifyKind.PDF, channel, verdict=verdict,
                       pdf_sha256=hashlib.sha256(data).hexdigest())
    return verdict


def _imported(request: Request) -> ImportedTrust | None:
    return getattr(request.app.state, "imported_trust", None)


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


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) anything over ``limit`` bytes — by its declared
    ``Content-Length`` before reading, and by counting while reading when it is chunked."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large(limit)
    return bytes(body)


async def read_form_file(request: Request, limit: int, *,
                         check_name: Callable[[str | None], None] | None = None) -> bytes:
    """The bytes of the multipart field ``file`` (413 over ``limit``, 422 without the field or
    for a broken body). The body is counted while it is read, so an oversized upload is refused
    early; ``check_name`` may refuse the client's file name (it is never used as a path).
    The body goes to the parser chunk by chunk (which spools the file to disk past 1 MB), not
    held whole as well: a 20 MB upload once took 80 MB of copies."""
    ceiling = limit + _MULTIPART_SLACK
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > ceiling:
        raise too_large(ceiling)

    async def stream() -> AsyncIterator[bytes]:
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > ceiling:
                raise too_large(ceiling)
            yield chunk
        yield b""

    parser = MultiPartParser(Headers(scope=request.scope), stream(), max_files=1, max_fields=4)
    try:
        form = await parser.parse()
    except MultiPartException:
        raise ApiError(ErrorCode.VALIDATION_FAILED, "the multipart body is not valid",
                       "multipart 请求体无效") from None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiError(ErrorCode.VALIDATION_FAILED, "send the file in the form field 'file'",
                           "请在表单字段 file 中上传文件")
        if check_name is not None:
            check_name(upload.filename)
        data = await upload.read(limit + 1)
    finally:
        await form.close()
    if len(data) > limit:
        raise too_large(limit)
    return data


async def read_uploaded_pdf(request: Request, limit: int) -> bytes:
    """The bytes of the multipart field ``file`` (at most ``limit`` bytes)."""
    return await read_form_file(request, limit)
