"""Byte-level facts about the upload formats, shared by every package that decodes uploads.

Which format a file *is* (magic bytes, never its name), the canvas size a WebP header declares
(Pillow reads it only after allocating), and whether a file's own end marker or declared length
says it stops too soon (to tell a truncated file from a corrupt one).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class FileFormat(StrEnum):
    """The upload formats zhengzhao recognises; the values are stable lower-case names."""

    JPEG = "jpeg"
    PNG = "png"
    WEBP = "webp"
    TIFF = "tiff"
    BMP = "bmp"
    PDF = "pdf"
    # A sealed OFD e-licence (a zip). ``sniff_format`` never answers it: only the upload of an
    # e-licence material accepts one (``api.workflow.materials.sniff_upload``).
    OFD = "ofd"


_TIFF_MAGIC: Final = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")  # classic and BigTIFF
_BMP_HEADER_SIZES: Final = frozenset({12, 40, 52, 56, 64, 108, 124})  # the DIB headers Pillow reads
_PDF_HEADER_WINDOW: Final = 1024  # PDF readers accept junk before "%PDF-" in the first 1 KiB.


def sniff_format(data: bytes) -> FileFormat | None:
    """The format ``data`` is, judged by magic bytes only, or ``None``.

    GIF, HEIC, HTML, ZIP, executables and anything else unrecognised give ``None``. A BMP needs
    ``BM`` *and* a known DIB header size, so text that merely starts with "BM" is not a bitmap.
    """
    head = bytes(data[:_PDF_HEADER_WINDOW])
    if head.startswith(b"\xff\xd8\xff"):
        return FileFormat.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileFormat.PNG
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return FileFormat.WEBP
    if head.startswith(_TIFF_MAGIC):
        return FileFormat.TIFF
    if head.startswith(b"BM") and int.from_bytes(head[14:18], "little") in _BMP_HEADER_SIZES:
        return FileFormat.BMP
    if b"%PDF-" in head:
        return FileFormat.PDF
    return None


def webp_canvas_size(data: bytes) -> tuple[int, int] | None:
    """The canvas size in a WebP header (lossy ``VP8 ``, lossless ``VP8L`` or extended ``VP8X``)."""
    if len(data) < 30:
        return None
    chunk = data[12:16]
    if chunk == b"VP8X":
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if chunk == b"VP8L" and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width = int.from_bytes(data[26:28], "little") & 0x3FFF
        return width, int.from_bytes(data[28:30], "little") & 0x3FFF
    return None


def ends_early(data: bytes, fmt: FileFormat) -> bool:
    """Whether the format's own end marker or declared length says the data stops too soon."""
    if fmt is FileFormat.JPEG:  # The last scan (SOS) must be followed by an end-of-image marker.
        return data.rfind(b"\xff\xd9") <= data.rfind(b"\xff\xda")
    if fmt is FileFormat.PNG:
        return b"IEND" not in data
    if fmt is FileFormat.WEBP:
        return len(data) < 12 or int.from_bytes(data[4:8], "little") + 8 > len(data)
    if fmt is FileFormat.BMP:
        return len(data) < 14 or int.from_bytes(data[2:6], "little") > len(data)
    return False
