"""The applicant's pre-submit preview, mounted by :mod:`api.routes.applicant` under ``/api/v1``:
``verify.forms.validate`` over the evidence of the materials processed so far (OCR results,
e-licences, photo checks) and the applicant's corrections, as of today — gathered by
:func:`api.workflow.evidence.gather_evidence`, as the validation job gathers it, so the preview
tells what the job will. Nothing is stored and no OCR runs here, so it is fast enough for every
page view. The job's validation at submit is what counts."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from sqlalchemy.orm import Session

from api.auth import Applicant
from api.db import Application
from api.deps import RowId
from api.schemas.preview import PreviewField, PreviewFinding, PreviewPublic
from api.service_context import ServiceContext, ServiceDep, actor
from api.workflow.applications import load_application
from api.workflow.evidence import gather_evidence
from verify.forms import validate

__all__ = ["build_preview", "router"]

router = APIRouter()


@router.get("/applications/{application_id}/preview", response_model=PreviewPublic)
def preview_application(application_id: RowId, ctx: ServiceDep,
                        user: Applicant) -> PreviewPublic:
    """What the form rules say about the materials processed so far (and the corrections),
    without storing anything: the problems to fix before submitting."""
    with ctx.transaction(read_only=True) as session:
        account = actor(session, user)
        application = load_application(session, application_id, owner_id=account.id)
        return build_preview(ctx, session, application)


def build_preview(ctx: ServiceContext, session: Session, application: Application
                  ) -> PreviewPublic:
    """Validate ``application``'s processed materials now (see the module docstring)."""
    service = ctx.service(application.service_id)
    evidence = gather_evidence(session, application)
    report = validate(service, evidence.documents, today=date.today(),
                      min_field_confidence=ctx.settings.min_field_confidence,
                      photos=evidence.photos, corrections=evidence.corrections,
                      licences=evidence.licences)
    return PreviewPublic(
        application_id=application.id, verdict=report.verdict.value,
        checked_on=report.checked_on, pending=list(evidence.pending),
        findings=[PreviewFinding(code=f.code.value, severity=f.severity.value,
                                 material=f.material, field=f.field,
                                 message_zh=f.message_zh, message_en=f.message_en)
                  for f in report.findings],
        fields=[PreviewField(ref=f.ref, label=f.label, value=f.value, confidence=f.confidence,
                             worst=None if f.worst is None else f.worst.value,
                             corrected=f.corrected)
                for f in report.fields])
