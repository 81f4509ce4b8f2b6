"""What a photo check's verdicts mean to the person who took the photo (issue 13, item 4).

Owns three things, all pure functions of :class:`~verify.photo.report.CheckResult` values:

* **whose item a rule is** (:func:`kind_of`): ``MECHANICAL`` rules are the file and the framing
  — format, pixel size, dpi, colour mode, file size, face size and position, a tilted head, the
  background — which the auto-fix (:mod:`verify.photo.fix`) repairs; ``APPLICANT`` rules are
  what only a new photo can change — one person, facing the camera, eyes open, mouth closed,
  sharpness, exposure and even light. A mechanical item the fix could not repair becomes the
  applicant's too (the caller knows whether the fix worked);
* **a plain instruction** per failed rule (:func:`instruction`, :func:`lead_instructions`):
  请正对镜头, 请闭嘴, 请在白色背景前拍摄 …, one per kind of problem, most important first;
* **a plain explanation of the measurement** (:func:`explain`) for the page's 详情 toggle: what
  was measured, in words, with the value and the allowed range exactly as they were compared
  (the rules round before they compare, see :mod:`verify.photo.report`).

Every text is a ``(Chinese, English)`` pair. Imports only ``verify.photo.report``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Final

from verify.photo.report import CheckResult, CheckStatus, PhotoCheck, number, show

__all__ = [
    "APPLICANT_CHECKS",
    "MECHANICAL_CHECKS",
    "CheckKind",
    "allowed",
    "explain",
    "instruction",
    "kind_of",
    "lead_instructions",
    "title",
]

Pair = tuple[str, str]


class CheckKind(StrEnum):
    """Who resolves a failed rule: the system (the auto-fix) or the applicant (a new photo)."""

    MECHANICAL = "mechanical"
    APPLICANT = "applicant"


MECHANICAL_CHECKS: Final = frozenset({
    PhotoCheck.FILE_TYPE, PhotoCheck.PIXEL_SIZE, PhotoCheck.DPI, PhotoCheck.COLOR_MODE,
    PhotoCheck.FILE_SIZE, PhotoCheck.FACE_WIDTH, PhotoCheck.HEAD_HEIGHT,
    PhotoCheck.CROWN_MARGIN, PhotoCheck.EYE_LINE, PhotoCheck.CENTERING, PhotoCheck.ROLL,
    PhotoCheck.BACKGROUND_COLOR, PhotoCheck.BACKGROUND_UNIFORM})
APPLICANT_CHECKS: Final = frozenset(set(PhotoCheck) - MECHANICAL_CHECKS)

# Short names for the rules, as a person would say them.
_TITLES: Final[dict[PhotoCheck, Pair]] = {
    PhotoCheck.FILE_TYPE: ("文件格式", "File format"),
    PhotoCheck.PIXEL_SIZE: ("相片尺寸", "Photo size"),
    PhotoCheck.DPI: ("分辨率", "Resolution"),
    PhotoCheck.COLOR_MODE: ("彩色相片", "Colour photo"),
    PhotoCheck.FILE_SIZE: ("文件大小", "File size"),
    PhotoCheck.FACE_COUNT: ("只有一人", "One person only"),
    PhotoCheck.FACE_WIDTH: ("脸的大小", "Face size"),
    PhotoCheck.HEAD_HEIGHT: ("头部大小", "Head size"),
    PhotoCheck.CROWN_MARGIN: ("头顶位置", "Top of the head"),
    PhotoCheck.EYE_LINE: ("眼睛高度", "Eye height"),
    PhotoCheck.CENTERING: ("人像居中", "Centred"),
    PhotoCheck.ROLL: ("头部端正", "Head level"),
    PhotoCheck.YAW: ("正对镜头（不侧脸）", "Facing the camera (no turn)"),
    PhotoCheck.PITCH: ("平视镜头（不抬头、不低头）", "Looking straight (no nod)"),
    PhotoCheck.EYES_OPEN: ("双眼睁开", "Eyes open"),
    PhotoCheck.MOUTH_CLOSED: ("嘴巴闭合", "Mouth closed"),
    PhotoCheck.BACKGROUND_COLOR: ("背景颜色", "Background colour"),
    PhotoCheck.BACKGROUND_UNIFORM: ("背景干净均匀", "Plain background"),
    PhotoCheck.SHARPNESS: ("清晰度", "Sharpness"),
    PhotoCheck.EXPOSURE: ("亮度", "Brightness"),
    PhotoCheck.FACE_LIGHTING: ("面部光线均匀", "Even light on the face"),
}

_FACE_CAMERA: Final = ("请正对镜头，不要侧脸、抬头或低头。",
                       "Face the camera straight on: do not turn, raise or lower your head.")
_FRAMING: Final = ("请拍摄包括头顶和双肩的正面半身照，脸不要太小。",
                   "Take a head-and-shoulders photo with the top of your head and both shoulders "
                   "in the frame, the face not too small.")
_FILE: Final = ("请上传相机或手机拍摄的原始相片文件（不要截图）。",
                "Upload the original photo from the camera or phone (not a screenshot).")
_TOO_SMALL: Final = ("相片像素太少，自动修正放大后不够清晰：请上传像素更高的原始相片。",
                     "The photo has too few pixels and is blurred once enlarged by the fix: "
                     "upload a larger original.")
_INSTRUCTIONS: Final[dict[PhotoCheck, Pair]] = {
    PhotoCheck.FACE_COUNT: ("请只拍您本人一人，露出完整的面部。",
                            "Only you in the photo, with your whole face visible."),
    PhotoCheck.YAW: _FACE_CAMERA,
    PhotoCheck.PITCH: _FACE_CAMERA,
    PhotoCheck.ROLL: ("请保持头部端正，不要歪头。", "Keep your head level; do not tilt it."),
    PhotoCheck.EYES_OPEN: ("请睁开双眼。", "Keep both eyes open."),
    PhotoCheck.MOUTH_CLOSED: ("请闭嘴，不要露齿。", "Close your mouth; no teeth showing."),
    PhotoCheck.BACKGROUND_UNIFORM: ("请在干净、无图案的浅色墙前拍摄。",
                                    "Stand in front of a plain wall with nothing on it."),
    PhotoCheck.EXPOSURE: ("请在光线充足、均匀的地方拍摄，不要过亮或过暗。",
                          "Take the photo in good, even light: not too bright, not too dark."),
    PhotoCheck.FACE_LIGHTING: ("请让光线均匀照在脸上，避免一侧有阴影。",
                               "Light your face evenly, with no shadow on one side."),
    PhotoCheck.SHARPNESS: ("请拍摄清晰的相片：对准面部对焦，拍摄时不要晃动。",
                           "Take a sharp photo: focus on the face and hold still."),
    PhotoCheck.FACE_WIDTH: _FRAMING, PhotoCheck.HEAD_HEIGHT: _FRAMING,
    PhotoCheck.CROWN_MARGIN: _FRAMING, PhotoCheck.EYE_LINE: _FRAMING,
    PhotoCheck.CENTERING: ("请让脸位于画面正中。", "Keep your face in the middle of the picture."),
    PhotoCheck.PIXEL_SIZE: _FILE, PhotoCheck.DPI: _FILE, PhotoCheck.FILE_SIZE: _FILE,
    PhotoCheck.COLOR_MODE: ("请上传彩色相片。", "Upload a colour photo."),
}
# Which instruction leads when several rules fail: who is in the picture, then how they face
# the camera, the expression, the light, the background, the framing, the file.
_PRIORITY: Final = (
    PhotoCheck.FACE_COUNT, PhotoCheck.YAW, PhotoCheck.PITCH, PhotoCheck.EYES_OPEN,
    PhotoCheck.MOUTH_CLOSED, PhotoCheck.BACKGROUND_COLOR, PhotoCheck.BACKGROUND_UNIFORM,
    PhotoCheck.EXPOSURE, PhotoCheck.FACE_LIGHTING, PhotoCheck.SHARPNESS, PhotoCheck.ROLL,
    PhotoCheck.FACE_WIDTH, PhotoCheck.HEAD_HEIGHT, PhotoCheck.CROWN_MARGIN, PhotoCheck.EYE_LINE,
    PhotoCheck.CENTERING, PhotoCheck.FILE_TYPE, PhotoCheck.COLOR_MODE, PhotoCheck.PIXEL_SIZE,
    PhotoCheck.DPI, PhotoCheck.FILE_SIZE)
# The background colours the bundled profiles allow (white; a light grey; the blue of many
# Chinese exam and certificate photos); any other is written as its hex code.
_COLOUR_NAMES: Final[dict[str, Pair]] = {"#ffffff": ("白色", "white"),
                                         "#e6e6e6": ("浅灰色", "light grey"),
                                         "#f0f0eb": ("浅灰色", "light grey"),
                                         "#628bce": ("蓝色", "blue")}
_BOUND = re.compile(r"([≤≥])\s*(-?\d+(?:\.\d+)?)\s*(%?)\s*$")
_RANGE = re.compile(r"^(-?\d+(?:\.\d+)?)–(-?\d+(?:\.\d+)?)$")
_HEX = re.compile(r"#[0-9a-fA-F]{6}")


def kind_of(check: PhotoCheck) -> CheckKind:
    """Whether the auto-fix repairs ``check`` (MECHANICAL) or only a new photo can (APPLICANT)."""
    return CheckKind.MECHANICAL if check in MECHANICAL_CHECKS else CheckKind.APPLICANT


def title(check: PhotoCheck) -> Pair:
    """The rule's short plain name."""
    return _TITLES[check]


