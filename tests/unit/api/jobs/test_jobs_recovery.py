"""The recovery sweep: huey forgets a job once a worker has taken it, so applications left in
submitted/processing longer than the grace period are found again from the database and their
jobs re-enqueued; the re-run completes them once."""

from __future__ import annotations

from datetime import datetime, timedelta

from jobs_builders import drain, make_application  # a sibling module
from sqlalchemy import select

from api.db import Application, ApplicationState, ValidationResult
from api.jobs import Jobs, stalled_applications


def test_a_lost_application_is_found_and_finished_once(jobs: Jobs) -> None:
    processing = make_application(jobs.context.db, jobs.context.store)
    submitted = make_application(jobs.context.db, jobs.context.store,
                                 state=ApplicationState.SUBMITTED)
    draft = make_application(jobs.context.db, jobs.context.store,
                             state=ApplicationState.DRAFT)
    # Nothing is queued: as after a worker was killed holding these jobs.
    assert jobs.huey.pending_count() == 0
    assert jobs.recover_now(timedelta(hours=1)) == []  # not stalled long enough yet
    assert jobs.recover_now(timedelta(0)) == [processing.id, submitted.id]
    assert draft.id not in stalled_applications(jobs.context, timedelta(0))
    drain(jobs.huey)
    # A second sweep (another worker's, a minute later) finds nothing and changes nothing.
    assert jobs.recover_now(timedelta(0)) == []
    with jobs.context.db.transaction(read_only=True) as session:
        states = {a.id: a.state for a in session.scalars(select(Application))}
        results = [r.application_id for r in session.scalars(select(ValidationResult))]
    assert states[processing.id] is ApplicationState.APPROVED
    assert states[submitted.id] is ApplicationState.APPROVED
    assert states[draft.id] is ApplicationState.DRAFT
    assert sorted(results) == [processing.id, submitted.id]


def test_the_periodic_sweep_is_a_registered_task(jobs: Jobs) -> None:
    processing = make_application(jobs.context.db, jobs.context.store)
    # What the consumer's scheduler enqueues every minute, run as a worker would. Its grace
    # period is 5 minutes, so a fresh application is left alone.
    [sweep] = jobs.huey.read_periodic(datetime.now())
    assert sweep.name == "recover_stalled"
    jobs.huey.execute(sweep)
    assert jobs.huey.pending_count() == 0
    assert processing.id in stalled_applications(jobs.context, timedelta(0))
