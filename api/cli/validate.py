"""``zhengzhao validate``: check an application's materials against a service definition.

Images and PDFs are read with the OCR engine; ``.json`` files are extraction results already
made (what ``zhengzhao ocr --json`` prints: one object or an array). Services are the bundled
``verify/forms/services`` plus ``ZZ_SERVICES_DIR``. Exit 0 when the application is complete and
valid (warnings allowed), 1 otherwise or when a file could not be read, 2 for usage errors
(unknown service, broken service file).

People get tables in which resident ID numbers and mobile numbers are masked (a terminal ends up
in screenshots and tickets); ``--json`` carries the full values for the systems that need them.
Logs never carry values or file names.
"""

from __future__ import annotations

import argparse
import re
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from api.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, emit_json
from api.cli.errors import fail, print_error
from core import DocumentResult, OcrEngineName, Settings, ZhengzhaoError
from ocr import DocumentReader, create_engine
from verify.forms import (
    FormsError,
    MaterialInvalidError,
    MaterialKind,
    PhotoEvidence,
    Service,
    ServiceCatalog,
    Severity,
    ValidationReport,
    Verdict,
    load_service_catalog,
    read_documents_json,
    validate,
)
from verify.photo import PortraitAnalyzer, check_photo, decode_photo, get_profile