def instruction(result: CheckResult, *, by_fix: bool = False) -> Pair:
    """What to do about a failed rule, in one plain sentence. ``by_fix``: the rule failed only
    on the auto-fixed photo (the upload passed it), so the fix caused it — a blur from
    enlarging a small photo asks for a larger original, not a steadier hand."""
    check = result.check
    if by_fix and check is PhotoCheck.SHARPNESS:
        return _TOO_SMALL
    if check is PhotoCheck.FACE_COUNT and result.measured == 0:
        return ("请拍摄露出完整面部的正面照。",
                "Take a frontal photo with your whole face visible.")
    if check is PhotoCheck.BACKGROUND_COLOR:
        zh, en = _colour(result.expected)
        return f"请在{zh}背景前拍摄。", f"Stand in front of a plain {en} background."
    if check is PhotoCheck.FILE_TYPE and result.expected:
        formats = result.expected.upper()
        return f"请上传 {formats} 格式的相片。", f"Upload the photo as {formats}."
    return _INSTRUCTIONS[check]


def lead_instructions(results: Iterable[CheckResult], limit: int = 2, *,
                      by_fix: Iterable[PhotoCheck] = ()) -> tuple[Pair, ...]:
    """The first ``limit`` distinct instructions for the failed ``results``, most important
    first (several rules may share one instruction: a turned and a nodding head both read
    请正对镜头). ``by_fix``: rules that failed only on the auto-fixed photo."""
    caused = frozenset(by_fix)
    failed = [r for r in results if r.status is CheckStatus.FAIL]
    failed.sort(key=lambda r: _PRIORITY.index(r.check))
    seen: list[Pair] = []
    for result in failed:
        text = instruction(result, by_fix=result.check in caused)
        if text not in seen:
            seen.append(text)
    return tuple(seen[:limit])


