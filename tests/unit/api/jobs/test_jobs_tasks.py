"""The job tasks through a real huey queue (SqliteHuey and RedisHuey): a submitted application
is processed, validated and moved on — instantly approved when its service allows it and every
finding is clear, to a clerk otherwise — with its audit entries; and each job, run twice,
applies its effect once."""

from __future__ import annotations

import json

from jobs_builders import drain, make_application  # a sibling module
from sqlalchemy import func, select

from api.db import (
    Application,
    ApplicationState,
    AuditAction,
    AuditEntry,
    ValidationResult,
    verify_chain,
)
from api.jobs import JobOutcome, Jobs, validate_application


def _state(jobs: Jobs, application_id: int) -> ApplicationState:
    with jobs.context.db.transaction(read_only=True) as session:
        application = session.get(Application, application_id)
        assert application is not None
        return application.state


def _results(jobs: Jobs, application_id: int) -> list[ValidationResult]:
    with jobs.context.db.transaction(read_only=True) as session:
        return list(session.scalars(select(ValidationResult).where(
            ValidationResult.application_id == application_id)))


def _state_changes(jobs: Jobs, application_id: int) -> list[tuple[str, str, str | None]]:
    with jobs.context.db.transaction(read_only=True) as session:
        rows = session.scalars(select(AuditEntry).where(
            AuditEntry.action == AuditAction.APPLICATION_STATE_CHANGED.value,
            AuditEntry.subject_id == str(application_id)).order_by(AuditEntry.seq))
        changes = [json.loads(r.details) for r in rows]
    return [(c["from"], c["to"], c.get("reason")) for c in changes]


def test_a_clear_application_of_an_instant_service_is_approved(jobs: Jobs) -> None:
    app = make_application(jobs.context.db, jobs.context.store,
                           state=ApplicationState.SUBMITTED)
    jobs.submit(app.id)
    assert drain(jobs.huey) == 2  # process_application, then validate_application
    assert _state(jobs, app.id) is ApplicationState.APPROVED
    [result] = _results(jobs, app.id)
    assert result.passed and result.result["verdict"] == "valid"
    assert result.result["auto_approvable"] is True
    assert _state_changes(jobs, app.id) == [
        ("draft", "submitted", None),
        ("submitted", "processing", "jobs:processing_started"),
        ("processing", "approved", "validation:auto_approved"),
    ]
    with jobs.context.db.transaction(read_only=True) as session:
        assert verify_chain(session).intact


def test_low_confidence_sends_the_application_to_a_clerk(jobs: Jobs) -> None:
    app = make_application(jobs.context.db, jobs.context.store, confidence=0.85)
    jobs.submit(app.id)
    drain(jobs.huey)
    assert _state(jobs, app.id) is ApplicationState.NEEDS_REVIEW
    [result] = _results(jobs, app.id)
    assert result.result["auto_approvable"] is False
    assert _state_changes(jobs, app.id)[-1] == (
        "processing", "needs_review", "validation:needs_review")


def test_a_service_without_instant_approval_goes_to_a_clerk(jobs: Jobs) -> None:
    # Sample case 0 is an ID-card renewal, valid, but with a surplus business licence (a
    # warning), which the renewal's auto_approve block does not allow.
    app = make_application(jobs.context.db, jobs.context.store, case=0,
                           service_id="id-card-renewal")
    jobs.submit(app.id)
    drain(jobs.huey)
    assert _state(jobs, app.id) is ApplicationState.NEEDS_REVIEW
    [result] = _results(jobs, app.id)
    assert result.passed  # valid, yet a clerk looks
    assert "material.unexpected" in {f["code"] for f in result.result["findings"]}


def test_validation_enqueued_twice_applies_once(jobs: Jobs) -> None:
    app = make_application(jobs.context.db, jobs.context.store)
    jobs.validate_application(app.id)
    jobs.validate_application(app.id)
    jobs.submit(app.id)  # and the fan-out, which enqueues a third validation
    drain(jobs.huey)
    assert len(_results(jobs, app.id)) == 1
    assert [c for c in _state_changes(jobs, app.id) if c[0] == "processing"] == [
        ("processing", "approved", "validation:auto_approved")]


def test_validate_application_run_twice_reports_already_done(jobs: Jobs) -> None:
    app = make_application(jobs.context.db, jobs.context.store)
    assert validate_application(jobs.context, app.id) is JobOutcome.APPLIED
    assert validate_application(jobs.context, app.id) is JobOutcome.ALREADY_DONE
    with jobs.context.db.transaction(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(ValidationResult)) == 1


def test_validation_waits_for_every_material(jobs: Jobs) -> None:
    app = make_application(jobs.context.db, jobs.context.store, confidence=None)
    assert validate_application(jobs.context, app.id) is JobOutcome.NOT_READY
    assert validate_application(jobs.context, 10_000) is JobOutcome.NOT_FOUND
    assert _state(jobs, app.id) is ApplicationState.PROCESSING
    assert _results(jobs, app.id) == []


def test_a_draft_is_not_processed(jobs: Jobs) -> None:
    app = make_application(jobs.context.db, jobs.context.store, state=ApplicationState.DRAFT)
    jobs.submit(app.id)
    assert drain(jobs.huey) == 1
    assert _state(jobs, app.id) is ApplicationState.DRAFT
    assert _results(jobs, app.id) == []
