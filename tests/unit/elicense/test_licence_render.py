"""The rendered licence PDF, judged by third-party tools: poppler's pdffonts (the CJK font is
embedded), pdftotext (the holder and identifier are real text), pdfinfo (one page, creation date
from the licence), pdfimages (the photo), pdftoppm + zbarimg (the QR reads back exactly), and
byte-identical output for identical inputs, also across processes."""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from licence_helpers import PHOTO, ROOT, SAMPLE_NAMES, SAMPLES  # noqa: I001 - sibling module
from PIL import Image

from core import ErrorCode
from elicense import (
    Licence,
    LicenceRecordInvalidError,
    LicenceTemplate,
    QrStyle,
    Seal,
    load_licence,
    load_templates,
    parse_licence,
    render_licence,
)
from elicense.render_fonts import text_width, wrap_text

BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
PAYLOAD = "ZZ1:" + "".join(random.Random(45).choice(BASE45) for _ in range(416))


def poppler(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True,
                          timeout=60).stdout


def sample(name: str) -> tuple[Licence, LicenceTemplate, bytes | None]:
    licence = load_licence(SAMPLES / f"{name}.json")
    template = load_templates().get(licence.type_code)
    return licence, template, PHOTO.read_bytes() if template.photo else None


def render(name: str, payload: str = PAYLOAD, **kwargs: object) -> bytes:
    licence, template, photo = sample(name)
    return render_licence(licence, template, photo=photo, qr_payload=payload, **kwargs)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("licences")
    paths = {}
    for name in SAMPLE_NAMES:
        paths[name] = folder / f"{name}.pdf"
        paths[name].write_bytes(render(name))
    return paths


def read_qr(pdf: Path) -> str:
    stem = pdf.with_suffix("")
    poppler("pdftoppm", "-r", "200", "-png", "-singlefile", pdf, stem)
    return poppler("zbarimg", "--raw", "-q", stem.with_suffix(".png")).rstrip("\n")


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_the_only_font_is_an_embedded_wenquanyi_subset(rendered: dict[str, Path], name: str):
    rows = poppler("pdffonts", rendered[name]).splitlines()[2:]
    assert len(rows) == 1
    columns = rows[0].split()
    assert "+WenQuanYiZenHei" in columns[0] and columns[1] == "TrueType"
    assert columns[-5:-2] == ["yes", "yes", "yes"]  # emb, sub, uni


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_the_text_layer_holds_the_fields(rendered: dict[str, Path], name: str) -> None:
    text = poppler("pdftotext", "-layout", rendered[name], "-")
    licence = load_licence(SAMPLES / f"{name}.json")
    assert licence.holder in text
    assert licence.identifier in text
    assert licence.issuer in text
    assert licence.number in text
    short_details = [value for _, value in licence.details if len(value) <= 20]
    assert short_details and all(value in text for value in short_details)


def test_long_details_wrap_without_losing_text(rendered: dict[str, Path]) -> None:
    # Only the part of the page above the footer: the seal's arc text would interleave.
    text = poppler("pdftotext", "-r", "72", "-x", "0", "-y", "0", "-W", "842", "-H", "400",
                   rendered["individual_business_licence"], "-")
    scope = load_licence(SAMPLES / "individual_business_licence.json").detail("经营范围")
    assert scope is not None
    assert scope in "".join(text.split())


def test_open_ended_and_period_wording(rendered: dict[str, Path]) -> None:
    permit = poppler("pdftotext", "-layout", rendered["residence_permit"], "-")
    assert "2024年06月01日至2027年05月31日" in permit
    food = poppler("pdftotext", "-layout", rendered["food_business_licence"], "-")
    assert "有效期至" in food and "2029年02月28日" in food


@pytest.mark.parametrize(("name", "size"), [
    ("individual_business_licence", "841.89 x 595.276"),
    ("residence_permit", "595.276 x 841.89"),
])
def test_one_page_dated_on_the_issue_date(rendered: dict[str, Path], name: str, size: str):
    info = poppler("pdfinfo", "-isodates", rendered[name])
    licence = load_licence(SAMPLES / f"{name}.json")
    assert "Pages:           1" in info
    assert size in info
    fields = dict(line.split(":", 1) for line in info.splitlines())
    assert fields["CreationDate"].strip() == f"{licence.issue_date.isoformat()}T00:00:00+08"


