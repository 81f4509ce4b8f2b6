"""A clerk's review: the applications waiting for a person (with who applied, for what, and
since when), what a clerk may see (a draft, not yet submitted, is the applicant's own: to a
clerk it and its materials do not exist), each field as read beside what the applicant
corrected, and the decision — approve (the licence is reserved under the application's row
lock in the decision's transaction, then signed and recorded outside it:
:mod:`api.workflow.issuing`), reject, or return for correction (these two need a comment: the
applicant is told why). ``record_review`` audits the decision and the state change."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import (
    Account,
    Application,
    ApplicationState,
    Material,
    ReviewDecision,
    ValidationResult,
    check_transition,
    record_review,
)
from api.workflow.applications import account_of, load_application
from api.workflow.context import WorkflowContext
from api.workflow.errors import WorkflowInputError, WorkflowNotFoundError
from api.workflow.evidence import gather_evidence
from api.workflow.issuing import finish_licence, reserve_licence
from verify.forms import Service, validate

__all__ = ["COMMENT_REQUIRED", "QueueEntry", "ReviewField", "decide", "review_fields",
           "review_queue", "submitted_application", "submitted_material"]

log = logging.getLogger(__name__)

_HIDDEN_FROM_CLERKS = frozenset({ApplicationState.DRAFT})
# The applicant must be told why: these decisions need a comment.
COMMENT_REQUIRED = frozenset({ReviewDecision.REJECT, ReviewDecision.RETURN_FOR_CORRECTION})


@dataclass(frozen=True)
class QueueEntry:
    """One application waiting for a clerk: the service (its name, or the id when the
    definition has gone), the applicant's account, the holder's name as read from the
    documents (the licence's holder field, corrections applied; ``None`` when not read or the
    service issues no licence), and since when it waits (UTC: it entered ``needs_review``)."""

    application_id: int
    service_id: str
    service_name: str
    service_name_en: str | None
    state: ApplicationState
    applicant: str
    holder_name: str | None
    waiting_since: datetime
    created_at: datetime


@dataclass(frozen=True)
class ReviewField:
    """A service field of one material as the clerk checks it: the value read by OCR (or from
    an e-licence; ``None``: not read), its confidence (``None`` for a checkbox or a value not
    read), the applicant's corrected value (``None``: not corrected), and the worst severity the
    validation found on it."""

    material: str
    field: str
    label: str
    read: str | None
    confidence: float | None
    corrected: str | None
    worst: str | None
    checkbox: bool

    @property
    def ref(self) -> str:
        return f"{self.material}.{self.field}"


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored one is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _latest_validation(session: Session, application_id: int) -> dict[str, Any]:
    row = session.scalars(select(ValidationResult)
                          .where(ValidationResult.application_id == application_id)
                          .order_by(ValidationResult.id.desc()).limit(1)).one_or_none()
    return row.result if row is not None and isinstance(row.result, dict) else {}


def _field_values(validation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The stored report's fields by ``material.field``."""
    fields = validation.get("fields")
    return {str(f["ref"]): f for f in fields if isinstance(f, dict) and "ref" in f} \
        if isinstance(fields, list) else {}


def _holder_name(service: Service | None, validation: dict[str, Any]) -> str | None:
    if service is None or service.licence is None:
        return None
    holder = service.licence.holder  # a constant or a licence fact names no one read here
    ref = holder if isinstance(holder, str) else ""
    value = _field_values(validation).get(ref, {}).get("value")
    return str(value) if value else None


