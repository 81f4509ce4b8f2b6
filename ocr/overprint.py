"""Black print under a red seal: the date a registration authority stamps its seal over.

In the red channel a red seal is as light as the paper while black ink stays dark, so reading
that channel alone removes the seal and leaves the print beneath it. What the seal's rim still
hides from the detector (the ``11`` of ``2020 年 11 月 04 日``) is read slot by slot: the digits
of a date stand between its 年, 月 and 日, so an empty gap between two of them is recognised on
its own.
"""

from __future__ import annotations

import cv2
import numpy as np

from core import TextLine
from ocr.documents.layout import Item, part_of, to_items
from ocr.documents.text import compact, fix_digits
from ocr.engines.base import OCREngine

MIN_TEXT_HEIGHT = 56  # px: smaller text is enlarged before reading (thin digits under a seal)


def without_red(image: np.ndarray) -> np.ndarray:
    """The image's red channel as a three-channel grey image (BGR in, BGR out)."""
    red = np.ascontiguousarray(image[..., 2])
    return cv2.cvtColor(red, cv2.COLOR_GRAY2BGR)


def read_region(
    image: np.ndarray, box: tuple[float, float, float, float], engine: OCREngine,
    text_height: float, *, date_slots: bool = False,
) -> list[TextLine]:
    """Lines read in ``box`` (x0, y0, x1, y1) of ``image`` with red ink removed, in the crop's
    own coordinates. With ``date_slots`` the empty gaps of a spaced date are read too."""
    h, w = image.shape[:2]
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(w, int(box[2])), min(h, int(box[3]))
    if x1 - x0 < 16 or y1 - y0 < 16:
        return []
    crop = without_red(image[y0:y1, x0:x1])
    if 0 < text_height < MIN_TEXT_HEIGHT:
        scale = min(3.0, MIN_TEXT_HEIGHT / text_height)
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    lines = engine.recognize(crop, det_max_side=max(crop.shape[:2])).lines
    return lines + date_slot_digits(crop, lines, engine) if date_slots else lines


_MARKS = "年月日"


def date_slot_digits(
    image: np.ndarray, lines: list[TextLine], engine: OCREngine
) -> list[TextLine]:
    """Digits read from the empty gaps between a date's 年, 月 and 日 in ``lines`` (which were
    read from ``image``): one line per gap that holds one or two digits."""
    chars = _characters(to_items(lines))
    year = next((c for c in chars if c.text == "年"), None)
    if year is None:
        return []
    height = year.height
    # The date's row: characters whose middle lies within a line height of the 年's.
    row = sorted((c for c in chars if abs(c.cy - year.cy) < height), key=lambda c: c.x0)
    marks = [c for c in row if c.text in _MARKS and c.x0 >= year.x0]
    order = [m.text for m in marks]
    if order[:3] not in (["年", "月", "日"], ["年", "月"]):
        return []
    # The band the digits are printed in (they need not be level with the glyphs, and the
    # seal's rim is close above them): lines of digits alone, else any digit on the row.
    numbers = _characters([it for it in to_items(lines) if it.text.isdigit()])
    digits_read = ([c for c in numbers if abs(c.cy - year.cy) < height]
                   or [c for c in row if c.text.isdigit()] or row)
    top = min(c.y0 for c in digits_read) - 0.1 * height
    bottom = max(c.y1 for c in digits_read) + 0.1 * height
    slots = [(left.x1, right.x0) for left, right in zip(marks, marks[1:], strict=False)]
    if order[:3] == ["年", "月"]:  # the day and its 日 lost: the slot after 月
        slots.append((marks[1].x1, marks[1].x1 + 2.5 * height))
    extra: list[TextLine] = []
    for gap_x0, gap_x1 in slots:
        if gap_x1 - gap_x0 < 0.5 * height:
            continue
        if any(c.text.isdigit() and gap_x0 <= (c.x0 + c.x1) / 2 <= gap_x1 for c in row):
            continue
        ya, yb = max(0, int(top)), min(image.shape[0], int(bottom) + 1)
        xa, xb = max(0, int(gap_x0)), min(image.shape[1], int(gap_x1) + 1)
        if yb - ya < 8 or xb - xa < 8:
            continue
        text, score = engine.recognize_crops([np.ascontiguousarray(image[ya:yb, xa:xb])])[0]
        digits = fix_digits(compact(text).removesuffix("日"))
        if 1 <= len(digits) <= 2 and digits.isdigit() and score >= 0.5:
            box = [[float(xa), float(ya)], [float(xb), float(ya)], [float(xb), float(yb)],
                   [float(xa), float(yb)]]
            extra.append(TextLine(digits, score, box))
    return extra


def _characters(items: list[Item]) -> list[Item]:
    """Each character of ``items`` with its share of its item's box."""
    return [part_of(it, k, k + 1) for it in items for k in range(len(it.text))]
