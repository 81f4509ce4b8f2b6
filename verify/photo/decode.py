"""Safe decoding of uploaded photo files, and encoding of finished ones.

:func:`decode_photo` turns untrusted bytes into a :class:`PhotoFile`: the facts the file checks
need (format, pixel size, Pillow mode, bits per pixel, dpi, byte size) plus RGB pixels with the
EXIF orientation applied. Every refusal is a :class:`~verify.photo.errors.PhotoInputError` with a
stable ``INPUT_*`` code, and no other exception escapes for any bytes:

=====================================================================  ========================
Condition                                                              Code
=====================================================================  ========================
0 bytes                                                                INPUT_EMPTY
more than ``max_bytes``                                                INPUT_TOO_LARGE
magic bytes not JPEG/PNG/WebP/BMP/TIFF (GIF, HEIC, PDF, text, ...)     INPUT_UNSUPPORTED_TYPE
header ``width * height > max_pixels`` (checked before any pixel is
decoded; also Pillow's own bomb error and ``MemoryError``)             INPUT_TOO_MANY_PIXELS
more than 100 JPEG scans (a CPU bomb)                                  INPUT_CORRUPT
the data ends before the image does                                    INPUT_TRUNCATED
any other decoding failure                                             INPUT_CORRUPT
=====================================================================  ========================

Pillow's process-wide settings (``MAX_IMAGE_PIXELS``, ``LOAD_TRUNCATED_IMAGES``) are never touched.
Multi-frame files (animated PNG/WebP, multi-page TIFF) give their first frame.
"""

from __future__ import annotations

import io
import logging
import math
import threading
import warnings
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import numpy as np
from PIL import Image

from core import ErrorCode, FileFormat, ends_early, sniff_format, webp_canvas_size
from verify.photo.errors import PhotoInputError

logger = logging.getLogger(__name__)

MAX_BYTES: Final = 20 * 1024 * 1024
MAX_PIXELS: Final = 40_000_000
MAX_JPEG_SCANS: Final = 100  # Real encoders write about 10; libtiff refuses more than 100.
_WARNINGS_LOCK: Final = threading.Lock()  # catch_warnings() swaps process-wide filters.
_MODE_BITS: Final = {
    "1": 1, "L": 8, "P": 8, "LA": 16, "La": 16, "PA": 16, "RGB": 24, "YCbCr": 24, "LAB": 24,
    "HSV": 24, "RGBA": 32, "RGBa": 32, "RGBX": 32, "CMYK": 32, "I": 32, "F": 32, "I;16": 16,
    "I;16L": 16, "I;16B": 16, "I;16N": 16,
}  # fmt: skip


class PhotoFormat(StrEnum):
    """The file formats a photo may have; values are the lower-case names used in profiles."""

    JPEG = "jpeg"
    PNG = "png"
    WEBP = "webp"
    BMP = "bmp"
    TIFF = "tiff"

    @property
    def pillow_name(self) -> str:
        return self.value.upper()


# eq=False: a generated __eq__/__hash__ would compare and hash the ndarray.
@dataclass(frozen=True, eq=False)
class PhotoFile:
    """A decoded photo file. ``width``/``height`` are those of ``rgb`` (after EXIF orientation);
    ``mode`` and ``bits_per_pixel`` describe the stored pixels before conversion to RGB; ``dpi``
    is ``(x, y)`` as stated by the file (rounded to 0.1) or ``None``."""

    format: PhotoFormat
    width: int
    height: int
    mode: str
    bits_per_pixel: int
    dpi: tuple[float, float] | None
    byte_size: int
    rgb: np.ndarray


def sniff_photo_format(data: bytes) -> PhotoFormat | None:
    """The supported format of ``data`` judged by its magic bytes only, or ``None`` (a PDF is
    not a photo)."""
    fmt = sniff_format(data)
    return None if fmt is None or fmt is FileFormat.PDF else PhotoFormat(fmt.value)


