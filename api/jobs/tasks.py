"""The huey tasks: thin wrappers that run the job functions with the worker's
:class:`JobContext` and enqueue what comes next. Built per huey instance by :func:`create_jobs`
(no task is registered at import time), with the same names in the web process that enqueues
and in every worker that runs them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from huey import Huey, crontab
from huey.api import TaskWrapper

from api.db import Material, create_db
from api.jobs.context import JobContext
from api.jobs.materials import process_material
from api.jobs.pipeline import (
    process_application,
    stalled_applications,
    stalled_materials,
    validation_due,
)
from api.jobs.queue import create_huey
from api.jobs.validation import validate_application
from api.storage import FileStore
from api.workflow.issuing import finish_pending_licences
from core import Settings

log = logging.getLogger(__name__)

# A failing job (database down, a bug) is retried; a result ("unreadable image") is not a failure.
RETRIES = 3
RETRY_DELAY_SECONDS = 10
# How long an application may sit in submitted/processing before the sweep re-enqueues its jobs.
DEFAULT_RECOVER_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class Jobs:
    """A huey instance with our tasks registered, and the context they run with.
    Call ``jobs.submit(application_id)`` after an application is submitted and
    ``jobs.material_added(material_id)`` after a material is uploaded."""

    huey: Huey
    context: JobContext
    process_application: TaskWrapper
    process_material: TaskWrapper
    validate_application: TaskWrapper
    recover: TaskWrapper

    def submit(self, application_id: int) -> None:
        """Enqueue the processing of a submitted application."""
        self.process_application(application_id)

    def material_added(self, material_id: int) -> None:
        """Enqueue the processing of a material just uploaded to a draft (or returned)
        application, so its findings show before submitting. Submitting runs it again and
        finds it ``ALREADY_DONE``."""
        self.process_material(material_id)

    def recover_now(self, older_than: timedelta = DEFAULT_RECOVER_AFTER) -> list[int]:
        """Re-enqueue the processing of every stalled application (see
        :func:`api.jobs.pipeline.stalled_applications`); returns their ids. Also finishes
        the licences a crash (or a failed signature) left reserved but not recorded
        (:func:`api.workflow.issuing.finish_pending_licences`)."""
        issued = finish_pending_licences(self.context.workflow, older_than=older_than)
        if issued:
            log.info("recovery issued %d reserved licence(s)", len(issued))
        stalled = stalled_applications(self.context, older_than)
        for application_id in stalled:
            self.process_application(application_id)
        if stalled:
            log.info("recovery re-enqueued %d application(s)", len(stalled))
        materials = stalled_materials(self.context, older_than)
        for material_id in materials:
            self.process_material(material_id)
        if materials:
            log.info("recovery re-enqueued %d draft material(s)", len(materials))
        return stalled

    def close(self) -> None:
        self.context.close()


def create_jobs(settings: Settings, *, huey: Huey | None = None,
                context: JobContext | None = None,
                recover_after: timedelta = DEFAULT_RECOVER_AFTER) -> Jobs:
    """Register the tasks on ``huey`` (default :func:`api.jobs.create_huey`) with ``context``
    (default: the database and file store named by ``settings``)."""
    huey = huey if huey is not None else create_huey(settings)
    ctx = context if context is not None else JobContext(
        settings, create_db(settings), FileStore(settings.resolved_storage_dir))
    holder: dict[str, Jobs] = {}

    @huey.task(name="process_application", retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS)
    def process_application_task(application_id: int) -> str:
        due = process_application(ctx, application_id)
        for material_id in due.material_ids:
            process_material_task(material_id)
        if due.validate:
            validate_application_task(application_id)
        return due.outcome.value

    @huey.task(name="process_material", retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS)
    def process_material_task(material_id: int) -> str:
        outcome = process_material(ctx, material_id)
        application_id = _application_of(ctx, material_id)
        # Also after ALREADY_DONE: the run that stored the result may have died before this.
        if application_id is not None and validation_due(ctx, application_id):
            validate_application_task(application_id)
        return outcome.value

    @huey.task(name="validate_application", retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS)
    def validate_application_task(application_id: int) -> str:
        return validate_application(ctx, application_id).value

    @huey.periodic_task(crontab(minute="*"), name="recover_stalled")
    def recover_task() -> None:
        holder["jobs"].recover_now(recover_after)

    jobs = Jobs(huey, ctx, process_application_task, process_material_task,
                validate_application_task, recover_task)
    holder["jobs"] = jobs
    return jobs


def _application_of(ctx: JobContext, material_id: int) -> int | None:
    with ctx.db.transaction(read_only=True) as session:
        material = session.get(Material, material_id)
        return None if material is None else material.application_id

