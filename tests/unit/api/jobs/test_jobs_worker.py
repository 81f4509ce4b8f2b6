"""The embedded worker ``serve`` starts: huey consumer threads in this process, no signal
handlers taken from the host, processing a submitted application to its end."""

from __future__ import annotations

import signal
import time

from jobs_builders import make_application  # a sibling module

from api.db import Application, ApplicationState
from api.jobs import Jobs, start_embedded_worker


def test_the_embedded_worker_processes_a_submitted_application(jobs: Jobs) -> None:
    app = make_application(jobs.context.db, jobs.context.store,
                           state=ApplicationState.SUBMITTED)
    handler = signal.getsignal(signal.SIGINT)
    consumer = start_embedded_worker(jobs, workers=2)
    try:
        assert signal.getsignal(signal.SIGINT) is handler
        jobs.submit(app.id)
        deadline = time.monotonic() + 20
        while True:
            with jobs.context.db.transaction(read_only=True) as session:
                application = session.get(Application, app.id)
                assert application is not None
                if application.state is ApplicationState.APPROVED:
                    break
            assert time.monotonic() < deadline, application.state
            time.sleep(0.05)
    finally:
        consumer.stop(graceful=True)
