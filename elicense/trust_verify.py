"""Verifying an e-licence handed in as a material, against this office's own trust material and
every imported issuer's (:class:`elicense.TrustStore`): the issuer is picked by the key id of
the licence's token (the key that signed it; :class:`elicense.TrustedIssuers`), then
:func:`elicense.verify_licence_pdf` (or, for a sealed OFD, :func:`elicense.verify_licence_ofd`)
gives the verdict, which is summed up as one stable outcome
(``licence.verified``, ``licence.forged``, ``licence.revoked`` ...). A licence whose signing key
no trusted issuer lists, or whose token or record names another issuer than the one whose key
signed it (the verdict's issuer check, ``licence.issuer_mismatch``), is
``licence.untrusted_issuer``.

Only a ``licence.verified`` outcome makes the record's facts usable; the summary shown to
people carries the holder code masked.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from elicense.attachment import read_licence_json
from elicense.errors import LicenceRecordInvalidError
from elicense.model import HolderCodeType, Licence, mask_holder_code, parse_licence
from elicense.trusted_issuers import TrustedIssuers
from elicense.verdict import LicenceCheckId, LicenceCode, LicenceVerdict
from elicense.verify import verify_licence_pdf
from elicense.verify_ofd import is_ofd_package, ofd_licence_attachment, verify_licence_ofd
from signing import Indication, TokenCode, TokenMalformedError, decode_token

log = logging.getLogger(__name__)


class ElicenceOutcome(StrEnum):
    """What a material's e-licence amounts to. Never rename a value: clients match on it."""

    VERIFIED = "licence.verified"
    FORGED = "licence.forged"
    REVOKED = LicenceCode.REVOKED.value
    EXPIRED = LicenceCode.EXPIRED.value
    NOT_YET_VALID = LicenceCode.NOT_YET_VALID.value
    REVOCATION_UNKNOWN = LicenceCode.REVOCATION_UNKNOWN.value
    UNTRUSTED_ISSUER = "licence.untrusted_issuer"
    UNVERIFIED = LicenceCode.ERROR.value


@dataclass(frozen=True)
class ElicenceResult:
    """The outcome, the full verdict (``None`` when no trusted issuer's key signed it), the
    issuer it was checked against (or, untrusted, the one it claims), and the record from the
    PDF — whose facts may be used only when :attr:`verified`."""

    outcome: ElicenceOutcome
    verdict: LicenceVerdict | None
    issuer_code: str | None
    issuer_name: str | None
    record: dict[str, Any] | None

    @property
    def verified(self) -> bool:
        return self.outcome is ElicenceOutcome.VERIFIED

    @property
    def licence(self) -> Licence | None:
        """The record as a typed :class:`elicense.Licence` when the licence verified, the only
        case in which its facts may be used; ``None`` otherwise, and for a record that is not a
        valid GB/T 36903 record (which our issuing never signs)."""
        if not self.verified or self.record is None:
            return None
        try:
            return parse_licence(self.record)
        except LicenceRecordInvalidError:
            return None

    def summary(self) -> dict[str, Any]:
        """What the applicant and the clerk see: no unmasked personal code."""
        record = self.record or {}
        try:
            masked = mask_holder_code(str(record.get("holder_code", "")),
                                      HolderCodeType(str(record.get("holder_code_type"))))
        except ValueError:
            masked = None
        verdict = self.verdict
        return {
            "code": self.outcome.value,
            "verified": self.verified,
            "indication": None if verdict is None else verdict.indication.value,
            "sub_indication": None if verdict is None else verdict.sub_indication,
            "issuer_code": self.issuer_code, "issuer_name": self.issuer_name,
            "identifier": record.get("identifier"), "type_code": record.get("type_code"),
            "name": record.get("name"), "holder": record.get("holder"),
            "holder_code_masked": masked,
            "valid_until": record.get("valid_until"),
            "status": _status(self.outcome),
        }


