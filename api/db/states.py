"""The application state machine as one pure table, plus the roles and review decisions.

Nothing here touches the database; :func:`api.db.applications.change_state` applies a checked
transition to a row and writes the audit entry in the same transaction.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

from api.db.errors import InvalidTransitionError


class Role(StrEnum):
    """Who an account is: applicants apply, clerks review, admins revoke and rotate keys."""

    APPLICANT = "applicant"
    CLERK = "clerk"
    ADMIN = "admin"


class ApplicationState(StrEnum):
    """Where an application stands (办件状态)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    PROCESSING = "processing"
    NEEDS_REVIEW = "needs_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED_FOR_CORRECTION = "returned_for_correction"
    ISSUED = "issued"


class ReviewDecision(StrEnum):
    """What a clerk decided; each maps to the state it moves the application to."""

    APPROVE = "approve"
    REJECT = "reject"
    RETURN_FOR_CORRECTION = "return_for_correction"

    @property
    def target_state(self) -> ApplicationState:
        return {
            ReviewDecision.APPROVE: ApplicationState.APPROVED,
            ReviewDecision.REJECT: ApplicationState.REJECTED,
            ReviewDecision.RETURN_FOR_CORRECTION: ApplicationState.RETURNED_FOR_CORRECTION,
        }[self]


_S = ApplicationState
# The whole state machine. PROCESSING -> APPROVED is instant approval (秒批): every rule passed
# above its confidence threshold on a service that allows it. A returned application goes back
# to SUBMITTED once the applicant has corrected it. REJECTED and ISSUED are final.
ALLOWED_TRANSITIONS: MappingProxyType[ApplicationState, frozenset[ApplicationState]] = (
    MappingProxyType({
        _S.DRAFT: frozenset({_S.SUBMITTED}),
        _S.SUBMITTED: frozenset({_S.PROCESSING}),
        _S.PROCESSING: frozenset({_S.NEEDS_REVIEW, _S.APPROVED}),
        _S.NEEDS_REVIEW: frozenset({_S.APPROVED, _S.REJECTED, _S.RETURNED_FOR_CORRECTION}),
        _S.RETURNED_FOR_CORRECTION: frozenset({_S.SUBMITTED}),
        _S.APPROVED: frozenset({_S.ISSUED}),
        _S.REJECTED: frozenset(),
        _S.ISSUED: frozenset(),
    })
)


def can_transition(current: ApplicationState, target: ApplicationState) -> bool:
    """Whether the state machine allows ``current`` → ``target``."""
    return target in ALLOWED_TRANSITIONS[current]


def check_transition(current: ApplicationState, target: ApplicationState) -> ApplicationState:
    """``target`` if ``current`` → ``target`` is allowed; raises InvalidTransitionError if not."""
    if not can_transition(current, target):
        allowed = sorted(s.value for s in ALLOWED_TRANSITIONS[current])
        raise InvalidTransitionError(current.value, target.value, allowed)
    return target

