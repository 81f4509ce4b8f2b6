"""The real-capture half of ``bench/ocr.py``: published specimen and demo documents that other
people photographed or scanned (``samples/real/documents.yaml``), read by our reader and by the
bare RapidOCR pipeline with its defaults.

The plain-engine baseline of a document is the share of its truth values found anywhere in the
plain engine's text (dates in any of the printed forms). Ours is the share of fields extracted
exactly. A document where ours is below the baseline is counted: the target is none.

Latency: "median ms" is the first pass over the set (every input shape the engine has not seen
yet is compiled on the way, as after a restart); "warm median ms" a second pass over the same
files, as a running service that has cached its shapes sees it.
"""

from __future__ import annotations

import re
import statistics
import time
from collections import defaultdict
from datetime import date
from typing import Any

from bench.common import percentile

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def date_forms(iso: str) -> list[str]:
    """The ways a date is printed on Chinese documents, compacted."""
    m = _ISO.fullmatch(iso)
    if m is None:
        return [iso]
    y, mo, d = m.groups()
    day = date(int(y), int(mo), int(d))
    return [f"{y}年{day.month}月{day.day}日", f"{y}年{mo}月{d}日", f"{y}.{mo}.{d}",
            f"{y}{mo}{d}", iso, f"{y}/{mo}/{d}", f"{y}.{day.month}.{day.day}"]


def found_in(value: str, text: str) -> bool:
    """Whether the plain engine's text holds ``value`` (a date in any printed form)."""
    return any(form in text for form in date_forms(value))


def plain_engine() -> Any:
    """RapidOCR with its own defaults and the models bundled in its wheel (no downloads)."""
    from rapidocr import RapidOCR  # noqa: PLC0415 - the baseline is only built when measured

    return RapidOCR(params={"Global.log_level": "critical"})


def run(reader: Any, compact: Any) -> dict[str, Any]:
    """Read every available real document with ``reader`` and with the plain engine."""
    from samples.real import materialise  # noqa: PLC0415 - downloads on first use

    items = [it for it in materialise("documents") if it.available]
    # Ours first, then the plain engine: its ONNX Runtime threads keep spinning for a while
    # after each call, and interleaved they ran during our timings (~70 ms a licence).
    ours = []
    for item in items:
        data = item.path.read_bytes()
        t = time.perf_counter()
        result = reader.read_bytes(data, item.path.name)
        ours.append((result, time.perf_counter() - t))
    # A second pass over the same files: OpenVINO compiles each input shape it has not seen
    # (detection sizes, recognition batch x width), so the first pass pays for shapes a running
    # service has long cached. Both are reported; the first is the one the targets are read on.
    warm = []
    for item in items:
        data = item.path.read_bytes()
        t = time.perf_counter()
        reader.read_bytes(data, item.path.name)
        warm.append(time.perf_counter() - t)
    plain = plain_engine()
    rows = []
    for item, (result, elapsed), warm_s in zip(items, ours, warm, strict=True):
        t = time.perf_counter()
        plain_out = plain(str(item.path))
        plain_s = time.perf_counter() - t
        plain_text = compact("".join(plain_out.txts or ()))
        truth = {k: compact(str(v)) for k, v in item.truth.items()}
        exact = {k: (result.fields[k].value if k in result.fields else "") == v
                 for k, v in truth.items()}
        base = {k: found_in(v, plain_text) for k, v in truth.items()}
        rows.append({
            "id": item.id, "doc_type": item.doc_type, "derived": item.derived,
            "capture": item.capture, "type_ok": result.doc_type.value == item.doc_type,
            "got_type": result.doc_type.value, "fields": len(truth),
            "exact": sum(exact.values()), "baseline": sum(base.values()),
            "missed": sorted(k for k, ok in exact.items() if not ok),
            "readings": result.readings, "latency": elapsed, "warm_latency": warm_s,
            "plain_latency": plain_s,
        })
    return {"rows": rows}


def summarise(report: dict[str, Any]) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in report["rows"]:
        groups[row["doc_type"]].append(row)
        groups["all"].append(row)
    out = []
    for doc_type, rows in sorted(groups.items(), key=lambda kv: (kv[0] == "all", kv[0])):
        fields = sum(r["fields"] for r in rows)
        latency = [r["latency"] for r in rows]
        out.append({
            "doc_type": doc_type, "documents": len(rows),
            "type_ok": sum(r["type_ok"] for r in rows) / len(rows),
            "exact": sum(r["exact"] for r in rows) / max(1, fields),
            "baseline": sum(r["baseline"] for r in rows) / max(1, fields),
            "below_baseline": sum(1 for r in rows if r["exact"] < r["baseline"]),
            "median_ms": statistics.median(latency) * 1000,
            "p95_ms": percentile(latency, 0.95) * 1000,
            "warm_median_ms": statistics.median(r["warm_latency"] for r in rows) * 1000,
            "plain_median_ms": statistics.median(r["plain_latency"] for r in rows) * 1000,
        })
    return out


def markdown(report: dict[str, Any], engine: str) -> str:
    rows = summarise(report)
    out = [f"Real captures (`samples/real/documents.yaml`), {engine}; baseline = share of truth "
           "values found anywhere in plain RapidOCR's text", "",
           "| document | docs | type ok | exact fields | plain-engine baseline | docs below "
           "baseline | median ms | p95 ms | warm median ms | plain median ms |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['doc_type']} | {r['documents']} | {r['type_ok']:.0%} | "
                   f"{r['exact']:.1%} | {r['baseline']:.1%} | {r['below_baseline']} | "
                   f"{r['median_ms']:.0f} | {r['p95_ms']:.0f} | {r['warm_median_ms']:.0f} | "
                   f"{r['plain_median_ms']:.0f} |")
    misses = [r for r in report["rows"] if r["missed"] or not r["type_ok"]]
    if misses:
        out += ["", "Documents with misses (fields not exact):", ""]
        for r in misses:
            kind = "" if r["type_ok"] else f" read as {r['got_type']};"
            out.append(f"- `{r['id']}`:{kind} {', '.join(r['missed'])} "
                       f"({r['exact']}/{r['fields']}, baseline {r['baseline']}; "
                       f"readings {'/'.join(r['readings'])})")
    return "\n".join(out)
