"""The outcome of validating one application: findings with stable codes, and a verdict.

A finding never quotes a field's value (it names the field), so findings can be shown, stored
and logged without personal data. The report's ``fields`` carry the values read, for the clerk's
screen and the applicant: the caller decides where those go.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How much a finding weighs: an error rejects, a warning informs, ``needs_review`` asks a
    clerk to look (e.g. a value OCR was unsure of)."""

    ERROR = "error"
    WARNING = "warning"
    NEEDS_REVIEW = "needs_review"


class Verdict(StrEnum):
    """The overall answer, from worst to best: ``invalid`` (an error other than something
    missing), ``incomplete`` (only missing materials or required fields), ``needs_review``,
    ``valid`` (warnings allowed)."""

    INVALID = "invalid"
    INCOMPLETE = "incomplete"
    NEEDS_REVIEW = "needs_review"
    VALID = "valid"


class FindingCode(StrEnum):
    """Stable machine-readable finding codes. Never rename a value: clients match on it."""

    MATERIAL_MISSING = "material.missing"
    MATERIAL_TOO_MANY = "material.too_many"
    MATERIAL_UNEXPECTED = "material.unexpected"
    MATERIAL_UNRECOGNISED = "material.unrecognised"
    MATERIAL_QUALITY = "material.quality"
    MATERIAL_TITLE_MISMATCH = "material.title_mismatch"
    PHOTO_FAILED = "photo.failed"
    PHOTO_NOT_CHECKED = "photo.not_checked"
    FIELD_MISSING = "field.missing"
    FIELD_LOW_CONFIDENCE = "field.low_confidence"
    FIELD_TOO_SHORT = "field.too_short"
    FIELD_TOO_LONG = "field.too_long"
    FIELD_PATTERN = "field.pattern"
    FIELD_NOT_ALLOWED = "field.not_allowed"
    FIELD_NOT_A_DATE = "field.not_a_date"
    FIELD_TOO_EARLY = "field.too_early"
    FIELD_TOO_LATE = "field.too_late"
    FIELD_MULTIPLE_TICKED = "field.multiple_ticked"
    ID_NUMBER_LENGTH = "id_number.length"
    ID_NUMBER_CHARSET = "id_number.charset"
    ID_NUMBER_REGION = "id_number.region"
    ID_NUMBER_BIRTH_DATE = "id_number.birth_date"
    ID_NUMBER_BIRTH_IN_FUTURE = "id_number.birth_in_future"
    ID_NUMBER_CHECK_CHAR = "id_number.check_char"
    USCC_LENGTH = "uscc.length"
    USCC_CHARSET = "uscc.charset"
    USCC_CHECK_CHAR = "uscc.check_char"
    USCC_REGION = "uscc.region"
    USCC_ORG_CODE = "uscc.org_code"
    ORG_CODE_LENGTH = "org_code.length"
    ORG_CODE_CHARSET = "org_code.charset"
    ORG_CODE_CHECK_CHAR = "org_code.check_char"
    MOBILE_LENGTH = "mobile.length"
    MOBILE_CHARSET = "mobile.charset"
    MOBILE_PREFIX = "mobile.prefix"
    PERSON_NAME_CHARACTER = "person_name.character"
    PERSON_NAME_DOT = "person_name.dot"
    PERSON_NAME_TOO_SHORT = "person_name.too_short"
    PERSON_NAME_TOO_LONG = "person_name.too_long"
    CROSS_MISMATCH = "cross.mismatch"
    CROSS_SAME = "cross.same"
    CROSS_BIRTH_DATE_MISMATCH = "cross.birth_date_mismatch"
    CROSS_SEX_MISMATCH = "cross.sex_mismatch"
    CROSS_EXPIRED = "cross.expired"
    CROSS_NOT_YET_VALID = "cross.not_yet_valid"
    CROSS_NOT_CHECKED = "cross.not_checked"
    FIELD_CORRECTED = "field.corrected"
    LICENCE_FORGED = "licence.forged"
    LICENCE_REVOKED = "licence.revoked"
    LICENCE_EXPIRED = "licence.expired"
    LICENCE_NOT_YET_VALID = "licence.not_yet_valid"
    LICENCE_UNTRUSTED_ISSUER = "licence.untrusted_issuer"
    LICENCE_REVOCATION_UNKNOWN = "licence.revocation_unknown"
    LICENCE_TYPE_NOT_ACCEPTED = "licence.type_not_accepted"
    LICENCE_UNVERIFIED = "licence.error"


