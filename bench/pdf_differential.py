"""Fast PDF verification path against the full pyHanko validator (issue 16): ``--count``
mutated licences, each verified with ``fast=True`` and ``fast=False`` by ``signing.validate_pdf``
and by ``elicense.verify_licence_pdf``; the fast path may only agree or be stricter.

    python bench/pdf_differential.py [--count 10000] [--seed 16] [--workers 1] [--json]
    python bench/pdf_differential.py --summarise   # the table from the workers' checkpoints

The mutations, the genuine licences and the comparison are the differential test's
(``tests/differential/``: ``pdf_mutations``, ``licence_material``, ``fast_full_compare``). Each
worker process issues its own licences (fresh keys) and takes ``count / workers`` mutants from
the seed ``seed * 1000 + worker``; the kinds come in turn, so every kind gets the same share.
Prints a table per mutation kind — both agree / fast stricter / fast more lenient (must be 0) /
both passed but level, signer or time differ (must be 0) / decided by the fast path itself or
handed over to the full validator — and writes ``bench/results/pdf_differential.md`` and
``.json``. A mutant on which the fast path is more lenient is saved under ``--lenient-dir``.
Exit status 1 if there is one. Every 50 mutants each worker writes its counts so far to
``bench/results/pdf_differential.w<worker>.json``; ``--summarise`` tabulates those (a run that
was stopped early).
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "differential"))

from fast_full_compare import Tally, check  # noqa: E402
from licence_material import build_material  # noqa: E402
from pdf_mutations import WRITER_RAISED, mutants  # noqa: E402

from bench.common import RESULTS, report  # noqa: E402


def _worker(args: tuple[int, int, int, str]) -> tuple[dict[str, dict[str, int]], list[str], float]:
    seed, worker, count, lenient_dir = args
    logging.disable(logging.CRITICAL)  # pyHanko logs every broken mutant with a traceback
    bad: list[str] = []
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="pdf-differential-") as base:
        material = build_material(Path(base))
        started = time.perf_counter()
        for mutant in mutants(material, seed * 1000 + worker, count):
            result = check(mutant.pdf, material)
            tally.add(mutant.kind.value, result,
                  generator_failed=mutant.detail.startswith(WRITER_RAISED))
            if result.bad:
                name = f"w{worker}-{mutant.index:05d}-{mutant.kind.value}.pdf"
                out = Path(lenient_dir)
                out.mkdir(parents=True, exist_ok=True)
                (out / name).write_bytes(mutant.pdf)
                bad.append(f"{name}: {mutant.detail} (base {mutant.base}); {result}")
            if (mutant.index + 1) % 50 == 0 or mutant.index + 1 == count:
                _checkpoint(worker, tally, bad, time.perf_counter() - started)
        elapsed = time.perf_counter() - started
    return {k: dict(v) for k, v in tally.rows.items()}, bad, elapsed


def _checkpoint(worker: int, tally: Tally, bad: list[str], elapsed: float) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"pdf_differential.w{worker}.json"
    rows = {k: dict(v) for k, v in tally.rows.items()}
    path.write_text(json.dumps({"rows": rows, "bad": bad, "elapsed_s": elapsed}), "utf-8")
    print(f"worker {worker}: {tally.total()['mutants']} mutants, {elapsed:.0f} s",
          file=sys.stderr, flush=True)


def _summary(results: list[tuple[dict[str, dict[str, int]], list[str], float]], seed: int,
             workers: int, wall: float) -> tuple[str, Tally, list[str]]:
    tally = Tally()
    bad: list[str] = []
    for rows, worker_bad, _elapsed in results:
        for kind, row in rows.items():
            tally.rows.setdefault(kind, Counter()).update(row)
        bad += worker_bad
    total = tally.total()
    lines = [f"# Fast vs full PDF verification: {total['mutants']} mutants, seed {seed}, "
             f"{workers} worker(s), {wall:.0f} s wall",
             "",
             "sig = signing.validate_pdf, lic = elicense.verify_licence_pdf; LENIENT and pass≠ "
             "must be 0. 'fast decided' = the fast path's own verdict (not None); "
             "'decided = full' counts those equal to the full validator's.", "",
             tally.table(), ""]
    lines += ["Lenient or differing mutants:"] + (bad or ["none"])
    return "\n".join(lines), tally, bad


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--lenient-dir", default="/tmp/dev/lenient")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--summarise", action="store_true")
    args = parser.parse_args()
    if args.summarise:
        parts = [json.loads(p.read_text("utf-8"))
                 for p in sorted(RESULTS.glob("pdf_differential.w*.json"))]
        results = [(p["rows"], p["bad"], p["elapsed_s"]) for p in parts]
        table, _, bad = _summary(results, args.seed, len(parts),
                                 max((p["elapsed_s"] for p in parts), default=0.0))
        print(table)
        return 1 if bad else 0
    shares = [args.count // args.workers + (w < args.count % args.workers)
              for w in range(args.workers)]
    jobs = [(args.seed, w, n, args.lenient_dir) for w, n in enumerate(shares)]
    started = time.perf_counter()
    if args.workers == 1:
        results = [_worker(jobs[0])]
    else:
        with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
            results = pool.map(_worker, jobs)
    wall = time.perf_counter() - started
    table, tally, bad = _summary(results, args.seed, args.workers, wall)
    total = tally.total()
    report("pdf_differential", table,
           {"count": total["mutants"], "seed": args.seed, "workers": args.workers,
            "wall_s": wall, "rows": {k: dict(v) for k, v in tally.rows.items()}, "bad": bad},
           as_json=args.json)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
