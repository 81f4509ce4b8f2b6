"""The verdict on an e-licence: one ETSI-style indication over the PDF signature, the token, their
agreement, revocation and the validity period — each check with a stable code and a message in
Chinese and English. Frozen; ``to_dict`` is what the CLI prints and the API will return."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from signing import Indication, encode_kid


class LicenceCheckId(StrEnum):
    """What is checked, in order."""

    PDF_SIGNATURE = "pdf_signature"
    OFD_SEAL = "ofd_seal"  # an OFD licence's electronic seal (elicense.verify_ofd)
    LICENCE_DATA = "licence_data"
    TOKEN = "token"
    CONSISTENCY = "consistency"
    ISSUER = "issuer"
    REVOCATION = "revocation"
    VALIDITY_PERIOD = "validity_period"


class LicenceCode(StrEnum):
    """Stable codes of the licence-level checks (PDF signature codes come from ``signing``)."""

    OK = "ok"
    NO_LICENCE_DATA = "licence.no_data"
    TOKEN_INVALID = "licence.token_invalid"
    INCONSISTENT = "licence.inconsistent"
    ISSUER_MISMATCH = "licence.issuer_mismatch"
    ISSUER_UNKNOWN = "licence.issuer_unknown"
    REVOKED = "licence.revoked"
    REVOCATION_UNKNOWN = "licence.revocation_unknown"
    EXPIRED = "licence.expired"
    NOT_YET_VALID = "licence.not_yet_valid"
    NOT_CHECKED = "licence.not_checked"
    SEAL_NOT_ISSUER = "licence.seal_not_issuer"  # an OFD sealed under another office's SM2 root
    ERROR = "licence.error"


@dataclass(frozen=True)
class LicenceCheck:
    """One check: its outcome is an indication of its own (PASSED for a pass)."""

    check: LicenceCheckId
    outcome: Indication
    code: str
    message_en: str
    message_zh: str

    def to_dict(self) -> dict[str, str]:
        return {"check": self.check.value, "outcome": self.outcome.value, "code": self.code,
                "message_en": self.message_en, "message_zh": self.message_zh}


@dataclass(frozen=True)
class TokenSummary:
    """What the token check found: its code (``signing.TokenCode``) and the key id the token
    names (``None`` when its framing did not decode). JSON shows the kid as base64url."""

    code: str
    kid: bytes | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "kid": None if self.kid is None else encode_kid(self.kid)}


@dataclass(frozen=True)
class PdfSignatureSummary:
    """What the PAdES validation found: its indication and sub-indication (``ok`` when it
    passed), the signer's key id, the PAdES level reached and the signing time."""

    indication: Indication
    sub_indication: str
    signer_kid: bytes | None = None
    level: str | None = None
    signing_time: datetime | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"indication": self.indication.value, "sub_indication": self.sub_indication,
                "signer_kid": None if self.signer_kid is None else encode_kid(self.signer_kid),
                "level": self.level,
                "signing_time": None if self.signing_time is None
                else self.signing_time.isoformat()}


@dataclass(frozen=True)
class OfdSealSummary:
    """What the OFD seal validation (``signing.validate_ofd``) found: its indication and
    sub-indication (``ok`` when it passed), the first seal's name, id, signer (certificate
    subject) and claimed signing time, the anchor its chain reached (``issuer``: the SM2 root
    of the trust material; ``trust_anchor``: one the verifier added; ``None``: no chain), and
    the ``ofd.*`` code when the package or a seal could not be read."""

    indication: Indication
    sub_indication: str
    seal_name: str | None = None
    seal_id: str | None = None
    signer: str | None = None
    signing_time: datetime | None = None
    anchor: str | None = None
    error_code: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"indication": self.indication.value, "sub_indication": self.sub_indication,
                "seal_name": self.seal_name, "seal_id": self.seal_id, "signer": self.signer,
                "signing_time": None if self.signing_time is None
                else self.signing_time.isoformat(),
                "anchor": self.anchor, "error_code": self.error_code}


@dataclass(frozen=True)
class LicenceVerdict:
    """``indication`` is PASSED only if every check passed; FAILED if any failed; otherwise
    INDETERMINATE. ``sub_indication`` is the code of the first check that did not pass.
    ``licence`` holds the public facts (holder code masked) when the token could be read;
    ``signed_by`` the office whose trust list holds the key that verified the token (code and
    names from that trust list, never from the token), ``None`` when no trusted key did.
    ``pdf`` (or ``ofd``) and ``token`` say what the signature and token checks found (``None``
    when that check did not run). ``photo`` is the holder photo a PDF (or OFD) carries, only
    when its SHA-256 is the one the valid token signed (not in ``to_dict``: pages show it, the
    JSON API does not send images)."""

    indication: Indication
    sub_indication: str | None
    checks: tuple[LicenceCheck, ...]
    licence: dict[str, Any] | None = None
    pdf: PdfSignatureSummary | None = None
    token: TokenSummary | None = None
    signed_by: dict[str, str] | None = None
    photo: bytes | None = field(default=None, repr=False)
    ofd: OfdSealSummary | None = None  # an OFD licence's seal (``pdf`` is then None)

    @property
    def passed(self) -> bool:
        return self.indication is Indication.PASSED

    def to_dict(self) -> dict[str, Any]:
        return {"indication": self.indication.value, "sub_indication": self.sub_indication,
                "valid": self.passed, "checks": [c.to_dict() for c in self.checks],
                "licence": self.licence,
                "pdf": None if self.pdf is None else self.pdf.to_dict(),
                "token": None if self.token is None else self.token.to_dict(),
                "signed_by": self.signed_by,
                "ofd": None if self.ofd is None else self.ofd.to_dict()}


def combine(checks: list[LicenceCheck], **extra: Any) -> LicenceVerdict:
    """The overall verdict of ``checks`` (an empty list is INDETERMINATE, never PASSED)."""
    failed = [c for c in checks if c.outcome is Indication.FAILED]
    unsure = [c for c in checks if c.outcome is Indication.INDETERMINATE]
    if failed:
        indication, first = Indication.FAILED, failed[0]
    elif unsure or not checks:
        indication, first = Indication.INDETERMINATE, unsure[0] if unsure else None
    else:
        indication, first = Indication.PASSED, None
    return LicenceVerdict(indication=indication, sub_indication=first.code if first else None,
                          checks=tuple(checks), **extra)
