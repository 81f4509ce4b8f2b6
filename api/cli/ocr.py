"""``zhengzhao ocr FILE... [--type T] [--engine E] [--json] [--lines]``: read documents and print
their fields (a table each, or JSON: one object, or an array for several files). A file that
cannot be read is reported with its code and the others are still read (exit 1)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from api.cli.common import EXIT_FAILED, EXIT_OK, emit_json
from api.cli.errors import fail
from core import DocType, DocumentResult, OcrEngineName, Settings
from ocr import DocumentReader, InputError, create_engine


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--type", dest="doc_type", default="auto",
                        choices=["auto", *[t.value for t in DocType if t != DocType.UNKNOWN]])
    parser.add_argument("--engine", choices=[e.value for e in OcrEngineName], default=None)
    parser.add_argument("--json", action="store_true",
                        help="JSON output (an array for several files)")
    parser.add_argument("--lines", action="store_true", help="also show the raw text lines")


def run(args: argparse.Namespace, settings: Settings) -> int:
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
                fail(exc, path=path, console=err)
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
