"""Durable background jobs of the service, on huey: OCR of documents and portrait checks of
materials, and the validation of an application with its move out of ``processing`` (to
``needs_review``, or ``approved`` for instant approval). Owns the queue built from Settings
(embedded SQLite queue or Redis), the task functions (idempotent: a state guard under a row
lock), and the recovery sweep that re-enqueues what a killed worker lost. Only ``api`` imports
it.
"""

from api.jobs.context import JobContext
from api.jobs.errors import JobsConfigError, JobsError
from api.jobs.materials import process_material
from api.jobs.outcome import JobOutcome
from api.jobs.pipeline import DueJobs, process_application, stalled_applications
from api.jobs.queue import DEFAULT_QUEUE_NAME, create_huey
from api.jobs.tasks import DEFAULT_RECOVER_AFTER, Jobs, create_jobs
from api.jobs.validation import validate_application
from api.jobs.worker import EmbeddedConsumer, run_worker, start_embedded_worker

__all__ = [
    "DEFAULT_QUEUE_NAME",
    "DEFAULT_RECOVER_AFTER",
    "DueJobs",
    "EmbeddedConsumer",
    "JobContext",
    "JobOutcome",
    "Jobs",
    "JobsConfigError",
    "JobsError",
    "create_huey",
    "create_jobs",
    "process_application",
    "process_material",
    "run_worker",
    "stalled_applications",
    "start_embedded_worker",
    "validate_application",
]
