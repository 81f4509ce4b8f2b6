"""What every benchmark shares: the percentile it reports and where it writes its results
(``bench/results/<name>.md`` and ``.json``, git-ignored)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))]


def save_results(name: str, table: str, data: Any) -> None:
    """Write the printed table and the raw figures of one benchmark run."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.md").write_text(table + "\n", "utf-8")
    (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=1), "utf-8")
