"""Image-quality warnings in the manner of commercial ID-OCR APIs: each a code and a score.

Scores are in [0, 1], higher meaning more certainly a problem; a warning is raised at 0.5. The
measures are classical and cheap (a few ms on a flattened card): Laplacian energy for blur,
clipped near-white blobs for glare, saturation for photocopies, a periodic spectral peak for
moiré from a screen, corners on the frame edge for cut-off borders.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from core import DocType, QualityCode, QualityWarning

_CARD_TYPES = {DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK}
_COLOURED_TYPES = _CARD_TYPES | {DocType.BUSINESS_LICENCE}


@dataclass(frozen=True, slots=True)
class QualityInput:
    """What the checks look at."""

    image: np.ndarray  # the flattened document (or whole page when none was found)
    doc_type: DocType
    source_width: float  # the document's width in the original photo's pixels
    border_cut: bool
    median_line_height: float  # in the original photo's pixels
    mean_confidence: float
    source: np.ndarray | None = None  # the page as loaded: moiré is judged at its own pixels


def assess(q: QualityInput) -> list[QualityWarning]:
    """Every warning whose score reaches 0.5."""
    gray = cv2.cvtColor(q.image, cv2.COLOR_BGR2GRAY)
    scores: dict[QualityCode, float] = {
        QualityCode.BLURRED: blur_score(gray),
        QualityCode.LOW_RESOLUTION: resolution_score(q),
        QualityCode.SCREEN_RECAPTURE: moire_score(
            gray if q.source is None else cv2.cvtColor(q.source, cv2.COLOR_BGR2GRAY)
        ),
    }
    if q.doc_type in _CARD_TYPES:
        scores[QualityCode.GLARE] = glare_score(q.image)
    if q.doc_type in _COLOURED_TYPES:
        scores[QualityCode.PHOTOCOPY] = photocopy_score(q.image)
    if q.border_cut:
        scores[QualityCode.BORDER_CUT] = 1.0
    if q.mean_confidence and q.mean_confidence < 0.85:
        scores[QualityCode.LOW_CONFIDENCE] = float(np.clip((0.95 - q.mean_confidence) / 0.2, 0, 1))
    return [QualityWarning(code, round(s, 3)) for code, s in scores.items() if s >= 0.5]


def blur_score(gray: np.ndarray) -> float:
    """Sharp print has strong second derivatives at glyph edges; blur removes them.

    Measured at a fixed width so the figure does not depend on the photo's resolution, and
    relative to the contrast available (a faint page is not a blurred one).
    """
    g = _at_width(gray, 800)
    lap = cv2.Laplacian(g, cv2.CV_32F, ksize=3)
    energy = float(np.percentile(np.abs(lap), 99.5))
    contrast = float(np.percentile(g, 95) - np.percentile(g, 5)) + 1.0
    sharpness = energy / contrast
    # Calibrated on the generated samples: crisp print ≈ 0.8–1.5, unreadable blur < 0.25.
    return float(np.clip((0.45 - sharpness) / 0.3, 0.0, 1.0))


def glare_score(image: np.ndarray) -> float:
    """A large clipped, colourless blob on a tinted card is a reflection."""
    hsv = cv2.cvtColor(_at_width(image, 500), cv2.COLOR_BGR2HSV)
    clipped = ((hsv[..., 2] >= 250) & (hsv[..., 1] <= 30)).astype(np.uint8)
    count, _labels, stats, _c = cv2.connectedComponentsWithStats(clipped, connectivity=8)
    if count <= 1:
        return 0.0
    largest = stats[1:, cv2.CC_STAT_AREA].max() / float(clipped.size)
    return float(np.clip((largest - 0.004) / 0.02, 0.0, 1.0))


def photocopy_score(image: np.ndarray) -> float:
    """ID cards and licences are printed in colour; a grey image of one is a copy."""
    hsv = cv2.cvtColor(_at_width(image, 400), cv2.COLOR_BGR2HSV)
    chroma = float(np.percentile(hsv[..., 1], 98))
    return float(np.clip((25.0 - chroma) / 15.0, 0.0, 1.0))


def moire_score(gray: np.ndarray) -> float:
    """A photographed screen leaves a strong periodic pattern: an isolated spectral peak at
    mid-to-high frequency, far above its surroundings.

    Measured on a 512 px window at the photo's own resolution (resampling would move JPEG's
    8-px block grid to arbitrary frequencies), ignoring the frequency axes (printed text and
    straight edges) and the multiples of 1/8 (JPEG blocks) where compressed photos peak."""
    g = _centre_window(gray, 512).astype(np.float32)
    g = g - cv2.GaussianBlur(g, (0, 0), 3)
    h, w = g.shape
    g *= np.outer(np.hanning(h), np.hanning(w)).astype(np.float32)
    spec = np.abs(np.fft.fftshift(np.fft.fft2(g)))
    fy = (np.arange(h) - h // 2)[:, None] / h
    fx = (np.arange(w) - w // 2)[None, :] / w
    radius = np.hypot(fy, fx)
    tol_y, tol_x = 3.0 / h, 3.0 / w
    off_grid_y = np.abs(fy * 8 - np.round(fy * 8)) / 8 > tol_y
    off_grid_x = np.abs(fx * 8 - np.round(fx * 8)) / 8 > tol_x
    band = (radius > 0.1) & (radius < 0.48) & (np.abs(fx) > 0.03) & (np.abs(fy) > 0.03)
    band &= off_grid_y & off_grid_x
    values = spec[band]
    if values.size == 0:
        return 0.0
    ratio = float(values.max()) / (float(np.median(values)) + 1e-6)
    # Calibrated on the generated samples: JPEG-compressed desk photos, guilloche card
    # backgrounds and ruled tables reach ratios up to ~130; a visible screen pattern is >250.
    return float(np.clip((ratio - 150.0) / 100.0, 0.0, 1.0))


def _centre_window(gray: np.ndarray, size: int) -> np.ndarray:
    """The central window of at most ``size``², never resampled."""
    h, w = gray.shape[:2]
    size_y, size_x = min(size, h), min(size, w)
    y, x = (h - size_y) // 2, (w - size_x) // 2
    return gray[y : y + size_y, x : x + size_x]


def resolution_score(q: QualityInput) -> float:
    """Too few pixels across the document, or text lines too short to read reliably."""
    if q.doc_type in _CARD_TYPES:
        return float(np.clip((600.0 - q.source_width) / 250.0, 0.0, 1.0))
    if q.median_line_height <= 0:
        # No text read at all: an image this small cannot hold a readable document (a card
        # needs ~600 px across).
        return float(np.clip((600.0 - q.source_width) / 250.0, 0.0, 1.0))
    return float(np.clip((16.0 - q.median_line_height) / 6.0, 0.0, 1.0))


def _at_width(image: np.ndarray, width: int) -> np.ndarray:
    h, w = image.shape[:2]
    if w == width:
        return image
    return cv2.resize(image, (width, max(1, int(h * width / w))), interpolation=cv2.INTER_AREA)
