"""Verifying an OFD e-licence (GB/T 33190, sealed per GB/T 38540) offline, with the same verdict
model as the PDF (:func:`elicense.verify_licence_pdf`).

:func:`verify_licence_ofd` reads the package with the bounded reader (``signing.read_ofd``),
validates its electronic seal(s) (``signing.validate_ofd``: every protected file's SM3 digest,
no uncovered file, the seal maker's signature over the seal, the seal's validity period, the
seal binding, the signature value and the SM2 certificate chains) against the SM2 root the
trust material carries (``TrustMaterial.sm2_root``, its CA as intermediate), reads the
``licence.json`` the document attaches (``Attachments.xml``, at most
``elicense.attachment.MAX_ATTACHMENT_BYTES``), verifies its token with the trusted keys and then
runs the checks the PDF has: token and metadata agree, issuer binding, the status list
(revocation shared with the PDFs) and the validity period.

The seal check (``ofd_seal``):

- PASSED when the seal validates to the trust material's SM2 root (``anchor`` ``issuer``);
- with ``trust_anchors_sm2`` (roots a user chose to trust, ``zhengzhao verify --trust-anchor``)
  a seal that validates only to one of those is PASSED for an OFD that carries no licence of a
  trusted office (a third party's document), but FAILED (``licence.seal_not_issuer``) when the
  OFD carries a valid token of the office whose trust material has its own SM2 root: a licence
  resealed by someone else. Without an SM2 root in the trust material that case is
  INDETERMINATE;
- FAILED for an edited or added file, a swapped seal, a resealed package (what
  ``signing.validate_ofd`` fails); INDETERMINATE for an unknown root, an unsealed OFD, or a
  package or seal that cannot be read (the check's code is then the ``ofd.*`` code, which the
  service answers as a 4xx);
- revocation, for a seal checked against the trust material's SM2 root: the seal signer's,
  the seal maker's and the SM2 CA's certificates are checked against the SM2 CRLs the trust
  material carries (``TrustMaterial.sm2_crls``): one listed is FAILED (``REVOKED``); no
  current CRL (none published, or stale) is INDETERMINATE (``TRY_LATER``), as a PDF without
  fresh revocation data is. A seal that validates only to ``trust_anchors_sm2`` (a third
  party's) is not checked for revocation: no CRL is known for it.

Never raises: any exception inside is INDETERMINATE, never PASSED.
"""

from __future__ import annotations

import hashlib
import logging
import posixpath
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element

from asn1crypto import x509 as asn1_x509

