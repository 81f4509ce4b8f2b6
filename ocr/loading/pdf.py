"""PDF pages rendered with PDFium: one page, and all the pages of one PDF together, never
larger than the pixel limit (huge pages are rendered at a lower dpi, never at full size).

PDFium is not thread-safe: every call into it holds :data:`PDFIUM_LOCK`, and documents, pages and
bitmaps are closed before the lock is released.
"""

from __future__ import annotations

import logging
import math
import threading
from typing import Final

import cv2
import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ocr.errors import InputError
from ocr.loading import failures
from ocr.loading.model import LoadLimits, Page, SourceFormat

logger = logging.getLogger(__name__)

PDFIUM_LOCK: Final = threading.Lock()
_PDF: Final = SourceFormat.PDF


def load_pdf(data: bytes, limits: LoadLimits) -> list[Page]:
    """Render every page of a PDF upload at ``limits.pdf_dpi`` (less if a page is huge)."""
    try:
        with PDFIUM_LOCK:
            return _render_document(data, limits)
    except InputError:
        raise
    except MemoryError:
        raise failures.too_many_pixels_unknown(limits.max_pixels) from None
    except Exception as exc:  # pypdfium2 raises PdfiumError (and ValueError for odd geometry).
        logger.debug("pdf rendering failed: %s", type(exc).__name__)
        raise failures.corrupt(_PDF) from None


def _open_document(data: bytes, limits: LoadLimits) -> pdfium.PdfDocument:
    """The PDF opened under the caller's ``PDFIUM_LOCK``, with the refusals every reader makes
    before touching a page (encrypted, corrupt, no pages, too many pages); the caller closes it.
    """
    # Load through the raw API because pypdfium2's PdfDocument(bytes) leaks the handle of a
    # zero-page document. `data` stays referenced by the caller until close, as PDFium requires.
    raw = pdfium_c.FPDF_LoadMemDocument64(data, len(data), None)
    if not raw:
        if pdfium_c.FPDF_GetLastError() in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise failures.encrypted()
        raise failures.corrupt(_PDF)
    document = pdfium.PdfDocument(raw)
    count = len(document)
    if count < 1 or count > limits.max_pdf_pages:
        document.close()
        if count < 1:
            raise failures.corrupt(_PDF)
        raise failures.too_many_pages(limits.max_pdf_pages)
    return document


def _render_document(data: bytes, limits: LoadLimits) -> list[Page]:
    document = _open_document(data, limits)
    try:
        scales = _page_scales(document, len(document), limits)
        return [_render_page(document, index, limits, scale)
                for index, scale in enumerate(scales)]
    finally:
        document.close()


def pdf_render_pixels(data: bytes, limits: LoadLimits) -> int:
    """How many pixels :func:`load_pdf` would render for this PDF, all pages together, read
    from the page boxes only (nothing is rendered). Raises ``InputError`` as ``load_pdf``
    would for a PDF it refuses before rendering (corrupt, encrypted, too many pages)."""
    try:
        with PDFIUM_LOCK:
            document = _open_document(data, limits)
            try:
                sizes = [_page_size(document, index) for index in range(len(document))]
                scales = _budget_scales(sizes, limits)
            finally:
                document.close()
    except InputError:
        raise
    except Exception as exc:  # pypdfium2 raises PdfiumError (and ValueError for odd geometry).
        logger.debug("pdf measuring failed: %s", type(exc).__name__)
        raise failures.corrupt(_PDF) from None
    return sum(_bitmap_pixels(w, h, s) for (w, h), s in zip(sizes, scales, strict=True))


def _bitmap_pixels(width_pt: float, height_pt: float, scale: float) -> int:
    return math.ceil(width_pt * scale) * math.ceil(height_pt * scale)


def _page_size(document: pdfium.PdfDocument, index: int) -> tuple[float, float]:
    page = document[index]
    try:
        width_pt, height_pt = page.get_size()
    finally:
        page.close()
    if not all(math.isfinite(side) and side > 0 for side in (width_pt, height_pt)):
        raise failures.corrupt(_PDF)
    return width_pt, height_pt


def _page_scales(document: pdfium.PdfDocument, count: int, limits: LoadLimits) -> list[float]:
    return _budget_scales([_page_size(document, i) for i in range(count)], limits)


def _budget_scales(sizes: list[tuple[float, float]], limits: LoadLimits) -> list[float]:
    """Each page's render scale: ``pdf_dpi``, less for a page that alone would exceed
    ``max_pixels``, and all pages less again when together they would: one PDF never costs
    more than ``max_pixels`` however many huge pages it has (a pixel budget that bounds both
    the memory and the OCR time of one document)."""
    scales = [fit_scale(w, h, limits.pdf_dpi / 72.0, limits.max_pixels) for w, h in sizes]
    for _ in range(64):
        total = sum(_bitmap_pixels(w, h, s) for (w, h), s in zip(sizes, scales, strict=True))
        if total <= limits.max_pixels:
            return scales
        shrink = math.sqrt(limits.max_pixels / total) * 0.999
        scales = [s * shrink for s in scales]
    raise failures.too_many_pixels_unknown(limits.max_pixels)


def fit_scale(width_pt: float, height_pt: float, scale: float, max_pixels: int) -> float:
    """Shrink ``scale`` until the bitmap (sides rounded up, as PDFium does) fits ``max_pixels``."""
    for _ in range(64):
        pixels = math.ceil(width_pt * scale) * math.ceil(height_pt * scale)
        if pixels <= max_pixels:
            return scale
        scale *= math.sqrt(max_pixels / pixels) * 0.999
    raise failures.too_many_pixels_unknown(max_pixels)


def _render_page(document: pdfium.PdfDocument, index: int, limits: LoadLimits,
                 scale: float) -> Page:
    page = document[index]
    try:
        width_pt, height_pt = page.get_size()
        width, height = math.ceil(width_pt * scale), math.ceil(height_pt * scale)
        if min(width, height) < limits.min_side:
            raise failures.too_small(width, height, limits.min_side)
        bitmap = page.render(scale=scale, may_draw_forms=False)
        try:
            pixels = np.array(bitmap.to_numpy(), dtype=np.uint8, copy=True)
        finally:
            bitmap.close()
    finally:
        page.close()
    if pixels.ndim == 2:
        pixels = cv2.cvtColor(pixels, cv2.COLOR_GRAY2BGR)
    elif pixels.shape[2] == 4:  # BGRx / BGRA
        pixels = np.ascontiguousarray(pixels[:, :, :3])
    return Page(image=pixels, index=index, source_format=_PDF, dpi=scale * 72.0)
