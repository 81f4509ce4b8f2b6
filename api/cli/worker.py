"""``zhengzhao worker``: run the background jobs (OCR, photo checks, validation) from the queue
named by ``ZZ_JOBS_URL`` — the embedded SQLite queue in the data dir when unset, or Redis for
workers on several machines. First re-enqueues applications stalled for ``--recover-after``
seconds (what a killed worker lost), then consumes until SIGINT (graceful) or SIGTERM.
With ``--metrics-port`` it serves its own Prometheus metrics (the jobs this worker ran, done,
failed and retried by task, and the queue sizes) at ``http://<--metrics-host>:<port>/metrics``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server

from api.cli.common import EXIT_OK
from api.db import upgrade
from api.jobs import (
    DEFAULT_QUEUE_NAME,
    DEFAULT_RECOVER_AFTER,
    create_huey,
    create_jobs,
    run_worker,
)
from api.jobs.metrics import register_job_metrics
from core import Settings, configure_logging, get_settings

log = logging.getLogger(__name__)

DEFAULT_RECOVER_AFTER_SECONDS = DEFAULT_RECOVER_AFTER.total_seconds()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=int, default=2, metavar="N",
                        help="worker threads in this process (default 2)")
    parser.add_argument("--recover-after", type=float, metavar="SECONDS",
                        default=DEFAULT_RECOVER_AFTER_SECONDS,
                        help="re-enqueue applications stalled this long, at start and every "
                        "minute (default 300)")
    parser.add_argument("--queue", default=None, metavar="NAME",
                        help="queue name, to keep several services apart on one Redis "
                        f"(default $ZZ_JOBS_QUEUE, else {DEFAULT_QUEUE_NAME})")
    parser.add_argument("--metrics-port", type=int, default=None, metavar="PORT",
                        help="serve this worker's Prometheus metrics on PORT (default: off)")
    parser.add_argument("--metrics-host", default="127.0.0.1", metavar="HOST",
                        help="address the metrics listen on (default 127.0.0.1)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    upgrade(settings)
    jobs = create_jobs(settings, huey=create_huey(settings, name=args.queue),
                       recover_after=timedelta(seconds=args.recover_after))
    server = None
    if args.metrics_port is not None:
        server = serve_worker_metrics(jobs.huey, args.metrics_host, args.metrics_port)
    try:
        run_worker(jobs, workers=args.workers,
                   recover_after=timedelta(seconds=args.recover_after), warm_up=True)
    finally:
        if server is not None:
            server.shutdown()
        jobs.close()
    return EXIT_OK


def serve_worker_metrics(huey: Any, host: str, port: int) -> Any:
    """Count ``huey``'s jobs in a registry of this worker's own and serve it over HTTP in a
    daemon thread (``prometheus_client.start_http_server``); returns the server."""
    registry = CollectorRegistry(auto_describe=True)
    register_job_metrics(registry, huey)
    server, _thread = start_http_server(port, addr=host, registry=registry)
    log.info("worker metrics on %s:%d", host, port)
    return server


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m api.cli.worker`` (the same as ``zhengzhao worker``)."""
    parser = argparse.ArgumentParser(prog="zhengzhao worker")
    add_arguments(parser)
    args = parser.parse_args(argv)
    settings = get_settings()
    configure_logging(settings.log_level)
    return run(args, settings)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
