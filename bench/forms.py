"""Form-validation speed: median ms to validate one application from extracted JSON, and its
ratio to the time OCR takes to read that application.

    python bench/forms.py [--repeat 200] [--no-ocr] [--json]

Applications: the six cases of ``samples/documents`` (ID front, ID back, licence, form; their
truth files turned into the JSON ``zhengzhao ocr --json`` prints) against the service of their
form, plus the hand-built 安全生产许可证变更 application of the tests. Each timing covers
parsing the JSON text and ``validate``; loading the service files is timed apart. The OCR
figure reads case 0's four sample files with the default engine (one warm-up pass excluded).
Prints the figures and writes ``bench/results/forms.md`` and ``forms.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import percentile, report  # noqa: E402

SAMPLES = ROOT / "samples" / "documents"
PERMIT = ROOT / "tests" / "unit" / "verify" / "forms" / "data" / "safety_permit"
TODAY = date(2025, 6, 30)
SERVICE_OF_TITLE = {
    "居民身份证申领登记表": "id-card-renewal",
    "营业执照法定代表人变更登记申请表": "legal-representative-change",
    "个体工商户设立登记申请书": "individual-business-registration",
}



def extraction_json(truth: dict) -> dict:
    title = truth.get("extra", {}).get("title")
    return {"schema_version": 1, "file": truth["file"], "doc_type": truth["doc_type"],
            "fields": {k: {"value": v, "confidence": 0.98, "box": None}
                       for k, v in truth["fields"].items()},
            "checkboxes": truth["checkboxes"], "warnings": [], "timings": {}, "pages": 1,
            "lines": [{"text": title, "score": 0.99, "box": [[0, 0], [1, 0], [1, 1], [0, 1]]}]
            if title else []}


def applications() -> list[tuple[str, list[str]]]:
    """(service id, JSON texts of its documents) for every application of the bench."""
    apps = []
    truths = [json.loads(p.read_text("utf-8")) for p in sorted(SAMPLES.glob("*.json"))]
    for case in sorted({t["case"] for t in truths}):
        docs = [t for t in truths if t["case"] == case]
        form = next(t for t in docs if t["doc_type"] == "form")
        texts = [json.dumps(extraction_json(t), ensure_ascii=False) for t in docs]
        apps.append((SERVICE_OF_TITLE[form["extra"]["title"]], texts))
    permit = [p.read_text("utf-8") for p in sorted(PERMIT.glob("*.json"))]
    apps.append(("safety-production-permit-change", permit))
    return apps


def time_validation(repeat: int) -> dict:
    from verify.forms import document_from_dict, load_service_catalog, validate

    load_times = []
    for _ in range(max(5, repeat // 20)):
        t = time.perf_counter()
        catalog = load_service_catalog()
        load_times.append(time.perf_counter() - t)
    apps = applications()
    per_service: dict[str, list[float]] = {}
    verdicts: dict[str, str] = {}
    for service_id, texts in apps:  # warm-up
        validate(catalog.get(service_id), [document_from_dict(json.loads(x)) for x in texts],
                 today=TODAY)
    for _ in range(repeat):
        for service_id, texts in apps:
            service = catalog.get(service_id)
            t = time.perf_counter()
            documents = [document_from_dict(json.loads(x)) for x in texts]
            report = validate(service, documents, today=TODAY)
            per_service.setdefault(service_id, []).append(time.perf_counter() - t)
            verdicts[service_id] = report.verdict.value
    every = [v for values in per_service.values() for v in values]
    return {
        "applications": len(apps),
        "repeat": repeat,
        "median_ms": statistics.median(every) * 1000,
        "p95_ms": percentile(every, 0.95) * 1000,
        "load_services_ms": statistics.median(load_times) * 1000,
        "services": {k: {"median_ms": statistics.median(v) * 1000, "verdict": verdicts[k]}
                     for k, v in sorted(per_service.items())},
    }


def time_ocr(repeat: int = 3) -> float:
    """Median seconds to OCR case 0's four files (one application) with the default engine."""
    from core import Settings
    from ocr import DocumentReader, create_engine

    settings = Settings(_env_file=None)
    reader = DocumentReader(create_engine(settings), settings)
    files = [p for i in range(4) for p in sorted(SAMPLES.glob(f"{i:04d}_*"))
             if p.suffix != ".json"]
    for path in files:
        reader.read_path(path)  # warm-up: first-call allocations are not per-image cost
    totals = []
    for _ in range(repeat):
        t = time.perf_counter()
        for path in files:
            reader.read_path(path)
        totals.append(time.perf_counter() - t)
    return statistics.median(totals)


def markdown(result: dict, meta: str) -> str:
    out = [meta, "", "| service | median ms | verdict |", "|---|---:|---|"]
    for service_id, s in result["services"].items():
        out.append(f"| {service_id} | {s['median_ms']:.3f} | {s['verdict']} |")
    out.append("")
    line = (f"- validate one application from extracted JSON: median {result['median_ms']:.3f} ms, "
            f"p95 {result['p95_ms']:.3f} ms ({result['applications']} applications × "
            f"{result['repeat']}); loading the service files {result['load_services_ms']:.1f} ms")
    out.append(line)
    if result.get("ocr_ms"):
        out.append(f"- OCR of one application (case 0, 4 files, default engine): median "
                   f"{result['ocr_ms']:.0f} ms; validation is {result['ratio_to_ocr']:.5f}× "
                   f"that ({result['ocr_ms'] / result['median_ms']:.0f} validations per OCR)")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--no-ocr", action="store_true", help="skip the OCR comparison")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = time_validation(args.repeat)
    if not args.no_ocr:
        ocr_s = time_ocr()
        result["ocr_ms"] = ocr_s * 1000
        result["ratio_to_ocr"] = result["median_ms"] / result["ocr_ms"]
    meta = f"forms validation, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}"
    table = markdown(result, meta)
    report("forms", table, result, as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
