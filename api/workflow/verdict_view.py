"""What a verifier's page shows of a verdict (issue 13, item 9), as one typed value the verifier
pages render (``api.routes.pages``, ``_verdict.html``): the outcome in plain words, the
licence's public facts with their labels, the holder photo checked against its signed hash, the
office whose key signed it and the time of the check.

The rules: a FAILED licence shows no holder data at all (nor its photo), only why it failed; an
ordinary PDF (no signature, no e-licence data) says that it is not an e-licence instead of an
amber "cannot be confirmed"; the reasons are sentences, the stable codes travel beside them for
staff (pages print them small). Nothing here knows HTTP.

A scanned QR code carries only the photo's hash: :func:`photo_on_file` finds the photo in the
signed PDF this office keeps for one of its own licences (``photo.jpg`` attached at issuing),
so the ``/v`` page can show it too, checked against that hash."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Final

from api.db import SqlLicenceRegistry
from api.workflow.context import WorkflowContext
from core import OPEN_ENDED, ErrorCode, FileFormat, ZhengzhaoError, sniff_format
from elicense import LicenceCheck, LicenceCheckId, LicenceCode, LicenceVerdict, licence_photo
from signing import Indication, TokenCode

__all__ = ["Fact", "Reason", "VerdictKind", "VerdictView", "photo_on_file", "refusal_view",
           "verdict_view"]

Pair = tuple[str, str]


class VerdictKind(StrEnum):
    """The four things a verifier can be told."""

    VALID = "valid"  # PASSED
    INVALID = "invalid"  # FAILED: no holder data
    UNSURE = "unsure"  # INDETERMINATE: cannot be confirmed now
    NOT_ELICENCE = "not_elicence"  # a PDF with neither a signature nor e-licence data


@dataclass(frozen=True)
class Reason:
    """Why the verdict is what it is: a sentence in Chinese and English and its stable code."""

    zh: str
    en: str
    code: str


@dataclass(frozen=True)
class Fact:
    """One public fact of the licence: its key, label and value as shown (``value_en`` when
    the English page shows it differently)."""

    key: str
    label: Pair
    value: str
    value_en: str | None = None


@dataclass(frozen=True)
class VerdictView:
    """One verifier page's worth of a verdict. ``facts`` and ``photo_data_url`` are empty on
    a FAILED verdict; ``signer`` is the office whose trust list holds the key that verified
    the token (names from that list, never from the licence)."""

    indication: str
    kind: VerdictKind
    reasons: tuple[Reason, ...]
    facts: tuple[Fact, ...] = ()
    photo_data_url: str | None = None
    has_photo: bool = False
    signer: dict[str, str] | None = None
    checked_at: datetime | None = None


# The facts a verifier sees, in page order (the holder code is masked in every token).
_FACT_LABELS: Final[tuple[tuple[str, Pair], ...]] = (
    ("name", ("证照名称", "Licence")),
    ("holder_name", ("持证主体", "Holder")),
    ("holder_code", ("持证主体代码", "Holder code")),
    ("issuer_name", ("颁发机构", "Issued by")),
    ("issued_on", ("颁证日期", "Issued on")),
    ("validity", ("有效期", "Valid")),
    ("identifier", ("证照标识", "Identifier")),
)
_PHOTO_MEDIA: Final = {FileFormat.JPEG: "image/jpeg", FileFormat.PNG: "image/png"}
_NOT_SIGNED: Final = "NO_SIGNATURE"
# Sub-indications (ETSI EN 319 102-1) that the signature and seal checks carry as their codes.
_REVOKED: Final = ("REVOKED", "REVOKED_NO_POE", "REVOKED_CA_NO_POE")
_TRY_LATER: Final = "TRY_LATER"

# Plain sentences for the checks that did not pass, by check and code; then by check alone.
_BY_CODE: Final[dict[tuple[LicenceCheckId, str], Pair]] = {
    (LicenceCheckId.REVOCATION, LicenceCode.REVOKED): (
        "该证照已被吊销/注销。", "This licence has been revoked."),
    (LicenceCheckId.REVOCATION, LicenceCode.REVOCATION_UNKNOWN): (
        "暂时无法确认该证照是否已被吊销（吊销名单无法获取或已过期）。",
        "Whether this licence was revoked cannot be confirmed now (no current revocation list)."),
    (LicenceCheckId.VALIDITY_PERIOD, LicenceCode.EXPIRED): (
        "该证照已过有效期。", "This licence has expired."),
    (LicenceCheckId.VALIDITY_PERIOD, LicenceCode.NOT_YET_VALID): (
        "该证照尚未生效。", "This licence is not yet in force."),
    (LicenceCheckId.TOKEN, TokenCode.UNKNOWN_KID.value): (
        "证照不是由受信任的机构签发的。", "The licence was not signed by a trusted office."),
    (LicenceCheckId.TOKEN, TokenCode.EXPIRED.value): (
        "该证照已过有效期。", "This licence has expired."),
    (LicenceCheckId.TOKEN, TokenCode.NOT_YET_VALID.value): (
        "该证照尚未生效。", "This licence is not yet in force."),
    (LicenceCheckId.TOKEN, TokenCode.SIGNER_NOT_VALID.value): (
        "签发时所用的签名证书不在有效期内。",
        "The signing certificate was not valid when the licence was signed."),
    # A revoked or unconfirmable signing certificate is not a changed file (the by-check
    # sentences below say that).
    **{(LicenceCheckId.PDF_SIGNATURE, code): (
        "签发该证照所用的签名证书已被吊销，电子签名无效。",
        "The certificate the licence was signed with has been revoked; its signature is not "
        "valid.") for code in _REVOKED},
    **{(LicenceCheckId.OFD_SEAL, code): (
        "该电子印章或盖章所用的证书已被吊销，电子签章无效。",
        "The electronic seal, or the certificate it was applied with, has been revoked; the "
        "seal is not valid.") for code in _REVOKED},
    (LicenceCheckId.OFD_SEAL, _TRY_LATER): (
        "暂时无法确认电子印章的证书是否已被吊销（证书吊销列表无法获取或已过期）。",
        "Whether the seal's certificates were revoked cannot be confirmed now (no current "
        "certificate revocation list)."),
    (LicenceCheckId.LICENCE_DATA, LicenceCode.NO_LICENCE_DATA): (
        "该 PDF 不含电子证照数据。", "The PDF carries no e-licence data."),
}
_BY_CHECK: Final[dict[tuple[LicenceCheckId, Indication], Pair]] = {
    (LicenceCheckId.PDF_SIGNATURE, Indication.FAILED): (
        "文件在签发后被改动过，电子签名不再有效。",
        "The file was changed after it was signed; its signature is no longer valid."),
    (LicenceCheckId.PDF_SIGNATURE, Indication.INDETERMINATE): (
        "无法确认文件的电子签名（签名证书或时间戳无法核实）。",
        "The file's signature cannot be confirmed (its certificate or timestamp cannot be "
        "checked)."),
    (LicenceCheckId.OFD_SEAL, Indication.FAILED): (
        "OFD 文件在盖章后被改动过，或电子印章不是签发机构的，电子签章无效。",
        "The OFD file was changed after it was sealed, or the seal is not the issuing "
        "office's; its electronic seal is not valid."),
    (LicenceCheckId.OFD_SEAL, Indication.INDETERMINATE): (
        "无法确认 OFD 文件的电子签章（未盖章，或印章证书无法核实）。",
        "The OFD file's electronic seal cannot be confirmed (not sealed, or its certificate "
        "cannot be checked)."),
    (LicenceCheckId.TOKEN, Indication.FAILED): (
        "二维码中的证照数据被改动过或不是本机构签发的。",
        "The licence data in the QR code was altered or not issued by a trusted office."),
    (LicenceCheckId.TOKEN, Indication.INDETERMINATE): (
        "二维码中的证照数据无法核验。", "The licence data in the QR code cannot be checked."),
    (LicenceCheckId.CONSISTENCY, Indication.FAILED): (
        "文件内容与其签名的证照数据不一致。",
        "The file's content and its signed licence data disagree."),
    (LicenceCheckId.ISSUER, Indication.FAILED): (
        "证照所载颁发机构与签名机构不符。",
        "The issuer the licence names is not the office that signed it."),
    (LicenceCheckId.ISSUER, Indication.INDETERMINATE): (
        "无法确认签发机构。", "The issuing office cannot be confirmed."),
}
_FALLBACK: Final[Pair] = ("核验未能完成。", "The check could not be completed.")
# Refused input in words (the error's own message names the token format).
_REFUSALS: Final[dict[ErrorCode, Pair]] = {
    ErrorCode.TOKEN_MALFORMED: (
        "这不是电子证照的二维码内容，无法读取。请扫描证照上的二维码，或上传证照 PDF。",
        "This is not what an e-licence QR code holds and cannot be read. Scan the code on the "
        "licence, or upload the licence PDF."),
}


def photo_on_file(ctx: WorkflowContext, verdict: LicenceVerdict) -> bytes | None:
    """The holder photo of a licence this office issued, from the signed PDF it keeps, when
    its SHA-256 is the one the verdict's token signed; ``None`` for a FAILED verdict, a
    licence without a photo, another office's licence or a PDF from before photos were
    attached."""
    licence = verdict.licence or {}
    identifier, digest = licence.get("identifier"), licence.get("photo_sha256")
    if (verdict.indication is Indication.FAILED or not isinstance(identifier, str)
            or not isinstance(digest, str)):
        return None
    entry = SqlLicenceRegistry(ctx.db).get(identifier)
    if entry is None:
        return None
    try:
        pdf = ctx.store.get(entry.pdf_sha256)
        return licence_photo(pdf, bytes.fromhex(digest))
    except (ZhengzhaoError, ValueError):
        return None


def verdict_view(verdict: LicenceVerdict, *, checked_at: datetime,
                 photo: bytes | None = None) -> VerdictView:
    """The page's view of ``verdict`` checked at ``checked_at`` (an aware time in the
    office's zone); ``photo`` is the signed holder photo found on file (:func:`photo_on_file`)
    when the verdict itself carries none."""
    indication = verdict.indication
    if _not_an_elicence(verdict):
        return VerdictView(indication.value, VerdictKind.NOT_ELICENCE, (Reason(
            "这份 PDF 没有电子签名，也不含电子证照数据：它不是电子证照，无法证明任何内容。",
            "This PDF has no electronic signature and no e-licence data: it is not an "
            "e-licence and proves nothing.", _NOT_SIGNED),), checked_at=checked_at)
    reasons = _reasons(verdict.checks, indication)
    if indication is Indication.FAILED:
        # No holder data at all: not the facts, not the photo. Whose key signed it stays: a
        # licence signed by one office in another's name must name the one that signed.
        return VerdictView(indication.value, VerdictKind.INVALID, reasons,
                           signer=verdict.signed_by, checked_at=checked_at)
    kind = VerdictKind.VALID if indication is Indication.PASSED else VerdictKind.UNSURE
    licence = verdict.licence or {}
    return VerdictView(indication.value, kind, reasons, _facts(licence),
                       _photo_data_url(verdict.photo or photo), bool(licence.get("photo_sha256")),
                       verdict.signed_by, checked_at)


def refusal_view(error: ZhengzhaoError, *, checked_at: datetime) -> VerdictView:
    """The page's view when the input was not a licence at all (not a token, not a PDF)."""
    zh, en = _REFUSALS.get(error.code, (error.message_zh, error.message_en))
    return VerdictView(Indication.FAILED.value, VerdictKind.INVALID,
                       (Reason(zh, en, error.code.value),), checked_at=checked_at)


