"""Face rules: exactly one face, head geometry, pose and expression, from a
:class:`~verify.photo.analysis.PortraitAnalysis` of the photo scaled to the profile height."""

from __future__ import annotations

from typing import Final

from verify.photo.analysis import FaceLandmarks, PortraitAnalysis
from verify.photo.profiles import PhotoProfile, Range
from verify.photo.report import (
    DIGITS,
    RATIO_DIGITS,
    CheckResult,
    PhotoCheck,
    not_applicable,
    number,
    uncheckable,
    verdict,
)

# Lid gap over eye width (mediapipe points 159/145 .. 33/133). Open eyes measured 0.20-0.37 on
# the real test portraits (smiling ones at the low end); a closed lid leaves well under 0.10.
MIN_EYE_OPENNESS: Final = 0.12
# Inner-lip gap over mouth width (13/14 over 61/291): closed 0.00-0.02, a smile showing the teeth
# 0.15-0.22, speaking 0.43 on the test portraits.
MAX_MOUTH_OPENNESS: Final = 0.08

_NO_FACE = ("no face was found.", "未检测到人脸。")


def face_checks(analysis: PortraitAnalysis, profile: PhotoProfile) -> list[CheckResult]:
    results = [_face_count(analysis)]
    face = analysis.face
    results += _geometry(face, analysis, profile)
    results += _pose(face, profile)
    results += _expression(face, profile)
    return results


def _face_count(analysis: PortraitAnalysis) -> CheckResult:
    count = analysis.face_count
    if count == 1:
        return verdict(PhotoCheck.FACE_COUNT, True, count, "1", "")
    en, zh = ("No face was found.", "未检测到人脸。") if count == 0 else \
        (f"{count} faces were found; the photo must show one person only.",
         f"检测到 {count} 张人脸；照片中只能有一人。")
    return verdict(PhotoCheck.FACE_COUNT, False, count, "1", "", en, zh)


def _geometry(face: FaceLandmarks | None, analysis: PortraitAnalysis, profile: PhotoProfile
              ) -> list[CheckResult]:
    rules = profile.geometry
    soft = rules.advisory
    note_en, note_zh = ("(Advisory: the issuer publishes no figure for this.)",
                        "（参考值：发证机关未公布此项数值。）") if soft else ("", "")
    ranged: list[tuple[PhotoCheck, Range | None]] = [
        (PhotoCheck.FACE_WIDTH, rules.face_width), (PhotoCheck.HEAD_HEIGHT, rules.head_height),
        (PhotoCheck.CROWN_MARGIN, rules.crown_margin),
        (PhotoCheck.EYE_LINE, rules.eye_line_from_bottom)]
    results = []
    for check, rule in ranged:
        if rule is None:
            results.append(not_applicable(check, profile.id))
        elif face is None:
            results.append(uncheckable(check, rule.describe(), "px", *_NO_FACE))
        else:
            # Rounded before the comparison: the message shows the value that was compared.
            value = round(_measure(check, face, analysis), DIGITS)
            estimated = check in (PhotoCheck.HEAD_HEIGHT, PhotoCheck.CROWN_MARGIN) \
                and not face.crown_from_mask
            detail_en, detail_zh = note_en, note_zh
            if estimated:  # An estimated crown cannot fail a photo on its own.
                detail_en = (f"{detail_en} The top of the head was estimated from the face "
                             "landmarks (hair not separable from the background).").strip()
                detail_zh += "头顶位置由面部特征点估算（头发无法与背景区分）。"
            results.append(verdict(check, rule.contains(value), value,
                                   rule.describe(), "px", detail_en, detail_zh,
                                   soft=soft or estimated))
    results.append(_centering(face, analysis, profile, note_en, note_zh))
    return results


def _measure(check: PhotoCheck, face: FaceLandmarks, analysis: PortraitAnalysis) -> float:
    if check is PhotoCheck.FACE_WIDTH:
        return face.face_width
    if check is PhotoCheck.HEAD_HEIGHT:
        return face.head_height
    if check is PhotoCheck.CROWN_MARGIN:
        return face.crown_y
    return analysis.height - face.eye_line_y


