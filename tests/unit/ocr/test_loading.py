"""``ocr.loading`` for images: round trips, EXIF, colour modes, bombs, truncation, types.
All inputs are generated in the tests (see ``loading_helpers``), no binary fixtures."""

from __future__ import annotations

import io
import struct
import warnings
import zipfile

import numpy as np
import pytest
from loading_helpers import (  # noqa: I001 - a sibling module, put on sys.path by pytest
    RED_BGR,
    assert_valid,
    encode,
    error_of,
    make_pdf,
    png_bomb,
    quadrants,
    traced_peak,
    webp_header,
)
from PIL import Image, ImageFile, ImageOps

from core import ErrorCode
from ocr.loading import (
    LoadLimits,
    load_document,
    sniff_format,
)

# --- sniffing and round trips ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("JPEG", "jpeg"), ("PNG", "png"), ("WEBP", "webp"), ("TIFF", "tiff"), ("BMP", "bmp")],
)
def test_every_raster_format_round_trips(fmt: str, expected: str) -> None:
    data = encode(quadrants(70, 50), fmt)
    assert sniff_format(data) == expected
    [page] = load_document(data, filename=f"scan.{expected}")
    assert page.image.shape == (50, 70, 3)
    assert page.source_format == expected and page.index == 0
    assert np.abs(page.image[5, 5].astype(int) - RED_BGR).max() <= 12  # red, in BGR order
    assert_valid([page], LoadLimits())


def test_lossless_formats_keep_exact_pixels_in_bgr_order() -> None:
    source = quadrants()
    expected = np.asarray(source)[:, :, ::-1]
    for fmt in ("PNG", "TIFF", "BMP"):
        [page] = load_document(encode(source, fmt))
        np.testing.assert_array_equal(page.image, expected)


def test_pdf_round_trips_at_the_render_dpi() -> None:
    data = make_pdf([(595, 842), (200, 100)])
    assert sniff_format(data) == "pdf"
    pages = load_document(data, filename="form.PDF")
    assert [p.image.shape for p in pages] == [(2339, 1653, 3), (278, 556, 3)]
    assert [p.index for p in pages] == [0, 1]
    assert all(p.dpi == pytest.approx(200) and p.source_format == "pdf" for p in pages)
    assert (pages[0].image == 255).all()  # a blank page renders white
    assert_valid(pages, LoadLimits())


def test_pdf_with_junk_before_the_header_is_still_a_pdf() -> None:
    assert sniff_format(b"\xef\xbb\xbf\n" + make_pdf([(100, 100)])) == "pdf"


def test_dpi_comes_from_the_file() -> None:
    assert load_document(encode(quadrants(), "PNG", dpi=(300, 300)))[0].dpi == pytest.approx(300)
    assert load_document(encode(quadrants(), "JPEG", dpi=(150, 150)))[0].dpi == pytest.approx(150)
    assert load_document(encode(quadrants(), "PNG"))[0].dpi is None


def test_multi_page_tiff_returns_every_page() -> None:
    first = quadrants(60, 40)
    rest = [Image.new("L", (50, 70), 128), Image.new("1", (33, 33), 1)]
    data = encode(first, "TIFF", save_all=True, append_images=rest)
    pages = load_document(data, filename="pages.tif")
    assert [p.image.shape for p in pages] == [(40, 60, 3), (70, 50, 3), (33, 33, 3)]
    assert [p.index for p in pages] == [0, 1, 2]
    assert (pages[1].image == 128).all() and (pages[2].image == 255).all()


