"""The job consumers poll a queue that cannot block (the embedded SQLite one) at most every
``POLL_MAX_DELAY`` seconds when idle: huey's default backs off to 10 s, which an application
submitted after a quiet minute would wait before its first job started."""

from __future__ import annotations

from pathlib import Path

from huey import SqliteHuey

from api.jobs import create_jobs, start_embedded_worker
from api.jobs.worker import POLL_MAX_DELAY
from core import Settings


def test_the_embedded_workers_poll_an_idle_sqlite_queue_often(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    jobs = create_jobs(settings, huey=SqliteHuey("poll", filename=str(tmp_path / "jobs.db"),
                                                 results=False))
    consumer = start_embedded_worker(jobs, workers=2)
    try:
        workers = [worker for worker, _thread in consumer.worker_threads]
        assert len(workers) == 2 and not jobs.huey.storage.blocking
        assert all(w.max_delay == POLL_MAX_DELAY <= 0.5 for w in workers)
        worker = workers[0]
        worker.delay = 10.0  # as if idle for a long time
        worker.sleep()
        assert worker.delay <= POLL_MAX_DELAY * worker.backoff
    finally:
        consumer.stop(graceful=True)
        jobs.close()
