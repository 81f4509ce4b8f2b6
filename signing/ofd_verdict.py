"""What an OFD seal validation says (``signing.ofd_validate``): the checks, each with its outcome,
ETSI sub-indication and bilingual detail, one result per signature and the frozen verdict;
shaped like ``signing.pades_verdict`` for the PDFs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from signing.pades_verdict import CheckOutcome, Indication, SubIndication
from signing.ses import SesVersion

__all__ = ["OfdCheck", "OfdCheckId", "OfdSignatureResult", "OfdSignatureVerdict", "combine",
           "failed", "ok", "unsure"]


class OfdCheckId(StrEnum):
    FORMAT = "format"
    REFERENCES = "references"
    COVERAGE = "coverage"
    SEAL_SIGNATURE = "seal_signature"
    SEAL_BINDING = "seal_binding"
    SEAL_VALIDITY = "seal_validity"
    SIGNATURE_VALUE = "signature_value"
    CERTIFICATE_CHAIN = "certificate_chain"
    REVOCATION = "revocation"


@dataclass(frozen=True)
class OfdCheck:
    check: OfdCheckId
    outcome: CheckOutcome
    sub_indication: SubIndication | None = None
    detail: str = ""
    detail_zh: str = ""
    code: str = ""  # the stable error code of a FORMAT failure (ofd.*)


@dataclass(frozen=True)
class OfdSignatureResult:
    """One signature: its ``Signature.xml`` path, verdict and checks, and what it names."""

    signature_path: str
    indication: Indication
    sub_indication: SubIndication | None
    checks: tuple[OfdCheck, ...]
    version: SesVersion | None = None
    seal_name: str | None = None
    seal_id: str | None = None
    signer_subject: str | None = None
    signing_time: datetime | None = None


@dataclass(frozen=True)
class OfdSignatureVerdict:
    """The result of :func:`validate_ofd`: PASSED only when there is at least one signature
    and every one passed; FAILED when any failed; else INDETERMINATE."""

    indication: Indication
    sub_indication: SubIndication | None
    signatures: tuple[OfdSignatureResult, ...]
    checks: tuple[OfdCheck, ...] = ()  # package-level (format) problems

    @property
    def passed(self) -> bool:
        return self.indication is Indication.PASSED

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form (enums as their values, times in ISO 8601), shaped like
        :meth:`signing.pades_verdict.PdfSignatureVerdict.to_dict` with one entry per signature."""
        return {
            "indication": self.indication.value,
            "sub_indication": self.sub_indication.value if self.sub_indication else None,
            "checks": [_check_dict(c) for c in self.checks],
            "signatures": [{
                "signature": r.signature_path,
                "indication": r.indication.value,
                "sub_indication": r.sub_indication.value if r.sub_indication else None,
                "version": int(r.version) if r.version is not None else None,
                "seal_name": r.seal_name,
                "seal_id": r.seal_id,
                "signer_subject": r.signer_subject,
                "signing_time": r.signing_time.isoformat() if r.signing_time else None,
                "checks": [_check_dict(c) for c in r.checks],
            } for r in self.signatures],
        }


def _check_dict(check: OfdCheck) -> dict[str, object]:
    return {"check": check.check.value, "outcome": check.outcome.value,
            "sub_indication": check.sub_indication.value if check.sub_indication else None,
            "detail": check.detail, "detail_zh": check.detail_zh, "code": check.code or None}


def ok(check: OfdCheckId, detail: str = "") -> OfdCheck:
    return OfdCheck(check, CheckOutcome.PASSED, None, detail)


def failed(check: OfdCheckId, sub: SubIndication, en: str, zh: str, code: str = "") -> OfdCheck:
    return OfdCheck(check, CheckOutcome.FAILED, sub, en, zh, code)


def unsure(check: OfdCheckId, sub: SubIndication, en: str, zh: str, code: str = "") -> OfdCheck:
    return OfdCheck(check, CheckOutcome.INDETERMINATE, sub, en, zh, code)


def combine(checks: Sequence[OfdCheck]) -> tuple[Indication, SubIndication | None]:
    for outcome, indication in ((CheckOutcome.FAILED, Indication.FAILED),
                                (CheckOutcome.INDETERMINATE, Indication.INDETERMINATE)):
        found = next((c for c in checks if c.outcome is outcome), None)
        if found is not None:
            return indication, found.sub_indication
    return Indication.PASSED, None
