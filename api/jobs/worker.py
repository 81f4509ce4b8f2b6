"""Running the tasks: :func:`run_worker` is ``zhengzhao worker`` (a huey consumer in the
foreground, after a recovery sweep), :func:`start_embedded_worker` the thread-based consumer
``serve`` starts beside the web app when the embedded SQLite queue is used."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from huey.consumer import Consumer

from api.jobs.tasks import Jobs

log = logging.getLogger(__name__)

# How a worker polls a queue that cannot block (the embedded SQLite queue; Redis blocks and is
# woken at once): huey's defaults back off to one poll every 10 s when idle, so an application
# submitted after a quiet minute waited up to 10 s before its first job started. A poll is one
# small SQLite query: four a second per thread cost nothing.
POLL_INITIAL_DELAY = 0.05
POLL_BACKOFF = 1.15
POLL_MAX_DELAY = 0.25
_POLLING = {"initial_delay": POLL_INITIAL_DELAY, "backoff": POLL_BACKOFF,
            "max_delay": POLL_MAX_DELAY}


class EmbeddedConsumer(Consumer):
    """A consumer that leaves signal handling to its host (uvicorn owns SIGINT/SIGTERM)."""

    def _set_signal_handlers(self) -> None:
        pass


def start_embedded_worker(jobs: Jobs, *, workers: int = 1,
                          recover_after: timedelta | None = None,
                          warm_up: bool = False) -> EmbeddedConsumer:
    """Start worker threads and the scheduler (for the periodic recovery sweep) in this
    process; stop them with ``consumer.stop(graceful=True)``. With ``recover_after``, stalled
    applications are re-enqueued first; with ``warm_up``, the models load on a thread now."""
    if warm_up:
        _warm_up(jobs)
    if recover_after is not None:
        jobs.recover_now(recover_after)
    consumer = EmbeddedConsumer(jobs.huey, workers=workers, worker_type="thread",
                                periodic=True, check_worker_health=False, **_POLLING)
    consumer.start()
    return consumer


def run_worker(jobs: Jobs, *, workers: int = 1, recover_after: timedelta | None = None,
               warm_up: bool = False) -> None:
    """Run a consumer in the foreground until SIGINT (graceful: running jobs finish) or SIGTERM.
    With ``recover_after``, first re-enqueue applications stalled at least that long — the jobs
    a killed worker took with it (huey itself drops a job once a worker has taken it); with
    ``warm_up``, the models load on a thread at once."""
    if warm_up:
        _warm_up(jobs)
    if recover_after is not None:
        jobs.recover_now(recover_after)
    consumer = Consumer(jobs.huey, workers=workers, worker_type="thread", periodic=True,
                        **_POLLING)
    log.info("worker started with %d thread(s)", workers)
    consumer.run()


def _warm_up(jobs: Jobs) -> None:
    threading.Thread(target=jobs.context.warm_up, name="zz-warm-up", daemon=True).start()

