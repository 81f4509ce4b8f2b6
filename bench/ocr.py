"""OCR accuracy and speed on a generated document set and on real captures, for every engine.

    python bench/ocr.py [--count 240] [--seed 7] [--engines rapidocr,paddleocr] [--no-real]

Generates ``--count`` documents (ID fronts/backs, business licences, forms; half of them degraded)
with ground truth, reads each with each engine in a fresh process (so peak RSS is the engine's
own), and prints per document type and clean/degraded: exact field match rate, 1 − CER over field
values, median and p95 latency per image; then peak RSS per engine. With the first (default)
engine it then reads the real-capture set (``samples/real``, fetched into ``var/real-cache`` on
first use) and, in the same process, the plain RapidOCR baseline (``bench/real_set.py``). Writes
the Markdown tables to ``bench/results/ocr.md`` for the README.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentile, save_results  # noqa: E402


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]



def worker(engine_name: str, set_dir: Path, runtime: str | None = None,
           real: bool = False) -> dict:
    """Read every image in ``set_dir`` with one engine; score against the truth files."""
    from core import OcrEngineName, OcrRuntime, Settings
    from ocr import DocumentReader, create_engine
    from ocr import normalize_text as compact

    settings = Settings(_env_file=None)
    if engine_name == "paddleocr" and settings.paddle_model_dir is None:
        from ocr.engines.paddle_models import prepare_model_dir

        models = Path(tempfile.gettempdir()) / "zz-bench-paddle-models"
        settings = settings.model_copy(update={"paddle_model_dir": prepare_model_dir(models)})
    if runtime:
        settings = settings.model_copy(update={"ocr_runtime": OcrRuntime(runtime)})
    t0 = time.perf_counter()
    engine = create_engine(settings, OcrEngineName(engine_name))
    load_s = time.perf_counter() - t0
    reader = DocumentReader(engine, settings)
    files = sorted(p for p in set_dir.iterdir() if p.suffix != ".json")
    reader.read_path(files[0])  # warm-up: first-call allocations are not per-image cost
    groups: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for path in files:
        truth = json.loads(path.with_suffix(".json").read_text("utf-8"))
        t = time.perf_counter()
        result = reader.read_path(path)
        elapsed = time.perf_counter() - t
        key = f"{truth['doc_type']}|{'clean' if truth['clean'] else 'degraded'}"
        g = groups[key]
        g["latency"].append(elapsed)
        g["type_ok"].append(result.doc_type.value == truth["doc_type"])
        seal_only = set(truth.get("extra", {}).get("seal_only_fields", []))
        for field, want in truth["fields"].items():
            want = compact(want)  # the documented normal form of values (docs/ocr-result.md)
            got = result.fields.get(field)
            value = got.value if got else ""
            if field in seal_only:  # printed only inside the red seal: reported on its own
                g["seal"].append(value == want)
                continue
            g["exact"].append(value == want)
            g["dist"].append(edit_distance(value, want))
            g["chars"].append(len(want))
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    label = f"{engine_name}/{runtime}" if runtime else engine_name
    out = {"engine": label, "load_s": load_s, "peak_rss_mb": rss_mb, "groups": groups}
    if real:
        from bench import real_set

        out["real"] = real_set.run(reader, compact)
    return out


def summarise(report: dict) -> list[dict]:
    rows = []
    for key in sorted(report["groups"]):
        g = report["groups"][key]
        doc_type, condition = key.split("|")
        rows.append({
            "engine": report["engine"], "doc_type": doc_type, "condition": condition,
            "images": len(g["latency"]),
            "type_ok": sum(g["type_ok"]) / len(g["type_ok"]),
            "exact": sum(g["exact"]) / max(1, len(g["exact"])),
            "one_minus_cer": 1 - sum(g["dist"]) / max(1, sum(g["chars"])),
            "seal": (sum(g["seal"]) / len(g["seal"])) if g.get("seal") else None,
            "median_ms": statistics.median(g["latency"]) * 1000,
            "p95_ms": percentile(g["latency"], 0.95) * 1000,
        })
    return rows


def markdown(rows: list[dict], reports: list[dict], meta: str) -> str:
    out = [meta, "",
           "| engine | document | condition | images | type ok | exact fields | 1 − CER "
           "| seal text | median ms | p95 ms |",
           "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['engine']} | {r['doc_type']} | {r['condition']} | {r['images']} | "
                   f"{r['type_ok']:.1%} | {r['exact']:.1%} | {r['one_minus_cer']:.2%} | "
                   f"{'—' if r['seal'] is None else format(r['seal'], '.0%')} | "
                   f"{r['median_ms']:.0f} | {r['p95_ms']:.0f} |")
    out.append("")
    baseline = None
    for rep in reports:
        ids = [t for key, g in rep["groups"].items() if key.startswith("id_card")
               for t in g["latency"]]
        cards = {cond: [ok for key, g in rep["groups"].items()
                        if key.split("|")[0] in ("id_card_front", "id_card_back",
                                                 "business_licence")
                        and key.endswith(cond) for ok in g["exact"]]
                 for cond in ("clean", "degraded")}
        med = statistics.median(ids) * 1000 if ids else float("nan")
        baseline = baseline or med
        rates = ", ".join(f"{cond} {sum(v) / max(1, len(v)):.1%}" for cond, v in cards.items())
        out.append(f"- **{rep['engine']}**: ID card median {med:.0f} ms "
                   f"({med / 250:.2f}× the 250 ms target, {med / baseline:.2f}× the first engine); "
                   f"ID card + licence exact fields {rates}; model load {rep['load_s']:.2f} s, "
                   f"peak RSS {rep['peak_rss_mb']:.0f} MB")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=240)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engines", default="rapidocr/openvino,rapidocr/onnxruntime,paddleocr",
                        help="engine[/runtime] list; the first is the default configuration")
    parser.add_argument("--set", type=Path, help="reuse an existing generated set")
    parser.add_argument("--no-real", action="store_true", help="skip the real-capture set")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--real", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        name, _, runtime = args.worker.partition("/")
        json.dump(worker(name, args.set, runtime or None, args.real), sys.stdout)
        return 0
    from samples.generator import generate_set

    set_dir = args.set or Path(tempfile.mkdtemp(prefix="zz-bench-"))
    if not args.set:
        t = time.perf_counter()
        generate_set(set_dir, args.count, args.seed, degraded_fraction=0.5)
        print(f"generated {args.count} documents in {time.perf_counter() - t:.1f} s: {set_dir}",
              file=sys.stderr)
    reports, rows = [], []
    for i, name in enumerate(args.engines.split(",")):
        real = ["--real"] if i == 0 and not args.no_real else []
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", name, "--set", str(set_dir), *real],
            capture_output=True, text=True, env={**os.environ, "ORT_DISABLE_TELEMETRY": "1"},
        )
        if proc.returncode != 0:
            tail = proc.stderr.strip().splitlines()[-1:] or ["?"]
            print(f"{name}: not measured ({tail[0]})", file=sys.stderr)
            continue
        report = json.loads(proc.stdout)
        reports.append(report)
        rows.extend(summarise(report))
    meta = (f"{args.count} generated documents (seed {args.seed}), {os.cpu_count()} cores, "
            f"{time.strftime('%Y-%m-%d')}")
    table = markdown(rows, reports, meta)
    for rep in reports:
        if "real" in rep:
            from bench import real_set

            table += "\n\n" + real_set.markdown(rep["real"], rep["engine"])
            rows.append({"engine": rep["engine"], "real": real_set.summarise(rep["real"]),
                         "real_rows": rep["real"]["rows"]})
    print(table)
    save_results("ocr", table, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