from elicense.attachment import (
    ATTACHMENT_NAME,
    MAX_ATTACHMENT_BYTES,
    MAX_PHOTO_BYTES,
    parse_licence_json,
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
from elicense.verdict import (
    LicenceCheck,
    LicenceCheckId,
    LicenceCode,
    LicenceVerdict,
    OfdSealSummary,
    combine,
)
from signing import (
    OFD_NAMESPACE,
    Indication,
    OfdFormatError,
    OfdPackage,
    OfdSignatureVerdict,
    TokenClaims,
    read_ofd,
    validate_ofd,
    verify_token,
)

OFD_MAGIC = b"PK\x03\x04"  # an OFD package is a zip

__all__ = ["ANCHOR_ISSUER", "ANCHOR_TRUST_ANCHOR", "OFD_MAGIC", "is_ofd_package",
           "ofd_licence_attachment", "verify_licence_ofd"]

log = logging.getLogger(__name__)

P, F, I = Indication.PASSED, Indication.FAILED, Indication.INDETERMINATE  # noqa: E741
ANCHOR_ISSUER = "issuer"
ANCHOR_TRUST_ANCHOR = "trust_anchor"
_NS = f"{{{OFD_NAMESPACE}}}"
_NO_CHAIN = "NO_CERTIFICATE_CHAIN_FOUND"


def verify_licence_ofd(data: bytes, trust: TrustMaterial, *, now: datetime | None = None,
                       trust_anchors_sm2: Sequence[asn1_x509.Certificate] = ()
                       ) -> LicenceVerdict:
    """The verdict on a licence OFD (see the module docstring)."""
    now = now or datetime.now(UTC)
    try:
        return _verify(data, trust, now, tuple(trust_anchors_sm2))
    except Exception as exc:  # noqa: BLE001 - a verdict, never an exception
        log.warning("licence OFD verification raised %s", type(exc).__name__)
        return combine([check(LicenceCheckId.OFD_SEAL, I, LicenceCode.ERROR,
                              "verification could not be completed", "核验未能完成")])


def _verify(data: bytes, trust: TrustMaterial, now: datetime,
            anchors: tuple[asn1_x509.Certificate, ...]) -> LicenceVerdict:
    try:
        package = read_ofd(data)
    except OfdFormatError as exc:
        summary = OfdSealSummary(I, "FORMAT_FAILURE", error_code=exc.code.value)
        return combine([check(LicenceCheckId.OFD_SEAL, I, exc.code.value, exc.message_en,
                              exc.message_zh)], ofd=summary)
    seal, anchor = _validate_seal(data, trust, now, anchors)
    record_data = parse_licence_json(_licence_json(package))
    claims: TokenClaims | None = None
    checks: list[LicenceCheck] = []
    if record_data is None:
        checks.append(_seal_check(seal, anchor, trust, None))
        checks.append(check(LicenceCheckId.LICENCE_DATA, I, LicenceCode.NO_LICENCE_DATA,
                            "the OFD carries no e-licence data (licence.json)",
                            "OFD 中没有电子证照数据（licence.json）"))
        return combine(checks, ofd=_summary(seal, anchor))
    verdict = verify_token(str(record_data.get("token", "")), trust.trusted_keys, now)
    claims = verdict.claims if verdict.valid else None
    checks.append(_seal_check(seal, anchor, trust, claims))
    checks.append(check(LicenceCheckId.LICENCE_DATA, P, LicenceCode.OK,
                        "e-licence data found", "已读取电子证照数据"))
    checks.append(token_check(verdict))
    checks.append(consistency_check(record_data, claims, verdict, document="OFD"))
    record = record_data.get("licence")
    checks.append(check_issuer_binding(trust.issuer, claims,
                                       record if isinstance(record, dict) else {}))
    checks += status_checks(claims, trust, now)
    result = combine(checks, licence=public_facts(claims, record), ofd=_summary(seal, anchor),
                     token=token_summary(verdict), signed_by=signed_by(claims, trust))
    if result.indication is Indication.FAILED or claims is None:
        return result  # no holder photo beside a licence that failed
    photo = _signed_photo(package, claims.licence.photo_sha256)
    return result if photo is None else replace(result, photo=photo)


def _validate_seal(data: bytes, trust: TrustMaterial, now: datetime,
                   anchors: tuple[asn1_x509.Certificate, ...]
                   ) -> tuple[OfdSignatureVerdict, str | None]:
    """The seal verdict against the issuer's SM2 root; when that finds no chain and the caller
    gave anchors of its own, against those (the anchor then says which root was reached)."""
    roots = [trust.sm2_root] if trust.sm2_root is not None else []
    intermediates = list(trust.sm2_cas)
    # The issuer's own SM2 chain must be covered by its CRLs (fail closed when there are none).
    crls = trust.sm2_crls if trust.sm2_root is not None else None
    verdict = validate_ofd(data, trust_roots_sm2=roots, intermediates=intermediates, now=now,
                           crls_sm2=crls)
    if verdict.passed:
        return verdict, ANCHOR_ISSUER
    if not anchors or verdict.indication is Indication.FAILED or not _no_chain(verdict):
        return verdict, None
    # Only the user's anchors: a seal that validates now chains to one of them.
    other = validate_ofd(data, trust_roots_sm2=list(anchors), intermediates=intermediates,
                         now=now)
    return other, ANCHOR_TRUST_ANCHOR if other.passed else None


def _no_chain(verdict: OfdSignatureVerdict) -> bool:
    return any(c.sub_indication is not None and c.sub_indication.value == _NO_CHAIN
               for result in verdict.signatures for c in result.checks)


def _format_problem(verdict: OfdSignatureVerdict) -> tuple[str, str, str] | None:
    """The ``ofd.*`` code and messages of the first part that could not be read, if any."""
    found = [c for c in verdict.checks if c.code]
    found += [c for result in verdict.signatures for c in result.checks if c.code]
    if not found:
        return None
    first = found[0]
    return first.code, first.detail, first.detail_zh or first.detail


def _first_problem(verdict: OfdSignatureVerdict) -> tuple[str, str]:
    """The detail of the first check that did not pass, in both languages."""
    checks = list(verdict.checks) + [c for r in verdict.signatures for c in r.checks]
    for outcome in ("failed", "indeterminate"):  # signing.CheckOutcome's values
        for item in checks:
            if item.outcome.value == outcome:
                return (f"{item.check.value}: {item.detail}",
                        f"{item.check.value}：{item.detail_zh or item.detail}")
    return "", ""


def _seal_check(seal: OfdSignatureVerdict, anchor: str | None, trust: TrustMaterial,
                claims: TokenClaims | None) -> LicenceCheck:
    problem = _format_problem(seal)
    if problem is not None and not seal.passed and seal.indication is not Indication.FAILED:
        code, en, zh = problem
        return check(LicenceCheckId.OFD_SEAL, I, code, f"the OFD seal cannot be read: {en}",
                     f"无法读取 OFD 签章：{zh}")
    sub = seal.sub_indication.value if seal.sub_indication else "ok"
    if seal.passed and anchor == ANCHOR_TRUST_ANCHOR and claims is not None:
        # A licence of a trusted office sealed under some other root: resealed.
        outcome = F if trust.sm2_root is not None else I
        return check(LicenceCheckId.OFD_SEAL, outcome, LicenceCode.SEAL_NOT_ISSUER,
                     "the seal chains to a root you added, not to the SM2 root of the office "
                     "whose key signed the licence",
                     "电子签章链接到您添加的根证书，而非签发该证照机构的 SM2 根证书")
    if seal.passed:
        whose = ("the issuer's SM2 root" if anchor == ANCHOR_ISSUER
                 else "an SM2 root you added (--trust-anchor)")
        whose_zh = "签发机构的 SM2 根证书" if anchor == ANCHOR_ISSUER else "您添加的 SM2 根证书"
        return check(LicenceCheckId.OFD_SEAL, P, LicenceCode.OK,
                     f"electronic seal valid (chain to {whose})",
                     f"电子签章有效（证书链至{whose_zh}）")
    en, zh = _first_problem(seal)
    if seal.indication is Indication.FAILED:
        return check(LicenceCheckId.OFD_SEAL, F, sub, f"electronic seal not valid ({sub}): {en}",
                     f"电子签章无效（{sub}）：{zh}")
    if trust.sm2_root is None and _no_chain(seal):
        en = "the trust material has no SM2 root (published before the office had SM2 keys)"
        zh = "信任材料中没有 SM2 根证书"
    return check(LicenceCheckId.OFD_SEAL, I, sub,
                 f"electronic seal not confirmed ({sub}): {en}",
                 f"电子签章未能确认（{sub}）：{zh}")


def _summary(seal: OfdSignatureVerdict, anchor: str | None) -> OfdSealSummary:
    sub = seal.sub_indication.value if seal.sub_indication else "ok"
    problem = _format_problem(seal)
    first = seal.signatures[0] if seal.signatures else None
    return OfdSealSummary(
        indication=seal.indication, sub_indication=sub,
        seal_name=first.seal_name if first else None,
        seal_id=first.seal_id if first else None,
        signer=first.signer_subject if first else None,
        signing_time=first.signing_time if first else None,
        anchor=anchor if seal.passed else None,
        error_code=problem[0] if problem is not None and not seal.passed else None)


def _join(base_part: str, loc: str) -> str:
    """An ``ST_Loc`` as a package path: absolute from the root when it starts with ``/``,
    else relative to the part naming it. Only ever looked up in the package's own entries,
    never on a file system, so a location that climbs out simply names no entry."""
    text = loc.strip()
    joined = text[1:] if text.startswith("/") else posixpath.join(
        posixpath.dirname(base_part), text)
    return posixpath.normpath(joined).lstrip("/")


def _child_text(element: Element, name: str) -> str | None:
    child = element.find(_NS + name)
    return None if child is None or not child.text else child.text.strip()


def is_ofd_package(data: bytes) -> bool:
    """Whether ``data`` is a zip, the container of an OFD (its reader decides the rest)."""
    return bytes(data[:4]) == OFD_MAGIC


def ofd_licence_attachment(data: bytes) -> dict[str, Any] | None:
    """The ``licence.json`` an OFD carries (unverified), or ``None``: is it one of ours? Read
    through the bounded package reader; never raises."""
    try:
        return parse_licence_json(_licence_json(read_ofd(data)))
    except Exception:  # noqa: BLE001 - an unreadable package simply carries no licence
        return None


def _licence_json(package: OfdPackage) -> bytes | None:
    """The bytes of the first document's attachment named ``licence.json`` (at most
    ``MAX_ATTACHMENT_BYTES``), or ``None``."""
    documents = package.document_paths()
    if not documents:
        return None
    document = documents[0]
    loc = _child_text(package.xml(document), "Attachments")
    if not loc:
        return None
    list_path = _join(document, loc)
    if list_path not in package.files:
        return None
    for item in package.xml(list_path).findall(_NS + "Attachment"):
        if item.get("Name") != ATTACHMENT_NAME:
            continue
        file_loc = _child_text(item, "FileLoc")
        data = package.files.get(_join(list_path, file_loc)) if file_loc else None
        return data if data is not None and len(data) <= MAX_ATTACHMENT_BYTES else None
    return None


def _signed_photo(package: OfdPackage, expected: bytes | None) -> bytes | None:
    """The package file whose SHA-256 is the one the valid token signed (the holder photo as
    issued), or ``None``."""
    if expected is None:
        return None
    for data in package.files.values():
        if len(data) <= MAX_PHOTO_BYTES and hashlib.sha256(data).digest() == expected:
            return data
    return None
