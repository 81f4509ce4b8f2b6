"""Readings of one page and how the reader chooses between them.

A page can be read as the flattened card or sheet found on it, as the whole image at the sizing
the bare PP-OCR pipeline uses (shortest side raised to 736 px), or turned a quarter. Each reading
is classified and its fields extracted; the reading whose fields validate best wins, so finding,
flattening and detector sizing can never lose what the plain engine reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from core import DocType, ExtractedField, FieldNote, TextLine
from ocr.documents import business_licence, form, id_card
from ocr.documents.layout import BoxMapper, Item, to_items
from ocr.engines.crops import order_quad
from ocr.rectify import Rectified

# The bare pipeline's detector sizing (rapidocr's ``Det.limit_side_len: 736, limit_type: min``),
# capped as its ``max_side_len`` caps it.
PLAIN_MIN_SIDE = 736
PLAIN_MAX_SIDE = 2000

# What a reading must reach to be kept without trying another: its type recognised and this
# share of the type's fields found, every identifier passing its check.
EXPECTED_FIELDS = {DocType.ID_CARD_FRONT: 6, DocType.ID_CARD_BACK: 3,
                   DocType.BUSINESS_LICENCE: 9, DocType.FORM: 1}
GOOD_ENOUGH = 0.8
SURE_READING = 0.98


class ReadingKind:
    """Names of readings, as reported in ``DocumentResult.readings``."""

    FLATTENED = "flattened"
    WHOLE = "whole"
    WHOLE_ROT90 = "whole-rot90"
    WHOLE_ROT270 = "whole-rot270"


@dataclass(slots=True)
class PageRead:
    """One reading of one page: the image read, its lines and what they say."""

    index: int
    kind: str
    rect: Rectified
    lines: list[TextLine]  # in the coordinates of ``rect.image``
    doc_type: DocType
    type_score: float
    source_width: float
    timings: dict[str, float]
    upside_down: bool
    source: np.ndarray | None = None  # the page as loaded
    skew: float = 0.0  # radians; text lines run at this angle in the upright image
    fields: dict[str, ExtractedField] = field(default_factory=dict)
    checkboxes: dict[str, bool] = field(default_factory=dict)

    def upright(self, box: list[list[float]]) -> list[list[float]]:
        """A box in the read image → the same box with the page turned the right way up and
        its text lines made horizontal."""
        h, w = self.rect.image.shape[:2]
        if self.upside_down:
            turned = [[w - 1 - x, h - 1 - y] for x, y in box]
            box = turned[2:] + turned[:2]
        return _rotate(box, -self.skew, (w / 2, h / 2)) if self.skew else box

    def to_source(self, box: list[list[float]]) -> list[list[float]]:
        """A box in upright coordinates → pixels of the page as loaded."""
        h, w = self.rect.image.shape[:2]
        if self.skew:
            box = _rotate(box, self.skew, (w / 2, h / 2))
        if self.upside_down:
            turned = [[w - 1 - x, h - 1 - y] for x, y in box]
            box = turned[2:] + turned[:2]
        return order_quad(np.asarray(self.rect.map_box(box))).tolist()

    def upright_items(self) -> list[Item]:
        """The lines as layout items, page turned upright and levelled (the skew is measured
        afresh, so calling this twice gives the same items)."""
        self.skew = 0.0
        self.skew = _skew([TextLine(ln.text, ln.score, self.upright(ln.box)) for ln in self.lines])
        return to_items(TextLine(ln.text, ln.score, self.upright(ln.box), ln.page, ln.char_scores)
                        for ln in self.lines)

    def image_upright(self) -> np.ndarray:
        image = self.rect.image[::-1, ::-1] if self.upside_down else self.rect.image
        return np.ascontiguousarray(image)


def extract(
    doc_type: DocType, items: list[Item], to_source: BoxMapper
) -> tuple[dict[str, ExtractedField], dict[str, bool]]:
    if doc_type == DocType.ID_CARD_FRONT:
        return id_card.extract_front(items, to_source), {}
    if doc_type == DocType.ID_CARD_BACK:
        return id_card.extract_back(items, to_source), {}
    if doc_type == DocType.BUSINESS_LICENCE:
        return business_licence.extract(items, to_source), {}
    return form.extract(items, to_source)


def merit(read: PageRead) -> float:
    """How much a reading is worth: fields found, identifiers that pass their checks, a known
    type, and (a little) the amount of text read."""
    if read.doc_type == DocType.UNKNOWN:
        return 0.05 * len(read.lines)
    read_fields = [f for f in read.fields.values() if FieldNote.FROM_ID_NUMBER not in f.notes]
    valid = sum(1 for f in read_fields
                if FieldNote.CHECK_DIGIT_INVALID not in f.notes and _is_identifier(f))
    invalid = sum(1 for f in read_fields if FieldNote.CHECK_DIGIT_INVALID in f.notes)
    return (3.0 + len(read_fields) + 3.0 * valid - 1.0 * invalid + read.type_score
            + 0.02 * len(read.lines))


def good_enough(read: PageRead) -> bool:
    """Whether a reading needs no second opinion."""
    expected = EXPECTED_FIELDS.get(read.doc_type)
    if expected is None:
        return False
    # An identifier failing its check asks for a second opinion, unless the engine was sure of
    # every line it came from: then it is printed so (demo and specimen cards often are).
    if any(FieldNote.CHECK_DIGIT_INVALID in f.notes and f.confidence < SURE_READING
           for f in read.fields.values()):
        return False
    found = sum(1 for f in read.fields.values() if FieldNote.FROM_ID_NUMBER not in f.notes)
    return found >= GOOD_ENOUGH * expected


def turned_quarter(lines: list[TextLine]) -> bool:
    """Most multi-character lines stand taller than wide: the page lies on its side."""
    tall = wide = 0
    for ln in lines:
        if len(ln.text.strip()) < 3:
            continue
        pts = np.asarray(ln.box, dtype=np.float32)
        w = float(np.linalg.norm(pts[1] - pts[0]))
        h = float(np.linalg.norm(pts[3] - pts[0]))
        if h > 1.5 * w:
            tall += 1
        elif w > 1.5 * h:
            wide += 1
    return tall >= 3 and tall > wide


def plain_sizing(image: np.ndarray) -> Rectified:
    """The whole image at the bare pipeline's detector size: small images are enlarged so their
    shortest side reaches 736 px (a 500 px scan's text is otherwise too small to detect)."""
    h, w = image.shape[:2]
    scale = min(PLAIN_MIN_SIDE / min(h, w), PLAIN_MAX_SIDE / max(h, w))
    if scale <= 1.0:
        return Rectified(image, None, None, touches_border=False)
    big = cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_CUBIC)
    back = np.array([[1 / scale, 0, 0], [0, 1 / scale, 0], [0, 0, 1]], dtype=np.float64)
    return Rectified(big, None, back, touches_border=False)


