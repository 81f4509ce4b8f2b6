"""Raster images through Pillow: header sizes checked before any pixel is decoded, then every
mode flattened to BGR ``uint8`` with the EXIF orientation applied."""

from __future__ import annotations

import io
import logging
import math
import threading
import warnings
from typing import Final

import cv2
import numpy as np
from PIL import Image, ImageFile

from core import webp_canvas_size
from ocr.errors import InputError
from ocr.loading import failures
from ocr.loading.model import LoadLimits, Page, SourceFormat

logger = logging.getLogger(__name__)

# Serialises our catch_warnings() blocks, which swap the process-wide warning filters.
_OPEN_LOCK: Final = threading.Lock()
_PIL_NAMES: Final = {
    SourceFormat.JPEG: "JPEG", SourceFormat.PNG: "PNG", SourceFormat.WEBP: "WEBP",
    SourceFormat.TIFF: "TIFF", SourceFormat.BMP: "BMP",
}  # fmt: skip
# Each progressive scan re-walks the whole image, so a few KB of empty scans cost minutes of CPU.
# Real encoders write about 10; libtiff refuses more than 100 in JPEG-in-TIFF, and so do we.
MAX_JPEG_SCANS: Final = 100
_ALPHA_MODES: Final = frozenset({"RGBA", "RGBa", "LA", "La", "PA"})
_ORIENTATION_TAG: Final = 0x0112


def load_image(data: bytes, fmt: SourceFormat, limits: LoadLimits) -> list[Page]:
    """Decode a JPEG/PNG/WebP/TIFF/BMP upload (TIFF: every page) into pages."""
    try:
        _precheck(data, fmt, limits)
        with _OPEN_LOCK, warnings.catch_warnings():
            # Image.open only parses the header. Our own pixel check right below is the limit, so
            # Pillow's DecompressionBombWarning would only duplicate it (its Error still applies).
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[_PIL_NAMES[fmt]])
        with image:
            frames = _count_frames(image, fmt, limits)
            pages = []
            for index in range(frames):
                image.seek(index)
                pages.append(_decode_frame(image, index, fmt))
            return pages
    except InputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, MemoryError):
        raise failures.too_many_pixels_unknown(limits.max_pixels) from None
    except Exception as exc:  # Whatever a decoder says about hostile bytes is an input problem.
        logger.debug("%s decoding failed: %s", fmt, type(exc).__name__)
        raise failures.decode_failure(exc, data, fmt) from None


def check_size(width: int, height: int, limits: LoadLimits) -> None:
    if width * height > limits.max_pixels:
        raise failures.too_many_pixels(width, height, limits.max_pixels)
    if min(width, height) < limits.min_side:
        raise failures.too_small(width, height, limits.min_side)


def _precheck(data: bytes, fmt: SourceFormat, limits: LoadLimits) -> None:
    """Checks that must happen before Pillow sees the bytes at all."""
    if fmt is SourceFormat.WEBP:
        # libwebp allocates the whole canvas while Pillow merely opens the file.
        size = webp_canvas_size(data)
        if size is None:
            short = failures.ends_early(data, fmt)
            raise failures.truncated(fmt) if short else failures.corrupt(fmt)
        check_size(*size, limits)
    elif fmt is SourceFormat.JPEG and data.count(b"\xff\xda") > MAX_JPEG_SCANS:
        raise failures.corrupt(fmt)



def _count_frames(image: ImageFile.ImageFile, fmt: SourceFormat, limits: LoadLimits) -> int:
    """Check every frame's header size (TIFF: up to the page limit) before decoding any pixels."""
    check_size(*image.size, limits)
    if fmt is not SourceFormat.TIFF:
        return 1  # Animated PNG/WebP and MPO JPEG: the first frame is the document.
    frames = 1
    while True:
        try:
            image.seek(frames)  # Reads the next directory only; the walk stops at the page limit.
        except EOFError:
            return frames
        if frames == limits.max_pdf_pages:
            raise failures.too_many_pages(limits.max_pdf_pages)
        check_size(*image.size, limits)
        frames += 1


def _decode_frame(image: ImageFile.ImageFile, index: int, fmt: SourceFormat) -> Page:
    image.load()
    orientation = _orientation(image)
    dpi = _dpi(image, swap=orientation >= 5)
    bgr = _orient(_to_bgr(image), orientation)
    return Page(image=np.ascontiguousarray(bgr), index=index, source_format=fmt, dpi=dpi)


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # Broken EXIF must not sink an otherwise readable image.
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _dpi(image: Image.Image, *, swap: bool) -> float | None:
    try:
        x, y = (float(v) for v in image.info["dpi"])
    except (KeyError, TypeError, ValueError):
        return None
    chosen = y if swap else x
    # PNG and BMP store pixels per metre, so 300 dpi comes back as 299.9994: round it.
    return round(chosen, 1) if math.isfinite(chosen) and 10.0 <= chosen <= 100_000.0 else None


def _to_bgr(image: Image.Image) -> np.ndarray:
    """Any Pillow mode to BGR ``uint8``: alpha composited on white, deep modes scaled to 8 bits."""
    mode = image.mode
    if mode.startswith(("I", "F")):
        return cv2.cvtColor(_scale_to_uint8(np.asarray(image)), cv2.COLOR_GRAY2BGR)
    if mode in _ALPHA_MODES or "transparency" in image.info:
        rgba = image.convert("RGBA")
        rgb = Image.new("RGB", rgba.size, (255, 255, 255))
        rgb.paste(rgba, (0, 0), rgba)
    else:
        rgb = image if mode == "RGB" else image.convert("RGB")  # L, 1, P, CMYK, YCbCr, ...
    return cv2.cvtColor(np.asarray(rgb), cv2.COLOR_RGB2BGR)


def _scale_to_uint8(array: np.ndarray) -> np.ndarray:
    """Unsigned data within 0..65535 maps 0..65535 to 0..255 (a 16-bit scan keeps its contrast);
    anything else (negative, wider, float) is stretched from its minimum to its maximum."""
    array = array.astype(array.dtype.newbyteorder("="), copy=False)
    if array.dtype.kind == "f":
        array = np.nan_to_num(array, nan=0.0, posinf=0.0, neginf=0.0).astype(np.float32)
    low, high = float(array.min()), float(array.max())
    if array.dtype.kind in "iu" and low >= 0 and high <= 65535:
        low, high = 0.0, 65535.0
    if high <= low:
        return np.zeros(array.shape, dtype=np.uint8)
    alpha = 255.0 / (high - low)
    return cv2.convertScaleAbs(array, alpha=alpha, beta=-low * alpha)


def _orient(bgr: np.ndarray, orientation: int) -> np.ndarray:
    """Apply an EXIF orientation exactly as ``PIL.ImageOps.exif_transpose`` does."""
    if orientation == 2:
        return cv2.flip(bgr, 1)
    if orientation == 3:
        return cv2.rotate(bgr, cv2.ROTATE_180)
    if orientation == 4:
        return cv2.flip(bgr, 0)
    if orientation == 5:
        return cv2.transpose(bgr)
    if orientation == 6:
        return cv2.rotate(bgr, cv2.ROTATE_90_CLOCKWISE)
    if orientation == 7:
        return cv2.flip(cv2.transpose(bgr), -1)
    if orientation == 8:
        return cv2.rotate(bgr, cv2.ROTATE_90_COUNTERCLOCKWISE)
    return bgr
