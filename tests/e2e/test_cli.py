"""``zhengzhao`` as a user runs it: real process, real files, exit codes and JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "documents"

pytestmark = pytest.mark.e2e


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ZZ_LOG_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, "-m", "api.cli", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=300)


def first_sample(doc_type: str) -> tuple[Path, dict]:
    for truth_path in sorted(SAMPLES.glob("*.json")):
        truth = json.loads(truth_path.read_text("utf-8"))
        if truth["doc_type"] == doc_type and truth["clean"]:
            return SAMPLES / truth["file"], truth
    raise AssertionError(f"no clean {doc_type} sample")


def test_ocr_json_for_one_file_and_an_array_for_several(tmp_path: Path) -> None:
    front, truth = first_sample("id_card_front")
    proc = run("ocr", "--json", str(front))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["doc_type"] == "id_card_front"
    assert data["fields"]["id_number"]["value"] == truth["fields"]["id_number"]
    back, _ = first_sample("id_card_back")
    proc = run("ocr", "--json", str(front), str(back))
    assert proc.returncode == 0, proc.stderr
    assert [d["doc_type"] for d in json.loads(proc.stdout)] == ["id_card_front", "id_card_back"]


def test_unreadable_file_exits_1_with_a_code_and_keeps_the_others(tmp_path: Path) -> None:
    front, _ = first_sample("id_card_front")
    bad = tmp_path / "empty.jpg"
    bad.write_bytes(b"")
    proc = run("ocr", "--json", str(bad), str(front))
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data[0]["error"]["code"] == "input.empty"
    assert data[0]["error"]["message_zh"]
    assert data[1]["doc_type"] == "id_card_front"
    assert "input.empty" in proc.stderr and "Traceback" not in proc.stderr


def test_usage_errors_exit_2() -> None:
    assert run("ocr").returncode == 2
    assert run("ocr", "--type", "passport", "x.jpg").returncode == 2
    assert run("frobnicate").returncode == 2


def test_paddle_without_model_dir_is_a_clear_error(tmp_path: Path) -> None:
    front, _ = first_sample("id_card_front")
    env_dir = tmp_path / "nothing-here"
    proc = subprocess.run(
        [sys.executable, "-m", "api.cli", "ocr", "--engine", "paddleocr", str(front)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), "ZZ_PADDLE_MODEL_DIR": str(env_dir)},
    )
    assert proc.returncode == 2
    assert "ocr.model_missing" in proc.stderr or "ocr.engine_unavailable" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_human_table_output() -> None:
    front, truth = first_sample("id_card_front")
    proc = run("ocr", str(front))
    assert proc.returncode == 0, proc.stderr
    assert "id_card_front" in proc.stdout
    assert truth["fields"]["name"] in proc.stdout


def test_demo_reads_the_bundled_samples() -> None:
    proc = run("demo", "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert len(report["files"]) == len(list(SAMPLES.glob("*.json")))
    assert all(f["doc_type"] == f["expected_type"] for f in report["files"])
    assert report["fields_matched"] >= 0.97 * report["fields_total"]
    # Every generated applicant's materials are validated against the service of its form; the
    # clean scans come from consistent fictional people, so those applications must be valid.
    truths = [json.loads(p.read_text("utf-8")) for p in SAMPLES.glob("*.json")]
    clean = {t["case"] for t in truths if t["clean"]}
    applications = {a["case"]: a for a in report["applications"]}
    assert set(applications) == {t["case"] for t in truths}
    assert clean and all(applications[c]["verdict"] == "valid" for c in clean), applications
    # Each sample licence is issued and verifies offline; tampering and revocation fail it.
    licences = report["licences"]
    assert len(licences) == len(list((ROOT / "samples" / "licences").glob("*.json")))
    for row in licences:
        assert (row["pdf"], row["token"]) == ("PASSED", "PASSED"), row
        assert (row["tampered_pdf"], row["after_revocation"]) == ("FAILED", "FAILED"), row
