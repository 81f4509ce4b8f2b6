"""``zhengzhao demo [--engine E] [--json]``: OCR the bundled sample documents and compare with
their ground truth, validate each generated applicant's materials against its service, then
issue, verify, tamper with and revoke the sample e-licences in a throw-away demo office."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from api.cli.common import EXIT_OK, emit_json
from api.cli.demo_licence import demo_licences
from api.cli.demo_validate import validate_cases
from core import DocumentResult, OcrEngineName, Settings
from ocr import DocumentReader, InputError, create_engine, normalize_text

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "documents"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=[e.value for e in OcrEngineName], default=None)
    parser.add_argument("--json", action="store_true")


def run(args: argparse.Namespace, settings: Settings) -> int:
    files = sorted(p for p in SAMPLES.iterdir() if p.suffix.lower() != ".json"
                   and p.suffix.lower() != ".md")
    engine = create_engine(settings, OcrEngineName(args.engine) if args.engine else None)
    reader = DocumentReader(engine, settings)
    console = Console()
    summary: list[dict[str, Any]] = []
    total = matched = 0
    read: list[tuple[dict[str, Any], DocumentResult]] = []
    for path in files:
        truth_path = path.with_suffix(".json")
        truth = json.loads(truth_path.read_text("utf-8")) if truth_path.exists() else {}
        try:
            result = reader.read_path(path)
        except InputError as exc:
            console.print(f"[red]{path.name}: {exc.code.value}[/red]")
            continue
        read.append((truth, result))
        expected: dict[str, str] = truth.get("fields", {})
        rows = []
        for key, printed in expected.items():
            want = normalize_text(printed)  # truth in the documented normal form of values
            got = result.fields.get(key)
            ok = got is not None and got.value == want
            total += 1
            matched += ok
            rows.append((key, got.value if got else "—", "✓" if ok else f"✗ (truth: {want})"))
        summary.append({"file": path.name, "doc_type": result.doc_type.value,
                        "expected_type": truth.get("doc_type"),
                        "fields_matched": sum(1 for r in rows if r[2] == "✓"),
                        "fields_total": len(rows), "ms": round(result.timings["total"] * 1000)})
        if not args.json:
            table = Table(title=f"{path.name} — {result.doc_type.value} "
                          f"({result.timings['total'] * 1000:.0f} ms)")
            table.add_column("field")
            table.add_column("OCR value")
            table.add_column("vs truth")
            for row in rows:
                table.add_row(*row)
            if result.warnings:
                table.caption = "warnings: " + ", ".join(
                    f"{w.code.value} {w.score:.2f}" for w in result.warnings)
            console.print(table)
    if not args.json:
        rate = matched / total if total else 0.0
        console.print(f"[bold]{len(summary)} documents, {matched}/{total} fields exact "
                      f"({rate:.1%})[/bold]")
        console.print("[bold]Each applicant's materials against its service "
                      "(zhengzhao validate):[/bold]")
    applications = validate_cases(read, settings, None if args.json else console)
    if not args.json:
        console.print("[bold]E-licences from a throw-away demo office (issue, verify offline, "
                      "tamper, revoke):[/bold]")
    licences = demo_licences(settings, None if args.json else console)
    if args.json:
        emit_json({"files": summary, "fields_matched": matched, "fields_total": total,
                   "applications": applications, "licences": licences})
    sys.stdout.flush()
    return EXIT_OK
