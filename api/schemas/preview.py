"""Response bodies of the applicant's pre-submit preview (``GET .../preview``): the service's
form rules run over the materials processed so far, stored nowhere. Kept apart from
:mod:`api.schemas.applications` so the stored application's schema is not touched."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class PreviewFinding(BaseModel):
    """One problem the rules found: a stable code, its severity, bilingual messages and the
    material and field (service ids) it concerns."""

    code: str
    severity: str
    material: str | None = None
    field: str | None = None
    message_zh: str
    message_en: str


class PreviewField(BaseModel):
    """A service field as it would be checked: the value read (or corrected), its OCR
    confidence, the worst severity found on it and whether the applicant corrected it."""

    ref: str
    label: str
    value: str | None = None
    confidence: float | None = None
    worst: str | None = None
    corrected: bool = False


class PreviewPublic(BaseModel):
    """What validating now would say. ``pending`` lists the materials still being processed
    (their findings come once they are done)."""

    application_id: int
    verdict: str
    checked_on: date
    pending: list[str]
    findings: list[PreviewFinding]
    fields: list[PreviewField]
