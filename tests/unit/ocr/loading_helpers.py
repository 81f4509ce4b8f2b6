"""Builders for the loading tests: encoded images, hand-made PDFs and lying headers."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zlib
from collections.abc import Callable

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from core import ErrorCode
from ocr.errors import InputError
from ocr.loading import (
    LoadLimits,
    Page,
    SourceFormat,
)

SMALL = LoadLimits(max_pixels=1_000_000, max_pdf_pages=4, pdf_dpi=72)


# --- builders ----------------------------------------------------------------------------------


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def quadrants(width: int = 64, height: int = 48) -> Image.Image:
    """Red top-left, green top-right, blue bottom-left, white bottom-right."""
    array = np.full((height, width, 3), 255, dtype=np.uint8)
    h, w = height // 2, width // 2
    array[:h, :w] = (255, 0, 0)
    array[:h, w:] = (0, 255, 0)
    array[h:, :w] = (0, 0, 255)
    return Image.fromarray(array, "RGB")


def make_pdf(sizes: list[tuple[float, float]]) -> bytes:
    document = pdfium.PdfDocument.new()
    try:
        for width, height in sizes:
            document.new_page(width, height).close()
        buffer = io.BytesIO()
        document.save(buffer)
    finally:
        document.close()
    return buffer.getvalue()


def hand_pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF written byte by byte, with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(width: int, height: int, *, complete: bool) -> bytes:
    """A 1-bit greyscale PNG of zeros. ``complete`` compresses every row (20000x20000 is ~50 KB);
    otherwise only the header is honest and the image data stops after a few rows."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    rows = height if complete else 4
    parts = [compressor.compress(row * min(400, rows - done)) for done in range(0, rows, 400)]
    idat = b"".join(parts) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )  # fmt: skip


def webp_header(chunk: bytes, payload: bytes) -> bytes:
    body = b"WEBP" + chunk + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


def input_codes() -> set[ErrorCode]:
    return {code for code in ErrorCode if code.name.startswith("INPUT_")}


def error_of(call: Callable[[], object]) -> InputError:
    with pytest.raises(InputError) as caught:
        call()
    error = caught.value
    assert error.message_en and error.message_zh
    return error


def assert_valid(pages: list[Page], limits: LoadLimits) -> None:
    assert pages
    for index, page in enumerate(pages):
        image = page.image
        assert page.index == index
        assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3
        assert image.flags.c_contiguous
        assert image.shape[0] * image.shape[1] <= limits.max_pixels
        assert min(image.shape[:2]) >= limits.min_side
        assert page.source_format in set(SourceFormat)


RED_BGR = (0, 0, 255)


def traced_peak(call: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        call()
    except InputError:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak
