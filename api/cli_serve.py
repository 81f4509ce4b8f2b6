"""``zhengzhao serve [--host 127.0.0.1] [--port 8000]``: run the service with uvicorn, settings
from the ``ZZ_*`` environment / ``.env``. On startup the trust folder is refreshed (a demo PKI is
created in dev)."""

from __future__ import annotations

import argparse
from typing import Any

from api.cli_common import EXIT_OK
from core import Settings


def add_serve_parser(sub: Any) -> None:
    """Register ``serve``."""
    serve = sub.add_parser("serve", help="run the web service (API and verifier pages)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until interrupted."""
    import uvicorn  # noqa: PLC0415 - only the serve command needs it

    from api.app import create_app  # noqa: PLC0415
    from api.db import upgrade  # noqa: PLC0415
    from api.jobs import DEFAULT_RECOVER_AFTER, create_jobs, start_embedded_worker  # noqa: PLC0415
    from api.service_api import build_service_context  # noqa: PLC0415

    # One queue for the routes and the worker. With the embedded queue (no ZZ_JOBS_URL) the
    # worker runs inside this process; with Redis, `zhengzhao worker` runs on each machine.
    upgrade(settings)  # the worker's recovery sweep reads the tables before the app starts
    jobs = create_jobs(settings)
    app = create_app(settings, service=build_service_context(settings, jobs=jobs))
    consumer = (start_embedded_worker(jobs, recover_after=DEFAULT_RECOVER_AFTER)
                if settings.jobs_url is None else None)
    try:
        uvicorn.run(app, host=args.host, port=args.port,
                    log_level=settings.log_level.lower(), access_log=False)
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)
        jobs.close()
    return EXIT_OK
