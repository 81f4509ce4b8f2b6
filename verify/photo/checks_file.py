"""File rules: format, pixel size, dpi, colour mode and file size, read from the decoded file."""

from __future__ import annotations

from typing import Final

import numpy as np

from verify.photo.decode import PhotoFile
from verify.photo.profiles import PhotoProfile
from verify.photo.report import CheckResult, CheckStatus, PhotoCheck, not_applicable, verdict

DPI_TOLERANCE: Final = 1.0  # PNG/BMP store pixels per metre: 350 dpi reads back as 349.99
ASPECT_TOLERANCE: Final = 0.01
KB: Final = 1024  # Chinese notices and the US visa rules both write "KB"/"kB" for 1024 bytes
# A picture whose channels never differ by more than this is black-and-white, whatever the mode.
GREY_CHANNEL_SPREAD: Final = 4


def file_checks(photo: PhotoFile, profile: PhotoProfile) -> list[CheckResult]:
    return [_file_type(photo, profile), _pixel_size(photo, profile), _dpi(photo, profile),
            _color_mode(photo, profile), _file_size(photo, profile)]


def _file_type(photo: PhotoFile, profile: PhotoProfile) -> CheckResult:
    allowed = profile.file.formats
    expected = " / ".join(f.value for f in allowed)
    return verdict(PhotoCheck.FILE_TYPE, photo.format in allowed, photo.format.value, expected, "")


def _pixel_size(photo: PhotoFile, profile: PhotoProfile) -> CheckResult:
    size = profile.size
    measured = (photo.width, photo.height)
    if size.max_scale <= 1.0:
        ok = measured == (size.width_px, size.height_px)
        expected = f"{size.width_px}×{size.height_px}"
    else:
        aspect = (photo.width / photo.height) / (size.width_px / size.height_px)
        ok = abs(aspect - 1.0) <= ASPECT_TOLERANCE and \
            size.width_px <= photo.width <= round(size.width_px * size.max_scale)
        expected = (f"{size.width_px}×{size.height_px} … {round(size.width_px * size.max_scale)}"
                    f"×{round(size.height_px * size.max_scale)}")
    return verdict(PhotoCheck.PIXEL_SIZE, ok, measured, expected, "px",
                   "Geometry is measured after scaling the photo to the profile height." if not ok
                   else "", "几何尺寸按缩放到规格高度后的照片测量。" if not ok else "")


def _dpi(photo: PhotoFile, profile: PhotoProfile) -> CheckResult:
    required = profile.size.dpi
    if required is None:
        return not_applicable(PhotoCheck.DPI, profile.id)
    expected = f"{required}"
    if photo.dpi is None:
        return CheckResult(PhotoCheck.DPI, CheckStatus.FAIL, None, expected, "dpi",
                           f"The file states no resolution; {required} dpi is required.",
                           f"文件未标明分辨率；要求为 {required} dpi。")
    x, y = photo.dpi
    ok = abs(x - required) <= DPI_TOLERANCE and abs(y - required) <= DPI_TOLERANCE
    measured: float | tuple[float, float] = x if x == y else (x, y)
    return verdict(PhotoCheck.DPI, ok, measured, expected, "dpi")


def _color_mode(photo: PhotoFile, profile: PhotoProfile) -> CheckResult:
    required = profile.file.color_mode
    if required is None:
        return not_applicable(PhotoCheck.COLOR_MODE, profile.id)
    expected = "RGB (24-bit)" if required == "RGB" else "L (8-bit)"
    measured = f"{photo.mode} ({photo.bits_per_pixel}-bit)"
    if photo.mode != required:
        return verdict(PhotoCheck.COLOR_MODE, False, measured, expected, "")
    if required == "RGB" and _is_grey(photo.rgb):
        return CheckResult(
            PhotoCheck.COLOR_MODE, CheckStatus.FAIL, measured, expected, "",
            "The file is stored as 24-bit colour but the picture is black-and-white.",
            "文件以 24 位彩色存储，但画面是黑白的。")
    return verdict(PhotoCheck.COLOR_MODE, True, measured, expected, "")


def _file_size(photo: PhotoFile, profile: PhotoProfile) -> CheckResult:
    low, high = profile.file.min_kb, profile.file.max_kb
    if low is None and high is None:
        return not_applicable(PhotoCheck.FILE_SIZE, profile.id)
    kb = round(photo.byte_size / KB, 1)  # compared as shown
    ok = (low is None or kb >= low) and (high is None or kb <= high)
    if low is not None and high is not None:
        expected = f"{low:g}–{high:g}"
    else:
        expected = f"≥ {low:g}" if low is not None else f"≤ {high:g}"
    return verdict(PhotoCheck.FILE_SIZE, ok, kb, expected, "KB")


def _is_grey(rgb: np.ndarray) -> bool:
    sample = rgb[::4, ::4].astype(np.int16)
    spread = sample.max(axis=2) - sample.min(axis=2)
    return bool(np.percentile(spread, 99.5) <= GREY_CHANNEL_SPREAD)
