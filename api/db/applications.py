"""Changing an application: its state (checked against the state machine), its materials (bytes
in the file store, a row here) and its reviews, each with its audit entry in the same
transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.db.audit import AuditAction, append_audit
from api.db.models import Application, Material, Review
from api.db.states import ApplicationState, ReviewDecision, check_transition
from api.storage import FileStore


def change_state(session: Session, application: Application, target: ApplicationState,
                 *, actor_id: int | None, reason: str | None = None) -> None:
    """Move ``application`` to ``target`` and append the audit entry, in the caller's
    transaction (commit or roll back both together). ``reason`` is a code, not free text.
    Raises InvalidTransitionError (and changes nothing) when the state machine forbids it."""
    previous = application.state
    check_transition(previous, target)
    application.state = target
    session.flush()
    details: dict[str, str] = {"from": previous.value, "to": target.value}
    if reason is not None:
        details["reason"] = reason
    append_audit(session, AuditAction.APPLICATION_STATE_CHANGED, actor_id=actor_id,
                 subject_type="application", subject_id=str(application.id), details=details)


def add_material(session: Session, store: FileStore, application: Application,
                 material_type: str, data: bytes, content_type: str,
                 *, actor_id: int | None) -> Material:
    """Store ``data`` once in the file store (by SHA-256) and attach it to ``application``.
    ``content_type`` must be the sniffed type, not the client's claim."""
    sha256 = store.put(data)
    material = Material(application_id=application.id, material_type=material_type,
                        sha256=sha256, content_type=content_type, size=len(data))
    session.add(material)
    session.flush()
    append_audit(session, AuditAction.MATERIAL_ADDED, actor_id=actor_id,
                 subject_type="application", subject_id=str(application.id),
                 details={"material_id": material.id, "material_type": material_type,
                          "sha256": sha256})
    return material


def record_review(session: Session, application: Application, reviewer_id: int,
                  decision: ReviewDecision, comment: str = "") -> Review:
    """A clerk's decision: the review row, the state change it implies and both audit entries,
    in the caller's transaction. The comment is kept in the review, never in the audit log.
    Checking that the reviewer is a clerk is the caller's job (the API's role guard)."""
    check_transition(application.state, decision.target_state)
    review = Review(application_id=application.id, reviewer_id=reviewer_id, decision=decision,
                    comment=comment)
    session.add(review)
    session.flush()
    append_audit(session, AuditAction.REVIEW_RECORDED, actor_id=reviewer_id,
                 subject_type="application", subject_id=str(application.id),
                 details={"review_id": review.id, "decision": decision.value})
    change_state(session, application, decision.target_state, actor_id=reviewer_id,
                 reason=f"review:{decision.value}")
    return review
