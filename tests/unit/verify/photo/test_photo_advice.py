"""verify.photo.advice and the rounding of the rules (issue 13, item 4): every rule is either
mechanical (the auto-fix repairs it) or the applicant's; the instructions are plain and lead
with at most two; the explanations carry the measurements in words, no formulas; and a rule
compares the value its message shows, so no message contradicts itself."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from photo_helpers import ellipse_person, hand_made_analysis

from verify.photo import (
    APPLICANT_CHECKS,
    MECHANICAL_CHECKS,
    CheckKind,
    CheckResult,
    CheckStatus,
    PhotoCheck,
    explain,
    get_profile,
    instruction,
    kind_of,
    lead_instructions,
    title,
)
from verify.photo.advice import allowed
from verify.photo.checks_background import background_checks
from verify.photo.checks_face import face_checks
from verify.photo.report import number

W, H = 358, 441
# What the old page showed the applicant; no plain text may contain any of it.
FORMULAS = ("ΔE", "P90", "ΔL*", "拉普拉斯", "|angle|", "|offset|")


def failed(check: PhotoCheck, measured: object = None, expected: str = "",
           unit: str = "") -> CheckResult:
    return CheckResult(check, CheckStatus.FAIL, measured, expected, unit, "en", "中文")


def by_check(results: list[CheckResult]) -> dict[PhotoCheck, CheckResult]:
    return {r.check: r for r in results}


def test_every_rule_is_mechanical_or_the_applicants_never_both() -> None:
    assert MECHANICAL_CHECKS | APPLICANT_CHECKS == set(PhotoCheck)
    assert not MECHANICAL_CHECKS & APPLICANT_CHECKS
    for check in PhotoCheck:
        assert title(check)[0] and title(check)[1]


def test_the_fix_repairs_the_file_and_the_framing_and_only_a_new_photo_the_rest() -> None:
    for check in ("file_type", "pixel_size", "dpi", "color_mode", "file_size", "face_width",
                  "head_height", "crown_margin", "eye_line", "centering", "roll",
                  "background_color", "background_uniform"):
        assert kind_of(PhotoCheck(check)) is CheckKind.MECHANICAL, check
    for check in ("face_count", "yaw", "pitch", "eyes_open", "mouth_closed", "sharpness",
                  "exposure", "face_lighting"):
        assert kind_of(PhotoCheck(check)) is CheckKind.APPLICANT, check


def test_at_most_two_plain_instructions_lead_the_most_important_first() -> None:
    results = [failed(PhotoCheck.SHARPNESS), failed(PhotoCheck.MOUTH_CLOSED),
               failed(PhotoCheck.PITCH), failed(PhotoCheck.YAW)]
    lead = lead_instructions(results)
    # A turned and a nodding head share one instruction; the mouth comes next; blur waits.
    assert [zh for zh, _en in lead] == ["请正对镜头，不要侧脸、抬头或低头。", "请闭嘴，不要露齿。"]
    assert lead_instructions(results, limit=5)[-1][0].startswith("请拍摄清晰的相片")
    passed = CheckResult(PhotoCheck.YAW, CheckStatus.PASS, 1.0, "|angle| ≤ 10", "°", "", "")
    assert lead_instructions([passed]) == ()


def test_a_blur_the_fix_caused_asks_for_a_larger_photo() -> None:
    blurred = failed(PhotoCheck.SHARPNESS, 0.05, "≥ 0.06")
    assert "清晰" in instruction(blurred)[0]
    assert "像素更高" in instruction(blurred, by_fix=True)[0]
    lead = lead_instructions([blurred], by_fix={PhotoCheck.SHARPNESS})
    assert "像素更高" in lead[0][0]


def test_a_grey_background_is_explained_in_words_and_answered_with_white() -> None:
    person = ellipse_person(W, H)
    rgb = np.full((H, W, 3), 200, np.uint8)
    rgb[person > 0.5] = (205, 160, 130)
    results = by_check(background_checks(rgb, hand_made_analysis(person=person),
                                         get_profile("cn-resident-id")))
    colour = results[PhotoCheck.BACKGROUND_COLOR]
    assert colour.status is CheckStatus.FAIL
    zh, en = explain(colour)
    assert zh.startswith(f"背景颜色与白色相差 {number(colour.measured)}")
    assert "不超过 10" in zh and "white" in en
    assert not [f for f in FORMULAS if f in zh + en]
    assert instruction(colour) == ("请在白色背景前拍摄。", "Stand in front of a plain white "
                                                         "background.")


@pytest.mark.parametrize("check, measured, expected, unit, words", [
    (PhotoCheck.FACE_WIDTH, 150.5, "193–221", "px", "应在 193 到 221 像素之间"),
    (PhotoCheck.CROWN_MARGIN, 31.0, "7–21", "px", "头顶到相片上边 31 像素"),
    (PhotoCheck.YAW, -13.4, "|angle| ≤ 10", "°", "脸向一侧转了 13.4°，最多 10°"),
    (PhotoCheck.CENTERING, -29.0, "|offset| ≤ 18", "px", "脸部中心偏左 29 像素，最多可偏 18 像素"),
    (PhotoCheck.MOUTH_CLOSED, 0.208, "≤ 0.08", "", "嘴巴张开程度"),
    (PhotoCheck.BACKGROUND_UNIFORM, 55.0, "P90 ΔE ≤ 8", "ΔE", "背景各处颜色差别 55"),
    (PhotoCheck.FACE_LIGHTING, 20.5, "≤ 15", "ΔL*", "左右脸亮度相差 20.5"),
    (PhotoCheck.SHARPNESS, 0.0568, "≥ 0.06", "", "面部清晰度 0.0568"),
    (PhotoCheck.PIXEL_SIZE, (910, 1137), "358×441", "px", "相片是 910×1137 像素"),
    (PhotoCheck.DPI, None, "350", "dpi", "文件没有标明分辨率"),
])
def test_each_measurement_reads_as_words(check: PhotoCheck, measured: object, expected: str,
                                         unit: str, words: str) -> None:
    zh, en = explain(failed(check, measured, expected, unit))
    assert words in zh
    assert en and not [f for f in FORMULAS if f in zh + en], (zh, en)


def test_allowed_ranges_and_bounds_in_words() -> None:
    assert allowed("≤ 10") == ("不超过 10", "at most 10")
    assert allowed("≥ 207", ("像素", "px")) == ("至少 207 像素", "at least 207 px")
    assert allowed("|angle| ≤ 5") == ("不超过 5", "at most 5")


def test_numbers_are_shown_with_every_decimal_that_was_compared() -> None:
    assert number(12.0) == "12" and number(-12.1) == "-12.1"
    assert number(0.0568) == "0.0568" and number(0.12) == "0.12" and number(-0.0) == "0"


def pose_verdict(roll: float) -> CheckResult:
    analysis = hand_made_analysis(roll=roll)
    return by_check(face_checks(analysis, get_profile("cn-resident-id")))[PhotoCheck.ROLL]


def test_an_angle_is_compared_as_it_is_shown() -> None:
    # The old rule compared -5.04 with 5 and wrote "-5 °, required |angle| ≤ 5": a failure
    # that reads as a pass. Now the rounded value is compared, and shown.
    at_limit = pose_verdict(-5.04)
    assert at_limit.status is CheckStatus.PASS and at_limit.measured == -5.0
    over = pose_verdict(-5.06)
    assert over.status is CheckStatus.FAIL and over.measured == -5.1
    assert "-5.1 °" in over.message_zh and "（应为 |angle| ≤ 5）" in over.message_zh
    assert explain(over)[0] == "头部向一侧歪了 5.1°，最多 5°。"


def test_a_face_width_on_the_bound_is_compared_as_shown() -> None:
    # 192.96 px shows as 193 px: it passes 193–221 instead of failing with "193 px, required
    # 193–221".
    analysis = hand_made_analysis(face_left_x=75.0, face_right_x=75.0 + 192.96)
    width = by_check(face_checks(analysis, get_profile("cn-resident-id")))[PhotoCheck.FACE_WIDTH]
    assert width.measured == 193.0 and width.status is CheckStatus.PASS


def test_a_sharpness_just_under_its_limit_is_stored_as_compared() -> None:
    # Stored with three decimals, 0.0596 read back as 0.06: "0.06, should be at least 0.06".
    blurred = CheckResult(PhotoCheck.SHARPNESS, CheckStatus.FAIL, 0.0596, "≥ 0.06", "", "", "")
    again = CheckResult.from_dict(blurred.to_dict())
    assert again.measured == 0.0596 and "0.0596" in explain(again)[0]


def test_a_verdict_survives_its_stored_form() -> None:
    over = pose_verdict(-5.06)
    assert CheckResult.from_dict(over.to_dict()) == over
    size = CheckResult(PhotoCheck.PIXEL_SIZE, CheckStatus.FAIL, (910, 1137), "358×441", "px",
                       "en", "zh")
    assert CheckResult.from_dict(size.to_dict()) == size
    with pytest.raises(ValueError):
        CheckResult.from_dict({**size.to_dict(), "check": "no_such_rule"})
    assert dataclasses.replace(over, measured=None).to_dict()["measured"] is None