def allowed(expected: str, unit: Pair = ("", "")) -> Pair:
    """An ``expected`` text such as ``"≤ 10"``, ``"193–221"`` or ``"|angle| ≤ 5"`` in words,
    with an optional unit: ("不超过 10", "at most 10"), ("在 193 到 221 像素之间", "between 193
    and 221 px"); the text itself when it is none of these."""
    zh_unit = f" {unit[0]}" if unit[0] else ""
    en_unit = f" {unit[1]}" if unit[1] else ""
    found = _RANGE.match(expected.strip())
    if found:
        low, high = found.groups()
        return f"在 {low} 到 {high}{zh_unit}之间", f"between {low} and {high}{en_unit}"
    found = _BOUND.search(expected)
    if found:
        op, value, percent = found.groups()
        if op == "≤":
            return f"不超过 {value}{percent}{zh_unit}", f"at most {value}{percent}{en_unit}"
        return f"至少 {value}{percent}{zh_unit}", f"at least {value}{percent}{en_unit}"
    return expected, expected


def explain(result: CheckResult) -> Pair:
    """What was measured and what is allowed, in words, with the numbers as compared. For a
    rule that could not be measured, why not; for one that does not apply, that it does not."""
    if result.status in (CheckStatus.UNCHECKABLE, CheckStatus.NOT_APPLICABLE) \
            or result.measured is None and result.check is not PhotoCheck.DPI:
        return result.message_zh, result.message_en
    check, measured, expected = result.check, result.measured, result.expected
    ok_zh, ok_en = allowed(expected)
    value = show(measured, "")
    if check is PhotoCheck.FILE_TYPE:
        return (f"文件格式是 {value.upper()}，须为 {expected.upper()}。",
                f"The file is {value.upper()}; it must be {expected.upper()}.")
    if check is PhotoCheck.PIXEL_SIZE:
        return (f"相片是 {value} 像素，规格为 {expected} 像素。",
                f"The photo is {value} px; the specification is {expected} px.")
    if check is PhotoCheck.DPI:
        if measured is None:
            return (f"文件没有标明分辨率，规格为 {expected} dpi。",
                    f"The file states no resolution; the specification is {expected} dpi.")
        return (f"分辨率是 {value} dpi，规格为 {expected} dpi。",
                f"The resolution is {value} dpi; the specification is {expected} dpi.")
    if check is PhotoCheck.COLOR_MODE:
        return (f"相片须为彩色（{expected}），现为 {value}。{_tail(result.message_zh)}",
                f"The photo must be in colour ({expected}); it is {value}.")
    if check is PhotoCheck.FILE_SIZE:
        kb_zh, kb_en = allowed(expected, ("KB", "KB"))
        return f"文件大小 {value} KB，应{kb_zh}。", f"The file is {value} KB; it should be {kb_en}."
    if check is PhotoCheck.FACE_COUNT:
        return (f"找到 {value} 张人脸，应只有 1 张。", f"{value} faces found; there must be one.")
    if check in _PIXEL_TEXTS:
        zh, en = _PIXEL_TEXTS[check]
        px_zh, px_en = allowed(expected, ("像素", "px"))
        return (f"{zh} {value} 像素（按规格尺寸计），应{px_zh}。",
                f"{en} {value} px (at the specification's size); it should be {px_en}.")
    if check is PhotoCheck.CENTERING and isinstance(measured, int | float):
        side_zh, side_en = ("右", "right") if measured > 0 else ("左", "left")
        limit = _limit(expected)
        return (f"脸部中心偏{side_zh} {number(abs(measured))} 像素，最多可偏 {limit} 像素。",
                f"The face is {number(abs(measured))} px {side_en} of the centre; at most "
                f"{limit} px is allowed.")
    if check in _ANGLE_TEXTS and isinstance(measured, int | float):
        zh, en = _ANGLE_TEXTS[check]
        limit = _limit(expected)
        return (f"{zh} {number(abs(measured))}°，最多 {limit}°。",
                f"{en} {number(abs(measured))}°; at most {limit}° is allowed.")
    if check in _RATIO_TEXTS:
        zh, en = _RATIO_TEXTS[check]
        return f"{zh} {value}，应{ok_zh}。", f"{en} {value}; it should be {ok_en}."
    if check is PhotoCheck.BACKGROUND_COLOR:
        colour_zh, colour_en = _colour(expected)
        return (f"背景颜色与{colour_zh}相差 {value}（色差：0 表示完全相同，约 2 以下肉眼难辨），"
                f"应{ok_zh}。",
                f"The background differs from {colour_en} by {value} (colour difference: 0 is "
                f"identical, below about 2 the eye cannot tell), at most {_limit(expected)}.")
    if check is PhotoCheck.BACKGROUND_UNIFORM:
        return (f"背景各处颜色差别 {value}（色差，有物体、图案或阴影时变大），应{ok_zh}。",
                f"The background varies by {value} (colour difference; objects, patterns or "
                f"shadows raise it); it should be {ok_en}.")
    if check is PhotoCheck.SHARPNESS:
        return (f"面部清晰度 {value}（数值越大越清晰），应{ok_zh}。",
                f"Face sharpness {value} (higher is sharper); it should be {ok_en}.")
    if check is PhotoCheck.EXPOSURE:
        return (f"面部亮度 {value}（0 为全黑，100 为全白）。{_tail(result.message_zh)}",
                f"Face brightness {value} (0 is black, 100 is white). "
                f"{_tail_en(result.message_en)}".strip())
    if check is PhotoCheck.FACE_LIGHTING:
        return (f"左右脸亮度相差 {value}（亮度 0–100），应{ok_zh}。",
                f"The two sides of the face differ in brightness by {value} (on 0–100); it "
                f"should be {ok_en}.")
    return result.message_zh, result.message_en


