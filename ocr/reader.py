"""From file bytes to a typed :class:`core.DocumentResult`: load, flatten, OCR, classify,
extract fields, assess quality. One reader holds one engine and is reused for every file."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import (
    BusinessLicenceField,
    DocType,
    DocumentResult,
    ExtractedField,
    Settings,
    TextLine,
)
from ocr.documents import business_licence, form, id_card
from ocr.documents.classify import classify
from ocr.documents.layout import Item, to_items
from ocr.documents.text import compact
from ocr.engines.base import OCREngine
from ocr.loading import LoadLimits, load_document, load_path
from ocr.quality import QualityInput, assess
from ocr.rectify import Rectified, is_card, rectify
from ocr.seal import read_seal

log = logging.getLogger(__name__)
# What a registration authority's seal says: ...市场监督管理局, ...工商行政管理局, ...行政审批局.
_AUTHORITY = re.compile(r"(监督管理|工商行政管理|行政审批|管理)局$")


@dataclass(slots=True)
class _PageRead:
    index: int
    rect: Rectified
    lines: list[TextLine]  # in flattened coordinates
    doc_type: DocType
    type_score: float
    source_width: float
    timings: dict[str, float]
    upside_down: bool
    source: np.ndarray | None = None  # the page as loaded
    skew: float = 0.0  # radians; text lines run at this angle in the upright image

    def upright(self, box: list[list[float]]) -> list[list[float]]:
        """A box in the flattened image → the same box with the page turned the right way up
        and its text lines made horizontal."""
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
        return self.rect.map_box(box)


class DocumentReader:
    """Reads documents with one engine. Safe to share between threads if the engine is."""

    def __init__(self, engine: OCREngine, settings: Settings | None = None) -> None:
        self.engine = engine
        self.settings = settings or Settings()
        self.limits = LoadLimits.from_settings(self.settings)

    def read_path(self, path: str | Path, doc_type: DocType | None = None) -> DocumentResult:
        t0 = time.perf_counter()
        pages = load_path(path, limits=self.limits)
        images = [(p.index, p.image) for p in pages]
        return self._read_pages(Path(path).name, images, doc_type, time.perf_counter() - t0)

    def read_bytes(
        self, data: bytes, filename: str, doc_type: DocType | None = None
    ) -> DocumentResult:
        t0 = time.perf_counter()
        pages = load_document(data, filename=filename, limits=self.limits)
        images = [(p.index, p.image) for p in pages]
        return self._read_pages(filename, images, doc_type, time.perf_counter() - t0)

    def read_image(
        self, image: np.ndarray, name: str = "image", doc_type: DocType | None = None
    ) -> DocumentResult:
        """Read an already-decoded BGR image (benchmarks and tests)."""
        return self._read_pages(name, [(0, image)], doc_type, 0.0)

    # -- internals ----------------------------------------------------------------------------
    def _read_pages(
        self,
        name: str,
        pages: list[tuple[int, np.ndarray]],
        doc_type: DocType | None,
        load_time: float,
    ) -> DocumentResult:
        t_start = time.perf_counter()
        reads = [self._read_page(index, image) for index, image in pages]
        if doc_type is None:
            best = max(reads, key=lambda r: r.type_score)
            doc_type = best.doc_type
        else:
            best = reads[0]
        t_extract = time.perf_counter()
        fields: dict[str, ExtractedField] = {}
        checkboxes: dict[str, bool] = {}
        targets = reads if doc_type in (DocType.FORM, DocType.UNKNOWN) else [best]
        for r in targets:
            r.skew = _skew([TextLine(ln.text, ln.score, r.upright(ln.box)) for ln in r.lines])
            upright = [TextLine(ln.text, ln.score, r.upright(ln.box), ln.page) for ln in r.lines]
            new_fields, new_boxes = _extract(doc_type, to_items(upright), r.to_source)
            if (doc_type == DocType.BUSINESS_LICENCE
                    and BusinessLicenceField.REGISTRATION_AUTHORITY not in new_fields):
                seal_field = self._authority_from_seal(r)
                if seal_field is not None:
                    new_fields[BusinessLicenceField.REGISTRATION_AUTHORITY] = seal_field
            for key, value in new_fields.items():
                fields.setdefault(key, value)
            checkboxes.update(new_boxes)
        extract_time = time.perf_counter() - t_extract
        all_lines = [
            TextLine(ln.text, ln.score, r.rect.map_box(ln.box), r.index)
            for r in reads
            for ln in r.lines
        ]
        heights = [_line_height(ln) for ln in all_lines]
        scores = [f.confidence for f in fields.values()]
        warnings = assess(
            QualityInput(
                image=best.rect.image,
                doc_type=doc_type,
                source_width=best.source_width,
                border_cut=best.rect.touches_border,
                median_line_height=float(np.median(heights)) if heights else 0.0,
                mean_confidence=float(np.mean(scores)) if scores else 0.0,
                source=_inside(best.source, best.rect.quad),
            )
        )
        timings: dict[str, float] = {"load": load_time}
        for r in reads:
            for key, value in r.timings.items():
                timings[key] = timings.get(key, 0.0) + value
        timings["extract"] = extract_time
        timings["total"] = load_time + (time.perf_counter() - t_start)
        # File names can carry a person's name (张三身份证.jpg): never logged.
        log.debug("read document: type=%s pages=%d fields=%d in %.3fs", doc_type.value,
                  len(pages), len(fields), timings["total"])
        return DocumentResult(
            file=name,
            doc_type=doc_type,
            fields=fields,
            warnings=warnings,
            lines=all_lines,
            timings=timings,
            pages=len(pages),
            checkboxes=checkboxes,
        )

    def _authority_from_seal(self, r: _PageRead) -> ExtractedField | None:
        """On real licences the registration authority's name is only in its red seal."""
        image = r.rect.image[::-1, ::-1] if r.upside_down else r.rect.image
        seal = read_seal(np.ascontiguousarray(image), self.engine)
        if seal is None or not _AUTHORITY.search(seal.text):
            return None
        return ExtractedField(compact(seal.text), seal.score, r.to_source(seal.box))

    def _read_page(self, index: int, image: np.ndarray) -> _PageRead:
        t0 = time.perf_counter()
        rect = rectify(image)
        t_rect = time.perf_counter() - t0
        h, w = rect.image.shape[:2]
        card_like = is_card(rect) and max(h, w) <= 1300
        det_side = self.settings.ocr_card_det_side if card_like else self.settings.ocr_det_max_side
        det_side = min(det_side, max(h, w))
        out = self.engine.recognize(rect.image, page=index, det_max_side=det_side)
        doc_type, score = classify([ln.text for ln in out.lines])
        if rect.quad is not None:
            q = rect.quad
            source_width = float(max(np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[3] - q[0])))
        else:
            source_width = float(image.shape[1])
        timings = {"rectify": t_rect, **out.timings}
        return _PageRead(index, rect, out.lines, doc_type, score, source_width, timings,
                         out.upside_down, image)


