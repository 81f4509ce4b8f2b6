"""The verdict types of a photo check: one :class:`CheckResult` per rule, gathered in a
:class:`PhotoReport`. Every result carries what was measured, what was expected, the unit and a
message in English and Chinese, so each verdict explains itself.

A rule compares the value it shows: callers round a measurement to the precision of its
message (:data:`DIGITS`) *before* comparing it, so a message never reads "-12 °, required
|angle| ≤ 12" for an angle of -12.04° (issue 13, item 4)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final


class PhotoCheck(StrEnum):
    """The rules a photo is checked against; values are stable (clients match on them)."""

    FILE_TYPE = "file_type"
    PIXEL_SIZE = "pixel_size"
    DPI = "dpi"
    COLOR_MODE = "color_mode"
    FILE_SIZE = "file_size"
    FACE_COUNT = "face_count"
    FACE_WIDTH = "face_width"
    HEAD_HEIGHT = "head_height"
    CROWN_MARGIN = "crown_margin"
    EYE_LINE = "eye_line"
    CENTERING = "centering"
    ROLL = "roll"
    YAW = "yaw"
    PITCH = "pitch"
    EYES_OPEN = "eyes_open"
    MOUTH_CLOSED = "mouth_closed"
    BACKGROUND_COLOR = "background_color"
    BACKGROUND_UNIFORM = "background_uniform"
    SHARPNESS = "sharpness"
    EXPOSURE = "exposure"
    FACE_LIGHTING = "face_lighting"


class CheckStatus(StrEnum):
    """``NOT_APPLICABLE``: the profile sets no such rule. ``UNCHECKABLE``: the rule exists but
    cannot be measured on this photo (no face, no visible background, ...)."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    NOT_APPLICABLE = "not_applicable"
    UNCHECKABLE = "uncheckable"


GEOMETRY_CHECKS: Final = frozenset({PhotoCheck.FACE_WIDTH, PhotoCheck.HEAD_HEIGHT,
                                    PhotoCheck.CROWN_MARGIN, PhotoCheck.EYE_LINE,
                                    PhotoCheck.CENTERING})
BACKGROUND_CHECKS: Final = frozenset({PhotoCheck.BACKGROUND_COLOR, PhotoCheck.BACKGROUND_UNIFORM})

CHECK_TITLES: Final[dict[PhotoCheck, tuple[str, str]]] = {
    PhotoCheck.FILE_TYPE: ("file type", "文件格式"),
    PhotoCheck.PIXEL_SIZE: ("pixel size", "像素尺寸"),
    PhotoCheck.DPI: ("resolution", "分辨率"),
    PhotoCheck.COLOR_MODE: ("colour mode", "色彩模式"),
    PhotoCheck.FILE_SIZE: ("file size", "文件大小"),
    PhotoCheck.FACE_COUNT: ("exactly one face", "仅一张人脸"),
    PhotoCheck.FACE_WIDTH: ("face width", "脸部宽度"),
    PhotoCheck.HEAD_HEIGHT: ("head height (chin to crown)", "头部长度（下颏至头顶）"),
    PhotoCheck.CROWN_MARGIN: ("crown to top edge", "头顶距上边缘"),
    PhotoCheck.EYE_LINE: ("eye line above bottom edge", "眼睛距下边缘"),
    PhotoCheck.CENTERING: ("horizontal centring", "人像水平居中"),
    PhotoCheck.ROLL: ("head tilt (roll)", "头部倾斜（侧倾）"),
    PhotoCheck.YAW: ("head turn (yaw)", "头部转动（偏转）"),
    PhotoCheck.PITCH: ("head nod (pitch)", "头部俯仰"),
    PhotoCheck.EYES_OPEN: ("eyes open", "双眼睁开"),
    PhotoCheck.MOUTH_CLOSED: ("mouth closed", "嘴巴闭合"),
    PhotoCheck.BACKGROUND_COLOR: ("background colour", "背景颜色"),
    PhotoCheck.BACKGROUND_UNIFORM: ("background uniform", "背景均匀"),
    PhotoCheck.SHARPNESS: ("sharpness", "清晰度"),
    PhotoCheck.EXPOSURE: ("exposure and clipping", "曝光与过曝/欠曝"),
    PhotoCheck.FACE_LIGHTING: ("even lighting on the face", "面部光照均匀"),
}

Measured = float | int | str | tuple[float | int, ...] | None

# Decimals a measurement is rounded to before it is compared and shown: one for pixels, degrees,
# ΔE and L*, three for the ratios (eye and mouth openness), four for sharpness.
DIGITS: Final = 1
RATIO_DIGITS: Final = 3
SHARPNESS_DIGITS: Final = 4


