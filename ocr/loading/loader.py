"""The entry points: sniff the bytes, enforce size and type, hand over to the raster or PDF path."""

from __future__ import annotations

import logging
import os
import stat
import time
from pathlib import Path
from typing import Final

from core import sniff_format
from ocr.errors import InputError
from ocr.loading import failures
from ocr.loading.model import DEFAULT_LIMITS, LoadLimits, Page, SourceFormat
from ocr.loading.pdf import load_pdf
from ocr.loading.raster import load_image

logger = logging.getLogger(__name__)

_EXTENSIONS: Final = {
    "jpg": SourceFormat.JPEG, "jpeg": SourceFormat.JPEG, "png": SourceFormat.PNG,
    "webp": SourceFormat.WEBP, "tif": SourceFormat.TIFF, "tiff": SourceFormat.TIFF,
    "bmp": SourceFormat.BMP, "pdf": SourceFormat.PDF,
}  # fmt: skip



def load_document(
    data: bytes, *, filename: str | None = None, limits: LoadLimits = DEFAULT_LIMITS
) -> list[Page]:
    """Decode an uploaded file into pages, or raise :class:`~ocr.errors.InputError`.

    ``filename`` is used only for its extension: a known one (.jpg .jpeg .png .webp .tif .tiff
    .bmp .pdf, any case) that disagrees with the content is refused as a lying extension; an
    unknown or missing one is ignored. No other exception escapes for any content of ``data``;
    ``TypeError`` is raised only when ``data`` is not bytes-like (a caller's bug, not an input).
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("load_document() needs bytes")
    data = bytes(data)  # PDFium reads the buffer in place, so it must not change under it.
    started = time.perf_counter()
    fmt: SourceFormat | None = None
    try:
        if not data:
            raise failures.empty()
        if len(data) > limits.max_bytes:
            raise failures.too_large(len(data), limits.max_bytes)
        fmt = sniff_format(data)
        if fmt is None:
            raise failures.unsupported()
        declared = _declared_format(filename)
        if declared is not None and declared is not fmt:
            raise failures.mismatch(declared, fmt)
        if fmt is SourceFormat.PDF:
            pages = load_pdf(data, limits)
        else:
            pages = load_image(data, fmt, limits)
    except InputError as exc:
        logger.info("upload refused: %s (%s, %d bytes)", exc.code.value, fmt, len(data))
        raise
    elapsed_ms = (time.perf_counter() - started) * 1000.0
    logger.info(
        "upload loaded: %s, %d bytes, %d page(s) in %.1f ms", fmt, len(data), len(pages), elapsed_ms
    )
    return pages


def load_path(path: str | Path, *, limits: LoadLimits = DEFAULT_LIMITS) -> list[Page]:
    """Load a file from disk. Its size is checked (``fstat`` on the open descriptor, so it cannot
    be swapped in between) before a single byte is read, and never more than the limit is read.
    Missing, unreadable or not a regular file (directory, FIFO, device): ``INPUT_NOT_FOUND``."""
    path = Path(path)
    try:
        data = _read_limited(path, limits.max_bytes)
    except InputError as exc:
        logger.info("file refused: %s", exc.code.value)
        raise
    return load_document(data, filename=path.name, limits=limits)


def _read_limited(path: Path, max_bytes: int) -> bytes:
    # O_NONBLOCK keeps a FIFO from hanging the open; fstat then refuses it as not a regular file.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError):
        raise failures.not_found() from None
    try:
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise failures.not_found()
            if info.st_size > max_bytes:
                raise failures.too_large(info.st_size, max_bytes)
            # One byte past the limit, so a file that grew after fstat is still refused.
            data = handle.read(max_bytes + 1)
    except OSError:
        raise failures.not_found() from None
    if len(data) > max_bytes:
        raise failures.too_large(len(data), max_bytes)
    return data


def _declared_format(filename: str | None) -> SourceFormat | None:
    if not filename:
        return None
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()  # browsers may send C:\...\a.jpg
    _stem, dot, extension = name.rpartition(".")
    return _EXTENSIONS.get(extension.lower()) if dot else None