def _centering(face: FaceLandmarks | None, analysis: PortraitAnalysis, profile: PhotoProfile,
               note_en: str, note_zh: str) -> CheckResult:
    tolerance = profile.geometry.center_tolerance
    if tolerance is None:
        return not_applicable(PhotoCheck.CENTERING, profile.id)
    expected = f"|offset| ≤ {tolerance:g}"
    if face is None:
        return uncheckable(PhotoCheck.CENTERING, expected, "px", *_NO_FACE)
    offset = round(face.center_x - analysis.width / 2.0, DIGITS)
    side_en, side_zh = ("right", "右") if offset > 0 else ("left", "左")
    detail_en = f"The face centre is {number(abs(offset))} px {side_en} of the image centre."
    detail_zh = f"脸部中心偏{side_zh} {number(abs(offset))} 像素。"
    return verdict(PhotoCheck.CENTERING, abs(offset) <= tolerance, offset, expected,
                   "px", f"{detail_en} {note_en}".strip(), detail_zh + note_zh,
                   soft=profile.geometry.advisory)


def _pose(face: FaceLandmarks | None, profile: PhotoProfile) -> list[CheckResult]:
    limits = [(PhotoCheck.ROLL, profile.pose.max_roll, "roll"),
              (PhotoCheck.YAW, profile.pose.max_yaw, "yaw"),
              (PhotoCheck.PITCH, profile.pose.max_pitch, "pitch")]
    results = []
    for check, limit, attribute in limits:
        if limit is None:
            results.append(not_applicable(check, profile.id))
            continue
        expected = f"|angle| ≤ {limit:g}"
        if face is None:
            results.append(uncheckable(check, expected, "°", *_NO_FACE))
            continue
        angle = round(float(getattr(face, attribute)), DIGITS)
        results.append(verdict(check, abs(angle) <= limit, angle, expected, "°"))
    return results


def _expression(face: FaceLandmarks | None, profile: PhotoProfile) -> list[CheckResult]:
    results = []
    if not profile.expression.eyes_open:
        results.append(not_applicable(PhotoCheck.EYES_OPEN, profile.id))
    elif face is None:
        results.append(uncheckable(PhotoCheck.EYES_OPEN, f"≥ {MIN_EYE_OPENNESS}", "", *_NO_FACE))
    else:
        least = round(min(face.eye_openness), RATIO_DIGITS)
        results.append(verdict(
            PhotoCheck.EYES_OPEN, least >= MIN_EYE_OPENNESS, least,
            f"≥ {MIN_EYE_OPENNESS}", "",
            "Lid gap over eye width, less open eye." + (
                "" if least >= MIN_EYE_OPENNESS else " Both eyes must be open and visible."),
            "（眼睑间距与眼宽之比，取较小的一只眼）" + (
                "" if least >= MIN_EYE_OPENNESS else "双眼须睁开且清晰可见。")))
    if not profile.expression.mouth_closed:
        results.append(not_applicable(PhotoCheck.MOUTH_CLOSED, profile.id))
    elif face is None:
        results.append(uncheckable(PhotoCheck.MOUTH_CLOSED, f"≤ {MAX_MOUTH_OPENNESS}", "",
                                   *_NO_FACE))
    else:
        gap = round(face.mouth_openness, RATIO_DIGITS)
        ok = gap <= MAX_MOUTH_OPENNESS
        results.append(verdict(
            PhotoCheck.MOUTH_CLOSED, ok, gap,
            f"≤ {MAX_MOUTH_OPENNESS}", "",
            "Inner-lip gap over mouth width." + ("" if ok else " Close the mouth (no teeth "
                                                 "showing)."),
            "（上下唇内缘间距与嘴宽之比）" + ("" if ok else "请闭合嘴巴（不露齿）。")))
    return results
