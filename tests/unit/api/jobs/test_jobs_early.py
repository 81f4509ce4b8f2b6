"""Processing a material as soon as it is uploaded (before submitting): ``Jobs.material_added``
enqueues its ``process_material`` task, and the recovery sweep finds a draft's material whose
early processing a killed worker lost (no OCR result, no photo check, uploaded before the grace
period) and enqueues it again — and leaves processed materials, fresh uploads and submitted
applications (the application sweep's) alone."""

from __future__ import annotations

from datetime import timedelta

from jobs_builders import SAMPLES, make_application  # a sibling module

from api.db import Application, ApplicationState, PhotoCheck, add_material
from api.jobs import Jobs
from api.jobs.pipeline import stalled_materials


def test_material_added_enqueues_its_processing(jobs: Jobs) -> None:
    app = make_application(jobs.context.db, jobs.context.store, state=ApplicationState.DRAFT,
                           confidence=None)
    assert jobs.huey.pending_count() == 0
    jobs.material_added(app.material_ids[0])
    [task] = jobs.huey.pending()
    assert task.name == "process_material" and task.args == (app.material_ids[0],)


def test_the_sweep_finds_a_drafts_lost_material(jobs: Jobs) -> None:
    ctx = jobs.context
    unread = make_application(ctx.db, ctx.store, state=ApplicationState.DRAFT, confidence=None)
    read = make_application(ctx.db, ctx.store, state=ApplicationState.DRAFT)
    submitted = make_application(ctx.db, ctx.store, state=ApplicationState.SUBMITTED,
                                 confidence=None)
    with ctx.db.transaction() as session:
        application = session.get(Application, read.id)
        assert application is not None
        photo = add_material(session, ctx.store, application, "photo",
                             (SAMPLES / "0000_id_card_front_clean.jpg").read_bytes(),
                             "image/jpeg", actor_id=None)
        session.add(PhotoCheck(material_id=photo.id, profile="cn-resident-id", passed=False,
                               result={"passed": False}))
    assert stalled_materials(ctx, timedelta(hours=1)) == []  # not lost long enough yet
    assert stalled_materials(ctx, timedelta(0)) == unread.material_ids
    assert not set(submitted.material_ids) & set(stalled_materials(ctx, timedelta(0)))
    assert jobs.recover_now(timedelta(0)) == [submitted.id]
    queued = [(t.name, t.args) for t in jobs.huey.pending()]
    for material_id in unread.material_ids:
        assert ("process_material", (material_id,)) in queued
    assert ("process_application", (submitted.id,)) in queued
    assert len(queued) == len(unread.material_ids) + 1