def test_the_photo_is_embedded_only_where_the_template_has_one(rendered: dict[str, Path]):
    images = poppler("pdfimages", "-list", rendered["residence_permit"]).splitlines()[2:]
    assert len(images) == 1
    assert images[0].split()[3:5] == ["358", "441"]
    assert poppler("pdfimages", "-list", rendered["food_business_licence"]).splitlines()[2:] == []


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_qr_reads_back_exactly(rendered: dict[str, Path], name: str) -> None:
    assert read_qr(rendered[name]) == PAYLOAD


def test_png_qr_reads_back_exactly(tmp_path: Path) -> None:
    pdf = tmp_path / "png.pdf"
    pdf.write_bytes(render("residence_permit", qr_style=QrStyle.PNG))
    assert read_qr(pdf) == PAYLOAD


def test_the_seal_is_red_and_round(rendered: dict[str, Path], tmp_path: Path) -> None:
    stem = tmp_path / "page"
    poppler("pdftoppm", "-r", "50", "-png", "-singlefile", rendered["food_business_licence"],
            stem)
    with Image.open(stem.with_suffix(".png")) as page:
        pixels = np.asarray(page.convert("RGB")).astype(int)
    red = int(((pixels[..., 0] > 170) & (pixels[..., 1] < 90) & (pixels[..., 2] < 90)).sum())
    # A ring of radius 21 mm at 50 dpi is about 260 px of circumference, a star and text more.
    assert red > 300


def test_identical_inputs_give_identical_bytes() -> None:
    assert render("residence_permit") == render("residence_permit")


def test_identical_bytes_in_another_process() -> None:
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2])\n"
        "from test_licence_render import render\n"
        "sys.stdout.buffer.write(render('individual_business_licence'))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run(
        [sys.executable, "-c", script, str(ROOT), str(Path(__file__).parent)],
        capture_output=True, check=True, env=env, timeout=120).stdout
    assert other == render("individual_business_licence")


def test_different_inputs_give_different_bytes() -> None:
    base = render("food_business_licence")
    assert render("food_business_licence", payload=PAYLOAD[:-1] + "0") != base
    assert render("food_business_licence", seal=Seal("另一机关")) != base


def test_a_png_photo_works_too(tmp_path: Path) -> None:
    licence, template, _ = sample("residence_permit")
    buffer = io.BytesIO()
    with Image.open(PHOTO) as image:
        image.save(buffer, "PNG")
    pdf = tmp_path / "png_photo.pdf"
    pdf.write_bytes(render_licence(licence, template, photo=buffer.getvalue(),
                                   qr_payload=PAYLOAD))
    assert len(poppler("pdfimages", "-list", pdf).splitlines()[2:]) == 1


@pytest.mark.parametrize(("name", "photo", "words"), [
    ("residence_permit", None, "needs the holder's photo"),
    ("food_business_licence", b"\xff\xd8\xff", "no photo box"),
    ("residence_permit", b"GIF89a" + bytes(40), "JPEG or PNG"),
    ("residence_permit", b"\xff\xd8\xff\xe0" + bytes(40), "cannot be decoded"),
])
def test_photo_problems(name: str, photo: bytes | None, words: str) -> None:
    licence, template, _ = sample(name)
    with pytest.raises(LicenceRecordInvalidError, match=words) as caught:
        render_licence(licence, template, photo=photo, qr_payload=PAYLOAD)
    assert caught.value.code is ErrorCode.LICENCE_RECORD_INVALID


def test_record_and_template_must_match() -> None:
    licence, _, _ = sample("food_business_licence")
    other = load_templates().get("111000000000002892901")
    with pytest.raises(LicenceRecordInvalidError, match="another licence type"):
        render_licence(licence, other, photo=None, qr_payload=PAYLOAD)


