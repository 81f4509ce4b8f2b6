"""decode_photo: what it reports about good files, and the stable code of every refusal."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from photo_helpers import encode
from PIL import Image, ImageFile

from core import ErrorCode
from verify.photo import PhotoFormat, PhotoInputError, decode_photo, encode_photo


def gradient(width: int = 60, height: int = 40) -> np.ndarray:
    ys, xs = np.mgrid[0:height, 0:width]
    return np.stack([xs * 4, ys * 6, (xs + ys) * 2], axis=2).astype(np.uint8)


def refused(data: bytes, **limits: int) -> ErrorCode:
    with pytest.raises(PhotoInputError) as caught:
        decode_photo(data, **limits)
    return caught.value.code


@pytest.mark.parametrize(("pil_format", "expected"), [
    ("PNG", PhotoFormat.PNG), ("BMP", PhotoFormat.BMP), ("TIFF", PhotoFormat.TIFF),
    ("WEBP", PhotoFormat.WEBP),
])
def test_lossless_formats_round_trip_exactly(pil_format: str, expected: PhotoFormat) -> None:
    rgb = gradient()
    options: dict[str, object] = {"lossless": True} if pil_format == "WEBP" else {}
    data = encode(rgb, pil_format, **options)
    photo = decode_photo(data)
    assert photo.format is expected
    assert (photo.width, photo.height, photo.mode, photo.bits_per_pixel) == (60, 40, "RGB", 24)
    assert photo.byte_size == len(data)
    np.testing.assert_array_equal(photo.rgb, rgb)


def test_jpeg_reports_its_dpi_and_mode() -> None:
    photo = decode_photo(encode(gradient(), "JPEG", quality=95, dpi=(350, 350)))
    assert photo.format is PhotoFormat.JPEG
    assert photo.dpi == (350.0, 350.0)
    assert photo.mode == "RGB" and photo.bits_per_pixel == 24
    assert np.abs(photo.rgb.astype(int) - gradient().astype(int)).mean() < 3


def test_png_pixels_per_metre_read_back_as_whole_dpi() -> None:
    # 350 dpi is stored as 13780 pixels per metre, which is 350.01 dpi.
    photo = decode_photo(encode(gradient(), "PNG", dpi=(350, 350)))
    assert photo.dpi == (350.0, 350.0)


def test_no_dpi_is_none() -> None:
    assert decode_photo(encode(gradient(), "PNG")).dpi is None


@pytest.mark.parametrize(("mode", "bits"), [("L", 8), ("RGBA", 32), ("CMYK", 32), ("P", 8)])
def test_modes_are_reported_before_conversion(mode: str, bits: int) -> None:
    image = Image.fromarray(gradient()).convert(mode)
    fmt = "JPEG" if mode in ("L", "CMYK") else "PNG"
    photo = decode_photo(_encode_image(image, fmt))
    assert (photo.mode, photo.bits_per_pixel) == (mode, bits)
    assert photo.rgb.shape == (40, 60, 3) and photo.rgb.dtype == np.uint8


def _encode_image(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def test_transparent_pixels_become_white() -> None:
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[:, :5] = (255, 0, 0, 255)  # left half opaque red, right half fully transparent
    photo = decode_photo(_encode_image(Image.fromarray(rgba, "RGBA"), "PNG"))
    assert tuple(photo.rgb[5, 2]) == (255, 0, 0)
    assert tuple(photo.rgb[5, 8]) == (255, 255, 255)


def test_sixteen_bit_grey_keeps_its_contrast() -> None:
    ramp = (np.arange(100, dtype=np.uint16) * 600).reshape(10, 10)
    photo = decode_photo(_encode_image(Image.fromarray(ramp), "PNG"))
    assert photo.mode.startswith("I")
    grey = photo.rgb[:, :, 0].astype(int)
    assert grey.min() == 0 and grey.max() >= 230  # 59400 / 65535 of the range


def test_exif_orientation_is_applied() -> None:
    rgb = gradient(60, 40)
    image = Image.fromarray(rgb)
    exif = image.getexif()
    exif[0x0112] = 6  # stored rotated: display turns it 90° clockwise
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=98, exif=exif, dpi=(300, 200))
    photo = decode_photo(buffer.getvalue())
    assert (photo.width, photo.height) == (40, 60)
    expected = np.rot90(rgb, k=-1)
    assert np.abs(photo.rgb.astype(int) - expected.astype(int)).mean() < 3
    assert photo.dpi == (200.0, 300.0)  # x and y swap with the picture


# --- refusals --------------------------------------------------------------------------------


def test_empty() -> None:
    assert refused(b"") is ErrorCode.INPUT_EMPTY


def test_too_large_is_refused_before_decoding() -> None:
    data = encode(gradient(), "PNG")
    assert refused(data, max_bytes=len(data) - 1) is ErrorCode.INPUT_TOO_LARGE
    assert decode_photo(data, max_bytes=len(data)).width == 60


@pytest.mark.parametrize("data", [
    b"GIF89a" + b"\x00" * 64,
    b"%PDF-1.7\n" + b"x" * 64,
    b"<html><body>not a photo</body></html>",
    b"PK\x03\x04" + b"\x00" * 64,
    b"BM this is text that starts with BM",
    b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64,
])
def test_unsupported_types(data: bytes) -> None:
    assert refused(data) is ErrorCode.INPUT_UNSUPPORTED_TYPE


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "BMP", "WEBP"])
def test_truncated_files(fmt: str) -> None:
    rng = np.random.default_rng(1)
    data = encode(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8), fmt)
    assert refused(data[: len(data) * 2 // 3]) is ErrorCode.INPUT_TRUNCATED


def test_lying_magic_bytes_are_corrupt() -> None:
    # The first bytes promise a JPEG or PNG; what follows is something else entirely.
    assert refused(b"\xff\xd8\xff" + b"<html>not a photo</html>" * 20 + b"\xff\xd9") \
        is ErrorCode.INPUT_CORRUPT
    # A complete PNG (every chunk, IEND) whose compressed pixel data is not zlib at all.
    png = bytearray(encode(gradient(), "PNG"))
    start = png.index(b"IDAT") + 4
    png[start: start + 40] = b"garbage!" * 5
    assert refused(bytes(png)) is ErrorCode.INPUT_CORRUPT


def test_a_segment_claiming_more_bytes_than_exist_is_truncated() -> None:
    # JPEG magic then a PNG: the "APP0 segment" length read from the PNG bytes runs past the end.
    png = encode(gradient(), "PNG")
    assert refused(b"\xff\xd8\xff\xe0" + png + b"\xff\xd9") is ErrorCode.INPUT_TRUNCATED


def test_bmp_lying_about_its_length_is_truncated() -> None:
    data = bytearray(encode(gradient(), "BMP"))
    data[2:6] = struct.pack("<I", len(data) * 4)  # the header claims four times the bytes
    assert refused(bytes(data[: len(data) - 100])) is ErrorCode.INPUT_TRUNCATED


def _png_bomb(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\x00" + b"\x00" * (width * 3)
    body = zlib.compress(row * 4, 9)  # a few rows only: the header is the lie
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body)
            + chunk(b"IEND", b""))


def test_decompression_bomb_is_refused_from_the_header() -> None:
    data = _png_bomb(50_000, 50_000)  # 2.5 gigapixels declared in a tiny file
    tracemalloc.start()
    started = time.perf_counter()
    try:
        assert refused(data) is ErrorCode.INPUT_TOO_MANY_PIXELS
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 1.0
    assert peak < 20 * 1024 * 1024


def test_pixel_limit_is_configurable() -> None:
    data = encode(gradient(60, 40), "PNG")
    assert refused(data, max_pixels=2399) is ErrorCode.INPUT_TOO_MANY_PIXELS
    assert decode_photo(data, max_pixels=2400).height == 40


def test_webp_canvas_bomb_is_refused_from_the_header() -> None:
    data = bytearray(encode(gradient(), "WEBP", lossless=True))
    assert data[12:16] == b"VP8L"
    bits = (16383) | (16383 << 14)  # 16384 x 16384 declared
    data[21:25] = bits.to_bytes(4, "little")
    assert refused(bytes(data), max_pixels=40_000_000) is ErrorCode.INPUT_TOO_MANY_PIXELS


def test_jpeg_with_thousands_of_scans_is_refused() -> None:
    data = encode(gradient(), "JPEG")
    bomb = data[:-2] + b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00" * 500 + b"\xff\xd9"
    assert refused(bomb) is ErrorCode.INPUT_CORRUPT


def test_pillow_globals_are_untouched() -> None:
    before = (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES)
    with pytest.raises(PhotoInputError):
        decode_photo(_png_bomb(50_000, 50_000))
    decode_photo(encode(gradient(), "JPEG"))
    assert (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES) == before


_SEEDS = {
    "jpeg": encode(gradient(), "JPEG"),
    "png": encode(gradient(), "PNG"),
    "webp": encode(gradient(), "WEBP"),
    "bmp": encode(gradient(), "BMP"),
    "tiff": encode(gradient(), "TIFF"),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(sorted(_SEEDS)), cut=st.integers(0, 4000),
       flips=st.lists(st.tuples(st.integers(0, 4000), st.integers(1, 255)), max_size=6))
def test_damaged_files_only_ever_raise_photo_input_error(seed: str, cut: int,
                                                         flips: list[tuple[int, int]]) -> None:
    data = bytearray(_SEEDS[seed])
    for position, value in flips:
        if position < len(data):
            data[position] ^= value
    data = data[: max(1, len(data) - cut)]
    try:
        photo = decode_photo(bytes(data))
    except PhotoInputError as exc:
        assert exc.code.value.startswith("input.")
    else:
        assert photo.rgb.ndim == 3 and photo.rgb.shape[2] == 3


@pytest.mark.parametrize("fmt", list(PhotoFormat))
def test_encode_photo_round_trips(fmt: PhotoFormat) -> None:
    rgb = gradient()
    photo = decode_photo(encode_photo(rgb, fmt, 350))
    assert photo.format is fmt and (photo.width, photo.height) == (60, 40)
    # WebP cannot carry a resolution; every other format states it.
    assert photo.dpi == (None if fmt is PhotoFormat.WEBP else (350.0, 350.0))
    assert np.abs(photo.rgb.astype(int) - rgb.astype(int)).mean() < 3


def test_encode_photo_refuses_wrong_arrays() -> None:
    with pytest.raises(ValueError):
        encode_photo(np.zeros((4, 4), np.uint8), PhotoFormat.PNG, None)
