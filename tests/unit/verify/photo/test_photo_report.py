"""The verdict types: stable values, the pass rule, the JSON shape and the public surface."""

from __future__ import annotations

import json

import pytest

import verify.photo
from verify.photo import (
    BACKGROUND_CHECKS,
    GEOMETRY_CHECKS,
    CheckResult,
    CheckStatus,
    PhotoCheck,
)
from verify.photo.report import build_report

PUBLIC = {
    "BACKGROUND_CHECKS", "CHECK_TITLES", "GEOMETRY_CHECKS", "CheckResult", "CheckStatus",
    "FaceLandmarks", "FixResult", "PhotoCheck", "PhotoFile", "PhotoFixError", "PhotoFormat",
    "PhotoInputError", "PhotoModelError", "PhotoProfile", "PhotoProfileError", "PhotoReport",
    "PortraitAnalysis", "PortraitAnalyzer", "Range", "check_photo", "decode_photo",
    "encode_photo", "fix_photo", "get_profile", "load_profiles",
    # The applicant's view of the verdicts (verify.photo.advice, issue 13 item 4).
    "APPLICANT_CHECKS", "MECHANICAL_CHECKS", "CheckKind", "explain", "instruction", "kind_of",
    "lead_instructions", "title",
}


def result(check: PhotoCheck, status: CheckStatus, measured=1.0) -> CheckResult:
    return CheckResult(check, status, measured, "1–2", "px", "en", "中文")


def all_checks(status: CheckStatus) -> list[CheckResult]:
    return [result(check, status) for check in PhotoCheck]


def test_check_values_are_lower_case_names() -> None:
    assert all(check.value == check.name.lower() for check in PhotoCheck)
    assert len(PhotoCheck) == 21
    assert GEOMETRY_CHECKS == {PhotoCheck.FACE_WIDTH, PhotoCheck.HEAD_HEIGHT,
                               PhotoCheck.CROWN_MARGIN, PhotoCheck.EYE_LINE,
                               PhotoCheck.CENTERING}
    assert BACKGROUND_CHECKS == {PhotoCheck.BACKGROUND_COLOR, PhotoCheck.BACKGROUND_UNIFORM}
    assert {s.value for s in CheckStatus} == {"pass", "fail", "warn", "not_applicable",
                                              "uncheckable"}


@pytest.mark.parametrize("status", [CheckStatus.WARN, CheckStatus.NOT_APPLICABLE,
                                    CheckStatus.UNCHECKABLE, CheckStatus.PASS])
def test_only_a_failure_fails_a_photo(status: CheckStatus) -> None:
    checks = all_checks(CheckStatus.PASS)
    checks[3] = result(checks[3].check, status)
    assert build_report("p", checks, {}).passed
    checks[5] = result(checks[5].check, CheckStatus.FAIL)
    report = build_report("p", checks, {})
    assert not report.passed and [c.check for c in report.failed()] == [checks[5].check]


def test_report_is_ordered_complete_and_json_ready() -> None:
    checks = list(reversed(all_checks(CheckStatus.PASS)))
    checks[0] = CheckResult(PhotoCheck.FACE_LIGHTING, CheckStatus.FAIL, float("nan"), "≤ 15",
                            "ΔL*", "en", "中文")
    checks[1] = CheckResult(PhotoCheck.EXPOSURE, CheckStatus.PASS, (358, 441), "x", "px",
                            "en", "中文")
    report = build_report("cn-resident-id", checks, {"total": 12.3456})
    assert [c.check for c in report.checks] == list(PhotoCheck)
    payload = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert payload["profile"] == "cn-resident-id" and payload["passed"] is False
    assert payload["failed"] == ["face_lighting"]
    assert payload["timings_ms"] == {"total": 12.35}
    first = payload["checks"][0]
    assert set(first) == {"check", "status", "measured", "expected", "unit", "message_en",
                          "message_zh"}
    by_check = {c["check"]: c for c in payload["checks"]}
    assert by_check["face_lighting"]["measured"] is None  # NaN is not JSON
    assert by_check["exposure"]["measured"] == [358, 441]
    assert report.result(PhotoCheck.EXPOSURE).unit == "px"


def test_an_incomplete_or_duplicated_report_is_a_bug() -> None:
    checks = all_checks(CheckStatus.PASS)
    with pytest.raises(AssertionError):
        build_report("p", checks[:-1], {})
    with pytest.raises(AssertionError):
        build_report("p", [*checks, checks[0]], {})


def test_public_surface_is_deliberate() -> None:
    assert set(verify.photo.__all__) == PUBLIC
    for name in verify.photo.__all__:
        assert getattr(verify.photo, name) is not None
