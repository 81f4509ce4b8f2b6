"""PDF pages rendered with PDFium, one page never larger than the pixel limit.

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


def _render_document(data: bytes, limits: LoadLimits) -> list[Page]:
    # Load through the raw API because pypdfium2's PdfDocument(bytes) leaks the handle of a
    # zero-page document. `data` stays referenced here until close, as PDFium requires.
    raw = pdfium_c.FPDF_LoadMemDocument64(data, len(data), None)
    if not raw:
        if pdfium_c.FPDF_GetLastError() in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise failures.encrypted()
        raise failures.corrupt(_PDF)
    document = pdfium.PdfDocument(raw)
    try:
        count = len(document)
        if count < 1:
            raise failures.corrupt(_PDF)
        if count > limits.max_pdf_pages:
            raise failures.too_many_pages(limits.max_pdf_pages)
        return [_render_page(document, index, limits) for index in range(count)]
    finally:
        document.close()


def fit_scale(width_pt: float, height_pt: float, scale: float, max_pixels: int) -> float:
    """Shrink ``scale`` until the bitmap (sides rounded up, as PDFium does) fits ``max_pixels``."""
    for _ in range(64):
        pixels = math.ceil(width_pt * scale) * math.ceil(height_pt * scale)
        if pixels <= max_pixels:
            return scale
        scale *= math.sqrt(max_pixels / pixels) * 0.999
    raise failures.too_many_pixels_unknown(max_pixels)


def _render_page(document: pdfium.PdfDocument, index: int, limits: LoadLimits) -> Page:
    page = document[index]
    try:
        width_pt, height_pt = page.get_size()
        if not all(math.isfinite(side) and side > 0 for side in (width_pt, height_pt)):
            raise failures.corrupt(_PDF)
        scale = fit_scale(width_pt, height_pt, limits.pdf_dpi / 72.0, limits.max_pixels)
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
