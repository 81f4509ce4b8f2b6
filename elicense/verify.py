"""Verifying an e-licence offline from the issuer's published trust material.

:func:`verify_licence_pdf` checks the PAdES signature (pinned root, CRLs, timestamps, no
forbidden later changes), reads ``licence.json`` from the signed PDF, verifies its token and
checks that token and metadata agree, that both name the issuer whose trust list holds the
signing key (:func:`elicense.issuer_binding.check_issuer_binding`), that the status list
(signed, fresh) does not list the licence, and that today lies inside its validity period.
:func:`verify_licence_token` does the token, issuer, revocation and period checks for a scanned
QR code, given as the bare token or as the verification link the QR holds
(:func:`elicense.qr_link.token_from_qr_text`). Neither raises for any input: an exception
inside is INDETERMINATE, never PASSED.

The verdict's public facts carry the licence name (证照名称: the signed record's, or the bundled
template's for the token's type code, since the token leaves the name out to keep the QR small);
a PDF verdict that did not fail carries the holder photo attached to the PDF when its SHA-256 is
the one the token signed (``LicenceVerdict.photo``).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import signing
from elicense.attachment import (
    ATTACHMENT_NAME,
    WANTED_ATTACHMENTS,
    parse_licence_json,
    photo_from,
    read_licence_json,
    read_photo,
)
from elicense.issuer_binding import check_issuer_binding
from elicense.licence_checks import (
    check,
    consistency_check,
    public_facts,
    signed_by,
    status_checks,
    token_check,
    token_summary,
)
from elicense.publish import TrustMaterial
from elicense.qr_link import token_from_qr_text
from elicense.verdict import (
    LicenceCheck,
    LicenceCheckId,
    LicenceCode,
    LicenceVerdict,
    PdfSignatureSummary,
    combine,
)
from signing import (
    Indication,
    TokenClaims,
    decode_kid,
    verify_token,
)

if TYPE_CHECKING:
    from pyhanko.pdf_utils.reader import PdfFileReader

log = logging.getLogger(__name__)

P, F, I = Indication.PASSED, Indication.FAILED, Indication.INDETERMINATE  # noqa: E741


def verify_licence_pdf(pdf: bytes, trust: TrustMaterial, *, now: datetime | None = None,
                       fast: bool = True) -> LicenceVerdict:
    """The verdict on a licence PDF (see the module docstring). ``fast`` lets
    ``signing.validate_pdf`` try its fast path for our own licences and reads the attachments
    with the strict reader when it can (``signing.read_pdf_attachments``); ``False`` uses
    pyHanko for both (the reference). The verdict is the same either way."""
    now = now or datetime.now(UTC)
    try:
        return _verify_pdf(pdf, trust, now, fast)
    except Exception as exc:  # noqa: BLE001 - a verdict, never an exception
        log.warning("licence PDF verification raised %s", type(exc).__name__)
        return combine([check(LicenceCheckId.PDF_SIGNATURE, I, LicenceCode.ERROR,
                               "verification could not be completed", "核验未能完成")])


def verify_licence_token(token: str, trust: TrustMaterial, *, now: datetime | None = None
                         ) -> LicenceVerdict:
    """The verdict on a QR token alone (what a phone scanning the code can check)."""
    now = now or datetime.now(UTC)
    try:
        checks: list[LicenceCheck] = []
        verdict = verify_token(token_from_qr_text(token), trust.trusted_keys, now)
        checks.append(token_check(verdict))
        claims = verdict.claims if verdict.valid else None
        checks.append(check_issuer_binding(trust.issuer, claims))
        checks += status_checks(claims, trust, now)
        return combine(checks, licence=public_facts(claims), token=token_summary(verdict),
                       signed_by=signed_by(claims, trust))
    except Exception as exc:  # noqa: BLE001
        log.warning("licence token verification raised %s", type(exc).__name__)
        return combine([check(LicenceCheckId.TOKEN, I, LicenceCode.ERROR,
                               "verification could not be completed", "核验未能完成")])


def _verify_pdf(pdf: bytes, trust: TrustMaterial, now: datetime, fast: bool) -> LicenceVerdict:
    checks: list[LicenceCheck] = []
    # Our own licences: the strict reader finds the attachments without pyHanko. Otherwise one
    # pyHanko parse serves the signature validation and the attachments.
    files = signing.read_pdf_attachments(pdf, WANTED_ATTACHMENTS) if fast else None
    reader = _open(pdf) if files is None else None
    # ``signing.validate_pdf`` loads pyHanko on first use (``import elicense`` stays light).
    signature = signing.validate_pdf(pdf, trust_roots=[trust.root], crls=trust.crls,
                                     now=now, reader=reader, fast=fast)
    sub = signature.sub_indication.value if signature.sub_indication else "ok"
    why = signature.reason  # the check that decided, with its detail, when not PASSED
    checks.append(check(LicenceCheckId.PDF_SIGNATURE, signature.indication, sub,
                         "PDF signature " + ("valid" if signature.passed else "not valid")
                         + f" ({sub})" + (f": {why.detail}" if why and why.detail else ""),
                         "PDF 签名" + ("有效" if signature.passed else "无效") + f"（{sub}）"
                         + (f"：{why.detail_zh or why.detail}" if why and why.detail else "")))
    # The signer's key id as bytes (``signing`` writes it as base64url, as its JSON does).
    signer_kid = None if signature.signer_kid is None else decode_kid(signature.signer_kid)
    pdf_summary = PdfSignatureSummary(
        indication=signature.indication, sub_indication=sub, signer_kid=signer_kid,
        level=signature.level.value if signature.level else None,
        signing_time=signature.signing_time)
    data = _licence_data(reader) if files is None else parse_licence_json(
        files.get(ATTACHMENT_NAME))
    if data is None:
        checks.append(check(LicenceCheckId.LICENCE_DATA, I, LicenceCode.NO_LICENCE_DATA,
                             "the PDF carries no e-licence data (licence.json)",
                             "PDF 中没有电子证照数据（licence.json）"))
        return combine(checks, pdf=pdf_summary)
    checks.append(check(LicenceCheckId.LICENCE_DATA, P, LicenceCode.OK,
                         "e-licence data found", "已读取电子证照数据"))
    verdict = verify_token(str(data.get("token", "")), trust.trusted_keys, now)
    checks.append(token_check(verdict))
    claims = verdict.claims if verdict.valid else None
    checks.append(consistency_check(data, claims, verdict, document="PDF",
                                    signer_kid=signer_kid))
    record = data.get("licence")
    checks.append(check_issuer_binding(trust.issuer, claims,
                                       record if isinstance(record, dict) else {}))
    checks += status_checks(claims, trust, now)
    result = combine(checks, licence=public_facts(claims, record), pdf=pdf_summary,
                     token=token_summary(verdict), signed_by=signed_by(claims, trust))
    if result.indication is Indication.FAILED:
        return result  # no holder photo beside a licence that failed
    return replace(result, photo=_signed_photo(reader, claims, files=files))


def _open(pdf: bytes) -> PdfFileReader | None:
    try:
        return signing.open_untrusted_pdf(pdf)  # every stream pyHanko decodes is capped
    except Exception:  # noqa: BLE001 - the signature check reports an unreadable PDF
        return None


def _licence_data(reader: PdfFileReader | None) -> dict[str, Any] | None:
    if reader is None:
        return None
    try:
        return read_licence_json(reader)
    except Exception:  # noqa: BLE001 - an unreadable PDF simply has no licence data
        return None


def licence_photo(pdf: bytes, photo_sha256: bytes) -> bytes | None:
    """The holder photo attached to a licence PDF, when its SHA-256 is ``photo_sha256`` (the
    one a verified token signed); ``None`` otherwise, also for a PDF that cannot be read or
    was issued before photos were attached. Never raises for any input."""
    reader = _open(pdf)
    return _signed_photo(reader, None, photo_sha256)


def _signed_photo(reader: PdfFileReader | None, claims: TokenClaims | None,
                  photo_sha256: bytes | None = None, *,
                  files: Mapping[str, bytes | None] | None = None) -> bytes | None:
    """The photo attached to the PDF when its SHA-256 is the one the valid token signed (or
    ``photo_sha256``, given directly); read from ``files`` when the strict reader read them."""
    expected = photo_sha256 if claims is None else claims.licence.photo_sha256
    if (reader is None and files is None) or expected is None:
        return None
    try:
        photo = read_photo(reader) if files is None else photo_from(files)
    except Exception:  # noqa: BLE001 - a photo that cannot be read is simply not shown
        return None
    return photo if photo is not None and hashlib.sha256(photo).digest() == expected else None
