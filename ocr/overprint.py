"""Black print under a red seal: the date a registration authority stamps its seal over.

In the red channel a red seal is as light as the paper while black ink stays dark, so reading
that channel alone removes the seal and leaves the print beneath it.
"""

from __future__ import annotations

import cv2
import numpy as np

from core import TextLine
from ocr.engines.base import OCREngine

MIN_TEXT_HEIGHT = 56  # px: smaller text is enlarged before reading (thin digits under a seal)


def without_red(image: np.ndarray) -> np.ndarray:
    """The image's red channel as a three-channel grey image (BGR in, BGR out)."""
    red = np.ascontiguousarray(image[..., 2])
    return cv2.cvtColor(red, cv2.COLOR_GRAY2BGR)


def read_region(
    image: np.ndarray, box: tuple[float, float, float, float], engine: OCREngine,
    text_height: float,
) -> list[TextLine]:
    """Lines read in ``box`` (x0, y0, x1, y1) of ``image`` with red ink removed, in the crop's
    own coordinates."""
    h, w = image.shape[:2]
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(w, int(box[2])), min(h, int(box[3]))
    if x1 - x0 < 16 or y1 - y0 < 16:
        return []
    crop = without_red(image[y0:y1, x0:x1])
    if 0 < text_height < MIN_TEXT_HEIGHT:
        scale = min(3.0, MIN_TEXT_HEIGHT / text_height)
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    out = engine.recognize(crop, det_max_side=max(crop.shape[:2]))
    return out.lines