def _extract(
    doc_type: DocType, items: list[Item], to_source
) -> tuple[dict[str, ExtractedField], dict[str, bool]]:
    if doc_type == DocType.ID_CARD_FRONT:
        return id_card.extract_front(items, to_source), {}
    if doc_type == DocType.ID_CARD_BACK:
        return id_card.extract_back(items, to_source), {}
    if doc_type == DocType.BUSINESS_LICENCE:
        return business_licence.extract(items, to_source), {}
    return form.extract(items, to_source)


def _inside(image: np.ndarray | None, quad: np.ndarray | None) -> np.ndarray | None:
    """The part of ``image`` well inside the document's quadrilateral (or all of it), at the
    image's own pixels: a desk's woven texture must not pass for a screen's moiré."""
    if image is None or quad is None:
        return image
    centre = quad.mean(axis=0)
    inner = (quad - centre) * 0.6 + centre
    x0, y0 = np.floor(inner.min(axis=0)).astype(int)
    x1, y1 = np.ceil(inner.max(axis=0)).astype(int)
    h, w = image.shape[:2]
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 - x0 < 64 or y1 - y0 < 64:
        return image
    return image[y0:y1, x0:x1]


def _skew(lines: list[TextLine]) -> float:
    """The median angle of the top edges of long lines (radians, 0 when level)."""
    angles = []
    for ln in lines:
        (x0, y0), (x1, y1) = ln.box[0], ln.box[1]
        if abs(x1 - x0) > 2.5 * _line_height(ln) and x1 > x0:
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


def _line_height(line: TextLine) -> float:
    ys = [p[1] for p in line.box]
    return max(ys) - min(ys)