@dataclass(frozen=True)
class CheckResult:
    """One rule's verdict. ``measured`` is a number (or a short text such as ``"jpeg"``, or a
    pair such as ``(358, 441)``), ``None`` when nothing could be measured; ``expected`` describes
    the allowed values in words and numbers, e.g. ``"193–221"``; ``unit`` e.g. ``"px"``."""

    check: PhotoCheck
    status: CheckStatus
    measured: Measured
    expected: str
    unit: str
    message_en: str
    message_zh: str

    def to_dict(self) -> dict[str, Any]:
        measured: Any = self.measured
        if isinstance(measured, float):
            # Four decimals, as many as any rule compares (sharpness): the stored value reads
            # exactly as the message does.
            measured = round(measured, 4) if math.isfinite(measured) else None
        elif isinstance(measured, tuple):
            measured = [round(v, 4) if isinstance(v, float) else v for v in measured]
        return {"check": self.check.value, "status": self.status.value, "measured": measured,
                "expected": self.expected, "unit": self.unit, "message_en": self.message_en,
                "message_zh": self.message_zh}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        """A result as :meth:`to_dict` stored it (a list measured becomes a tuple again);
        ``KeyError``/``ValueError`` for a dict that is not one."""
        measured = data.get("measured")
        if isinstance(measured, list):
            measured = tuple(measured)
        return cls(PhotoCheck(data["check"]), CheckStatus(data["status"]), measured,
                   str(data.get("expected") or ""), str(data.get("unit") or ""),
                   str(data.get("message_en") or ""), str(data.get("message_zh") or ""))


@dataclass(frozen=True)
class PhotoReport:
    """All verdicts for one photo against one profile. ``passed`` is True iff no check FAILed
    (warnings, not-applicable and uncheckable rules do not fail a photo)."""

    profile_id: str
    passed: bool
    checks: tuple[CheckResult, ...]
    timings_ms: dict[str, float] = field(default_factory=dict)

    def failed(self) -> tuple[CheckResult, ...]:
        return tuple(c for c in self.checks if c.status is CheckStatus.FAIL)

    def result(self, check: PhotoCheck) -> CheckResult:
        """The verdict of one rule (every :class:`PhotoCheck` has exactly one)."""
        for item in self.checks:
            if item.check is check:
                return item
        raise KeyError(check)

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile_id,
            "passed": self.passed,
            "failed": [c.check.value for c in self.failed()],
            "checks": [c.to_dict() for c in self.checks],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }


def build_report(profile_id: str, results: list[CheckResult],
                 timings_ms: dict[str, float]) -> PhotoReport:
    """A report in :class:`PhotoCheck` order; refuses a missing or duplicated rule (a bug)."""
    by_check = {r.check: r for r in results}
    if len(by_check) != len(results) or set(by_check) != set(PhotoCheck):
        missing = sorted(set(PhotoCheck) - set(by_check))
        raise AssertionError(f"photo report incomplete or duplicated: missing {missing}")
    ordered = tuple(by_check[c] for c in PhotoCheck)
    passed = all(r.status is not CheckStatus.FAIL for r in ordered)
    return PhotoReport(profile_id=profile_id, passed=passed, checks=ordered,
                       timings_ms=dict(timings_ms))


def not_applicable(check: PhotoCheck, profile_id: str) -> CheckResult:
    en, zh = CHECK_TITLES[check]
    return CheckResult(check, CheckStatus.NOT_APPLICABLE, None, "no rule", "",
                       f"Profile {profile_id} sets no rule for {en}.",
                       f"规格 {profile_id} 对{zh}没有要求。")


def uncheckable(check: PhotoCheck, expected: str, unit: str, why_en: str, why_zh: str
                ) -> CheckResult:
    en, zh = CHECK_TITLES[check]
    return CheckResult(check, CheckStatus.UNCHECKABLE, None, expected, unit,
                       f"Cannot check {en}: {why_en}", f"无法检查{zh}：{why_zh}")


def verdict(check: PhotoCheck, ok: bool, measured: Measured, expected: str, unit: str,
            detail_en: str = "", detail_zh: str = "", *, soft: bool = False) -> CheckResult:
    """PASS or FAIL (``soft``: WARN instead of FAIL) with a standard bilingual message."""
    en, zh = CHECK_TITLES[check]
    shown = show(measured, unit)
    if ok:
        status = CheckStatus.PASS
        message_en = f"{en.capitalize()}: {shown}, as required ({expected})."
        message_zh = f"{zh}：{shown}，符合要求（{expected}）。"
    else:
        status = CheckStatus.WARN if soft else CheckStatus.FAIL
        message_en = f"{en.capitalize()}: {shown}, required {expected}."
        message_zh = f"{zh}：{shown}，不符合要求（应为 {expected}）。"
    if detail_en:
        message_en = f"{message_en} {detail_en}"
    if detail_zh:
        message_zh = f"{message_zh}{detail_zh}"
    return CheckResult(check, status, measured, expected, unit, message_en, message_zh)


def show(value: Measured, unit: str) -> str:
    """A measured value with its unit, as the messages write it."""
    if isinstance(value, tuple):
        text = "×".join(number(v) for v in value)
    elif isinstance(value, int | float):
        text = number(value)
    else:
        text = str(value)
    return f"{text} {unit}".strip() if unit and not unit.startswith("%") else f"{text}{unit}"



def number(value: float | int) -> str:
    """``value`` with every decimal it has (up to four), never fewer: the rules round before
    they compare, so the text shows exactly the number that was compared."""
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
