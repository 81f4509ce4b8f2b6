"""A clerk's review: the applications waiting for a person, what a clerk may see (a draft, not
yet submitted, is the applicant's own: to a clerk it and its materials do not exist), and the
decision — approve (the licence is reserved under the application's row lock in the decision's
transaction, then signed and recorded outside it: :mod:`api.workflow.issuing`), reject, or
return for correction. ``record_review`` audits the decision and the state change."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import Application, ApplicationState, Material, ReviewDecision, record_review
from api.workflow.applications import account_of, load_application
from api.workflow.context import WorkflowContext
from api.workflow.errors import WorkflowNotFoundError
from api.workflow.issuing import finish_licence, reserve_licence

__all__ = ["decide", "review_queue", "submitted_application", "submitted_material"]

log = logging.getLogger(__name__)

_HIDDEN_FROM_CLERKS = frozenset({ApplicationState.DRAFT})


def review_queue(session: Session) -> list[Application]:
    """Applications in ``needs_review``, oldest first."""
    return list(session.scalars(select(Application)
                                .where(Application.state == ApplicationState.NEEDS_REVIEW)
                                .order_by(Application.updated_at, Application.id)))


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


def decide(ctx: WorkflowContext, clerk_username: str, application_id: int,
           decision: ReviewDecision, comment: str) -> None:
    """Record the clerk's decision on an application in ``needs_review``
    (``application.invalid_transition`` otherwise); an approval issues the licence once the
    decision has committed."""
    reservation = None
    with ctx.db.transaction() as session:
        clerk = account_of(session, clerk_username)
        application = submitted_application(session, application_id, for_update=True)
        record_review(session, application, clerk.id, decision, comment)
        if decision is ReviewDecision.APPROVE:
            # Reserved under the row lock; signed and recorded once this has committed.
            reservation = reserve_licence(ctx, session, application)
        log.info("application %s decided: %s", application.id, decision.value)
        clerk_id = clerk.id
    if reservation is not None:
        finish_licence(ctx, reservation, actor_id=clerk_id)
