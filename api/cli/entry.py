"""The ``zhengzhao`` command: a thin shell over the packages.

Exit codes: 0 ok, 1 a file could not be read (or a check failed), 2 usage or configuration error.
``--json`` prints machine-readable output on stdout; people get rich tables; progress and errors
go to stderr. Tracebacks only with ``--verbose``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from api.cli.commands import COMMANDS, PREPARE_DATA_DIR, Command, DataDir, by_name, resolve
from api.cli.common import EXIT_USAGE
from api.cli.errors import fail, fail_os, fail_settings
from core import Environment, ZhengzhaoError, configure_logging, get_settings

__all__ = ["build_parser", "chosen_command", "main"]

_GLOBAL_FLAGS = frozenset({"--verbose", "-v", "--help", "-h"})


def chosen_command(argv: Sequence[str]) -> Command | None:
    """The table entry the command line names: the first word after the global flags (none of
    which takes a value), or None (``--help``, no command, an unknown one)."""
    for word in argv:
        if word in _GLOBAL_FLAGS:
            continue
        return None if word.startswith("-") else by_name(word)
    return None


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """Every command from the table, with only the arguments of the one ``argv`` names: its
    module is the only one imported."""
    parser = argparse.ArgumentParser(prog="zhengzhao", description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="debug logs and tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)
    chosen = chosen_command(argv)
    for command in COMMANDS:
        command_parser = sub.add_parser(command.name, help=command.help)
        if command is chosen:
            add_arguments, _run = command.load()
            add_arguments(command_parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    command = by_name(args.command)
    if command is None:  # pragma: no cover - argparse refuses unknown commands first
        return EXIT_USAGE
    _add_arguments, run = command.load()
    try:
        settings = get_settings()
    except ValidationError as exc:
        return fail_settings(exc)
    configure_logging("DEBUG" if args.verbose else settings.log_level)
    try:
        if command.data_dir is DataDir.ALWAYS or (command.data_dir is DataDir.IN_DEV
                                                  and settings.environment is Environment.DEV):
            # Before the first start: data dir 0700, secrets settled (generated in dev), a
            # legacy dev key store re-encrypted; prod refuses to serve on weak ground.
            resolve(PREPARE_DATA_DIR)(settings)
        return run(args, settings)
    except ZhengzhaoError as exc:
        return fail(exc, verbose=args.verbose)
    except OSError as exc:
        return fail_os(exc, verbose=args.verbose)
    except KeyboardInterrupt:
        return 130
