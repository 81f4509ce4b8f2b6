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

    uvicorn.run(create_app(settings), host=args.host, port=args.port,
                log_level=settings.log_level.lower(), access_log=False)
    return EXIT_OK
