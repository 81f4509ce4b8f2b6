"""Read the text arched along a round red seal (公章), such as the registration authority's
name stamped on a business licence, where it is printed nowhere else.

The seal is found as the largest round red blob; its ring of text is unrolled with a polar
transform into a straight strip (outer edge up, reading clockwise from the lower left over the
top) and the strip is read by the engine's line recogniser.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from ocr.engines.base import OCREngine

# Chinese seals arch their text over the top, from about 55° below the horizontal on the left
# to as far on the right (measured on real licences: a narrower arc loses 上 and 局).
ARC_START_DEG = 125.0
ARC_END_DEG = 415.0
# A wider arc also reads a seal whose text starts low on the left; the narrower one keeps the
# strip tight on seals whose text spans less (the first that names a known authority wins).
ARCS = ((ARC_START_DEG, ARC_END_DEG), (150.0, 390.0))
RANK_CERTAIN = 2
RING = (0.56, 0.91)  # the text band inside the rim, as fractions of the seal's radius


@dataclass(frozen=True, slots=True)
class SealText:
    text: str
    score: float
    box: list[list[float]]  # the seal's bounding square, in the image's pixels


def find_seals(image: np.ndarray, limit: int = 3) -> list[tuple[float, float, float]]:
    """Centre and radius of the largest round red stamps (the national emblem on a licence is
    one too), largest first, overlapping ones counted once."""
    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
    red = ((hsv[..., 0] <= 10) | (hsv[..., 0] >= 165)) & (hsv[..., 1] >= 60) & (hsv[..., 2] >= 60)
    mask = cv2.morphologyEx(red.astype(np.uint8) * 255, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    # RETR_LIST: a seal sits inside a licence's red border, so it is no outermost contour.
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    found: list[tuple[float, float, float]] = []
    min_r = 0.04 * min(image.shape[:2])
    max_r = 0.3 * min(image.shape[:2])
    for contour in contours:
        (cx, cy), r = cv2.minEnclosingCircle(contour)
        if not min_r <= r <= max_r:
            continue
        hull_area = cv2.contourArea(cv2.convexHull(contour))
        if hull_area / (math.pi * r * r) < 0.7:  # not round: a red border or a title
            continue
        found.append((cx, cy, r))
    distinct: list[tuple[float, float, float]] = []
    for cx, cy, r in sorted(found, key=lambda c: -c[2]):
        if all(math.hypot(cx - x, cy - y) > max(r, q) for x, y, q in distinct):
            distinct.append((cx, cy, r))
    return distinct[:limit]


def find_seal(image: np.ndarray) -> tuple[float, float, float] | None:
    """Centre and radius of the largest round red stamp, or None."""
    seals = find_seals(image, 1)
    return seals[0] if seals else None


def unroll(
    image: np.ndarray, cx: float, cy: float, r: float,
    arc: tuple[float, float] = (ARC_START_DEG, ARC_END_DEG),
) -> np.ndarray:
    """The seal's text ring as a straight strip, outer edge on top, read left to right.

    Sampled finely enough that the strip is at least 64 px high whatever the seal's size, and
    turned into dark-on-white by redness (red minus green), which keeps anti-aliased strokes and
    drops black print crossing the seal.
    """
    scale = max(1.0, 64.0 / ((RING[1] - RING[0]) * r))
    mid = r * (RING[0] + RING[1]) / 2
    n_angles = max(64, int(2 * math.pi * mid * scale))
    n_radii = max(16, int(r * scale))
    polar = cv2.warpPolar(image, (n_radii, n_angles), (cx, cy), r,
                          cv2.WARP_POLAR_LINEAR | cv2.INTER_CUBIC)
    rows = [int((a % 360.0) / 360.0 * n_angles) % n_angles
            for a in np.linspace(arc[0], arc[1], int(n_angles * (arc[1] - arc[0]) / 360))]
    band = polar[rows, int(RING[0] * n_radii): int(RING[1] * n_radii)]
    strip = band.transpose(1, 0, 2)[::-1].astype(np.float32)
    redness = strip[..., 2] - np.maximum(strip[..., 1], strip[..., 0])
    # Paper is rarely neutral (a warm cast, a pink licence): measure ink against the strip's
    # own background redness.
    ground, ink = float(np.median(redness)), float(np.percentile(redness, 99.5))
    strength = np.clip((redness - ground) / max(8.0, ink - ground), 0.0, 1.0)
    gray = (255.0 - 225.0 * strength).astype(np.uint8)
    return np.ascontiguousarray(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR))


def read_seal(
    image: np.ndarray, engine: OCREngine,
    rank: Callable[[str], tuple[int, str]] | None = None,
) -> SealText | None:
    """The text along a red seal on ``image``.

    Without ``rank`` it is the largest seal's text, unrolled over the wide arc. With it, each
    seal (largest first) is unrolled over the wide and the narrow arc, and the reading ``rank``
    scores highest is returned, as ``rank`` rewrites it (0 refuses a reading; the first of the
    highest score wins).
    """
    best: tuple[int, SealText] | None = None
    for cx, cy, r in find_seals(image):
        box = [[cx - r, cy - r], [cx + r, cy - r], [cx + r, cy + r], [cx - r, cy + r]]
        for arc in ARCS:
            (text, score), = engine.recognize_crops([unroll(image, cx, cy, r, arc)])
            text = text.replace(" ", "")
            if rank is None:
                return SealText(text, score, box) if text else None
            points, text = rank(text) if text else (0, text)
            if points > 0 and (best is None or points > best[0]):
                best = (points, SealText(text, score, box))
            if best is not None and best[0] >= RANK_CERTAIN:
                return best[1]
    return best[1] if best else None