def review_queue(ctx: WorkflowContext, session: Session) -> list[QueueEntry]:
    """Applications in ``needs_review``, oldest first (the longest waiting on top)."""
    services = {service.id: service for service in ctx.catalog}
    rows = session.execute(select(Application, Account.username)
                           .join(Account, Account.id == Application.applicant_id)
                           .where(Application.state == ApplicationState.NEEDS_REVIEW)
                           .order_by(Application.updated_at, Application.id)).all()
    entries = []
    for application, username in rows:
        service = services.get(application.service_id)
        entries.append(QueueEntry(
            application_id=application.id, service_id=application.service_id,
            service_name=service.name if service else application.service_id,
            service_name_en=service.name_en if service else None, state=application.state,
            applicant=username,
            holder_name=_holder_name(service, _latest_validation(session, application.id)),
            waiting_since=_aware(application.updated_at),
            created_at=_aware(application.created_at)))
    return entries


def submitted_application(session: Session, application_id: int, *,
                          for_update: bool = False) -> Application:
    """An application a clerk may see (locked when asked); not found for a draft."""
    application = load_application(session, application_id, for_update=for_update)
    if application.state in _HIDDEN_FROM_CLERKS:
        raise WorkflowNotFoundError()
    return application


def submitted_material(session: Session, material_id: int) -> Material:
    """A material a clerk may see; not found for one of a draft."""
    material = session.get(Material, material_id)
    if material is None or material.application.state in _HIDDEN_FROM_CLERKS:
        raise WorkflowNotFoundError("material", "材料")
    return material


def review_fields(ctx: WorkflowContext, session: Session,
                  application_id: int) -> list[ReviewField]:
    """Every service field of a submitted application's materials, in the service's order:
    the value read (the form rules' reading of the evidence without the corrections, so a
    form's printed labels and ticked boxes are found as the validation finds them), the
    applicant's corrected value, and the worst severity of the latest validation."""
    application = submitted_application(session, application_id)
    service = ctx.service(application.service_id)
    evidence = gather_evidence(session, application)
    # Values do not depend on the day; findings are the stored validation's.
    read = validate(service, evidence.documents, today=date.today(),
                    min_field_confidence=ctx.settings.min_field_confidence,
                    photos=evidence.photos, corrections={}, licences=evidence.licences)
    read_by_ref = {f.ref: f for f in read.fields}
    stored = _field_values(_latest_validation(session, application.id))
    corrections = {str(k): str(v) for k, v in (application.corrected_fields or {}).items()}
    present = {m.material_type for m in application.materials}
    fields = []
    for material in service.materials:
        for spec in material.fields:
            ref = f"{material.id}.{spec.id}"
            report = read_by_ref.get(ref)
            if report is None and ref not in corrections and material.id not in present:
                continue  # a material not handed in has no fields to show
            worst = stored.get(ref, {}).get("worst")
            fields.append(ReviewField(
                material=material.id, field=spec.id, label=material.label_of(spec.id),
                read=report.value if report is not None else None,
                confidence=report.confidence if report is not None else None,
                corrected=corrections.get(ref), worst=str(worst) if worst else None,
                checkbox=bool(spec.checkbox)))
    return fields


def decide(ctx: WorkflowContext, clerk_username: str, application_id: int,
           decision: ReviewDecision, comment: str) -> None:
    """Record the clerk's decision on an application in ``needs_review``
    (``application.invalid_transition`` otherwise; a reject or return without a comment is
    ``api.validation_failed``); an approval issues the licence once the decision has
    committed."""
    reservation = None
    with ctx.db.transaction() as session:
        clerk = account_of(session, clerk_username)
        application = submitted_application(session, application_id, for_update=True)
        check_transition(application.state, decision.target_state)
        if decision in COMMENT_REQUIRED and not comment.strip():
            raise WorkflowInputError(
                "a rejection or a return for correction needs a comment: the applicant is "
                "told why",
                "不予批准或退回补正须填写意见：申请人将看到原因")
        record_review(session, application, clerk.id, decision, comment.strip())
        if decision is ReviewDecision.APPROVE:
            # Reserved under the row lock; signed and recorded once this has committed.
            reservation = reserve_licence(ctx, session, application)
        log.info("application %s decided: %s", application.id, decision.value)
        clerk_id = clerk.id
    if reservation is not None:
        finish_licence(ctx, reservation, actor_id=clerk_id)
