"""Verifying what a third party sends — a QR token (bare, or in the verification link a QR code
holds) or a licence PDF — against this office's trust material, falling back to the imported
issuer that lists the key id when ours do not know it (:class:`api.workflow.trust.ImportedTrust`).
The one use case behind ``/api/v1/verify``, the verifier pages (``/v``, ``/verify``) and their
audit: an invalid licence is a verdict, not an error; only an input that is not a licence at all
is refused (:class:`api.workflow.errors.VerificationInputError`). Synchronous and CPU-bound
(PAdES validation): the routes run it off the event loop."""

from __future__ import annotations

from datetime import datetime

from api.workflow.errors import VerificationInputError
from api.workflow.trust import ImportedTrust
from core import ErrorCode
from elicense import (
    LicenceVerdict,
    TrustMaterial,
    token_from_qr_text,
    verify_licence_pdf,
    verify_licence_token,
)
from signing import TOKEN_PREFIX, TokenCode

__all__ = ["PDF_MAGIC", "check_pdf", "check_token_shape", "verify_pdf",
           "verify_token"]

PDF_MAGIC = b"%PDF-"


def check_token_shape(token: str) -> str:
    """The token in ``token`` — the bare token or the verification link a QR code holds
    (:func:`elicense.token_from_qr_text`), stripped; ``token.malformed`` when that lacks the
    ``ZZ1:`` prefix. Bad framing behind the prefix is found by the verification itself (one
    decode, not two)."""
    token = token_from_qr_text(token)
    if not token.startswith(TOKEN_PREFIX):
        raise VerificationInputError(ErrorCode.TOKEN_MALFORMED,
                                     f"a token starts with {TOKEN_PREFIX}",
                                     f"令牌应以 {TOKEN_PREFIX} 开头")
    return token


def _not_a_token(verdict: LicenceVerdict) -> bool:
    # Framing that does not decode (bad base45, zlib or COSE) leaves no key id: that is not a
    # token at all (422). A decodable token with bad claims is a verdict like any other.
    token = verdict.token
    return token is not None and token.code == TokenCode.MALFORMED.value and token.kid is None


def verify_token(token: str, trust: TrustMaterial, imported: ImportedTrust | None, *,
                 now: datetime) -> LicenceVerdict:
    """The verdict on a token: against this office's keys, or — when they do not know the
    token's key id — against the imported issuer that lists it."""
    token = check_token_shape(token)
    verdict = verify_licence_token(token, trust, now=now)
    material = None if imported is None else imported.fallback(verdict)
    if material is not None:
        verdict = verify_licence_token(token, material, now=now)
    if _not_a_token(verdict):
        raise VerificationInputError(ErrorCode.TOKEN_MALFORMED,
                                     "not a well-formed e-licence token",
                                     "不是格式正确的电子证照令牌")
    return verdict


def check_pdf(data: bytes) -> bytes:
    """``data`` if it can be a licence PDF (not empty, starts like a PDF)."""
    if not data:
        raise VerificationInputError(ErrorCode.INPUT_EMPTY, "the uploaded file is empty",
                                     "上传的文件为空")
    if not data.startswith(PDF_MAGIC):
        raise VerificationInputError(ErrorCode.INPUT_UNSUPPORTED_TYPE,
                                     "the uploaded file is not a PDF", "上传的文件不是 PDF")
    return data


def verify_pdf(data: bytes, trust: TrustMaterial, imported: ImportedTrust | None, *,
               now: datetime) -> LicenceVerdict:
    """The verdict on a licence PDF, like :func:`verify_token` for the trust it uses."""
    data = check_pdf(data)
    verdict = verify_licence_pdf(data, trust, now=now)
    material = None if imported is None else imported.fallback(verdict)
    if material is not None:
        verdict = verify_licence_pdf(data, material, now=now)
    return verdict
