"""``zhengzhao serve [--host 127.0.0.1] [--port 8000] [--workers N]``: run the service with
uvicorn (uvloop and httptools), settings from the ``ZZ_*`` environment / ``.env``. On startup the
trust folder is refreshed (a demo PKI is created in dev).

With ``--workers N`` (default ``ZZ_WEB_CONCURRENCY``, else 1) uvicorn forks N web processes
that share the port; each builds its app with :func:`worker_app` from the same environment.
This process then supervises them and owns what must happen once: the database migration,
publishing the trust folder (at start and every ``REPUBLISH_EVERY_SECONDS``) and, on the
embedded queue, the one job consumer — the web workers only enqueue. SQLite (WAL, a busy
timeout, ``BEGIN IMMEDIATE`` for writers) is safe to share between these processes.
"""

from __future__ import annotations

import argparse
import logging
import os
import threading
from typing import Any

import uvicorn

from api.app import create_app
from api.cli.common import EXIT_OK
from api.cli.worker import serve_worker_metrics
from api.db import upgrade
from api.deps import REPUBLISH_EVERY_SECONDS, TrustCache
from api.jobs import DEFAULT_RECOVER_AFTER, create_jobs, start_embedded_worker
from api.service_api import ServiceContext
from core import Settings, configure_logging, get_settings

log = logging.getLogger(__name__)

WEB_CONCURRENCY_ENV = "ZZ_WEB_CONCURRENCY"
# The event loop and HTTP parser uvicorn runs (C implementations: pinned dependencies).
LOOP, HTTP = "uvloop", "httptools"
DEFAULT_JOB_WORKERS = 1


def add_arguments(serve: argparse.ArgumentParser) -> None:
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    # argparse converts a string default with ``type``: a bad $ZZ_WEB_CONCURRENCY is a usage
    # error like a bad --workers.
    serve.add_argument("--workers", type=_positive, metavar="N",
                       default=os.environ.get(WEB_CONCURRENCY_ENV) or None,
                       help=f"web worker processes (default ${WEB_CONCURRENCY_ENV} or 1); "
                       "about one per core")
    serve.add_argument("--job-workers", type=_positive, default=DEFAULT_JOB_WORKERS, metavar="N",
                       help="threads of the embedded job consumer (no ZZ_JOBS_URL; default "
                       f"{DEFAULT_JOB_WORKERS})")
    serve.add_argument("--job-metrics-port", type=int, default=None, metavar="PORT",
                       help="with --workers > 1 the embedded job consumer runs in the "
                       "supervising process: serve its job counters on 127.0.0.1:PORT/metrics "
                       "(with one worker they are in the app's own /metrics)")


def _positive(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError("between 1 and 64")
    return value


def web_workers(args: argparse.Namespace) -> int:
    """``--workers`` (default ``$ZZ_WEB_CONCURRENCY``), else 1."""
    workers = getattr(args, "workers", None)
    return 1 if workers is None else int(workers)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until interrupted."""
    workers = web_workers(args)
    # One queue for the routes and the worker. With the embedded queue (no ZZ_JOBS_URL) the
    # worker runs inside this process; with Redis, `zhengzhao worker` runs on each machine.
    upgrade(settings)  # the worker's recovery sweep reads the tables before the app starts
    jobs = create_jobs(settings)
    options = uvicorn_options(args, settings)
    republisher = None
    if workers == 1:
        app: Any = _app(settings, jobs, refresh_trust_on_startup=True)
    else:
        # Publish before any worker starts (in dev this also creates the keys, which must
        # happen once), then keep it fresh from here: the workers only read the folder.
        republisher = _Republisher(settings, jobs)
        app = f"{__name__}:worker_app"
        options.update(factory=True, workers=workers)
    consumer = (start_embedded_worker(jobs, workers=getattr(args, "job_workers",
                                                            DEFAULT_JOB_WORKERS),
                                      recover_after=DEFAULT_RECOVER_AFTER, warm_up=True)
                if settings.jobs_url is None else None)
    metrics_server = None
    port = getattr(args, "job_metrics_port", None)
    if consumer is not None and workers > 1 and port is not None:
        metrics_server = serve_worker_metrics(jobs.huey, "127.0.0.1", port)
    try:
        uvicorn.run(app, **options)
    finally:
        if metrics_server is not None:
            metrics_server.shutdown()
        if republisher is not None:
            republisher.stop()
        if consumer is not None:
            consumer.stop(graceful=True)
        jobs.close()
    return EXIT_OK


def uvicorn_options(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    """uvicorn's keyword arguments. ``proxy_headers`` is off: uvicorn would otherwise believe
    ``X-Forwarded-For`` from loopback (issue 11, finding 7); the app reads forwarded headers
    from ``ZZ_TRUSTED_PROXIES`` only (:mod:`api.security_headers`)."""
    return {"host": args.host, "port": args.port, "loop": LOOP, "http": HTTP,
            "log_level": settings.log_level.lower(), "access_log": False,
            "proxy_headers": False, "forwarded_allow_ips": ""}


def worker_app() -> Any:
    """The app of one web worker process (``uvicorn --factory``): settings from the same
    environment as the supervising ``serve``, a queue it only enqueues on, and no trust refresh
    (the supervisor publishes)."""
    settings = get_settings()
    configure_logging(settings.log_level)
    app = _app(settings, create_jobs(settings), refresh_trust_on_startup=False)
    app.state.trust.get()  # read the folder the supervisor published: ready before serving
    return app


def _app(settings: Settings, jobs: Any, *, refresh_trust_on_startup: bool) -> Any:
    return create_app(settings, service=ServiceContext(settings, jobs=jobs),
                      refresh_trust_on_startup=refresh_trust_on_startup)


class _Republisher:
    """Publishes the trust folder now, then every ``REPUBLISH_EVERY_SECONDS`` on a thread."""

    def __init__(self, settings: Settings, jobs: Any) -> None:
        self._context = ServiceContext(settings, jobs=jobs)
        self._trust = TrustCache(settings, self._context.licence_registry)
        self._trust.refresh()
        self._every = REPUBLISH_EVERY_SECONDS
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="zz-republish", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopped.wait(self._every):
            try:
                self._trust.refresh()
            except Exception:  # noqa: BLE001 - try again next time; the list lasts a week
                log.exception("re-publishing the trust folder failed")

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)
        self._context.db.dispose()
