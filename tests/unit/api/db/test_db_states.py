"""The application state machine: the table the issue describes, nothing more, nothing less."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from api.db import (
    Account,
    Application,
    ApplicationState,
    AuditEntry,
    InvalidTransitionError,
    ReviewDecision,
    Role,
    can_transition,
    change_state,
    check_transition,
    verify_chain,
)
from core import ErrorCode

S = ApplicationState
# Written out from the issue text (draft → submitted → processing → needs_review →
# approved | rejected | returned_for_correction; approved → issued), plus instant approval
# (processing → approved) and resubmission after correction (returned → submitted).
EXPECTED_EDGES = {
    ("draft", "submitted"),
    ("submitted", "processing"),
    ("processing", "needs_review"),
    ("processing", "approved"),
    ("needs_review", "approved"),
    ("needs_review", "rejected"),
    ("needs_review", "returned_for_correction"),
    ("returned_for_correction", "submitted"),
    ("approved", "issued"),
}
ALL_PAIRS = list(itertools.product([s.value for s in S], repeat=2))


@pytest.mark.parametrize(("current", "target"), sorted(EXPECTED_EDGES))
def test_every_allowed_transition_works(current: str, target: str) -> None:
    assert can_transition(S(current), S(target))
    assert check_transition(S(current), S(target)) is S(target)


@pytest.mark.parametrize(("current", "target"),
                         [p for p in ALL_PAIRS if p not in EXPECTED_EDGES])
def test_every_other_transition_raises(current: str, target: str) -> None:
    assert not can_transition(S(current), S(target))
    with pytest.raises(InvalidTransitionError) as caught:
        check_transition(S(current), S(target))
    assert caught.value.code is ErrorCode.INVALID_TRANSITION
    assert current in caught.value.message_en and target in caught.value.message_en


def test_final_states_have_no_way_out() -> None:
    for final in (S.REJECTED, S.ISSUED):
        assert not any(can_transition(final, s) for s in S)


def test_review_decisions_lead_to_review_states() -> None:
    assert ReviewDecision.APPROVE.target_state is S.APPROVED
    assert ReviewDecision.REJECT.target_state is S.REJECTED
    assert ReviewDecision.RETURN_FOR_CORRECTION.target_state is S.RETURNED_FOR_CORRECTION


def _application(session) -> Application:
    applicant = Account(username="a1", role=Role.APPLICANT, password_hash="x")
    session.add(applicant)
    session.flush()
    app = Application(service_id="demo-service", applicant_id=applicant.id)
    session.add(app)
    session.flush()
    return app


def test_change_state_walks_the_happy_path_and_audits_each_step(db) -> None:
    path = [S.SUBMITTED, S.PROCESSING, S.NEEDS_REVIEW, S.APPROVED, S.ISSUED]
    with db.transaction() as session:
        app = _application(session)
        assert app.state is S.DRAFT
        for target in path:
            change_state(session, app, target, actor_id=7)
        app_id = app.id
    with db.transaction() as session:
        assert session.get(Application, app_id).state is S.ISSUED
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        assert [r.action for r in rows] == ["application.state_changed"] * len(path)
        assert all(r.subject_id == str(app_id) and r.actor_id == 7 for r in rows)
        assert '"to":"issued"' in rows[-1].details
        assert verify_chain(session).intact


def test_a_refused_change_leaves_state_and_log_untouched(db) -> None:
    with db.transaction() as session:
        app = _application(session)
        app_id = app.id
    with db.transaction() as session:
        app = session.get(Application, app_id)
        with pytest.raises(InvalidTransitionError):
            change_state(session, app, S.ISSUED, actor_id=1)
        assert app.state is S.DRAFT
    with db.transaction() as session:
        assert session.get(Application, app_id).state is S.DRAFT
        assert session.scalars(select(AuditEntry)).all() == []