def _status(outcome: ElicenceOutcome) -> str:
    return {ElicenceOutcome.VERIFIED: "valid", ElicenceOutcome.REVOKED: "revoked",
            ElicenceOutcome.EXPIRED: "expired", ElicenceOutcome.NOT_YET_VALID: "not_yet_valid",
            ElicenceOutcome.REVOCATION_UNKNOWN: "unknown"}.get(outcome, "invalid")


def licence_attachment(pdf: bytes) -> dict[str, Any] | None:
    """The ``licence.json`` a PDF carries (unverified), or ``None``: is it one of ours?"""
    # pyHanko (half a second to import) loads when a PDF is read, not with the package.
    from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: PLC0415

    try:
        return read_licence_json(PdfFileReader(io.BytesIO(pdf), strict=False))
    except Exception:  # noqa: BLE001 - an unreadable PDF simply carries no licence
        return None


def _token_kid(data: dict[str, Any]) -> bytes | None:
    try:
        return decode_token(str(data.get("token", ""))).kid
    except (TokenMalformedError, ValueError, TypeError):
        return None
    except Exception:  # noqa: BLE001 - any decoding trouble means "no usable key id"
        log.warning("licence token could not be decoded")
        return None


def _outcome(verdict: LicenceVerdict) -> ElicenceOutcome:
    if verdict.passed:
        return ElicenceOutcome.VERIFIED
    codes = {check.check: check.code for check in verdict.checks
             if check.outcome is not Indication.PASSED}
    if LicenceCheckId.PDF_SIGNATURE in codes or LicenceCheckId.OFD_SEAL in codes:
        return ElicenceOutcome.FORGED
    if codes.get(LicenceCheckId.ISSUER) == LicenceCode.ISSUER_MISMATCH:
        # Signed by a trusted office, but in another office's name.
        return ElicenceOutcome.UNTRUSTED_ISSUER
    # A licence's token expires with the licence: an intact PDF with an expired token is an
    # expired licence, not a forgery.
    token = codes.get(LicenceCheckId.TOKEN)
    if token == TokenCode.EXPIRED:
        return ElicenceOutcome.EXPIRED
    if token == TokenCode.NOT_YET_VALID:
        return ElicenceOutcome.NOT_YET_VALID
    for check in (LicenceCheckId.TOKEN, LicenceCheckId.CONSISTENCY):
        if check in codes and codes[check] != LicenceCode.NOT_CHECKED:
            return ElicenceOutcome.FORGED
    for code in (codes.get(LicenceCheckId.REVOCATION), codes.get(LicenceCheckId.VALIDITY_PERIOD)):
        if code in {o.value for o in ElicenceOutcome}:
            return ElicenceOutcome(code)
    return ElicenceOutcome.UNVERIFIED


def verify_elicence(licence_file: bytes, issuers: TrustedIssuers, *,
                    now: datetime | None = None) -> ElicenceResult:
    """Verify ``licence_file`` (a licence PDF or sealed OFD) against the trusted issuer whose key
    signed it (see the module doc)."""
    now = now or datetime.now(UTC)
    ofd = is_ofd_package(licence_file)
    data = (ofd_licence_attachment(licence_file) if ofd
            else licence_attachment(licence_file))
    if data is None:
        return ElicenceResult(ElicenceOutcome.UNVERIFIED, None, None, None, None)
    record = data.get("licence") if isinstance(data.get("licence"), dict) else {}
    claimed_code = str(record.get("issuer_code") or "") or None
    claimed_name = str(record.get("issuer") or "") or None
    source = issuers.for_kid(_token_kid(data))
    if source is None:
        return ElicenceResult(ElicenceOutcome.UNTRUSTED_ISSUER, None, claimed_code, claimed_name,
                              record)
    # The issuer binding is part of the verdict (its issuer check): a licence signed by a
    # trusted office in another office's name is not verified.
    verdict = (verify_licence_ofd(licence_file, source.material, now=now) if ofd
               else verify_licence_pdf(licence_file, source.material, now=now))
    issuer = source.material.issuer
    return ElicenceResult(_outcome(verdict), verdict,
                          source.code if issuer is None else issuer.code,
                          source.name if issuer is None else issuer.name_zh, record)
