"""``ocr.loading`` for PDFs and paths, its limits and messages, and property tests: hostile
inputs only ever raise ``InputError`` with a stable code."""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from loading_helpers import (  # noqa: I001 - a sibling module, put on sys.path by pytest
    SMALL,
    assert_valid,
    encode,
    error_of,
    hand_pdf,
    input_codes,
    make_pdf,
    quadrants,
    traced_peak,
)
from PIL import Image

from core import ErrorCode, Settings
from ocr.errors import InputError
from ocr.loading import (
    DEFAULT_LIMITS,
    LoadLimits,
    load_document,
    load_path,
    pdf_render_pixels,
)

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
    # Both pages together fit the limit (one PDF is one pixel budget).
    total = sum(p.image.shape[0] * p.image.shape[1] for p in pages)
    assert 39_000_000 < total <= 40_000_000
    assert pdf_render_pixels(data, DEFAULT_LIMITS) == total  # measured without rendering
    for page, ratio in zip(pages, (1.0, 0.5), strict=True):
        height, width = page.image.shape[:2]
        assert height / width == pytest.approx(ratio, abs=1e-3)
        assert page.dpi is not None and page.dpi < 200
    small = load_document(data, limits=SMALL)
    assert sum(p.image.shape[0] * p.image.shape[1] for p in small) <= SMALL.max_pixels


def test_many_huge_pages_share_one_pixel_budget() -> None:
    # Issue 11 (finding 7): ten pages of 200 x 200 inches each rendered at the 40 MP a single
    # page may have made 400 MP (1.2 GB of BGR) per PDF; the whole PDF now gets 40 MP.
    data = make_pdf([(14400, 14400)] * 10)
    limits = LoadLimits(max_pixels=4_000_000, max_pdf_pages=10)
    assert pdf_render_pixels(data, limits) <= 4_000_000
    pages = load_document(data, limits=limits)
    assert len(pages) == 10
    assert sum(p.image.nbytes for p in pages) <= 4_000_000 * 3


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
        "sniff_format", "pdf_render_pixels",
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

