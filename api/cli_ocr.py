"""``zhengzhao ocr`` and ``zhengzhao demo``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from api.cli_common import EXIT_FAILED, EXIT_OK, emit_json
from api.cli_demo_licence import demo_licences
from api.cli_demo_validate import validate_cases
from core import DocType, DocumentResult, OcrEngineName, Settings
from ocr import DocumentReader, InputError, create_engine, normalize_text

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "documents"


def run_ocr(args: argparse.Namespace, settings: Settings) -> int:
    engine = create_engine(settings, OcrEngineName(args.engine) if args.engine else None)
    reader = DocumentReader(engine, settings)
    doc_type = None if args.doc_type == "auto" else DocType(args.doc_type)
    out: list[dict[str, Any]] = []
    failed = 0
    err = Console(stderr=True)
    with Progress(console=err, transient=True, disable=len(args.files) < 2) as progress:
        task = progress.add_task("OCR", total=len(args.files))
        for path in args.files:
            try:
                result = reader.read_path(path, doc_type)
                out.append(result.to_dict())
                if not args.json:
                    print_result(result, show_lines=args.lines)
            except InputError as exc:
                failed += 1
                out.append({"file": str(path), "error": exc.to_dict()})
                err.print(f"Error: {path}: {exc.message_en} / {exc.message_zh} [{exc.code.value}]",
                          markup=False, highlight=False)
            progress.advance(task)
    if args.json:
        emit_json(out[0] if len(out) == 1 else out)
    return EXIT_FAILED if failed else EXIT_OK


def print_result(result: DocumentResult, show_lines: bool = False) -> None:
    console = Console()
    warn = ", ".join(f"{w.code.value} {w.score:.2f}" for w in result.warnings) or "none"
    table = Table(title=f"{result.file} — {result.doc_type.value}", caption=f"warnings: {warn}; "
                  f"{result.timings.get('total', 0) * 1000:.0f} ms")
    table.add_column("field")
    table.add_column("value")
    table.add_column("conf", justify="right")
    for key, field in result.fields.items():
        table.add_row(key, field.value, f"{field.confidence:.2f}")
    for option, ticked in result.checkboxes.items():
        table.add_row(f"☐ {option}", "☑" if ticked else "☐", "")
    console.print(table)
    if show_lines:
        for line in result.lines:
            console.print(f"  {line.text}  [dim]{line.score:.2f}[/dim]", markup=True,
                          highlight=False)


def run_demo(args: argparse.Namespace, settings: Settings) -> int:
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
