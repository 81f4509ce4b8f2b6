"""How the reader's readings map back to the page and which one it keeps (``ocr.readings``),
the red-free view of a seal's overprint (``ocr.overprint``) and authority names
(``ocr.documents.places``)."""

from __future__ import annotations

import numpy as np
import pytest

from core import DocType, ExtractedField, FieldNote, TextLine
from ocr.documents.places import match_place
from ocr.overprint import without_red
from ocr.readings import (
    PLAIN_MIN_SIDE,
    PageRead,
    good_enough,
    merit,
    plain_sizing,
    turned,
    turned_quarter,
)


@pytest.mark.parametrize("quarter", [1, 3])
def test_a_turned_view_maps_its_pixels_back_to_the_page(quarter: int) -> None:
    page = np.zeros((300, 500, 3), np.uint8)
    page[40:60, 400:430] = 255  # a white mark near the top right
    view = turned(page, quarter)
    ys, xs = np.nonzero(view.image[..., 0] > 128)
    box = [[xs.min(), ys.min()], [xs.max(), ys.min()], [xs.max(), ys.max()], [xs.min(), ys.max()]]
    back = np.asarray(view.map_box(box))
    assert back[:, 0].min() == pytest.approx(400, abs=2)
    assert back[:, 0].max() == pytest.approx(429, abs=2)
    assert back[:, 1].min() == pytest.approx(40, abs=2)
    assert back[:, 1].max() == pytest.approx(59, abs=2)


def test_plain_sizing_enlarges_small_pages_and_maps_back() -> None:
    small = np.zeros((316, 500, 3), np.uint8)
    view = plain_sizing(small)
    assert min(view.image.shape[:2]) == pytest.approx(PLAIN_MIN_SIDE, abs=1)
    back = view.map_box([[0, 0], [view.image.shape[1], 0], [view.image.shape[1],
                                                           view.image.shape[0]],
                         [0, view.image.shape[0]]])
    assert back[2][0] == pytest.approx(500, abs=1) and back[2][1] == pytest.approx(316, abs=1)
    big = np.zeros((1000, 1600, 3), np.uint8)
    assert plain_sizing(big).image is big


def test_lines_standing_on_end_mean_a_page_on_its_side() -> None:
    tall = [TextLine("公民身份号码", 1.0, [[0, 0], [30, 0], [30, 200], [0, 200]])] * 4
    wide = [TextLine("公民身份号码", 1.0, [[0, 0], [200, 0], [200, 30], [0, 30]])] * 4
    assert turned_quarter(tall)
    assert not turned_quarter(wide)
    assert not turned_quarter(tall[:2])


def _read(doc_type: DocType, fields: dict[str, ExtractedField]) -> PageRead:
    page = np.zeros((10, 10, 3), np.uint8)
    read = PageRead(0, "whole", plain_sizing(np.zeros((800, 800, 3), np.uint8)), [], doc_type,
                    0.5, 10.0, {}, False, page)
    read.fields = fields
    return read


def test_the_reading_whose_identifiers_validate_is_worth_more() -> None:
    number = ExtractedField("11010519491231002X", 0.9)
    broken = ExtractedField("11010519491231002X", 0.9, None, None,
                            (FieldNote.CHECK_DIGIT_INVALID,))
    name = ExtractedField("王小红", 0.9)
    valid = _read(DocType.ID_CARD_FRONT, {"name": name, "id_number": number})
    invalid = _read(DocType.ID_CARD_FRONT, {"name": name, "id_number": broken})
    unknown = _read(DocType.UNKNOWN, {})
    assert merit(valid) > merit(invalid) > merit(unknown)
    assert not good_enough(invalid)
    full = {k: ExtractedField("x", 0.9) for k in ("name", "sex", "ethnicity", "birth_date",
                                                  "address")}
    assert good_enough(_read(DocType.ID_CARD_FRONT, {**full, "id_number": number}))


def test_without_red_keeps_black_ink_and_drops_a_red_seal() -> None:
    image = np.full((4, 4, 3), 255, np.uint8)
    image[0, 0] = (0, 0, 0)  # black ink
    image[1, 1] = (40, 40, 220)  # seal red (BGR)
    grey = without_red(image)
    assert grey[0, 0, 0] < 30
    assert grey[1, 1, 0] > 200
    assert grey.shape == image.shape


def test_an_authority_one_character_off_a_known_organ_is_repaired() -> None:
    fixed = match_place("广东省珠海市丁商行政管理局", authority=True)
    assert fixed is not None and fixed.value == "广东省珠海市工商行政管理局" and fixed.corrected
    exact = match_place("广东省珠海市工商行政管理局", authority=True)
    assert exact is not None and not exact.corrected
    assert match_place("某某公司", authority=True) is None


@pytest.mark.parametrize("degrees", [5.0, 20.0, -25.0])
def test_lines_of_a_card_turned_on_the_desk_are_levelled(degrees: float) -> None:
    # A card photographed turned (idf-huawei-lilan-demo-desk): each line's box runs at the
    # card's angle, so boxes of long lines stand tall on the page.
    a = np.deg2rad(degrees)
    c, s = np.cos(a), np.sin(a)

    def tilted(text: str, x: float, y: float, w: float, h: float = 30) -> TextLine:
        pts = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
        return TextLine(text, 0.99, [[c * px - s * py + 400, s * px + c * py + 100]
                                     for px, py in pts])

    lines = [tilted("住址河北省承德市围场满族蒙", 0, 200, 330),
             tilted("古族自治县金车路", 60, 240, 200),
             tilted("公民身份号码389201199001245580", 0, 360, 420)]
    read = PageRead(0, "whole", plain_sizing(np.zeros((900, 900, 3), np.uint8)), lines,
                    DocType.ID_CARD_FRONT, 0.5, 900.0, {}, False)
    items = read.upright_items()
    assert read.skew == pytest.approx(a, abs=np.deg2rad(0.5))
    address, more, number = items
    # Levelled, the rows lie one under the other and start where they were printed.
    assert address.y1 <= more.y0 + 2 and more.y1 <= number.y0 + 2
    assert abs(more.x0 - address.x0 - 60) < 3
