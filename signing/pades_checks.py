"""How :func:`signing.validate_pdf` turns individual checks into one verdict: the FAILED /
INDETERMINATE classification of sub-indications, the order in which a failing check decides,
and the fail-safe rule that nothing passes unless every required check passed."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from signing.pades_verdict import (
    CheckOutcome,
    Indication,
    PadesLevel,
    PdfCheck,
    PdfCheckId,
    PdfSignatureVerdict,
    SubIndication,
)

log = logging.getLogger(__name__)

# FAILED sub-indications; every other one is INDETERMINATE.
FAILED_SUB_INDICATIONS = frozenset({
    SubIndication.HASH_FAILURE, SubIndication.SIG_CRYPTO_FAILURE, SubIndication.MODIFIED,
    SubIndication.REVOKED, SubIndication.NOT_YET_VALID, SubIndication.TIMESTAMP_FAILURE})
# Checks that must have PASSED for a PASSED verdict; the two timestamp checks may instead be
# NOT_RUN when the required level does not ask for them.
REQUIRED_CHECKS = frozenset(PdfCheckId) - {PdfCheckId.SIGNATURE_TIMESTAMP,
                                           PdfCheckId.DOCUMENT_TIMESTAMP}


@dataclass
class CheckRun:
    """The checks of one validation so far and what the verdict reports besides them."""

    checks: list[PdfCheck] = field(default_factory=list)
    signer_kid: str | None = None
    signer_subject: str | None = None
    signing_time: datetime | None = None
    level: PadesLevel | None = None

    def passed(self, check: PdfCheckId, detail: str = "") -> None:
        self.checks.append(PdfCheck(check, CheckOutcome.PASSED, None, detail))

    def problem(self, check: PdfCheckId, sub: SubIndication, detail: str,
                detail_zh: str = "") -> None:
        failed = sub in FAILED_SUB_INDICATIONS
        outcome = CheckOutcome.FAILED if failed else CheckOutcome.INDETERMINATE
        self.checks.append(PdfCheck(check, outcome, sub, detail, detail_zh))

    def not_run(self, check: PdfCheckId, detail: str) -> None:
        self.checks.append(PdfCheck(check, CheckOutcome.NOT_RUN, None, detail))

    def verdict(self) -> PdfSignatureVerdict:
        """FAILED if any check failed, else INDETERMINATE if any was indeterminate, else
        PASSED — but only if every required check passed. The first such check in
        :class:`PdfCheckId` order gives the sub-indication, so a broken signature is reported
        as such, not as the document timestamp over it that broke with it."""
        order = list(PdfCheckId)
        checks = tuple(sorted(self.checks, key=lambda c: order.index(c.check)))
        indication, sub = Indication.PASSED, None
        for outcome, result in ((CheckOutcome.FAILED, Indication.FAILED),
                                (CheckOutcome.INDETERMINATE, Indication.INDETERMINATE)):
            first = next((c for c in checks if c.outcome is outcome), None)
            if first is not None:
                indication, sub = result, first.sub_indication
                break
        passed = {c.check for c in checks if c.outcome is CheckOutcome.PASSED}
        if indication is Indication.PASSED and not REQUIRED_CHECKS <= passed:
            indication, sub = Indication.INDETERMINATE, SubIndication.VALIDATION_ERROR
        return PdfSignatureVerdict(indication, sub, checks, self.signer_kid,
                                   self.signer_subject, self.signing_time, self.level)


def error_verdict(exc: Exception) -> PdfSignatureVerdict:
    """INDETERMINATE / VALIDATION_ERROR for an exception inside the validation (logged by type
    only: its message may quote document content)."""
    log.warning("PDF signature validation raised %s", type(exc).__name__)
    check = PdfCheck(PdfCheckId.FORMAT, CheckOutcome.INDETERMINATE,
                     SubIndication.VALIDATION_ERROR, f"validation stopped: {type(exc).__name__}")
    return PdfSignatureVerdict(Indication.INDETERMINATE, SubIndication.VALIDATION_ERROR, (check,))
