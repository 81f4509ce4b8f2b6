"""What a PAdES validation says: ETSI EN 319 102-1 style indications and sub-indications, the
individual checks, and the frozen :class:`PdfSignatureVerdict` that :func:`signing.validate_pdf`
returns. Also the PAdES baseline levels (ETSI EN 319 142-1) that :func:`signing.sign_pdf` makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class PadesLevel(StrEnum):
    """PAdES baseline levels, each adding to the previous one."""

    B_B = "B-B"  # the CMS signature alone
    B_T = "B-T"  # + an RFC 3161 signature timestamp
    B_LT = "B-LT"  # + certificates and CRLs in the document security store (DSS)
    B_LTA = "B-LTA"  # + a document timestamp over all of it

    @property
    def rank(self) -> int:
        return list(PadesLevel).index(self)


class Indication(StrEnum):
    """ETSI EN 319 102-1 main indication."""

    PASSED = "PASSED"
    FAILED = "FAILED"
    INDETERMINATE = "INDETERMINATE"


class SubIndication(StrEnum):
    """Why a signature did not pass. Values are stable codes (ETSI EN 319 102-1 names where ETSI
    has one; ``MODIFIED``, ``NO_SIGNATURE``, ``TIMESTAMP_FAILURE`` and ``VALIDATION_ERROR`` are
    ours)."""

    # FAILED
    HASH_FAILURE = "HASH_FAILURE"  # the signed bytes changed
    SIG_CRYPTO_FAILURE = "SIG_CRYPTO_FAILURE"  # the signature value does not verify
    MODIFIED = "MODIFIED"  # a later update changed more than validation data, or bytes follow
    REVOKED = "REVOKED"  # the certificate was revoked before the signature was made
    NOT_YET_VALID = "NOT_YET_VALID"  # signed before the certificate's notBefore
    TIMESTAMP_FAILURE = "TIMESTAMP_FAILURE"  # a timestamp token is broken or does not match
    # INDETERMINATE
    FORMAT_FAILURE = "FORMAT_FAILURE"  # not a readable PDF / signature structure
    NO_SIGNATURE = "NO_SIGNATURE"  # a PDF without a signature
    NO_CERTIFICATE_CHAIN_FOUND = "NO_CERTIFICATE_CHAIN_FOUND"  # no path to the pinned root
    CERTIFICATE_CHAIN_GENERAL_FAILURE = "CERTIFICATE_CHAIN_GENERAL_FAILURE"
    CHAIN_CONSTRAINTS_FAILURE = "CHAIN_CONSTRAINTS_FAILURE"  # key usage / extensions
    CRYPTO_CONSTRAINTS_FAILURE = "CRYPTO_CONSTRAINTS_FAILURE"  # algorithm not allowed
    EXPIRED = "EXPIRED"  # signed after the certificate's notAfter
    OUT_OF_BOUNDS_NO_POE = "OUT_OF_BOUNDS_NO_POE"  # expired now, no proof of earlier existence
    REVOKED_NO_POE = "REVOKED_NO_POE"  # revoked, no proof the signature is older
    REVOKED_CA_NO_POE = "REVOKED_CA_NO_POE"
    TRY_LATER = "TRY_LATER"  # no (fresh) revocation information: fail closed
    SIG_CONSTRAINTS_FAILURE = "SIG_CONSTRAINTS_FAILURE"  # below the required PAdES level
    VALIDATION_ERROR = "VALIDATION_ERROR"  # the validator itself raised


class PdfCheckId(StrEnum):
    """The individual checks of a PDF signature validation, in the order they run."""

    FORMAT = "format"  # a PDF with exactly one approval signature
    SIGNATURE_INTACT = "signature_intact"  # digest of the ByteRange matches, signature verifies
    MODIFICATIONS = "modifications"  # only DSS / document timestamps after it, nothing after EOF
    ALGORITHMS = "algorithms"  # digest and signature algorithms on the allow-list
    SIGNATURE_TIMESTAMP = "signature_timestamp"  # RFC 3161 token valid, TSA chains to the root
    CERTIFICATE_CHAIN = "certificate_chain"  # chain to the pinned root, validity, revocation
    KEY_USAGE = "key_usage"  # digitalSignature / nonRepudiation, no foreign EKU
    DOCUMENT_TIMESTAMP = "document_timestamp"  # B-LTA document timestamp(s) valid and trusted
    LEVEL = "level"  # the signature reaches the required PAdES level


class CheckOutcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    INDETERMINATE = "indeterminate"
    NOT_RUN = "not_run"


@dataclass(frozen=True)
class PdfCheck:
    """One check: its outcome, the sub-indication if it did not pass, and an English detail
    (names certificates by role, never personal data); ``detail_zh`` is the same in Chinese
    where a check gives one (empty otherwise)."""

    check: PdfCheckId
    outcome: CheckOutcome
    sub_indication: SubIndication | None = None
    detail: str = ""
    detail_zh: str = ""


@dataclass(frozen=True)
class PdfSignatureVerdict:
    """The result of :func:`signing.validate_pdf`.

    ``indication`` is PASSED only when every check in ``checks`` passed. ``signing_time`` is the
    genTime of the validated signature timestamp (``None`` without one); ``signer_kid`` is the
    trust-list key id (base64url) of the signing certificate and ``signer_subject`` its RFC 4514
    subject, both ``None`` when no certificate could be read.
    """

    indication: Indication
    sub_indication: SubIndication | None
    checks: tuple[PdfCheck, ...]
    signer_kid: str | None = None
    signer_subject: str | None = None
    signing_time: datetime | None = None
    level: PadesLevel | None = None

    @property
    def passed(self) -> bool:
        return self.indication is Indication.PASSED

    def check(self, check_id: PdfCheckId) -> PdfCheck | None:
        """The result of ``check_id``, or ``None`` if it was not reached."""
        return next((c for c in self.checks if c.check is check_id), None)

    @property
    def reason(self) -> PdfCheck | None:
        """The check that decided a verdict other than PASSED (the first FAILED one, else the
        first INDETERMINATE one), or ``None``."""
        for outcome in (CheckOutcome.FAILED, CheckOutcome.INDETERMINATE):
            found = next((c for c in self.checks if c.outcome is outcome), None)
            if found is not None:
                return found
        return None

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form (enums as their values, times in ISO 8601)."""
        return {
            "indication": self.indication.value,
            "sub_indication": self.sub_indication.value if self.sub_indication else None,
            "signer_kid": self.signer_kid,
            "signer_subject": self.signer_subject,
            "signing_time": self.signing_time.isoformat() if self.signing_time else None,
            "level": self.level.value if self.level else None,
            "checks": [{"check": c.check.value, "outcome": c.outcome.value,
                        "sub_indication": c.sub_indication.value if c.sub_indication else None,
                        "detail": c.detail, "detail_zh": c.detail_zh} for c in self.checks],
        }
