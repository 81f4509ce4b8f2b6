"""api.workflow.photo_step (issue 13, item 4): from a stored photo check, the page's photo step —
only the applicant's items as their problems, the mechanical ones as fixed when a fixed photo
is on offer, at most two plain instructions, every verdict explained, and the flags the
applicant's and the clerk's pages show (fixed photo offered, passing, taken)."""

from __future__ import annotations

from typing import Any

from api.workflow.photo_step import photo_offer

# Verdicts as the photo job stores them (CheckResult.to_dict), for obama.jpg on cn-resident-id.
PIXEL = {"check": "pixel_size", "status": "fail", "measured": [910, 1137],
         "expected": "358×441", "unit": "px", "message_en": "", "message_zh": ""}
DPI = {"check": "dpi", "status": "fail", "measured": 240.0, "expected": "350", "unit": "dpi",
       "message_en": "", "message_zh": ""}
BACKGROUND = {"check": "background_color", "status": "fail", "measured": 69.1,
              "expected": "ΔE(#ffffff) ≤ 10", "unit": "ΔE", "message_en": "",
              "message_zh": ""}
MOUTH = {"check": "mouth_closed", "status": "fail", "measured": 0.208, "expected": "≤ 0.08",
         "unit": "", "message_en": "", "message_zh": ""}
YAW_OK = {"check": "yaw", "status": "pass", "measured": 3.0, "expected": "|angle| ≤ 10",
          "unit": "°", "message_en": "", "message_zh": ""}
CROWN_WARN = {"check": "crown_margin", "status": "warn", "measured": 24.0, "expected": "7–21",
              "unit": "px", "message_en": "", "message_zh": ""}
SHARP = {"check": "sharpness", "status": "fail", "measured": 0.0568, "expected": "≥ 0.06",
         "unit": "", "message_en": "", "message_zh": ""}


def stored(checks: list[dict[str, Any]], *, fix: dict[str, Any] | None = None,
           fixed: bool = False, **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = {"profile": "cn-resident-id", "checks": checks, **extra}
    if fix is not None:
        result["fix"] = fix
    passed = not [c for c in checks if c["status"] == "fail"]
    return {"profile": "cn-resident-id", "passed": passed, "result": result,
            "fixed_sha256": "ab" * 32 if fixed else None}


def ids(items: Any) -> list[str]:
    return [item.check for item in items]


def test_nothing_checked_yet_is_an_empty_step() -> None:
    step = photo_offer(None)
    assert not step.checked and not step.fixed and step.instructions == ()


def test_with_a_fixed_photo_on_offer_only_the_applicants_items_are_their_problems() -> None:
    step = photo_offer(stored([PIXEL, DPI, YAW_OK, MOUTH, BACKGROUND], fixed=True,
                              fix={"passed": False, "failed": ["mouth_closed"],
                                   "checks": [MOUTH], "offered": True}))
    assert step.fixed and not step.fixed_passes and not step.passed
    assert ids(step.problems) == ["mouth_closed"]
    assert ids(step.fixed_items) == ["pixel_size", "dpi", "background_color"]
    assert [zh for zh, _ in step.instructions] == ["请闭嘴，不要露齿。"]
    # 详情 lists every failed verdict of the upload (passes stay out), each in words.
    assert ids(step.details) == ["pixel_size", "dpi", "mouth_closed", "background_color"]
    colour = next(i for i in step.details if i.check == "background_color")
    assert colour.kind == "mechanical" and "白色" in colour.explanation[0]
    assert "ΔE" not in colour.explanation[0]
    assert ids(step.remaining) == ["mouth_closed"]
    assert step.background


def test_a_fixed_photo_that_passes_leaves_the_applicant_nothing_to_do() -> None:
    step = photo_offer(stored([PIXEL, DPI], fixed=True,
                              fix={"passed": True, "failed": [], "checks": [],
                                   "offered": True}))
    assert step.fixed and step.fixed_passes
    assert step.problems == () and step.instructions == ()
    assert ids(step.fixed_items) == ["pixel_size", "dpi"]


def test_without_a_fix_attempt_the_applicants_items_lead_and_warnings_are_notes() -> None:
    step = photo_offer(stored([MOUTH, CROWN_WARN, YAW_OK]))
    assert not step.fixed and ids(step.problems) == ["mouth_closed"]
    assert ids(step.failed) == ["mouth_closed"] and ids(step.warnings) == ["crown_margin"]


def test_when_the_fix_is_impossible_the_mechanical_items_are_the_applicants_too() -> None:
    error = {"code": "photo.fix_impossible", "message_en": "The photo ends too close under "
             "the chin.", "message_zh": "照片在下巴下方截断过多。"}
    step = photo_offer(stored([PIXEL, BACKGROUND, MOUTH], fix={"passed": False,
                                                              "error": error}))
    assert not step.fixed and step.fix_error == ("照片在下巴下方截断过多。",
                                                 "The photo ends too close under the chin.")
    assert ids(step.problems) == ["pixel_size", "background_color", "mouth_closed"]
    assert step.fixed_items == ()
    assert [zh for zh, _ in step.instructions] == ["请闭嘴，不要露齿。", "请在白色背景前拍摄。"]


def test_a_blur_only_the_fixed_photo_has_asks_for_a_larger_original() -> None:
    step = photo_offer(stored([PIXEL, DPI], fixed=True,
                              fix={"passed": False, "failed": ["sharpness"],
                                   "checks": [SHARP], "offered": True}))
    assert ids(step.problems) == ["sharpness"]
    assert "像素更高" in step.instructions[0][0]


def test_a_report_stored_before_issue_13_still_reads() -> None:
    # Older rows kept only the ids of the fixed photo's failures, and no "offered".
    step = photo_offer(stored([PIXEL, MOUTH, {"check": "no_such_rule", "status": "fail"}],
                              fixed=True, fix={"passed": False, "failed": ["mouth_closed"]}))
    assert ids(step.problems) == ["mouth_closed"]
    assert step.problems[0].explanation == ("嘴巴闭合", "Mouth closed")
    assert ids(step.details) == ["pixel_size", "mouth_closed"]


def test_a_taken_fixed_photo_and_an_unreadable_photo_say_so() -> None:
    assert photo_offer(stored([MOUTH], fixed_photo_used=True)).used_fixed
    assert not photo_offer(stored([MOUTH])).used_fixed
    error = {"code": "photo.unreadable", "message_en": "Not an image.", "message_zh": "不是图片。"}
    step = photo_offer({"profile": "cn-resident-id", "passed": False,
                        "result": {"error": error}, "fixed_sha256": None})
    assert step.checked and step.error == error and step.details == ()
