"""The ``zhengzhao`` command line: a thin shell over the packages and ``api.workflow``.

One module per command group (``ocr``, ``demo``, ``validate``, ``photo``, ``keys``, ``licence``,
``users``, ``trust``, ``serve``, ``worker``, ``paddle``), each with ``add_arguments(parser)`` and
``run(args, settings) -> int`` and its imports at the top; ``commands`` is the command table
(name, one-line help, the module that implements it), so ``zhengzhao --help`` lists every
command without importing any of them and ``zhengzhao <command>`` imports only its own module;
``errors`` is the one error printer (``Error: message [code]`` on stderr, exit 1 or 2,
tracebacks only with ``--verbose``); ``entry`` parses, dispatches and holds :func:`main`, the
console script. Nothing outside the CLI imports this package (tests and benchmarks do).
"""

from api.cli.entry import build_parser, main

__all__ = ["build_parser", "main"]
