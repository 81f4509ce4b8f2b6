"""``ocr.loading``: every supported format round-trips, and hostile inputs only ever raise
``InputError`` with the right stable code. All inputs are generated here (Pillow, PDFium, or by
hand for headers that lie), so no binary fixtures are needed."""

from __future__ import annotations

import io
import logging
import os
import struct
import tracemalloc
import warnings
import zipfile
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image, ImageFile, ImageOps

from core import ErrorCode, Settings
from ocr.errors import InputError
from ocr.loading import (
    LoadLimits,
    Page,
    SourceFormat,
    load_document,
    load_path,
    sniff_format,
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


# --- PDF ----------------------------------------------------------------------------------------

CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"


def test_malformed_pdfs_are_corrupt() -> None:
    for data in (
        b"%PDF-1.7\nthis is not really a pdf\n%%EOF",
        make_pdf([(100, 100)])[:60],
        hand_pdf([CATALOG, b"<< /Type /Pages /Kids [] /Count 0 >>"]),  # zero pages
    ):
        assert error_of(lambda d=data: load_document(d)).code is ErrorCode.INPUT_CORRUPT


def test_password_protected_pdf() -> None:
    data = hand_pdf(
        [
            CATALOG,
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
            # Standard security handler; /U does not match the empty user password.
            b"<< /Filter /Standard /V 1 /R 2 /P -4 /O <" + b"11" * 32 + b"> /U <"
            + b"22" * 32 + b"> >>",
        ],
        b"/Encrypt 4 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccd"
        b"deeff>] ",
    )  # fmt: skip
    assert error_of(lambda: load_document(data)).code is ErrorCode.INPUT_PDF_ENCRYPTED


def test_pdf_page_limit() -> None:
    data = make_pdf([(100, 100)] * 11)
    error = error_of(lambda: load_document(data))
    assert error.code is ErrorCode.INPUT_PDF_TOO_MANY_PAGES and "10" in error.message_en
    assert len(load_document(data, limits=LoadLimits(max_pdf_pages=11, pdf_dpi=72))) == 11


def test_huge_pdf_page_is_scaled_under_the_pixel_limit() -> None:
    data = make_pdf([(14400, 14400), (14400, 7200)])  # 200 x 200 inches: 1.6 GP at 200 dpi
    pages = load_document(data)
    for page, ratio in zip(pages, (1.0, 0.5), strict=True):
        height, width = page.image.shape[:2]
        assert width * height <= 40_000_000 and width * height > 39_000_000 * ratio
        assert height / width == pytest.approx(ratio, abs=1e-3)
        assert page.dpi is not None and page.dpi < 200
    small = load_document(data, limits=SMALL)
    assert all(p.image.shape[0] * p.image.shape[1] <= SMALL.max_pixels for p in small)


def test_tiny_pdf_page_is_too_small() -> None:
    assert error_of(lambda: load_document(make_pdf([(10, 300)]))).code is ErrorCode.INPUT_TOO_SMALL


def test_pdfium_is_safe_to_call_from_many_threads() -> None:
    pdf, png = make_pdf([(100, 150)] * 2), encode(quadrants(), "PNG")
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda d: load_document(d, limits=SMALL), [pdf, png] * 12))
    assert [len(r) for r in results] == [2, 1] * 12
    assert all(r[0].image.shape == results[0][0].image.shape for r in results[::2])


# --- load_path ----------------------------------------------------------------------------------


def test_load_path(tmp_path: Path) -> None:
    good = tmp_path / "scan.png"
    good.write_bytes(encode(quadrants(), "PNG"))
    assert load_path(str(good))[0].image.shape == (48, 64, 3)
    lying = tmp_path / "scan.jpg"
    lying.write_bytes(good.read_bytes())
    assert error_of(lambda: load_path(lying)).code is ErrorCode.INPUT_TYPE_MISMATCH
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    assert error_of(lambda: load_path(empty)).code is ErrorCode.INPUT_EMPTY
    for missing in (tmp_path / "missing.png", tmp_path, tmp_path / "scan.png" / "x"):
        assert error_of(lambda m=missing: load_path(m)).code is ErrorCode.INPUT_NOT_FOUND


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_load_path_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    assert error_of(lambda: load_path(fifo)).code is ErrorCode.INPUT_NOT_FOUND


def test_load_path_checks_the_size_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    with big.open("wb") as handle:
        handle.write(encode(quadrants(), "PNG"))
        handle.truncate(200 * 1024 * 1024)  # sparse: no disk used, but reading would cost 200 MB
    assert error_of(lambda: load_path(big)).code is ErrorCode.INPUT_TOO_LARGE
    assert traced_peak(lambda: load_path(big)) < 1_000_000


