"""What every benchmark shares: the percentile it reports and where it writes its results
(``bench/results/<name>.md`` and ``.json``, git-ignored)."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))]


def report(name: str, table: str, data: Any, *, as_json: bool) -> None:
    """Print the table (or the raw figures as JSON) and save both under ``name``."""
    if as_json:
        print(json.dumps(data, indent=1))
    else:
        print(table)
    save_results(name, table, data)


def save_results(name: str, table: str, data: Any) -> None:
    """Write the printed table and the raw figures of one benchmark run."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.md").write_text(table + "\n", "utf-8")
    (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=1), "utf-8")


HOST = "127.0.0.1"
# `zhengzhao serve` for the service benchmarks, run with `python -c SERVE serve ...` so that the
# benchmark's own checkout is imported (PYTHONPATH) whatever is installed.
SERVE = """
import sys
from api.cli import build_parser
from api.cli.serve import run as run_serve
from core import configure_logging, get_settings
parser = build_parser(sys.argv[1:])
settings = get_settings()
configure_logging(settings.log_level)
sys.exit(run_serve(parser.parse_args(sys.argv[1:]), settings))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]