def decode_photo(
    data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS
) -> PhotoFile:
    """Decode an uploaded photo or raise :class:`PhotoInputError` (see the module table)."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("decode_photo() needs bytes")
    data = bytes(data)
    if not data:
        raise _error(ErrorCode.INPUT_EMPTY, "The file is empty.", "文件为空。")
    if len(data) > max_bytes:
        raise _error(ErrorCode.INPUT_TOO_LARGE,
                     f"The file is {len(data)} bytes; the limit is {max_bytes} bytes.",
                     f"文件大小为 {len(data)} 字节，超过上限 {max_bytes} 字节。")
    fmt = sniff_photo_format(data)
    if fmt is None:
        raise _error(ErrorCode.INPUT_UNSUPPORTED_TYPE,
                     "The file is not a supported photo type (JPEG, PNG, WebP, BMP or TIFF).",
                     "文件类型不受支持（仅支持 JPEG、PNG、WebP、BMP 或 TIFF）。")
    try:
        return _decode(data, fmt, max_pixels)
    except PhotoInputError as exc:
        logger.info("photo refused: %s (%s, %d bytes)", exc.code.value, fmt, len(data))
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, MemoryError):
        raise _too_many_pixels(None, max_pixels) from None
    except Exception as exc:  # Whatever a decoder says about hostile bytes is an input problem.
        logger.info("photo decoding failed: %s (%s)", type(exc).__name__, fmt)
        ran_out = isinstance(exc, EOFError) or "truncat" in str(exc).lower()
        raise (_truncated(fmt) if ran_out or _ends_early(data, fmt) else _corrupt(fmt)) from None


def encode_photo(
    rgb: np.ndarray, fmt: PhotoFormat, dpi: int | None, quality: int = 95
) -> bytes:
    """Encode RGB ``uint8`` pixels. JPEG is baseline 4:4:4 at ``quality`` with a JFIF dpi;
    PNG, BMP and TIFF carry ``dpi`` too; WebP cannot store a dpi (Pillow writes none)."""
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError("encode_photo() needs an HxWx3 uint8 RGB array")
    image = Image.fromarray(np.ascontiguousarray(rgb), "RGB")
    options: dict[str, object] = {}
    if dpi is not None and fmt is not PhotoFormat.WEBP:
        options["dpi"] = (dpi, dpi)
    if fmt is PhotoFormat.JPEG:
        options.update(quality=quality, subsampling=0, optimize=True)
    elif fmt is PhotoFormat.WEBP:
        options["quality"] = quality
    buffer = io.BytesIO()
    image.save(buffer, format=fmt.pillow_name, **options)
    return buffer.getvalue()


def _decode(data: bytes, fmt: PhotoFormat, max_pixels: int) -> PhotoFile:
    if fmt is PhotoFormat.JPEG and data.count(b"\xff\xda") > MAX_JPEG_SCANS:
        raise _corrupt(fmt)
    if fmt is PhotoFormat.WEBP:
        # libwebp allocates the whole canvas while Pillow merely opens the file.
        size = webp_canvas_size(data)
        if size is None:
            raise _truncated(fmt) if _ends_early(data, fmt) else _corrupt(fmt)
        _check_pixels(*size, max_pixels)
    with _WARNINGS_LOCK, warnings.catch_warnings():
        # Only the header is parsed here and our own pixel check follows; Pillow's bomb *error*
        # (at twice its limit) still applies.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data), formats=[fmt.pillow_name])
    with image:
        _check_pixels(*image.size, max_pixels)
        mode = image.mode
        bits = _MODE_BITS.get(mode, 8 * len(image.getbands()))
        image.load()
        orientation = _orientation(image)
        dpi = _dpi(image, swap=orientation >= 5)
        rgb = _to_rgb(image)
    if orientation != 1:
        rgb = _orient(rgb, orientation)
    rgb = np.ascontiguousarray(rgb)
    return PhotoFile(format=fmt, width=rgb.shape[1], height=rgb.shape[0], mode=mode,
                     bits_per_pixel=bits, dpi=dpi, byte_size=len(data), rgb=rgb)


def _to_rgb(image: Image.Image) -> np.ndarray:
    """Any mode to RGB ``uint8``: alpha composited on white, 16-bit and float scaled to 8 bits."""
    mode = image.mode
    if mode.startswith(("I", "F")):
        array = np.asarray(image).astype(np.float64)
        array = np.nan_to_num(array, nan=0.0, posinf=0.0, neginf=0.0)
        low, high = float(array.min()), float(array.max())
        if low >= 0 and high <= 65535:
            low, high = 0.0, 65535.0 if high > 255 else 255.0
        scaled = np.zeros(array.shape) if high <= low else (array - low) * (255.0 / (high - low))
        grey = np.clip(scaled + 0.5, 0, 255).astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)
    if "A" in mode or "a" in mode or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, (0, 0), rgba)
        return np.asarray(flat)
    return np.asarray(image if mode == "RGB" else image.convert("RGB"))


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(0x0112, 1)
    except Exception:  # Broken EXIF must not sink an otherwise readable photo.
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _orient(rgb: np.ndarray, orientation: int) -> np.ndarray:
    """Apply an EXIF orientation as ``PIL.ImageOps.exif_transpose`` does."""
    method = {
        2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90,
    }[orientation]  # fmt: skip
    return np.asarray(Image.fromarray(rgb).transpose(method))


def _dpi(image: Image.Image, *, swap: bool) -> tuple[float, float] | None:
    try:
        x, y = (float(v) for v in image.info["dpi"])
    except (KeyError, TypeError, ValueError):
        return None
    # PNG and BMP store pixels per metre, so 350 dpi comes back as 349.9986: round it.
    if not all(math.isfinite(v) and 1.0 <= v <= 100_000.0 for v in (x, y)):
        return None
    x, y = round(x, 1), round(y, 1)
    return (y, x) if swap else (x, y)



def _ends_early(data: bytes, fmt: PhotoFormat) -> bool:
    return ends_early(data, FileFormat(fmt.value))


def _check_pixels(width: int, height: int, limit: int) -> None:
    if width < 1 or height < 1:
        raise _corrupt_size()
    if width * height > limit:
        raise _too_many_pixels((width, height), limit)


def _error(code: ErrorCode, en: str, zh: str) -> PhotoInputError:
    return PhotoInputError(code, en, zh)


def _too_many_pixels(size: tuple[int, int] | None, limit: int) -> PhotoInputError:
    if size is None:
        return _error(ErrorCode.INPUT_TOO_MANY_PIXELS,
                      f"The image is too large to decode; the limit is {limit} pixels.",
                      f"图像过大，无法解码；上限为 {limit} 像素。")
    w, h = size
    return _error(ErrorCode.INPUT_TOO_MANY_PIXELS,
                  f"The image is {w}x{h} = {w * h} pixels; the limit is {limit}.",
                  f"图像为 {w}x{h} = {w * h} 像素，超过上限 {limit} 像素。")


def _corrupt(fmt: PhotoFormat) -> PhotoInputError:
    return _error(ErrorCode.INPUT_CORRUPT, f"The {fmt.name} file is damaged and cannot be read.",
                  f"{fmt.name} 文件已损坏，无法读取。")


def _corrupt_size() -> PhotoInputError:
    return _error(ErrorCode.INPUT_CORRUPT, "The image header states an empty image.",
                  "图像文件头声明的尺寸为空。")


def _truncated(fmt: PhotoFormat) -> PhotoInputError:
    return _error(ErrorCode.INPUT_TRUNCATED,
                  f"The {fmt.name} file is incomplete (cut off before its end).",
                  f"{fmt.name} 文件不完整（在结尾之前被截断）。")
