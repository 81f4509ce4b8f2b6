"""Safe loading of uploads: bytes from the public in, BGR ``uint8`` page images out.

Owns format sniffing, size and pixel limits, decoding (Pillow for JPEG/PNG/WebP/TIFF/BMP, PDFium
for PDF) and conversion to BGR. Part of ``ocr``; imports only ``core`` and ``ocr.errors``. Other
packages reach it through ``ocr``'s ``__all__`` (or the names below), never its submodules.

Every refusal is an :class:`ocr.errors.InputError` whose stable code tells what went wrong; no
other exception type escapes :func:`load_document` or :func:`load_path` for any file content.
Checks run in this order and stop at the first failure:

=======================================================================  ========================
Condition                                                                Code
=======================================================================  ========================
``load_path``: missing, unreadable, or not a regular file                INPUT_NOT_FOUND
0 bytes                                                                  INPUT_EMPTY
more than ``max_bytes`` (``load_path``: from ``fstat``, before reading)  INPUT_TOO_LARGE
magic bytes not JPEG/PNG/WebP/TIFF/BMP/PDF (HTML, ZIP, EXE, GIF, HEIC)   INPUT_UNSUPPORTED_TYPE
a known extension that disagrees with the content (lying extension)      INPUT_TYPE_MISMATCH
PDF needs a password, or uses an unsupported security handler            INPUT_PDF_ENCRYPTED
PDF unparsable, zero pages, or a page of impossible size                 INPUT_CORRUPT
more than ``max_pdf_pages`` pages (PDF, and multi-page TIFF)             INPUT_PDF_TOO_MANY_PAGES
header ``width*height > max_pixels``, before any pixel is decoded;
also Pillow's DecompressionBombError, and MemoryError while decoding     INPUT_TOO_MANY_PIXELS
shorter side ``< min_side`` (PDF: of the page as rendered)               INPUT_TOO_SMALL
JPEG with more than 100 scans (a CPU bomb)                               INPUT_CORRUPT
decoding failed and the data ran out: the decoder says so, raises
EOFError, or the format's end marker / declared length is missing        INPUT_TRUNCATED
any other decoding failure after the magic bytes matched                 INPUT_CORRUPT
=======================================================================  ========================

Unsupported content wins over a lying extension (HTML named ``a.jpg`` is unsupported). A huge PDF
page is not refused: it is rendered at a lower dpi so that it fits ``max_pixels``, and so are
all the pages of one PDF together (``pdf_render_pixels`` tells how many, without rendering).
Pillow's globals (``MAX_IMAGE_PIXELS``, ``LOAD_TRUNCATED_IMAGES``) are never touched; its own
hard limit (2 x ``MAX_IMAGE_PIXELS``) still applies if ``max_pixels`` is configured above it.
"""

from ocr.loading.loader import load_document, load_path, sniff_format
from ocr.loading.model import DEFAULT_LIMITS, LoadLimits, Page, SourceFormat
from ocr.loading.pdf import pdf_render_pixels

__all__ = [
    "DEFAULT_LIMITS",
    "LoadLimits",
    "Page",
    "SourceFormat",
    "load_document",
    "load_path",
    "pdf_render_pixels",
    "sniff_format",
]