# --- limits, messages, logging ------------------------------------------------------------------


def test_public_surface_is_deliberate() -> None:
    import ocr.loading

    assert set(ocr.loading.__all__) == {
        "DEFAULT_LIMITS", "LoadLimits", "Page", "SourceFormat", "load_document", "load_path",
        "sniff_format",
    }  # fmt: skip


def test_non_bytes_is_a_programming_error_not_an_input_error() -> None:
    with pytest.raises(TypeError):
        load_document("not bytes")  # type: ignore[arg-type]
    assert load_document(bytearray(encode(quadrants(), "PNG")))[0].image.shape == (48, 64, 3)


def test_limits_from_settings() -> None:
    settings = Settings(
        _env_file=None, max_upload_bytes=4096, max_image_pixels=20_000, min_image_side=8,
        max_pdf_pages=3, pdf_render_dpi=100,
    )  # fmt: skip
    assert LoadLimits.from_settings(settings) == LoadLimits(4096, 20_000, 8, 3, 100)
    assert LoadLimits() == LoadLimits(20 * 1024 * 1024, 40_000_000, 32, 10, 200)
    with pytest.raises(ValueError):
        LoadLimits(max_pixels=0)


def test_logs_and_messages_never_carry_content_or_names(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="ocr.loading")
    html = b"<html>SECRET-CONTENT</html>"
    error_of(lambda: load_document(html, filename="张三-身份证.png"))
    load_document(encode(quadrants(), "PNG"), filename="张三-身份证.png")
    text = caplog.text
    assert caplog.records and "SECRET" not in text and "张三" not in text
    assert all(record.name.startswith("ocr.loading") for record in caplog.records)


# --- property tests -----------------------------------------------------------------------------


def _seeds() -> dict[str, bytes]:
    picture = quadrants(48, 40)
    seeds = {fmt: encode(picture, fmt) for fmt in ("JPEG", "PNG", "WEBP", "BMP", "TIFF")}
    exif = Image.Exif()
    exif[0x0112] = 6
    seeds["JPEG-EXIF"] = encode(picture, "JPEG", exif=exif)
    seeds["TIFF-3"] = encode(picture, "TIFF", save_all=True, append_images=[picture] * 2,
                             compression="tiff_lzw")  # fmt: skip
    seeds["PNG-16"] = encode(Image.fromarray(np.arange(48 * 40, dtype=np.uint16).reshape(40, 48)),
                             "PNG")  # fmt: skip
    seeds["PDF"] = make_pdf([(100, 100), (120, 80)])
    return seeds


SEEDS = _seeds()
FUZZ = hypothesis_settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def check_only_input_errors(data: bytes) -> None:
    try:
        pages = load_document(data, limits=SMALL)
    except InputError as error:
        assert error.code in input_codes() and error.message_en and error.message_zh
    else:
        assert_valid(pages, SMALL)


@st.composite
def mutated_seeds(draw: st.DrawFn) -> bytes:
    data = bytearray(SEEDS[draw(st.sampled_from(sorted(SEEDS)))])
    for _ in range(draw(st.integers(1, 6))):
        where = draw(st.one_of(st.integers(0, 80), st.integers(0, len(data))))
        where = min(where, len(data))
        action = draw(st.sampled_from(["flip", "set", "insert", "delete", "cut"]))
        if action == "cut":
            del data[where:]
        elif action == "insert":
            data[where:where] = draw(st.binary(min_size=1, max_size=16))
        elif action == "delete":
            del data[where : where + draw(st.integers(1, 16))]
        elif where < len(data):
            value = draw(st.integers(0, 255))
            data[where] = data[where] ^ (1 << value % 8) if action == "flip" else value
    return bytes(data)


@FUZZ
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_only_raise_input_error(data: bytes) -> None:
    check_only_input_errors(data)


@FUZZ
@given(st.sampled_from(sorted(SEEDS)).map(SEEDS.__getitem__), st.binary(max_size=64))
def test_magic_followed_by_garbage_only_raises_input_error(seed: bytes, tail: bytes) -> None:
    check_only_input_errors(seed[:16] + tail)


@hypothesis_settings(FUZZ, max_examples=400)
@given(mutated_seeds())
def test_mutated_valid_files_only_raise_input_error(data: bytes) -> None:
    check_only_input_errors(data)


def test_the_seeds_themselves_load() -> None:
    for name, data in SEEDS.items():
        pages = load_document(data, limits=SMALL)
        assert_valid(pages, SMALL)
        assert len(pages) == (3 if name == "TIFF-3" else 2 if name == "PDF" else 1), name