def _not_an_elicence(verdict: LicenceVerdict) -> bool:
    return (verdict.pdf is not None and verdict.pdf.sub_indication == _NOT_SIGNED
            and verdict.licence is None)


def _reasons(checks: tuple[LicenceCheck, ...], indication: Indication) -> tuple[Reason, ...]:
    """The plain sentence of each check that did not pass (the failures when any failed),
    each sentence once, in check order."""
    wanted = Indication.FAILED if indication is Indication.FAILED else Indication.INDETERMINATE
    reasons: list[Reason] = []
    for check in checks:
        if check.outcome is not wanted or check.code == LicenceCode.NOT_CHECKED:
            continue
        zh, en = (_BY_CODE.get((check.check, check.code))
                  or _BY_CHECK.get((check.check, check.outcome)) or _FALLBACK)
        if all(reason.zh != zh for reason in reasons):
            reasons.append(Reason(zh, en, check.code))
    return tuple(reasons)


def _facts(licence: dict[str, Any]) -> tuple[Fact, ...]:
    values = {
        "name": licence.get("name"),
        "holder_name": licence.get("holder_name"),
        "holder_code": licence.get("holder_code"),
        "issuer_name": licence.get("issuer_name"),
        "issued_on": _day(licence.get("issued_on")),
        "validity": _period(licence.get("valid_from"), licence.get("valid_until")),
        "identifier": licence.get("identifier"),
    }
    open_ended = licence.get("valid_until") is None
    return tuple(Fact(key, label, str(values[key]),
                      str(values[key]).replace(OPEN_ENDED, "open-ended")
                      if key == "validity" and open_ended else None)
                 for key, label in _FACT_LABELS if values.get(key))


def _day(value: Any) -> str | None:
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return None
    return f"{day.year}-{day.month:02d}-{day.day:02d}"


def _period(start: Any, end: Any) -> str | None:
    first = _day(start)
    if first is None:
        return None
    return f"{first} — {_day(end) or OPEN_ENDED}"


def _photo_data_url(photo: bytes | None) -> str | None:
    media = None if photo is None else _PHOTO_MEDIA.get(sniff_format(photo))
    if photo is None or media is None:
        return None
    return f"data:{media};base64,{base64.b64encode(photo).decode('ascii')}"
