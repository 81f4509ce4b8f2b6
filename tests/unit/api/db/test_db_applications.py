"""Materials stored once by SHA-256 and referenced from rows; reviews that move the state."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from api.db import (
    Account,
    Application,
    ApplicationState,
    AuditEntry,
    InvalidTransitionError,
    Material,
    Review,
    ReviewDecision,
    Role,
    add_material,
    change_state,
    record_review,
    verify_chain,
)
from api.storage import FileStore


def _setup(session) -> tuple[Account, Account, Application]:
    applicant = Account(username="app", role=Role.APPLICANT, password_hash="x")
    clerk = Account(username="clerk", role=Role.CLERK, password_hash="x")
    session.add_all([applicant, clerk])
    session.flush()
    application = Application(service_id="svc", applicant_id=applicant.id)
    session.add(application)
    session.flush()
    return applicant, clerk, application


def test_the_same_bytes_are_stored_once_for_two_materials(db, tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    data = b"\x89PNG fake id card"
    with db.transaction() as session:
        applicant, _, application = _setup(session)
        first = add_material(session, store, application, "id_card", data, "image/png",
                             actor_id=applicant.id)
        second = add_material(session, store, application, "id_card_back", data, "image/png",
                              actor_id=applicant.id)
        assert first.id != second.id
    with db.transaction() as session:
        rows = session.scalars(select(Material)).all()
        assert {r.sha256 for r in rows} == {hashlib.sha256(data).hexdigest()}
        assert all(r.size == len(data) for r in rows)
        assert store.get(rows[0].sha256) == data
        audit = session.scalars(select(AuditEntry)).all()
        assert [a.action for a in audit] == ["material.added"] * 2
    blobs = [p for p in (tmp_path / "files").rglob("*") if p.is_file() and ".tmp" not in p.parts]
    assert len(blobs) == 1


@pytest.mark.parametrize(("decision", "state"), [
    (ReviewDecision.APPROVE, ApplicationState.APPROVED),
    (ReviewDecision.REJECT, ApplicationState.REJECTED),
    (ReviewDecision.RETURN_FOR_CORRECTION, ApplicationState.RETURNED_FOR_CORRECTION),
])
def test_a_review_moves_the_application(db, decision, state) -> None:
    with db.transaction() as session:
        _, clerk, application = _setup(session)
        for target in (ApplicationState.SUBMITTED, ApplicationState.PROCESSING,
                       ApplicationState.NEEDS_REVIEW):
            change_state(session, application, target, actor_id=None)
        record_review(session, application, clerk.id, decision, "照片背景不合格")
        app_id = application.id
    with db.transaction() as session:
        assert session.get(Application, app_id).state is state
        (review,) = session.scalars(select(Review)).all()
        assert (review.decision, review.comment) == (decision, "照片背景不合格")
        details = "".join(a.details for a in session.scalars(select(AuditEntry)))
        assert "照片" not in details
        assert verify_chain(session).intact


def test_a_review_of_a_draft_is_refused_and_leaves_no_row(db) -> None:
    with db.transaction() as session:
        _, clerk, application = _setup(session)
        with pytest.raises(InvalidTransitionError):
            record_review(session, application, clerk.id, ReviewDecision.APPROVE)
        assert session.scalars(select(Review)).all() == []
