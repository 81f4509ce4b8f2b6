"""``process_application``: the start of an application's processing and the sweep's way back
in. It moves a ``submitted`` application to ``processing`` (once: the state change is the
guard) and says which jobs are still due — the materials without a result, or the validation
when none is missing. Running it again on a ``processing`` application is how a lost job is
found again (see :mod:`api.jobs.recovery`). :func:`stalled_materials` finds the early
processing of an upload to a draft that a killed worker lost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import exists, select

from api.db import Application, ApplicationState, Material, PhotoCheck, change_state
from api.jobs.context import JobContext
from api.jobs.materials import material_done
from api.jobs.outcome import JobOutcome

REASON_PROCESSING_STARTED = "jobs:processing_started"
ACTIVE_STATES = (ApplicationState.SUBMITTED, ApplicationState.PROCESSING)
# Materials uploaded in these states are processed at once, before any submission.
EDITABLE_STATES = (ApplicationState.DRAFT, ApplicationState.RETURNED_FOR_CORRECTION)


@dataclass(frozen=True, slots=True)
class DueJobs:
    """What :func:`process_application` found still to do for one application."""

    outcome: JobOutcome
    material_ids: tuple[int, ...] = ()
    validate: bool = False


def process_application(ctx: JobContext, application_id: int) -> DueJobs:
    """Start (``submitted`` → ``processing``) or resume an application's processing."""
    with ctx.db.transaction() as session:
        application = session.scalars(select(Application).where(Application.id == application_id)
                                      .with_for_update()).one_or_none()
        if application is None:
            return DueJobs(JobOutcome.NOT_FOUND)
        if application.state not in ACTIVE_STATES:
            return DueJobs(JobOutcome.ALREADY_DONE if application.state
                           is not ApplicationState.DRAFT else JobOutcome.NOT_READY)
        outcome = JobOutcome.ALREADY_DONE
        if application.state is ApplicationState.SUBMITTED:
            change_state(session, application, ApplicationState.PROCESSING, actor_id=None,
                         reason=REASON_PROCESSING_STARTED)
            outcome = JobOutcome.APPLIED
        service = ctx.service(application.service_id)
        missing = tuple(m.id for m in application.materials
                        if not material_done(session, m, service))
    return DueJobs(outcome, missing, validate=not missing)


def validation_due(ctx: JobContext, application_id: int) -> bool:
    """Whether an application is in ``processing`` with every material's result stored."""
    with ctx.db.transaction(read_only=True) as session:
        application = session.get(Application, application_id)
        if application is None or application.state is not ApplicationState.PROCESSING:
            return False
        service = ctx.service(application.service_id)
        return all(material_done(session, m, service) for m in application.materials)


def stalled_applications(ctx: JobContext, older_than: timedelta) -> list[int]:
    """Applications in ``submitted`` or ``processing`` not changed for ``older_than``: their job
    may have died with a worker. Re-running :func:`process_application` on a live one is
    harmless (every job is idempotent), so the only cost of a short delay is duplicate work."""
    cutoff = datetime.now(UTC) - older_than
    with ctx.db.transaction(read_only=True) as session:
        return list(session.scalars(
            select(Application.id).where(Application.state.in_(ACTIVE_STATES),
                                         Application.updated_at <= cutoff)
            .order_by(Application.id)))


def stalled_materials(ctx: JobContext, older_than: timedelta) -> list[int]:
    """Materials of draft (or returned) applications uploaded at least ``older_than`` ago and
    still without a result (no OCR JSON, no photo check): their early processing was lost with
    a worker. Running :func:`api.jobs.process_material` again is harmless (it is idempotent)."""
    cutoff = datetime.now(UTC) - older_than
    checked = exists().where(PhotoCheck.material_id == Material.id)
    with ctx.db.transaction(read_only=True) as session:
        return list(session.scalars(
            select(Material.id).join(Application, Material.application_id == Application.id)
            .where(Application.state.in_(EDITABLE_STATES), Material.created_at <= cutoff,
                   Material.ocr_result.is_(None), ~checked)
            .order_by(Material.id)))