# The e-licence findings: a material handed in as an e-licence that did not verify.
LICENCE_CODES = frozenset({
    FindingCode.LICENCE_FORGED, FindingCode.LICENCE_REVOKED, FindingCode.LICENCE_EXPIRED,
    FindingCode.LICENCE_NOT_YET_VALID, FindingCode.LICENCE_UNTRUSTED_ISSUER,
    FindingCode.LICENCE_REVOCATION_UNKNOWN, FindingCode.LICENCE_TYPE_NOT_ACCEPTED,
    FindingCode.LICENCE_UNVERIFIED})


# Findings that only say something is absent: alone they make an application incomplete.
MISSING_CODES = frozenset({FindingCode.MATERIAL_MISSING, FindingCode.FIELD_MISSING})


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: a stable code, its severity, bilingual messages and what it concerns.

    ``material`` and ``field`` are ids from the service definition; ``rule`` is the field rule's
    type or the cross rule's id; ``refs`` are the ``material.field`` references a cross rule
    compared; ``file`` is the document the finding is about, when there is one.
    """

    code: FindingCode
    severity: Severity
    message_zh: str
    message_en: str
    material: str | None = None
    field: str | None = None
    rule: str | None = None
    refs: tuple[str, ...] = ()
    file: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "severity": self.severity.value,
            "material": self.material,
            "field": self.field,
            "rule": self.rule,
            "refs": list(self.refs),
            "file": self.file,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


@dataclass(frozen=True, slots=True)
class FieldReport:
    """A service field as read: its value (``None`` if absent), OCR confidence (``None`` for a
    checkbox or a value without one) and the worst severity found on it (``None``: fine)."""

    material: str
    field: str
    label: str
    value: str | None
    confidence: float | None
    worst: Severity | None = None
    corrected: bool = False

    @property
    def ref(self) -> str:
        return f"{self.material}.{self.field}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "label": self.label,
            "value": self.value,
            "confidence": None if self.confidence is None else round(self.confidence, 4),
            "worst": None if self.worst is None else self.worst.value,
            "corrected": self.corrected,
        }


@dataclass(frozen=True, slots=True)
class MaterialReport:
    """Which documents were taken as a required material."""

    id: str
    kind: str
    name: str
    required: bool
    count: int
    files: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "name": self.name, "required": self.required,
                "count": self.count, "files": list(self.files)}


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """Everything :func:`verify.forms.validate` concluded about one application."""

    service_id: str
    service_name: str
    verdict: Verdict
    checked_on: date
    min_field_confidence: float
    findings: tuple[Finding, ...] = ()
    fields: tuple[FieldReport, ...] = ()
    materials: tuple[MaterialReport, ...] = ()
    auto_approvable: bool = False
    unassigned_files: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Complete and valid (warnings allowed)."""
        return self.verdict is Verdict.VALID

    def by_severity(self, severity: Severity) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is severity)

    def codes(self) -> set[str]:
        """The finding codes present, for quick assertions and filters."""
        return {f.code.value for f in self.findings}

    def to_dict(self) -> dict[str, Any]:
        return {
            "service": {"id": self.service_id, "name": self.service_name},
            "verdict": self.verdict.value,
            "ok": self.ok,
            "auto_approvable": self.auto_approvable,
            "checked_on": self.checked_on.isoformat(),
            "min_field_confidence": self.min_field_confidence,
            "counts": {s.value: len(self.by_severity(s)) for s in Severity},
            "findings": [f.to_dict() for f in self.findings],
            "fields": [f.to_dict() for f in self.fields],
            "materials": [m.to_dict() for m in self.materials],
            "unassigned_files": list(self.unassigned_files),
        }


def overall_verdict(findings: tuple[Finding, ...] | list[Finding]) -> Verdict:
    """Worst first: any error that is not "missing" -> invalid; only missing -> incomplete;
    anything for a clerk -> needs review; otherwise valid."""
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if any(f.code not in MISSING_CODES for f in errors):
        return Verdict.INVALID
    if errors:
        return Verdict.INCOMPLETE
    if any(f.severity is Severity.NEEDS_REVIEW for f in findings):
        return Verdict.NEEDS_REVIEW
    return Verdict.VALID
