"""Response bodies of the clerk's API that go beyond the stored application: the queue entry
(who applied, for which service, waiting since when) and a field as the clerk checks it (the
value read beside the applicant's correction). Built from :mod:`api.workflow.review`'s values.
Kept apart from :mod:`api.schemas.applications` so the application's own schema is not
touched."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from api.schemas.applications import ApplicationSummary
from api.workflow.review import QueueEntry, ReviewField

__all__ = ["QueueEntryPublic", "ReviewFieldPublic", "queue_entry_public", "review_field_public"]


class QueueEntryPublic(ApplicationSummary):
    """An application in the queue (the summary's ``updated_at`` is when it entered
    ``needs_review``, also given as ``waiting_since``): the service's names, the applicant's
    account and the holder's name as read from the documents (``None``: not read)."""

    service_name: str
    service_name_en: str | None = None
    applicant: str
    holder_name: str | None = None
    waiting_since: datetime


class ReviewFieldPublic(BaseModel):
    """A service field of one material: ``read`` is what OCR (or an e-licence) read (``None``:
    nothing), ``confidence`` its confidence (``None`` for a checkbox), ``corrected`` the
    applicant's own value (``None``: not corrected), ``worst`` the worst severity the latest
    validation found on it."""

    ref: str
    material: str
    field: str
    label: str
    read: str | None = None
    confidence: float | None = None
    corrected: str | None = None
    worst: str | None = None
    checkbox: bool = False


def queue_entry_public(entry: QueueEntry) -> QueueEntryPublic:
    return QueueEntryPublic(
        id=entry.application_id, service_id=entry.service_id, state=entry.state,
        updated_at=entry.waiting_since, created_at=entry.created_at,
        service_name=entry.service_name, service_name_en=entry.service_name_en,
        applicant=entry.applicant, holder_name=entry.holder_name, waiting_since=entry.waiting_since)


def review_field_public(field: ReviewField) -> ReviewFieldPublic:
    return ReviewFieldPublic(
        ref=field.ref, material=field.material, field=field.field, label=field.label,
        read=field.read, confidence=field.confidence, corrected=field.corrected,
        worst=field.worst, checkbox=field.checkbox)
