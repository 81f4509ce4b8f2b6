"""The applicant's pre-submit preview: ``verify.forms.validate`` over the evidence of the
materials processed so far (OCR results, e-licences, photo checks) and the applicant's
corrections, as of today — gathered by :func:`api.workflow.evidence.gather_evidence`, as the
validation job gathers it, so the preview tells what the job will. Nothing is stored and no OCR
runs here, so it is fast enough for every page view. The job's validation at submit is what
counts. The JSON route and the applicant's page both call :func:`preview_application`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from api.db import Application
from api.workflow.applications import account_of, load_application
from api.workflow.context import WorkflowContext
from api.workflow.evidence import gather_evidence
from verify.forms import ValidationReport, validate

__all__ = ["Preview", "preview", "preview_application"]


@dataclass(frozen=True)
class Preview:
    """What the form rules say now about one application, and the materials still being
    processed (left out of the report until their result is in)."""

    application_id: int
    report: ValidationReport
    pending: tuple[str, ...]


def preview(ctx: WorkflowContext, session: Session, application: Application) -> Preview:
    """Validate ``application``'s processed materials now (see the module docstring)."""
    service = ctx.service(application.service_id)
    evidence = gather_evidence(session, application)
    report = validate(service, evidence.documents, today=date.today(),
                      min_field_confidence=ctx.settings.min_field_confidence,
                      photos=evidence.photos, corrections=evidence.corrections,
                      licences=evidence.licences)
    return Preview(application.id, report, evidence.pending)


def preview_application(ctx: WorkflowContext, username: str, application_id: int) -> Preview:
    """The preview of the caller's own application (someone else's is not found)."""
    with ctx.db.transaction(read_only=True) as session:
        account = account_of(session, username)
        application = load_application(session, application_id, owner_id=account.id)
        return preview(ctx, session, application)
