"""Background rules, measured outside the person: its median colour against the profile's
colour(s), and its uniformity, both as CIELAB ΔE (CIE76) distances."""

from __future__ import annotations

from typing import Final

import cv2
import numpy as np

from verify.photo.analysis import PortraitAnalysis
from verify.photo.profiles import BackgroundSpec, PhotoProfile
from verify.photo.report import (
    DIGITS,
    CheckResult,
    PhotoCheck,
    not_applicable,
    uncheckable,
    verdict,
)

PERSON_THRESHOLD: Final = 0.3  # generous: hair fringes count as person, not background
MARGIN_FRACTION: Final = 0.02  # of the height, kept clear around the person mask
MIN_BACKGROUND_FRACTION: Final = 0.01
SPREAD_PERCENTILE: Final = 90
MAX_SAMPLES: Final = 20_000


def background_checks(rgb: np.ndarray, analysis: PortraitAnalysis, profile: PhotoProfile
                      ) -> list[CheckResult]:
    spec = profile.background
    if spec is None:
        return [not_applicable(PhotoCheck.BACKGROUND_COLOR, profile.id),
                not_applicable(PhotoCheck.BACKGROUND_UNIFORM, profile.id)]
    color_expected = "ΔE(" + " | ".join(_hex(c) for c in spec.colors) + \
        f") ≤ {spec.tolerance:g}"
    spread_expected = f"P{SPREAD_PERCENTILE} ΔE ≤ {spec.max_spread:g}"
    region = background_region(analysis)
    if region.mean() < MIN_BACKGROUND_FRACTION:
        why = ("the person fills the photo; no background is visible.",
               "人像占满照片，看不到背景。")
        return [uncheckable(PhotoCheck.BACKGROUND_COLOR, color_expected, "ΔE", *why),
                uncheckable(PhotoCheck.BACKGROUND_UNIFORM, spread_expected, "ΔE", *why)]
    pixels = rgb[region]
    if len(pixels) > MAX_SAMPLES:  # A regular subsample: the statistics are percentiles.
        pixels = pixels[:: -(-len(pixels) // MAX_SAMPLES)]
    lab = to_lab(pixels[None])[0]
    median = np.median(lab, axis=0)
    return [_color(spec, median, color_expected, pixels),
            _uniform(spec, lab, median, spread_expected)]


def background_region(analysis: PortraitAnalysis) -> np.ndarray:
    """Boolean HxW: pixels clear of the person mask and of every face box by a small margin."""
    height, width = analysis.height, analysis.width
    person = (analysis.person_mask > PERSON_THRESHOLD).astype(np.uint8)
    for x0, y0, x1, y1 in analysis.face_boxes:
        box = (slice(max(0, int(y0)), int(min(height, y1))), slice(max(0, int(x0)), int(x1)))
        if person[box].size and person[box].mean() >= 0.5:
            continue
        # The mask missed this face (a poster, a second person, a failed mask): it is still not
        # background, and neither is the hair around it.
        pad_x, pad_y = 0.25 * (x1 - x0), 0.5 * (y1 - y0)
        person[max(0, int(y0 - pad_y)): int(min(height, y1 + pad_y / 2)),
               max(0, int(x0 - pad_x)): int(min(width, x1 + pad_x))] = 1
    margin = max(3, round(MARGIN_FRACTION * height))
    # A square kernel, applied as two 1-D passes, is ten times cheaper than a disc.
    kernel = np.ones((2 * margin + 1, 2 * margin + 1), np.uint8)
    return cv2.dilate(person, kernel) == 0


def to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB with L* in 0..100 (sRGB, D65), float32."""
    return cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)


def _color(spec: BackgroundSpec, median: np.ndarray, expected: str, pixels: np.ndarray
           ) -> CheckResult:
    targets = to_lab(np.array([spec.colors], dtype=np.uint8))[0]
    distances = np.linalg.norm(targets - median, axis=1)
    nearest = int(np.argmin(distances))
    delta = round(float(distances[nearest]), DIGITS)
    seen = _hex(tuple(int(v) for v in np.median(pixels, axis=0)))
    return verdict(PhotoCheck.BACKGROUND_COLOR, delta <= spec.tolerance, delta,
                   expected, "ΔE", f"Background median colour {seen}.", f"背景颜色中位值 {seen}。")


def _uniform(spec: BackgroundSpec, lab: np.ndarray, median: np.ndarray, expected: str
             ) -> CheckResult:
    spread = round(float(np.percentile(np.linalg.norm(lab - median, axis=1),
                                       SPREAD_PERCENTILE)), DIGITS)
    ok = spread <= spec.max_spread
    return verdict(PhotoCheck.BACKGROUND_UNIFORM, ok, spread, expected, "ΔE",
                   "" if ok else "The background shows objects, patterns, shading or shadows.",
                   "" if ok else "背景中有物体、图案、明暗变化或阴影。")


def _hex(color: tuple[int, ...]) -> str:
    return "#" + "".join(f"{c:02x}" for c in color[:3])
