"""The ``zhengzhao`` command: a thin shell over the packages.

Exit codes: 0 ok, 1 a file could not be read (or a check failed), 2 usage or configuration error.
``--json`` prints machine-readable output on stdout; people get rich tables; progress and errors
go to stderr. Tracebacks only with ``--verbose``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from api.cli_common import EXIT_OK, EXIT_USAGE
from api.cli_keys import add_keys_parser, run_keys
from api.cli_licence import add_licence_parsers, run_licence
from api.cli_photo import add_check_photo_parser, run_check_photo
from api.cli_serve import add_serve_parser, run_serve
from api.cli_trust import add_trust_parser, run_trust
from api.cli_users import add_users_parser, run_users
from api.cli_validate import add_validate_arguments, run_validate
from api.cli_worker import add_worker_arguments, run_worker_command
from core import (
    DocType,
    Environment,
    OcrEngineName,
    ZhengzhaoError,
    configure_logging,
    get_settings,
)

log = logging.getLogger(__name__)

_STARTS_SERVICE = frozenset({"serve", "worker"})
# Commands that read the data dir's keys or database (in dev, they settle it first as serve does).
_USES_DATA_DIR = frozenset({"keys", "issue", "revoke", "publish", "trust", "users"})



def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zhengzhao", description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="debug logs and tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)

    ocr = sub.add_parser("ocr", help="read documents and print their fields")
    ocr.add_argument("files", nargs="+", type=Path, metavar="FILE")
    ocr.add_argument("--type", dest="doc_type", default="auto",
                     choices=["auto", *[t.value for t in DocType if t != DocType.UNKNOWN]])
    ocr.add_argument("--engine", choices=[e.value for e in OcrEngineName], default=None)
    ocr.add_argument("--json", action="store_true", help="JSON output (an array for several files)")
    ocr.add_argument("--lines", action="store_true", help="also show the raw text lines")

    demo = sub.add_parser("demo", help="OCR the bundled sample documents and compare with truth")
    demo.add_argument("--engine", choices=[e.value for e in OcrEngineName], default=None)
    demo.add_argument("--json", action="store_true")

    validate = sub.add_parser(
        "validate", help="check an application's materials against a service definition")
    add_validate_arguments(validate)

    add_check_photo_parser(sub)
    add_keys_parser(sub)
    add_licence_parsers(sub)
    add_users_parser(sub)
    add_trust_parser(sub)
    add_serve_parser(sub)
    worker = sub.add_parser("worker",
                            help="run the background jobs (OCR, photo checks, validation)")
    add_worker_arguments(worker)

    models = sub.add_parser("paddle-models", help="unpack the bundled PaddleOCR models to DIR")
    models.add_argument("dir", type=Path)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except ValidationError as exc:
        for error in exc.errors():
            print(f"Error: {error['msg']}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging("DEBUG" if args.verbose else settings.log_level)
    try:
        if args.command in _STARTS_SERVICE or (args.command in _USES_DATA_DIR
                                               and settings.environment is Environment.DEV):
            # Before the first start: data dir 0700, secrets settled (generated in dev), a
            # legacy dev key store re-encrypted; prod refuses to serve on weak ground.
            from api.data_dir import prepare_data_dir  # noqa: PLC0415 - keep `--help` fast

            prepare_data_dir(settings)
        if args.command == "ocr":
            from api.cli_ocr import run_ocr  # noqa: PLC0415 - keep `--help` fast

            return run_ocr(args, settings)
        if args.command == "demo":
            from api.cli_ocr import run_demo  # noqa: PLC0415 - keep `--help` fast

            return run_demo(args, settings)
        if args.command == "validate":
            return run_validate(args, settings)
        if args.command == "check-photo":
            return run_check_photo(args, settings)
        if args.command == "keys":
            return run_keys(args, settings)
        if args.command in ("issue", "revoke", "verify", "publish"):
            return run_licence(args, settings)
        if args.command == "serve":
            return run_serve(args, settings)
        if args.command == "worker":
            return run_worker_command(args, settings)
        if args.command == "trust":
            return run_trust(args, settings)
        if args.command == "users":
            return run_users(args, settings)
        if args.command == "paddle-models":
            from ocr import prepare_paddle_models  # noqa: PLC0415 - keep `--help` fast

            target = prepare_paddle_models(args.dir)
            print(f"PaddleOCR models ready in {target}; set ZZ_PADDLE_MODEL_DIR={target}")
            return EXIT_OK
    except ZhengzhaoError as exc:
        if args.verbose:
            log.exception("failed")
        print(f"Error: {exc.message_en} / {exc.message_zh} [{exc.code.value}]", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
