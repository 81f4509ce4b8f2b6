"""Image-quality rules inside the face outline: sharpness, exposure and clipping, and even
lighting (the two cheeks). All are measured on the photo scaled to the profile height."""

from __future__ import annotations

from typing import Final

import cv2
import numpy as np

from verify.photo.analysis import FaceLandmarks, PortraitAnalysis
from verify.photo.checks_background import to_lab
from verify.photo.profiles import PhotoProfile
from verify.photo.report import (
    DIGITS,
    SHARPNESS_DIGITS,
    CheckResult,
    PhotoCheck,
    not_applicable,
    uncheckable,
    verdict,
)

SHARPNESS_FACE_WIDTH: Final = 96  # px: every face is judged at the same scale
CLIP_HIGH, CLIP_LOW = 254, 1
_CHEEKS: Final = ((50, 205), (280, 425))  # mediapipe cheek centres, image-left / image-right
_CHEEK_PATCH: Final = 0.08  # patch radius as a fraction of the face width
_NO_FACE = ("no face was found.", "未检测到人脸。")


def quality_checks(rgb: np.ndarray, analysis: PortraitAnalysis, profile: PhotoProfile
                   ) -> list[CheckResult]:
    spec = profile.quality
    face = analysis.face
    outline = _face_outline(face, analysis) if face is not None else None
    results = []

    if spec.min_sharpness is None:
        results.append(not_applicable(PhotoCheck.SHARPNESS, profile.id))
    elif face is None or outline is None:
        results.append(uncheckable(PhotoCheck.SHARPNESS, f"≥ {spec.min_sharpness:g}", "",
                                   *_NO_FACE))
    else:
        value = round(sharpness(rgb, face, outline), SHARPNESS_DIGITS)
        ok = value >= spec.min_sharpness
        results.append(verdict(PhotoCheck.SHARPNESS, ok, value,
                               f"≥ {spec.min_sharpness:g}", "",
                               "Laplacian variance over grey variance in the face." + (
                                   "" if ok else " The face is blurred or out of focus."),
                               "（面部拉普拉斯方差与灰度方差之比）" + (
                                   "" if ok else "面部模糊或失焦。")))

    if spec.face_brightness is None and spec.max_clipped is None:
        results.append(not_applicable(PhotoCheck.EXPOSURE, profile.id))
    else:
        results.append(_exposure(rgb, outline, profile))

    if spec.max_lighting_difference is None:
        results.append(not_applicable(PhotoCheck.FACE_LIGHTING, profile.id))
    elif face is None:
        results.append(uncheckable(PhotoCheck.FACE_LIGHTING,
                                   f"≤ {spec.max_lighting_difference:g}", "ΔL*", *_NO_FACE))
    else:
        difference = round(cheek_difference(rgb, face), DIGITS)
        ok = difference <= spec.max_lighting_difference
        results.append(verdict(PhotoCheck.FACE_LIGHTING, ok, difference,
                               f"≤ {spec.max_lighting_difference:g}", "ΔL*",
                               "" if ok else "One side of the face is much darker than the other.",
                               "" if ok else "面部一侧明显比另一侧暗。"))
    return results


def sharpness(rgb: np.ndarray, face: FaceLandmarks, outline: np.ndarray) -> float:
    """Variance of the Laplacian over variance of the grey values inside the (slightly shrunk)
    face outline, the face resampled to a width of 96 px. Independent of contrast and size."""
    ys, xs = np.nonzero(outline)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    scale = SHARPNESS_FACE_WIDTH / max(face.face_width, 1.0)
    grey = cv2.cvtColor(rgb[y0:y1, x0:x1], cv2.COLOR_RGB2GRAY)
    size = (max(8, round((x1 - x0) * scale)), max(8, round((y1 - y0) * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    grey = cv2.resize(grey, size, interpolation=interpolation).astype(np.float32)
    inside = cv2.resize(outline[y0:y1, x0:x1].astype(np.uint8), size,
                        interpolation=cv2.INTER_NEAREST)
    inside = cv2.erode(inside, np.ones((5, 5), np.uint8)) > 0  # keep the outline's edge out
    if inside.sum() < 16:
        return 0.0
    laplacian = cv2.Laplacian(grey, cv2.CV_32F)[inside]
    return float(laplacian.var() / (grey[inside].var() + 1e-6))


def cheek_difference(rgb: np.ndarray, face: FaceLandmarks) -> float:
    """|L*(image-left cheek) - L*(image-right cheek)|, medians of small patches."""
    height, width = rgb.shape[:2]
    radius = max(2, round(_CHEEK_PATCH * face.face_width))
    sides = []
    for indices in _CHEEKS:
        values = []
        for index in indices:
            x, y = (int(round(v)) for v in face.points[index, :2])
            patch = rgb[max(0, y - radius): min(height, y + radius + 1),
                        max(0, x - radius): min(width, x + radius + 1)]
            if patch.size:
                values.append(to_lab(patch)[:, :, 0].ravel())
        sides.append(float(np.median(np.concatenate(values))) if values else np.nan)
    difference = abs(sides[0] - sides[1])
    return difference if np.isfinite(difference) else 0.0


def _exposure(rgb: np.ndarray, outline: np.ndarray | None, profile: PhotoProfile
              ) -> CheckResult:
    spec = profile.quality
    parts = []
    if spec.face_brightness is not None:
        parts.append(f"L* {spec.face_brightness.describe()}")
    if spec.max_clipped is not None:
        parts.append(f"0/255 ≤ {spec.max_clipped:.0%}")
    expected = ", ".join(parts)
    if outline is None or not outline.any():
        return uncheckable(PhotoCheck.EXPOSURE, expected, "L*", *_NO_FACE)
    pixels = rgb[outline]
    brightness = round(float(to_lab(pixels[None])[0, :, 0].mean()), DIGITS)
    peak = pixels.max(axis=1)
    # A fraction shown as a percentage with one decimal: compared at that precision too.
    clipped = round(float(((peak >= CLIP_HIGH) | (peak <= CLIP_LOW)).mean()), 3)
    problems_en, problems_zh = [], []
    if spec.face_brightness is not None and not spec.face_brightness.contains(brightness):
        dark = spec.face_brightness.min is not None and brightness < spec.face_brightness.min
        problems_en.append("The face is too dark." if dark else "The face is too bright.")
        problems_zh.append("面部过暗。" if dark else "面部过亮。")
    if spec.max_clipped is not None and clipped > spec.max_clipped:
        problems_en.append(f"{clipped:.1%} of the face is clipped to pure white or black "
                           f"(at most {spec.max_clipped:.1%}).")
        problems_zh.append(f"面部有 {clipped:.1%} 的像素为纯白或纯黑（过曝/欠曝，"
                           f"最多 {spec.max_clipped:.1%}）。")
    detail_en = " ".join(problems_en) or f"{clipped:.1%} of the face clipped."
    detail_zh = "".join(problems_zh) or f"面部过曝/欠曝像素占 {clipped:.1%}。"
    return verdict(PhotoCheck.EXPOSURE, not problems_en, brightness, expected, "L*",
                   detail_en, detail_zh)


def _face_outline(face: FaceLandmarks, analysis: PortraitAnalysis) -> np.ndarray | None:
    """Boolean HxW mask of the convex hull of the 468 face-mesh points (forehead to chin)."""
    hull = cv2.convexHull(np.round(face.points[:468, :2]).astype(np.int32))
    mask = np.zeros((analysis.height, analysis.width), np.uint8)
    cv2.fillConvexPoly(mask, hull, 1)
    return mask.astype(bool) if mask.any() else None
