"""The applicant's pre-submit preview, mounted by :mod:`api.routes.applicant` under ``/api/v1``:
what the form rules say about the materials processed so far and the corrections, without
storing anything (the use case is :mod:`api.workflow.preview`)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.orm import Session

from api.auth import Applicant
from api.db import Application
from api.deps import RowId
from api.schemas.preview import PreviewField, PreviewFinding, PreviewPublic
from api.service_context import ServiceContext, ServiceDep
from api.workflow import preview
from api.workflow.preview import Preview

__all__ = ["build_preview", "preview_public", "router"]

router = APIRouter()


@router.get("/applications/{application_id}/preview", response_model=PreviewPublic)
def preview_application(application_id: RowId, ctx: ServiceDep,
                        user: Applicant) -> PreviewPublic:
    """What the form rules say about the materials processed so far (and the corrections),
    without storing anything: the problems to fix before submitting."""
    return preview_public(preview.preview_application(ctx.workflow, user.username,
                                                      application_id))


def build_preview(ctx: ServiceContext, session: Session, application: Application
                  ) -> PreviewPublic:
    """The preview of ``application`` as the API shows it (:func:`api.workflow.preview.preview`)."""
    return preview_public(preview.preview(ctx.workflow, session, application))


def preview_public(result: Preview) -> PreviewPublic:
    """A :class:`api.workflow.preview.Preview` as the API shows it."""
    report = result.report
    return PreviewPublic(
        application_id=result.application_id, verdict=report.verdict.value,
        checked_on=report.checked_on, pending=list(result.pending),
        findings=[PreviewFinding(code=f.code.value, severity=f.severity.value,
                                 material=f.material, field=f.field,
                                 message_zh=f.message_zh, message_en=f.message_en)
                  for f in report.findings],
        fields=[PreviewField(ref=f.ref, label=f.label, value=f.value, confidence=f.confidence,
                             worst=None if f.worst is None else f.worst.value,
                             corrected=f.corrected)
                for f in report.fields])