def test_a_detail_the_template_needs_is_missing() -> None:
    licence, template, _ = sample("food_business_licence")
    record = licence.model_dump(mode="json")
    record["details"] = [pair for pair in record["details"] if pair[0] != "主体业态"]
    with pytest.raises(LicenceRecordInvalidError) as caught:
        render_licence(parse_licence(record), template, photo=None, qr_payload=PAYLOAD)
    assert caught.value.path == "details.主体业态"


def test_long_text_shrinks_the_font_and_too_long_text_is_refused(tmp_path: Path) -> None:
    licence, template, _ = sample("individual_business_licence")
    record = licence.model_dump(mode="json")
    scope = dict(record["details"])["经营范围"]
    record["details"] = {**dict(record["details"]), "经营范围": scope * 4 + "结束标记"}
    pdf = tmp_path / "long.pdf"
    pdf.write_bytes(render_licence(parse_licence(record), template, photo=None,
                                   qr_payload=PAYLOAD))
    assert "结束标记" in "".join(poppler("pdftotext", pdf, "-").split())
    record["details"]["经营范围"] = scope * 40
    with pytest.raises(LicenceRecordInvalidError, match="do not fit"):
        render_licence(parse_licence(record), template, photo=None, qr_payload=PAYLOAD)


def test_wrapping_keeps_every_character_and_respects_the_width() -> None:
    scope = load_licence(SAMPLES / "individual_business_licence.json").detail("经营范围")
    assert scope is not None
    lines = wrap_text(scope, 12, 200)
    assert "".join(lines) == scope
    assert len(lines) > 3
    for line in lines:
        # A closing mark may hang one character past the width, never more.
        assert text_width(line, 12) <= 200 + 12
        assert line[0] not in "，。、；：）"


def test_wrapping_keeps_latin_words_whole() -> None:
    lines = wrap_text("经营场所ABC-12345号楼", 12, 60)
    assert any("ABC-12345" in line for line in lines)


@pytest.mark.parametrize("payload", ["", "A" * 4500])
def test_an_empty_or_oversized_payload_is_a_programming_error(payload: str) -> None:
    with pytest.raises(ValueError):
        render("food_business_licence", payload=payload)


def test_a_template_may_print_the_masked_holder_code(tmp_path: Path) -> None:
    licence, template, photo = sample("residence_permit")
    fields = [f if f.key != "holder_code" else f.model_copy(update={"key": "holder_code_masked"})
              for f in template.fields]
    masked_template = template.model_copy(update={"fields": tuple(fields)})
    pdf = tmp_path / "masked.pdf"
    pdf.write_bytes(render_licence(licence, masked_template, photo=photo, qr_payload=PAYLOAD))
    text = poppler("pdftotext", pdf, "-")
    assert "4****************9" in text
    assert licence.holder_code not in text


def test_concurrent_renders_match_serial_ones() -> None:
    # The font object is shared by every render in the process (api renders in threads).
    expected = {name: render(name) for name in SAMPLE_NAMES}
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda n: (n, render(n)), list(SAMPLE_NAMES) * 3))
    assert all(pdf == expected[name] for name, pdf in results)


def test_the_seal_takes_the_template_colour(tmp_path: Path) -> None:
    licence, template, _ = sample("food_business_licence")
    blue = template.model_copy(update={"colours": template.colours.model_copy(
        update={"seal": "#0000FF"})})
    pdf = tmp_path / "blue.pdf"
    pdf.write_bytes(render_licence(licence, blue, photo=None, qr_payload=PAYLOAD))
    stem = tmp_path / "blue"
    poppler("pdftoppm", "-r", "50", "-png", "-singlefile", pdf, stem)
    with Image.open(stem.with_suffix(".png")) as page:
        pixels = np.asarray(page.convert("RGB")).astype(int)
    red = ((pixels[..., 0] > 170) & (pixels[..., 1] < 90) & (pixels[..., 2] < 90)).sum()
    blue_pixels = ((pixels[..., 2] > 170) & (pixels[..., 0] < 90) & (pixels[..., 1] < 90)).sum()
    assert red == 0 and blue_pixels > 300