def test_multi_page_tiff_over_the_page_limit() -> None:
    frames = [Image.new("L", (40, 40), i * 20) for i in range(5)]
    data = encode(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    assert len(load_document(data, limits=LoadLimits(max_pdf_pages=5))) == 5
    error = error_of(lambda: load_document(data, limits=LoadLimits(max_pdf_pages=4)))
    assert error.code is ErrorCode.INPUT_PDF_TOO_MANY_PAGES


# --- EXIF orientation ---------------------------------------------------------------------------


def test_exif_orientation_6_turns_the_image_clockwise() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encode(quadrants(64, 48), "JPEG", exif=exif, quality=95)
    [page] = load_document(data)
    assert page.image.shape == (64, 48, 3)  # width and height swapped
    top_right, top_left = page.image[4, 43].astype(int), page.image[4, 4].astype(int)
    assert np.abs(top_right - RED_BGR).max() <= 40  # stored top-left corner, now top-right
    assert np.abs(top_left - (255, 0, 0)).max() <= 40  # stored bottom-left (blue) is top-left


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_orientation_matches_pillow_exif_transpose(orientation: int) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encode(quadrants(64, 48), "PNG", exif=exif)
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    [page] = load_document(data)
    np.testing.assert_array_equal(page.image, np.asarray(expected)[:, :, ::-1])


def test_broken_orientation_value_is_ignored() -> None:
    exif = Image.Exif()
    exif[0x0112] = 99
    [page] = load_document(encode(quadrants(), "PNG", exif=exif))
    assert page.image.shape == (48, 64, 3)


# --- colour modes -------------------------------------------------------------------------------


def test_rgba_is_composited_on_white() -> None:
    image = Image.new("RGBA", (40, 40), (255, 0, 0, 0))
    image.putpixel((0, 0), (255, 0, 0, 255))
    image.putpixel((1, 0), (255, 0, 0, 128))
    [page] = load_document(encode(image, "PNG"))
    assert tuple(page.image[0, 0]) == (0, 0, 255)
    assert tuple(page.image[0, 1]) == (127, 127, 255)
    assert tuple(page.image[5, 5]) == (255, 255, 255)


def test_palette_with_transparency_and_la() -> None:
    palette = Image.new("P", (40, 40), 1)
    palette.putpalette([255, 0, 0, 0, 0, 0])
    palette.putpixel((0, 0), 0)
    [page] = load_document(encode(palette, "PNG", transparency=1))
    assert tuple(page.image[0, 0]) == (0, 0, 255) and tuple(page.image[9, 9]) == (255, 255, 255)
    la = Image.new("LA", (40, 40), (0, 0))
    la.putpixel((0, 0), (0, 255))
    [page] = load_document(encode(la, "PNG"))
    assert tuple(page.image[0, 0]) == (0, 0, 0) and tuple(page.image[9, 9]) == (255, 255, 255)


def test_grey_bilevel_and_cmyk() -> None:
    [grey] = load_document(encode(Image.new("L", (40, 40), 100), "PNG"))
    assert (grey.image == 100).all()
    bilevel = Image.new("1", (40, 40), 0)
    bilevel.putpixel((0, 0), 1)
    [page] = load_document(encode(bilevel, "PNG"))
    assert tuple(page.image[0, 0]) == (255, 255, 255) and tuple(page.image[1, 1]) == (0, 0, 0)
    cmyk = Image.new("CMYK", (40, 40), (0, 255, 255, 0))
    [tiff] = load_document(encode(cmyk, "TIFF"))
    assert (tiff.image == RED_BGR).all()
    [jpeg] = load_document(encode(cmyk, "JPEG"))
    assert np.abs(jpeg.image[20, 20].astype(int) - RED_BGR).max() <= 12


def test_sixteen_and_thirty_two_bit_are_scaled_to_eight() -> None:
    values = np.zeros((40, 40), dtype=np.uint16)
    values[0, :3] = (0, 65535, 32896)
    for fmt in ("PNG", "TIFF"):
        image = Image.fromarray(values)
        assert image.mode == "I;16"
        [page] = load_document(encode(image, fmt))
        assert page.image[0, :3, 0].tolist() == [0, 255, 128]
    signed = np.zeros((40, 40), dtype=np.int32)
    signed[0, :2] = (-1000, 1000)  # outside 0..65535: stretched from min to max
    [page] = load_document(encode(Image.fromarray(signed), "TIFF"))
    assert page.image[0, :3, 1].tolist() == [0, 255, 128]
    floats = np.full((40, 40), np.nan, dtype=np.float32)
    floats[0, :2] = (0.5, 1.5)
    [page] = load_document(encode(Image.fromarray(floats), "TIFF"))
    assert page.image[0, :2, 2].tolist() == [85, 255] and page.image[5, 5, 0] == 0


# --- sizes and bombs ----------------------------------------------------------------------------


def test_empty_and_too_large() -> None:
    assert error_of(lambda: load_document(b"")).code is ErrorCode.INPUT_EMPTY
    data = encode(quadrants(), "PNG")
    error = error_of(lambda: load_document(data, limits=LoadLimits(max_bytes=len(data) - 1)))
    assert error.code is ErrorCode.INPUT_TOO_LARGE
    assert str(len(data) - 1) in error.message_en


@pytest.fixture(scope="module")
def real_png_bomb() -> bytes:
    return png_bomb(20000, 20000, complete=True)


def spy_decoding(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Record every pixel decode (Pillow's ImageFile.load ends in Image.Image.load)."""
    calls: list[tuple[int, int]] = []
    original = Image.Image.load

    def spy(self: Image.Image) -> object:
        calls.append(self.size)
        return original(self)

    monkeypatch.setattr(Image.Image, "load", spy)
    return calls


def test_png_bomb_is_refused_from_its_header(
    real_png_bomb: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(real_png_bomb) < 100_000  # 400 megapixels in under 100 KB
    decoded = spy_decoding(monkeypatch)
    error = error_of(lambda: load_document(real_png_bomb))
    assert error.code is ErrorCode.INPUT_TOO_MANY_PIXELS
    # tracemalloc sees Python and NumPy allocations; Pillow's C buffers are covered by the spy.
    assert traced_peak(lambda: load_document(real_png_bomb)) < 2_000_000
    assert decoded == []


@pytest.mark.parametrize(
    "side",
    [8000, 10000],  # 64 MP: over our limit only; 100 MP: also in Pillow's warning zone
)
def test_png_over_the_pixel_limit_never_decodes(side: int, monkeypatch: pytest.MonkeyPatch) -> None:
    decoded = spy_decoding(monkeypatch)
    data = png_bomb(side, side, complete=False)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        error = error_of(lambda: load_document(data))
    assert error.code is ErrorCode.INPUT_TOO_MANY_PIXELS and str(side) in error.message_en
    assert decoded == [] and seen == []


def test_pixel_limit_and_min_side_use_the_limits() -> None:
    data = encode(quadrants(200, 100), "PNG")
    error = error_of(lambda: load_document(data, limits=LoadLimits(max_pixels=19_999)))
    assert error.code is ErrorCode.INPUT_TOO_MANY_PIXELS and "19999" in error.message_zh
    tiny = encode(Image.new("RGB", (31, 400)), "PNG")
    assert error_of(lambda: load_document(tiny)).code is ErrorCode.INPUT_TOO_SMALL
    assert load_document(tiny, limits=LoadLimits(min_side=31))[0].image.shape == (400, 31, 3)


def test_tiff_page_over_the_limit_is_refused_before_any_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = encode(Image.new("L", (50, 50)), "TIFF", save_all=True,
                  append_images=[Image.new("L", (100, 100))])  # fmt: skip
    decoded = spy_decoding(monkeypatch)
    error = error_of(lambda: load_document(data, limits=LoadLimits(max_pixels=5000)))
    assert error.code is ErrorCode.INPUT_TOO_MANY_PIXELS and decoded == []


@pytest.mark.parametrize(
    "data",
    [
        webp_header(b"VP8L", b"\x2f" + struct.pack("<I", 16383 | (16383 << 14)) + b"\x00" * 16),
        webp_header(b"VP8X", b"\x00" * 4 + (12999).to_bytes(3, "little") * 2 + b"\x00" * 8),
    ],
    ids=["vp8l-16384", "vp8x-13000"],
)
def test_webp_bomb_is_refused_before_libwebp_sees_it(
    data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[object] = []
    monkeypatch.setattr(Image, "open", lambda *args, **kwargs: opened.append(args))
    assert error_of(lambda: load_document(data)).code is ErrorCode.INPUT_TOO_MANY_PIXELS
    assert opened == []


def test_global_pillow_and_warning_state_is_untouched(real_png_bomb: bytes) -> None:
    before = (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES, list(warnings.filters))
    error_of(lambda: load_document(real_png_bomb))
    load_document(encode(quadrants(), "PNG"))
    after = (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES, list(warnings.filters))
    assert before == after and after[1] is False


# --- truncated and corrupt ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "BMP", "TIFF"])
def test_a_file_cut_in_half_is_truncated(fmt: str) -> None:
    data = encode(Image.fromarray(np.random.default_rng(3).integers(0, 255, (80, 90, 3), np.uint8)),
                  fmt)  # fmt: skip
    error = error_of(lambda: load_document(data[: len(data) // 2]))
    assert error.code is ErrorCode.INPUT_TRUNCATED


def test_a_jpeg_cut_inside_its_header_is_truncated() -> None:
    data = encode(quadrants(), "JPEG")
    assert error_of(lambda: load_document(data[:100])).code is ErrorCode.INPUT_TRUNCATED


def progressive_jpeg_with_extra_scans(extra: int) -> bytes:
    """A valid progressive JPEG followed by ``extra`` copies of its last (empty) scan header."""
    data = encode(quadrants(), "JPEG", progressive=True)
    last = data.rindex(b"\xff\xda")
    header = data[last : last + 2 + int.from_bytes(data[last + 2 : last + 4], "big")]
    return data[:-2] + header * extra + b"\xff\xd9"


def test_a_jpeg_with_too_many_scans_is_refused_before_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert load_document(progressive_jpeg_with_extra_scans(20))[0].image.shape == (48, 64, 3)
    bomb = progressive_jpeg_with_extra_scans(5000)  # ~50 KB; minutes of CPU at 40 megapixels
    decoded = spy_decoding(monkeypatch)
    assert error_of(lambda: load_document(bomb)).code is ErrorCode.INPUT_CORRUPT
    assert decoded == []


def test_damage_after_a_valid_header_is_corrupt() -> None:
    data = bytearray(encode(quadrants(), "PNG"))
    start = data.index(b"IDAT") + 4
    data[start : start + 40] = b"\xa5" * 40  # broken zlib stream, file length intact
    assert error_of(lambda: load_document(bytes(data))).code is ErrorCode.INPUT_CORRUPT
    header = bytearray(encode(quadrants(), "PNG"))
    header[20] ^= 0xFF  # IHDR checksum no longer matches
    assert error_of(lambda: load_document(bytes(header))).code is ErrorCode.INPUT_CORRUPT


# --- type checks --------------------------------------------------------------------------------


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "hello")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><body>SECRET-42</body></html>",
        zip_bytes(),
        b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120,
        encode(Image.new("P", (40, 40)), "GIF"),
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64,
        b"BM this is a text file, not a bitmap",
        np.random.default_rng(7).bytes(4096),
    ],
    ids=["html", "zip", "exe", "gif", "heic", "bm-text", "random"],
)
def test_unsupported_content(data: bytes) -> None:
    assert sniff_format(data) is None
    error = error_of(lambda: load_document(data, filename="photo.jpg"))
    assert error.code is ErrorCode.INPUT_UNSUPPORTED_TYPE
    assert "SECRET" not in error.message_en + error.message_zh


@pytest.mark.parametrize(
    ("fmt", "filename", "ok"),
    [
        ("PNG", "photo.jpg", False),
        ("JPEG", "scan.pdf", False),
        ("PDF", "form.png", False),
        ("TIFF", "id.bmp", False),
        ("PNG", "PHOTO.PNG", True),
        ("JPEG", "C:\\fakepath\\身份证.JPEG", True),
        ("TIFF", "scan.tif", True),
        ("PNG", "upload.dat", True),
        ("PNG", "no-extension", True),
        ("PNG", None, True),
    ],
)
def test_lying_extension(fmt: str, filename: str | None, ok: bool) -> None:
    data = make_pdf([(100, 100)]) if fmt == "PDF" else encode(quadrants(), fmt)
    if ok:
        assert load_document(data, filename=filename)
    else:
        error = error_of(lambda: load_document(data, filename=filename))
        assert error.code is ErrorCode.INPUT_TYPE_MISMATCH