def turned(image: np.ndarray, quarter: int) -> Rectified:
    """The image turned ``quarter`` × 90° anticlockwise, mapping boxes back to it."""
    h, w = image.shape[:2]
    rotated = np.ascontiguousarray(np.rot90(image, quarter))
    if quarter % 4 == 1:  # (x, y) in the turned image came from (w - 1 - y, x)
        back = np.array([[0, -1, w - 1], [1, 0, 0], [0, 0, 1]], dtype=np.float64)
    else:  # three quarters: (x, y) came from (y, h - 1 - x)
        back = np.array([[0, 1, 0], [-1, 0, h - 1], [0, 0, 1]], dtype=np.float64)
    inner = plain_sizing(rotated)
    if inner.to_source is not None:
        back = back @ inner.to_source
    return Rectified(inner.image, None, back, touches_border=False)


def _is_identifier(f: ExtractedField) -> bool:
    v = f.value
    return len(v) in (15, 18) and v[:-1].isalnum() and v.upper() == v and any(
        c.isdigit() for c in v)


def _skew(lines: list[TextLine]) -> float:
    """The median angle of the top edges of long lines (radians, 0 when level)."""
    angles = []
    for ln in lines:
        (x0, y0), (x1, y1) = ln.box[0], ln.box[1]
        # Measured along the box's own edges: a long line tilted 20° stands tall on the page.
        across = float(np.hypot(ln.box[3][0] - x0, ln.box[3][1] - y0))
        if float(np.hypot(x1 - x0, y1 - y0)) > 2.5 * across and x1 > x0:
            angles.append(float(np.arctan2(y1 - y0, x1 - x0)))
    if len(angles) < 2:
        return 0.0
    angle = float(np.median(angles))
    return angle if abs(angle) > np.deg2rad(0.3) else 0.0


def _rotate(
    box: list[list[float]], angle: float, centre: tuple[float, float]
) -> list[list[float]]:
    c, s = float(np.cos(angle)), float(np.sin(angle))
    cx, cy = centre
    return [[cx + c * (x - cx) - s * (y - cy), cy + s * (x - cx) + c * (y - cy)] for x, y in box]


def line_height(line: TextLine) -> float:
    ys = [p[1] for p in line.box]
    return max(ys) - min(ys)


def quad_width(quad: np.ndarray | None, fallback: float) -> float:
    if quad is None:
        return fallback
    return float(max(np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[3] - quad[0])))


__all__ = ["PageRead", "ReadingKind", "extract", "good_enough", "line_height", "merit",
           "plain_sizing", "quad_width", "turned", "turned_quarter"]