_ID_NUMBER = re.compile(r"\d{17}[\dXx]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_STYLE = {Severity.ERROR: "red", Severity.NEEDS_REVIEW: "yellow", Severity.WARNING: "cyan"}
_VERDICT_STYLE = {Verdict.VALID: "bold green", Verdict.NEEDS_REVIEW: "bold yellow",
                  Verdict.INCOMPLETE: "bold red", Verdict.INVALID: "bold red"}


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``zhengzhao validate`` (shared by the CLI and its tests)."""
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE_OR_JSON",
                        help="images/PDFs to read, or extraction results (.json)")
    parser.add_argument("--service", "-s", metavar="NAME",
                        help="service id, name or alias (see --list)")
    parser.add_argument("--list", dest="list_services", action="store_true",
                        help="list the known services and exit")
    parser.add_argument("--today", type=iso_date, default=None, metavar="YYYY-MM-DD",
                        help="check validity as of this day (default: today)")
    parser.add_argument("--photo", type=Path, action="append", default=None, metavar="PHOTO",
                        help="a portrait photo, checked against the profile of each photo "
                        "material the service names (repeatable)")
    parser.add_argument("--engine", choices=[e.value for e in OcrEngineName], default=None)
    parser.add_argument("--json", action="store_true", help="JSON output")


def run(args: argparse.Namespace, settings: Settings, reader: Any = None) -> int:
    """Run the command; ``reader`` (an ``ocr.DocumentReader``) is built only when an image
    needs reading and none is given."""
    err = Console(stderr=True)
    try:
        catalog = load_service_catalog(settings.services_dir)
        if args.list_services:
            return _list(catalog, args.json)
        if not args.service or not args.files:
            print_error("give --service NAME and at least one file (or --list)", console=err)
            return EXIT_USAGE
        service = catalog.get(args.service)
    except FormsError as exc:
        return fail(exc, EXIT_USAGE, console=err)
    documents, errors = _read_all(args, settings, reader, err)
    photos, photo_reports = (None, []) if args.photo is None else check_photos(
        service, args.photo, settings, errors, err)
    report = validate(service, documents, today=args.today,
                      min_field_confidence=settings.min_field_confidence, photos=photos)
    if args.json:
        emit_json({**report.to_dict(), "photos": photo_reports, "errors": errors})
    else:
        print_report(report)
    return EXIT_OK if report.ok and not errors else EXIT_FAILED


def _read_all(args: argparse.Namespace, settings: Settings, reader: Any,
              err: Console) -> tuple[list[DocumentResult], list[dict[str, Any]]]:
    documents: list[DocumentResult] = []
    errors: list[dict[str, Any]] = []
    images = [p for p in args.files if p.suffix.lower() != ".json"]
    if images and reader is None:
        engine = create_engine(settings, OcrEngineName(args.engine) if args.engine else None)
        reader = DocumentReader(engine, settings)
    with Progress(console=err, transient=True, disable=len(images) < 2) as progress:
        task = progress.add_task("OCR", total=len(images))
        for path in args.files:
            try:
                if path.suffix.lower() == ".json":
                    documents.extend(read_documents_json(path))
                else:
                    documents.append(reader.read_path(path))
                    progress.advance(task)
            except ZhengzhaoError as exc:  # unreadable input or not an extraction result
                errors.append({"file": str(path), "error": exc.to_dict()})
                fail(exc, path=path, console=err)
    return documents, errors


def check_photos(service: Service, paths: list[Path], settings: Settings,
                 errors: list[dict[str, Any]], err: Console,
                 ) -> tuple[list[PhotoEvidence], list[dict[str, Any]]]:
    """Check every photo against the profile of each photo material of ``service``. A photo
    that cannot be read is an error of the command (and counts as not passed)."""
    profiles = sorted({m.profile for m in service.materials
                       if m.kind is MaterialKind.PHOTO and m.profile})
    evidence: list[PhotoEvidence] = []
    reports: list[dict[str, Any]] = []
    with PortraitAnalyzer(threads=settings.photo_threads) as analyzer:
        for path in paths:
            try:
                if not path.is_file():
                    raise MaterialInvalidError(str(path.name), "no such file")
                photo = decode_photo(path.read_bytes(), max_bytes=settings.max_upload_bytes,
                                     max_pixels=settings.max_image_pixels)
                for profile_id in profiles:
                    result = check_photo(photo, get_profile(profile_id,
                                                            settings.photo_profiles_dir),
                                         analyzer)
                    evidence.append(PhotoEvidence(profile_id, result.passed, path.name))
                    reports.append({"file": path.name, **result.to_dict()})
            except ZhengzhaoError as exc:
                errors.append({"file": str(path), "error": exc.to_dict()})
                fail(exc, path=path, console=err)
                evidence.extend(PhotoEvidence(p, False, path.name) for p in profiles)
    return evidence, reports


def _list(catalog: ServiceCatalog, as_json: bool) -> int:
    if as_json:
        emit_json([{"id": s.id, "name": s.name, "name_en": s.name_en, "aliases": list(s.aliases),
                    "materials": [m.id for m in s.materials]} for s in catalog])
        return EXIT_OK
    table = Table(title="services / 办事事项")
    table.add_column("id", no_wrap=True)
    table.add_column("name")
    table.add_column("materials")
    for s in catalog:
        table.add_row(s.id, f"{s.name}\n{s.name_en or ''}",
                      "、".join(m.name for m in s.materials))
    Console().print(table)
    return EXIT_OK


def mask(value: str | None) -> str:
    """A value for the human table: resident ID numbers and mobile numbers partly hidden."""
    if value is None:
        return "—"
    value = _ID_NUMBER.sub(lambda m: m.group(0)[:6] + "********" + m.group(0)[-4:], value)
    return _MOBILE.sub(lambda m: m.group(0)[:3] + "****" + m.group(0)[-4:], value)


def print_report(report: ValidationReport) -> None:
    console = Console()
    console.print(f"[bold]{report.service_name}[/bold] ({report.service_id}) — "
                  f"[{_VERDICT_STYLE[report.verdict]}]{report.verdict.value}[/] "
                  f"(checked on {report.checked_on.isoformat()})", highlight=False)
    materials = Table(title="materials / 材料")
    for column in ("material", "needed", "files"):
        materials.add_column(column)
    for m in report.materials:
        needed = f"{m.count}" if m.required else "optional"
        materials.add_row(m.name, needed, "\n".join(m.files) or "—")
    for file in report.unassigned_files:
        materials.add_row("(not used / 未使用)", "", file)
    console.print(materials)
    fields = Table(title="fields / 字段")
    for column in ("field", "label", "value", "conf", "status"):
        fields.add_column(column, justify="right" if column == "conf" else "left")
    for f in report.fields:
        conf = "" if f.confidence is None else f"{f.confidence:.2f}"
        status = "✓" if f.worst is None else f"[{_STYLE[f.worst]}]{f.worst.value}[/]"
        fields.add_row(f.ref, f.label, mask(f.value), conf, status)
    console.print(fields)
    if not report.findings:
        console.print("[green]no findings / 无问题[/green]")
        return
    findings = Table(title="findings / 核验结果")
    for column in ("severity", "code", "where", "message"):
        findings.add_column(column)
    for f in report.findings:
        where = f.rule if f.refs else ".".join(x for x in (f.material, f.field) if x)
        findings.add_row(f"[{_STYLE[f.severity]}]{f.severity.value}[/]", f.code.value,
                         where or (f.file or ""), f"{f.message_zh}\n{f.message_en}")
    console.print(findings)
