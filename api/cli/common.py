"""Exit codes and output helpers shared by the CLI commands."""

from __future__ import annotations

import json
import sys

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def emit_json(payload: object) -> None:
    """Pretty JSON on stdout, Chinese kept readable."""
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
