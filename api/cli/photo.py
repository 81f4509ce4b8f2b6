"""``zhengzhao check-photo``: check a portrait photo against an ID-photo profile, optionally fix it.

Exit codes: 0 the photo passes (with ``--fix``: the fixed photo passes), 1 it fails or cannot be
read or fixed, 2 unknown or invalid profile. ``--json`` prints one object on stdout.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from api.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, emit_json
from api.cli.errors import print_error
from core import Settings, ZhengzhaoError
from verify.photo import (
    CHECK_TITLES,
    CheckStatus,
    PhotoFixError,
    PhotoInputError,
    PhotoProfile,
    PhotoProfileError,
    PhotoReport,
    PortraitAnalyzer,
    check_photo,
    decode_photo,
    fix_photo,
    get_profile,
    load_profiles,
)

DEFAULT_PROFILE = "cn-resident-id"
_STYLE = {"pass": "green", "fail": "bold red", "warn": "yellow", "not_applicable": "dim",
          "uncheckable": "magenta"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, nargs="?", metavar="FILE")
    parser.add_argument("--profile", default=DEFAULT_PROFILE,
                        help=f"profile id (default {DEFAULT_PROFILE}; see --list-profiles)")
    parser.add_argument("--fix", type=Path, default=None, metavar="OUT",
                        help="write a compliant photo to OUT and check it too")
    parser.add_argument("--json", action="store_true", help="JSON output")
    parser.add_argument("--list-profiles", action="store_true", help="list the profiles and exit")


def run(args: argparse.Namespace, settings: Settings) -> int:
    err = Console(stderr=True)
    try:
        if args.list_profiles:
            return _list_profiles(load_profiles(settings.photo_profiles_dir), args.json)
        if args.file is None:
            _error(err, "a photo FILE is required (or --list-profiles)", "需要指定照片文件")
            return EXIT_USAGE
        profile = get_profile(args.profile, settings.photo_profiles_dir)
    except PhotoProfileError as exc:
        _error(err, exc.message_en, exc.message_zh, exc.code.value)
        return EXIT_USAGE
    return _check(args, settings, profile, err)


def _check(args: argparse.Namespace, settings: Settings, profile: PhotoProfile,
           err: Console) -> int:
    payload: dict[str, Any] = {"file": str(args.file), "profile": profile.id}
    try:
        data = _read(args.file, settings.max_upload_bytes)
        photo = decode_photo(data, max_bytes=settings.max_upload_bytes,
                             max_pixels=settings.max_image_pixels)
    except (OSError, PhotoInputError) as exc:
        error = exc if isinstance(exc, ZhengzhaoError) else None
        payload.update(passed=False, error=_error_dict(error, "The file cannot be read.",
                                                       "无法读取文件。"))
        if args.json:
            emit_json(payload)
        else:
            _error(err, payload["error"]["message_en"], payload["error"]["message_zh"],
                   payload["error"]["code"])
        return EXIT_FAILED

    with PortraitAnalyzer(settings.photo_threads) as analyzer:
        report = check_photo(photo, profile, analyzer)
        payload.update(passed=report.passed, report=report.to_dict())
        if not args.json:
            _print_report(report, profile, str(args.file))
        passed = report.passed
        if args.fix is not None:
            try:
                fixed = fix_photo(photo, profile, analyzer)
            except PhotoFixError as exc:
                payload["fix"] = {"output": None, "error": exc.to_dict()}
                if not args.json:
                    _error(err, exc.message_en, exc.message_zh, exc.code.value)
                passed = False
            else:
                args.fix.write_bytes(fixed.data)
                again = check_photo(decode_photo(fixed.data), profile, analyzer)
                payload["fix"] = {
                    "output": str(args.fix), "scale": round(fixed.scale, 4),
                    "padded": fixed.padded, "background_replaced": fixed.background_replaced,
                    "notes": list(fixed.notes), "passed": again.passed,
                    "report": again.to_dict(),
                }
                if not args.json:
                    _print_report(again, profile, f"{args.fix} (fixed)")
                passed = again.passed
    if args.json:
        emit_json(payload)
    sys.stdout.flush()
    return EXIT_OK if passed else EXIT_FAILED


def _read(path: Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes (the decoder then refuses an oversized file by its code)."""
    with path.open("rb") as handle:
        return handle.read(limit + 1)


def _print_report(report: PhotoReport, profile: PhotoProfile, title: str) -> None:
    console = Console()
    verdict = "[green]PASS 合格[/green]" if report.passed else "[bold red]FAIL 不合格[/bold red]"
    table = Table(title=f"{title} — {profile.id} ({profile.name.zh})",
                  caption=f"{verdict}  {report.timings_ms.get('total', 0.0):.0f} ms")
    for column in ("check 检查项", "status", "measured", "expected"):
        table.add_column(column)
    for result in report.checks:
        en, zh = CHECK_TITLES[result.check]
        measured = result.to_dict()["measured"]
        shown = "—" if measured is None else (
            "×".join(str(v) for v in measured) if isinstance(measured, list) else str(measured))
        style = _STYLE[result.status.value]
        table.add_row(f"{en} {zh}", f"[{style}]{result.status.value}[/{style}]",
                      f"{shown} {result.unit}".strip(), result.expected)
    console.print(table)
    for result in report.checks:
        if result.status in (CheckStatus.FAIL, CheckStatus.WARN, CheckStatus.UNCHECKABLE):
            console.print(f"  • {result.message_en}\n    {result.message_zh}", markup=False,
                          highlight=False)


def _list_profiles(profiles: dict[str, PhotoProfile], as_json: bool) -> int:
    rows = [{"id": p.id, "name_zh": p.name.zh, "name_en": p.name.en,
             "width_px": p.size.width_px, "height_px": p.size.height_px, "dpi": p.size.dpi,
             "formats": [f.value for f in p.file.formats], "source": p.source}
            for p in sorted(profiles.values(), key=lambda p: p.id)]
    if as_json:
        emit_json(rows)
        return EXIT_OK
    table = Table(title="photo profiles 照片规格")
    for column in ("id", "name", "pixels", "dpi", "source"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["id"], f"{row['name_zh']} / {row['name_en']}",
                      f"{row['width_px']}×{row['height_px']}", str(row["dpi"] or "—"),
                      row["source"])
    Console().print(table)
    return EXIT_OK


def _error_dict(exc: ZhengzhaoError | None, en: str, zh: str) -> dict[str, str]:
    if exc is not None:
        return exc.to_dict()
    return {"code": "input.not_found", "message_en": en, "message_zh": zh}


def _error(console: Console, en: str, zh: str, code: str = "usage") -> None:
    print_error(en, zh, code, console=console)
