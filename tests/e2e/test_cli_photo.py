"""``zhengzhao check-photo`` end to end through ``api.cli.photo.run``: real photos,
real files written and re-read, exit codes and the JSON shape."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from api.cli import build_parser
from api.cli.photo import run as run_check_photo
from core import Settings
from verify.photo import GEOMETRY_CHECKS, PhotoCheck

pytestmark = pytest.mark.e2e

CHECK_KEYS = {"check", "status", "measured", "expected", "unit", "message_en", "message_zh"}


def parse(*argv: str) -> argparse.Namespace:
    return build_parser(["check-photo", *argv]).parse_args(["check-photo", *argv])


def run(capsys, *argv: str, settings: Settings | None = None) -> tuple[int, str, str]:
    code = run_check_photo(parse(*argv), settings or Settings(_env_file=None))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def obama_file(tmp_path: Path, portrait_photo: bytes) -> Path:
    path = tmp_path / "portrait.jpg"
    path.write_bytes(portrait_photo)
    return path


def test_json_report_of_a_failing_photo(capsys, obama_file: Path) -> None:
    code, out, _ = run(capsys, str(obama_file), "--profile", "cn-resident-id", "--json")
    assert code == 1
    payload = json.loads(out)
    assert payload["profile"] == "cn-resident-id" and payload["passed"] is False
    assert payload["file"] == str(obama_file)
    report = payload["report"]
    assert [c["check"] for c in report["checks"]] == [c.value for c in PhotoCheck]
    assert all(set(c) == CHECK_KEYS for c in report["checks"])
    assert set(report["failed"]) >= {"pixel_size", "dpi", "background_color"}
    assert report["timings_ms"]["total"] > 0
    assert "fix" not in payload


def test_fix_writes_a_photo_that_passes_and_rechecks_it(capsys, obama_file: Path,
                                                       tmp_path: Path) -> None:
    out_path = tmp_path / "fixed.jpg"
    code, out, _ = run(capsys, str(obama_file), "--profile", "us-visa", "--fix", str(out_path),
                       "--json")
    payload = json.loads(out)
    assert payload["passed"] is False  # the original
    fix = payload["fix"]
    assert fix["output"] == str(out_path) and out_path.read_bytes()[:3] == b"\xff\xd8\xff"
    statuses = {c["check"]: c["status"] for c in fix["report"]["checks"]}
    for check in (*GEOMETRY_CHECKS, PhotoCheck.BACKGROUND_COLOR, PhotoCheck.BACKGROUND_UNIFORM,
                  PhotoCheck.PIXEL_SIZE, PhotoCheck.FILE_TYPE):
        assert statuses[check.value] in ("pass", "not_applicable"), (check, statuses)
    assert code == (0 if fix["passed"] else 1)
    # The written file, checked on its own, gets the same verdict.
    code_again, out_again, _ = run(capsys, str(out_path), "--profile", "us-visa", "--json")
    assert code_again == code and json.loads(out_again)["passed"] == fix["passed"]


def test_fixing_a_group_photo_is_impossible(capsys, tmp_path: Path, group_photo: bytes) -> None:
    group = tmp_path / "group.jpg"
    group.write_bytes(group_photo)
    out_path = tmp_path / "never.jpg"
    code, out, _ = run(capsys, str(group), "--fix", str(out_path), "--json")
    assert code == 1
    payload = json.loads(out)
    assert payload["fix"]["error"]["code"] == "photo.fix_impossible"
    assert not out_path.exists()


def test_human_output_is_a_table_with_every_check(capsys, obama_file: Path) -> None:
    code, out, _ = run(capsys, str(obama_file))
    assert code == 1
    for title in ("face width", "background colour", "head tilt", "脸部宽度", "FAIL"):
        assert title in out
    assert "measured" in out and "expected" in out


def test_unreadable_files_exit_1_with_a_code(capsys, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    code, out, _ = run(capsys, str(empty), "--json")
    assert code == 1 and json.loads(out)["error"]["code"] == "input.empty"
    text = tmp_path / "notes.jpg"
    text.write_text("not a photo", "utf-8")
    code, _, err = run(capsys, str(text))
    assert code == 1 and "input.unsupported_type" in err
    code, out, _ = run(capsys, str(tmp_path / "missing.jpg"), "--json")
    assert code == 1 and json.loads(out)["error"]["code"] == "input.not_found"


def test_unknown_profile_and_missing_file_argument_exit_2(capsys, obama_file: Path) -> None:
    code, _, err = run(capsys, str(obama_file), "--profile", "mars-passport")
    assert code == 2 and "photo.profile_not_found" in err and "cn-resident-id" in err
    code, _, err = run(capsys)
    assert code == 2 and "FILE" in err


def test_list_profiles_includes_user_profiles(capsys, tmp_path: Path) -> None:
    (tmp_path / "club.yaml").write_text(
        "id: club-card\nname: {zh: 会员卡, en: club card}\n"
        "size: {width_px: 300, height_px: 400}\n", "utf-8")
    settings = Settings(_env_file=None, photo_profiles_dir=tmp_path)
    code, out, _ = run(capsys, "--list-profiles", "--json", settings=settings)
    assert code == 0
    ids = {row["id"] for row in json.loads(out)}
    assert {"cn-resident-id", "icao", "us-visa", "cn-passport", "club-card"} <= ids
    code, out, _ = run(capsys, "--list-profiles", settings=settings)
    assert code == 0 and "club-card" in out


def test_a_broken_profile_directory_exits_2(capsys, tmp_path: Path, obama_file: Path) -> None:
    (tmp_path / "bad.yaml").write_text("id: [", "utf-8")
    settings = Settings(_env_file=None, photo_profiles_dir=tmp_path)
    code, _, err = run(capsys, str(obama_file), settings=settings)
    assert code == 2 and "photo.profile_invalid" in err and "bad.yaml" in err