_PIXEL_TEXTS: Final[dict[PhotoCheck, Pair]] = {
    PhotoCheck.FACE_WIDTH: ("脸宽", "The face is"),
    PhotoCheck.HEAD_HEIGHT: ("下巴到头顶", "Chin to crown is"),
    PhotoCheck.CROWN_MARGIN: ("头顶到相片上边", "The top of the head is, from the top edge,"),
    PhotoCheck.EYE_LINE: ("眼睛到相片下边", "The eyes are, from the bottom edge,"),
}
_ANGLE_TEXTS: Final[dict[PhotoCheck, Pair]] = {
    PhotoCheck.ROLL: ("头部向一侧歪了", "The head is tilted sideways by"),
    PhotoCheck.YAW: ("脸向一侧转了", "The face is turned sideways by"),
    PhotoCheck.PITCH: ("头部抬起或低下了", "The head is raised or lowered by"),
}
_RATIO_TEXTS: Final[dict[PhotoCheck, Pair]] = {
    PhotoCheck.EYES_OPEN: ("眼睛睁开程度（眼睑间距 ÷ 眼宽，取较小的一只）",
                           "Eye opening (lid gap ÷ eye width, the less open eye)"),
    PhotoCheck.MOUTH_CLOSED: ("嘴巴张开程度（上下唇间距 ÷ 嘴宽）",
                              "Mouth opening (lip gap ÷ mouth width)"),
}


def _limit(expected: str) -> str:
    found = _BOUND.search(expected)
    return found.group(2) if found else expected


def _colour(expected: str) -> Pair:
    colours: list[Pair] = []
    for code in _HEX.findall(expected):
        name = _COLOUR_NAMES.get(code.lower(), (code, code))
        if name not in colours:
            colours.append(name)
    if not colours:
        return "规定颜色的", "the required colour"
    return "或".join(c[0] for c in colours), " or ".join(c[1] for c in colours)


def _tail(message_zh: str) -> str:
    """The rule's own detail sentence after the standard verdict ("……（应为 …）。"), if any."""
    head, sep, tail = message_zh.partition("）。")
    return tail.strip() if sep and not tail.startswith("（") else ""


def _tail_en(message_en: str) -> str:
    head, sep, tail = message_en.partition(", required ")
    if not sep:
        return ""
    _, dot, rest = tail.partition(". ")
    return rest.strip() if dot else ""
