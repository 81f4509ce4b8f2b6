"""From file bytes to a typed :class:`core.DocumentResult`: load, flatten, OCR, classify,
extract fields, assess quality. One reader holds one engine and is reused for every file.
Which of a page's readings is used is decided in ``ocr.readings``."""

from __future__ import annotations

import logging
import re
import time
from datetime import date
from pathlib import Path

import numpy as np

from core import (
    BusinessLicenceField,
    DocType,
    DocumentResult,
    ExtractedField,
    FieldNote,
    Settings,
    TextLine,
)
from ocr.documents.classify import classify
from ocr.documents.layout import to_items
from ocr.documents.licence_values import registration_date as licence_date
from ocr.documents.places import match_place, place_field
from ocr.documents.text import compact
from ocr.engines.base import OCREngine
from ocr.loading import LoadLimits, load_document, load_path
from ocr.overprint import read_region
from ocr.quality import QualityInput, assess
from ocr.readings import (
    PLAIN_MIN_SIDE,
    PageRead,
    ReadingKind,
    extract,
    good_enough,
    line_height,
    merit,
    plain_sizing,
    quad_width,
    turned,
    turned_quarter,
)
from ocr.rectify import Rectified, is_card, rectify
from ocr.seal import read_seal

log = logging.getLogger(__name__)
# What a registration authority's seal says: ...市场监督管理局, ...工商行政管理局, ...行政审批局.
_AUTHORITY = re.compile(r"(监督管理|工商行政管理|行政审批|管理)局$")
_IDENTIFIERS = frozenset({BusinessLicenceField.USCC, BusinessLicenceField.REGISTRATION_NUMBER})


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
        reads = [self._read_page(index, image, doc_type) for index, image in pages]
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
            if r.doc_type != doc_type:
                r.fields, r.checkboxes = extract(doc_type, r.upright_items(), r.to_source)
            new_fields = dict(r.fields)
            printed = new_fields.get(BusinessLicenceField.REGISTRATION_AUTHORITY)
            # Right of 登记机关 stands the seal: what is read there is often a fragment of it.
            if doc_type == DocType.BUSINESS_LICENCE and (
                    printed is None or not _AUTHORITY.search(printed.value)):
                seal_field = self._authority_from_seal(r)
                if seal_field is not None:
                    new_fields[BusinessLicenceField.REGISTRATION_AUTHORITY] = seal_field
                elif printed is not None:
                    points, name = _authority_rank(printed.value)
                    if points == 2:  # a turned seal read right of the label: reordered
                        new_fields[BusinessLicenceField.REGISTRATION_AUTHORITY] = ExtractedField(
                            name, printed.confidence, printed.box, printed.value,
                            (FieldNote.SEAL_TEXT_REORDERED,))
            if doc_type == DocType.BUSINESS_LICENCE and not (
                    _IDENTIFIERS & new_fields.keys()):
                new_fields.update(self._identifier_above(r, new_fields))
            printed_date = new_fields.get(BusinessLicenceField.REGISTRATION_DATE)
            # A licence is issued on or after the day the business was established: a date read
            # as earlier lost a digit under the seal (``07月2日`` for 07月22日).
            if doc_type == DocType.BUSINESS_LICENCE and (
                    printed_date is None or _before_establishment(printed_date, new_fields)):
                date_field = self._date_under_seal(r)
                if date_field is not None and not _before_establishment(date_field, new_fields):
                    new_fields[BusinessLicenceField.REGISTRATION_DATE] = date_field
                elif printed_date is not None:
                    restored = _doubled_day(printed_date, new_fields)
                    if restored is not None:
                        new_fields[BusinessLicenceField.REGISTRATION_DATE] = restored
            for key, value in new_fields.items():
                fields.setdefault(key, value)
            checkboxes.update(r.checkboxes)
        extract_time = time.perf_counter() - t_extract
        all_lines = [
            TextLine(ln.text, ln.score, r.rect.map_box(ln.box), r.index)
            for r in reads
            for ln in r.lines
        ]
        heights = [line_height(ln) for ln in all_lines]
        scores = [f.confidence for f in fields.values()]
        warnings = assess(
            QualityInput(
                # Quality is judged on captured pixels: a flattened document, or the page as
                # loaded (not the copy enlarged for the detector).
                image=best.rect.image if best.rect.quad is not None or best.source is None
                else best.source,
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
        log.debug("read document: type=%s pages=%d fields=%d readings=%s in %.3fs",
                  doc_type.value, len(pages), len(fields), ",".join(r.kind for r in reads),
                  timings["total"])
        return DocumentResult(
            file=name,
            doc_type=doc_type,
            fields=fields,
            warnings=warnings,
            lines=all_lines,
            timings=timings,
            pages=len(pages),
            checkboxes=checkboxes,
            readings=[r.kind for r in reads],
        )

    def _authority_from_seal(self, r: PageRead) -> ExtractedField | None:
        """On real licences the registration authority's name is only in its red seal."""
        seal = read_seal(r.image_upright(), self.engine, _authority_rank)
        if seal is None:
            return None
        return place_field(ExtractedField(compact(seal.text), seal.score, r.to_source(seal.box)),
                           authority=True)

    def _identifier_above(
        self, r: PageRead, fields: dict[str, ExtractedField]
    ) -> dict[str, ExtractedField]:
        """The credit code (or old registration number), printed above the fields in small
        type, read again from the captured pixels when the page reading missed it: the
        detector, fed the page shrunk to its working size, can lose a thin line under the
        title or the copy mark (``副本``)."""
        if r.source is None or r.upside_down or r.kind not in (ReadingKind.FLATTENED,
                                                                ReadingKind.WHOLE):
            return {}
        boxes = [f.box for f in fields.values() if f.box]
        if not boxes:
            return {}
        # The fields' top in the page as loaded: the identifier stands above it.
        top = int(min(min(p[1] for p in box) for box in boxes))
        band = r.source[:max(0, top)]
        if band.shape[0] < 16:
            return {}
        t0 = time.perf_counter()
        out = self.engine.recognize(band, det_max_side=min(max(band.shape[:2]), 2000))
        r.timings["identifier"] = r.timings.get("identifier", 0.0) + time.perf_counter() - t0
        found = extract(DocType.BUSINESS_LICENCE, to_items(out.lines), lambda box: box)[0]
        return {k: f for k, f in found.items() if k in _IDENTIFIERS
                and FieldNote.CHECK_DIGIT_INVALID not in f.notes}

    def _date_under_seal(self, r: PageRead) -> ExtractedField | None:
        """The registration date, read again below 登记机关 with the red seal over it removed."""
        label = next((it for it in r.upright_items() if it.text.startswith("登记机关")), None)
        if label is None:
            return None
        t0 = time.perf_counter()
        width, height = label.width, label.height
        region = (label.x0 - 0.5 * width, label.y1, label.x1 + 3.0 * width, label.y1 + 5 * height)
        lines = read_region(r.image_upright(), region, self.engine, height, date_slots=True)
        r.timings["seal_date"] = r.timings.get("seal_date", 0.0) + time.perf_counter() - t0
        found = licence_date(to_items(lines), None, set())
        if found is None:
            return None
        iso, _item = found
        x0, y0, x1, y1 = region
        box = r.to_source([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
        return ExtractedField(iso, min((ln.score for ln in lines), default=0.0), box)

    def _read_page(self, index: int, image: np.ndarray, hint: DocType | None) -> PageRead:
        """The page's best reading. The flattened document (or the whole image) is read first;
        when that leaves the type unknown, fields missing or an identifier failing its check,
        the whole image at the plain engine's sizing is read too, and a page lying on its side
        is turned; the reading whose fields validate best is kept."""
        t0 = time.perf_counter()
        rect = rectify(image)
        t_rect = time.perf_counter() - t0
        h, w = rect.image.shape[:2]
        card_like = is_card(rect) and max(h, w) <= 1300
        det_side = self.settings.ocr_card_det_side if card_like else self.settings.ocr_det_max_side
        kind = ReadingKind.FLATTENED if rect.quad is not None else ReadingKind.WHOLE
        first = self._reading(index, image, rect, kind, min(det_side, max(h, w)), hint)
        first.timings["rectify"] = t_rect
        reads = [first]
        if not good_enough(first):
            # A page lying on its side is turned at once: the whole image would lie too.
            on_side = turned_quarter(first.lines)
            if not on_side and (rect.quad is not None or min(image.shape[:2]) < PLAIN_MIN_SIDE):
                whole = plain_sizing(image)
                reads.append(self._reading(index, image, whole, ReadingKind.WHOLE,
                                           max(whole.image.shape[:2]), hint))
            if on_side or turned_quarter(reads[-1].lines):
                for quarter, kind in ((1, ReadingKind.WHOLE_ROT90), (3, ReadingKind.WHOLE_ROT270)):
                    view = turned(image, quarter)
                    reads.append(self._reading(index, image, view, kind,
                                               max(view.image.shape[:2]), hint))
                    if good_enough(reads[-1]):
                        break
        best = max(reads, key=merit)
        for r in reads:
            if r is not best:
                for key, value in r.timings.items():
                    best.timings[key] = best.timings.get(key, 0.0) + value
        return best

    def _reading(
        self, index: int, source: np.ndarray, rect: Rectified, kind: str, det_side: int,
        hint: DocType | None,
    ) -> PageRead:
        out = self.engine.recognize(rect.image, page=index, det_max_side=det_side)
        doc_type, score = classify([ln.text for ln in out.lines])
        # The document's width as captured: a page lying on its side is as wide as it is high.
        across = source.shape[0] if kind in (ReadingKind.WHOLE_ROT90,
                                             ReadingKind.WHOLE_ROT270) else source.shape[1]
        read = PageRead(index, kind, rect, out.lines, doc_type, score,
                        quad_width(rect.quad, float(across)), dict(out.timings),
                        out.upside_down, source)
        t0 = time.perf_counter()
        target = hint or doc_type
        if target != DocType.UNKNOWN:
            read.fields, read.checkboxes = extract(target, read.upright_items(), read.to_source)
            if hint is not None:
                read.doc_type = hint
        read.timings["extract"] = time.perf_counter() - t0
        return read


def _before_establishment(issued: ExtractedField, fields: dict[str, ExtractedField]) -> bool:
    """Whether a registration date is earlier than the establishment date read beside it
    (both ISO dates; a missing establishment date proves nothing)."""
    established = fields.get(BusinessLicenceField.ESTABLISHED_DATE)
    return established is not None and issued.value < established.value


def _doubled_day(issued: ExtractedField, fields: dict[str, ExtractedField]
                 ) -> ExtractedField | None:
    """A registration date read before the establishment date whose day has one digit, with
    that digit doubled (``2015-07-02`` -> ``2015-07-22``: recognition merges a repeated digit),
    when that is a real date between the establishment date and today; ``None`` otherwise
    (:data:`core.FieldNote.REPEATED_DIGIT_RESTORED`)."""
    established = fields.get(BusinessLicenceField.ESTABLISHED_DATE)
    try:
        read = date.fromisoformat(issued.value)
        day = read.replace(day=read.day * 11) if read.day < 10 else None
    except ValueError:
        return None
    if day is None or established is None or not (
            established.value <= day.isoformat() <= date.today().isoformat()):
        return None
    return ExtractedField(day.isoformat(), issued.confidence, issued.box, issued.value,
                          (FieldNote.REPEATED_DIGIT_RESTORED,))


def _authority_rank(text: str) -> tuple[int, str]:
    """How sure a seal reading names the authority, and the name: 2 when its place names are
    GB/T 2260 ones, 1 for any ``…局``, 0 for anything else. A seal stamped turned starts its
    reading inside the name (``区市场监督管理局广州市越秀``): the part after 局 goes first."""
    text = compact(text)
    candidates = [text]
    head, sep, tail = text.partition("局")
    if sep and len(tail) >= 2:
        candidates.append(tail + head + sep)
    best = (0, text)
    for candidate in candidates:
        if not _AUTHORITY.search(candidate):
            continue
        match = match_place(candidate, authority=True)
        points = 2 if match is not None else 1
        if points > best[0]:
            best = (points, match.value if match is not None else candidate)
    return best


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
