"""``zhengzhao validate`` on already-extracted JSON (fast) and on real sample images.

Most tests run the command through its own argument definition
(``api.cli.validate.add_arguments``) and ``run`` (which takes a document reader);
``test_the_wired_command`` goes through ``api.cli.main``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from api.cli.validate import add_arguments as add_validate_arguments
from api.cli.validate import run as run_validate
from core import DocumentResult, Settings

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "documents"
PERMIT = ROOT / "tests" / "unit" / "verify" / "forms" / "data" / "safety_permit"
CASE0 = ["0000_id_card_front_clean.jpg", "0001_id_card_back_clean.jpg",
         "0002_business_licence_clean.jpg", "0003_form_clean.pdf"]
TODAY = "2025-06-30"  # the sample generator's reference date

pytestmark = pytest.mark.e2e


def cli(argv: list[str], settings: Settings | None = None, reader: Any = None) -> int:
    parser = argparse.ArgumentParser(prog="zhengzhao validate")
    add_validate_arguments(parser)
    return run_validate(parser.parse_args(argv), settings or Settings(_env_file=None), reader)


def as_extraction(truth_path: Path, out_dir: Path) -> Path:
    """A truth file turned into the JSON ``zhengzhao ocr --json`` prints."""
    truth = json.loads(truth_path.read_text("utf-8"))
    title = truth.get("extra", {}).get("title")
    result = {"schema_version": 1, "file": truth["file"], "doc_type": truth["doc_type"],
              "fields": {k: {"value": v, "confidence": 0.98, "box": None}
                         for k, v in truth["fields"].items()},
              "checkboxes": truth["checkboxes"], "warnings": [], "timings": {}, "pages": 1,
              "lines": [{"text": title, "score": 0.99, "box": [[0, 0], [1, 0], [1, 1], [0, 1]]}]
              if title else []}
    path = out_dir / truth_path.name
    path.write_text(json.dumps(result, ensure_ascii=False), "utf-8")
    return path


@pytest.fixture()
def case0_json(tmp_path: Path) -> list[Path]:
    return [as_extraction(SAMPLES / Path(name).with_suffix(".json").name, tmp_path)
            for name in CASE0]


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")


def output(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    return json.loads(capsys.readouterr().out)


def test_a_valid_application_from_json_exits_0(case0_json, capsys) -> None:
    code = cli(["--service", "居民身份证换领", "--today", TODAY, "--json", *map(str, case0_json)])
    data = output(capsys)
    assert code == 0, data["findings"]
    assert data["verdict"] == "valid" and data["errors"] == []
    assert data["service"]["id"] == "id-card-renewal"
    assert data["unassigned_files"] == ["0002_business_licence_clean.jpg"]


def test_a_tampered_name_exits_1_with_the_cross_material_code(case0_json, capsys) -> None:
    form = case0_json[3]
    data = json.loads(form.read_text("utf-8"))
    data["fields"]["姓名"]["value"] = "王小明"
    form.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    code = cli(["-s", "id-card-renewal", "--today", TODAY, "--json", *map(str, case0_json)])
    report = output(capsys)
    assert code == 1
    assert report["verdict"] == "invalid"
    assert {"code": "cross.mismatch", "rule": "form_name_matches_card"}.items() <= next(
        f for f in report["findings"] if f["rule"] == "form_name_matches_card").items()


def test_an_array_file_as_ocr_prints_for_several_files(case0_json, tmp_path, capsys) -> None:
    combined = tmp_path / "all.json"
    combined.write_text(json.dumps([json.loads(p.read_text("utf-8")) for p in case0_json],
                                   ensure_ascii=False), "utf-8")
    assert cli(["-s", "id-card-renewal", "--today", TODAY, "--json", str(combined)]) == 0
    assert output(capsys)["verdict"] == "valid"


def test_the_hand_built_safety_permit_application(capsys) -> None:
    files = [str(p) for p in sorted(PERMIT.glob("*.json"))]
    assert cli(["-s", "安全生产许可证变更", "--today", TODAY, "--json", *files]) == 0
    assert output(capsys)["auto_approvable"] is True


def test_the_check_date_decides_expiry(tmp_path, capsys) -> None:
    # Case 1 registers an individual business; its operator's card is valid until 2034-09-20.
    files = [str(as_extraction(p, tmp_path)) for i in range(4, 8)
             for p in sorted(SAMPLES.glob(f"{i:04d}_*.json"))]
    args = ["-s", "individual-business-registration", "--json", *files]
    assert cli(["--today", "2034-09-20", *args]) == 0
    capsys.readouterr()
    assert cli(["--today", "2034-09-21", *args]) == 1
    report = output(capsys)
    assert report["verdict"] == "invalid"
    assert [f["rule"] for f in report["findings"] if f["code"] == "cross.expired"] == [
        "card_valid_today"]


def test_an_application_dated_after_the_check_date_is_invalid(case0_json, capsys) -> None:
    assert cli(["-s", "id-card-renewal", "--today", "2025-06-11", "--json",
                *map(str, case0_json)]) == 1
    assert "field.too_late" in {f["code"] for f in output(capsys)["findings"]}


def test_human_output_masks_id_and_mobile_numbers(case0_json, capsys) -> None:
    assert cli(["-s", "id-card-renewal", "--today", TODAY, *map(str, case0_json)]) == 0
    out = capsys.readouterr().out
    truth = json.loads((SAMPLES / "0003_form_clean.json").read_text("utf-8"))["fields"]
    number, phone = truth["公民身份号码"], truth["联系电话"]
    assert number not in out and f"{number[:6]}********{number[-4:]}" in out
    assert phone not in out and f"{phone[:3]}****{phone[-4:]}" in out
    assert "valid" in out and "居民身份证换领" in out


def test_list_services(capsys) -> None:
    assert cli(["--list", "--json"]) == 0
    ids = {s["id"] for s in output(capsys)}
    assert {"id-card-renewal", "legal-representative-change", "safety-production-permit-change",
            "individual-business-registration"} <= ids
    assert cli(["--list"]) == 0
    assert "安全生产许可证变更" in capsys.readouterr().out


def test_usage_errors_exit_2(case0_json, capsys) -> None:
    files = [str(p) for p in case0_json]
    assert cli(["-s", "护照办理", *files]) == 2
    assert "service.not_found" in capsys.readouterr().err
    assert cli(files) == 2  # no --service
    assert cli(["-s", "id-card-renewal"]) == 2  # no files
    with pytest.raises(SystemExit) as info:
        cli(["-s", "id-card-renewal", "--today", "30/06/2025", *files])
    assert info.value.code == 2


def test_a_broken_service_directory_is_a_usage_error(tmp_path, capsys) -> None:
    (tmp_path / "bad.yaml").write_text("id: bad\nname: 坏\nmaterials: []\n", "utf-8")
    settings = Settings(_env_file=None, services_dir=tmp_path)
    assert cli(["--list"], settings) == 2
    err = capsys.readouterr().err
    assert "service.invalid" in err and "bad.yaml" in err and "materials" in err


def test_services_dir_adds_a_service(tmp_path, case0_json, capsys) -> None:
    services = tmp_path / "services"
    services.mkdir()
    (services / "mine.yaml").write_text(
        "id: mine\nname: 核对身份证号\nmaterials:\n"
        "  - {id: card, kind: id_card_front, name: 身份证,\n"
        "     fields: [{id: id_number, rules: [required, id_number]}]}\n", "utf-8")
    settings = Settings(_env_file=None, services_dir=services)
    assert cli(["-s", "核对身份证号", "--json", str(case0_json[0])], settings) == 0
    assert output(capsys)["service"]["id"] == "mine"


def test_a_file_that_is_not_an_extraction_result_exits_1(case0_json, capsys) -> None:
    truth = SAMPLES / "0000_id_card_front_clean.json"  # a truth file, not an extraction
    code = cli(["-s", "id-card-renewal", "--today", TODAY, "--json", str(truth),
                *map(str, case0_json[1:])])
    report = output(capsys)
    assert code == 1
    assert report["errors"][0]["error"]["code"] == "material.invalid"
    assert report["verdict"] == "incomplete"  # the ID front is missing


@pytest.mark.integration
def test_real_sample_images_of_case_0(reader, capsys) -> None:
    files = [str(SAMPLES / name) for name in CASE0]
    code = cli(["--service", "居民身份证换领", "--today", TODAY, "--json", *files], reader=reader)
    report = output(capsys)
    assert code == 0, report["findings"]
    assert report["verdict"] == "valid"
    assert [m["files"] for m in report["materials"][:3]] == [[CASE0[0]], [CASE0[1]], [CASE0[3]]]


@pytest.mark.integration
def test_ocr_json_round_trips_and_a_tampered_form_is_caught(reader, tmp_path, capsys) -> None:
    paths = []
    for name in CASE0:
        result = reader.read_path(SAMPLES / name)
        data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
        assert DocumentResult.from_dict(data).to_dict() == data  # the --json format round-trips
        if result.doc_type.value == "form":
            data["fields"]["公民身份号码"]["value"] = "11010519491231002X"
        path = tmp_path / f"{Path(name).stem}.json"
        path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
        paths.append(str(path))
    assert cli(["-s", "id-card-renewal", "--today", TODAY, "--json", *paths]) == 1
    rules = {f["rule"] for f in output(capsys)["findings"] if f["code"] == "cross.mismatch"}
    assert "form_id_number_matches_card" in rules


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))


def test_the_wired_command(case0_json: list[Path]) -> None:
    from api.cli import main

    assert main(["validate", "-s", "居民身份证换领", "--today", TODAY, "--json",
                 *map(str, case0_json)]) == 0


def _photo_findings(capsys: pytest.CaptureFixture[str], argv: list[str],
                    settings: Settings | None = None) -> tuple[int, dict]:
    code = cli(argv, settings)
    return code, json.loads(capsys.readouterr().out)


def test_a_photo_on_a_busy_background_fails_the_application(
    case0_json: list[Path], busy_background_portrait: bytes, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    photo = tmp_path / "portrait.jpg"
    photo.write_bytes(busy_background_portrait)
    code, out = _photo_findings(capsys, ["-s", "id-card-renewal", "--today", TODAY, "--json",
                                         "--photo", str(photo), *map(str, case0_json)])
    assert code == 1
    assert "photo.failed" in {f["code"] for f in out["findings"]}
    (report,) = out["photos"]
    assert report["profile"] == "cn-resident-id" and report["passed"] is False
    failed = {c["check"] for c in report["checks"] if c["status"] == "fail"}
    assert failed & {"background_color", "background_uniform"}


def test_a_fixed_photo_passes_with_an_office_defined_service_and_profile(
    case0_json: list[Path], face_recognition_images: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An office adds its own photo profile and service as files (no code). None of the real
    test portraits meets every GA 461 rule (smiles, turned heads), so the office's profile here
    relaxes the expression and yaw rules; geometry and background stay GA 461's."""
    from api.cli import main

    profiles, services = tmp_path / "profiles", tmp_path / "services"
    profiles.mkdir()
    services.mkdir()
    bundled = ROOT / "verify" / "photo" / "profiles" / "cn-resident-id.yaml"
    (profiles / "lenient.yaml").write_text(
        bundled.read_text("utf-8")
        .replace("id: cn-resident-id", "id: office-lenient-id")
        .replace("max_yaw: 10", "max_yaw: 20")
        .replace("mouth_closed: true", "mouth_closed: false"), "utf-8")
    service = (ROOT / "verify" / "forms" / "services" / "id-card-renewal.yaml").read_text("utf-8")
    assert "profile: cn-resident-id" in service and "name: 居民身份证换领" in service
    (services / "office.yaml").write_text(
        service.replace("id: id-card-renewal", "id: office-id-card-renewal")
        .replace("name: 居民身份证换领", "name: 本局居民身份证换领")
        .replace("aliases: [身份证换领, 换领身份证]", "aliases: []")
        .replace("profile: cn-resident-id", "profile: office-lenient-id"), "utf-8")
    settings = Settings(_env_file=None, services_dir=services, photo_profiles_dir=profiles)

    original = face_recognition_images / "biden.jpg"
    code, out = _photo_findings(capsys, ["-s", "office-id-card-renewal", "--today", TODAY,
                                         "--json", "--photo", str(original),
                                         *map(str, case0_json)], settings)
    assert code == 1 and "photo.failed" in {f["code"] for f in out["findings"]}

    fixed = tmp_path / "fixed.jpg"
    main(["check-photo", str(original), "--profile", "cn-resident-id", "--fix", str(fixed),
          "--json"])
    capsys.readouterr()
    code, out = _photo_findings(capsys, ["-s", "office-id-card-renewal", "--today", TODAY,
                                         "--json", "--photo", str(fixed),
                                         *map(str, case0_json)], settings)
    assert out["photos"][0]["profile"] == "office-lenient-id"
    assert out["photos"][0]["passed"] is True, out["photos"][0]["failed"]
    assert code == 0, out["findings"]


def test_an_unreadable_photo_is_an_error_not_a_crash(
    case0_json: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"MZ\x90\x00 this is an executable renamed .jpg")
    code, out = _photo_findings(capsys, ["-s", "id-card-renewal", "--today", TODAY, "--json",
                                         "--photo", str(photo), *map(str, case0_json)])
    assert code == 1
    assert out["errors"][0]["error"]["code"] == "input.unsupported_type"
    assert "photo.failed" in {f["code"] for f in out["findings"]}
