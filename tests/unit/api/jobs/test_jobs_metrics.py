"""Job metrics with real jobs on each queue (SqliteHuey, RedisHuey): the queue size read from the
broker by a second huey instance (as another process would see it), and the done / errors /
failed / retried counters fed by huey's signals while the tasks run — a real application
processed and validated, and a real material job that fails because this worker has no OCR
reader."""

from __future__ import annotations

from huey import Huey, RedisHuey
from jobs_builders import REDIS_URL, drain, make_application  # a sibling module
from prometheus_client import CollectorRegistry

from api.db import ApplicationState
from api.jobs import Jobs, create_huey
from api.jobs.metrics import QueueCollector, register_job_metrics
from core import Settings


def _other_process_view(huey: Huey, settings: Settings) -> CollectorRegistry:
    """A registry over a second huey instance on the same broker."""
    if isinstance(huey, RedisHuey):
        other = create_huey(settings.model_copy(update={"jobs_url": REDIS_URL}), name=huey.name)
    else:
        other = create_huey(settings)
    registry = CollectorRegistry()
    registry.register(QueueCollector(other))
    return registry


def _value(registry: CollectorRegistry, name: str, task: str | None = None) -> float:
    labels = {} if task is None else {"task": task}
    value = registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


def test_queued_done_failed_and_retried_move_with_real_jobs(jobs: Jobs,
                                                            job_settings: Settings) -> None:
    registry = CollectorRegistry()
    counters = register_job_metrics(registry, jobs.huey)
    remote = _other_process_view(jobs.huey, job_settings)
    try:
        app = make_application(jobs.context.db, jobs.context.store,
                               state=ApplicationState.SUBMITTED)
        jobs.submit(app.id)
        assert _value(remote, "zz_jobs_queued") == 1.0
        assert _value(registry, "zz_jobs_queued") == 1.0
        assert _value(registry, "zz_jobs_enqueued_total", "process_application") == 1.0

        assert drain(jobs.huey) == 2
        assert _value(remote, "zz_jobs_queued") == 0.0
        assert _value(registry, "zz_jobs_done_total", "process_application") == 1.0
        assert _value(registry, "zz_jobs_done_total", "validate_application") == 1.0
        assert _value(registry, "zz_job_duration_seconds_count", "validate_application") == 1.0

        # A material without an OCR result needs the reader, which this worker refuses to
        # build: the job raises. One retry without delay, then it has failed for good.
        unread = make_application(jobs.context.db, jobs.context.store, confidence=None)
        task = jobs.process_material.s(unread.material_ids[0])
        task.retries, task.retry_delay = 1, 0
        jobs.huey.enqueue(task)
        assert drain(jobs.huey) == 2  # the first try and its retry
        assert _value(registry, "zz_jobs_errors_total", "process_material") == 2.0
        assert _value(registry, "zz_jobs_retried_total", "process_material") == 1.0
        assert _value(registry, "zz_jobs_failed_total", "process_material") == 1.0
        assert _value(registry, "zz_jobs_done_total", "process_material") == 0.0
        assert _value(remote, "zz_jobs_queued") == 0.0
    finally:
        counters.disconnect()


def test_a_retry_with_a_delay_shows_as_scheduled(jobs: Jobs, job_settings: Settings) -> None:
    registry = CollectorRegistry()
    counters = register_job_metrics(registry, jobs.huey)
    remote = _other_process_view(jobs.huey, job_settings)
    try:
        unread = make_application(jobs.context.db, jobs.context.store, confidence=None)
        jobs.process_material(unread.material_ids[0])  # the task's own retries and delay
        assert drain(jobs.huey) == 1
        assert _value(remote, "zz_jobs_scheduled") == 1.0
        assert _value(registry, "zz_jobs_retried_total", "process_material") == 1.0
        assert _value(registry, "zz_jobs_failed_total", "process_material") == 0.0
    finally:
        counters.disconnect()


def test_a_broker_that_does_not_answer_leaves_the_queue_out(job_settings: Settings) -> None:
    unreachable = create_huey(job_settings.model_copy(
        update={"jobs_url": "redis://127.0.0.1:1/0"}), name="zz-nowhere")
    registry = CollectorRegistry()
    registry.register(QueueCollector(unreachable))
    assert registry.get_sample_value("zz_jobs_queued") is None
