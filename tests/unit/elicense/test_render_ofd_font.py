"""The OFD licence's font subset (``elicense.ofd_font_subset``), judged by fontTools reading the
original face and the subset independently: every character maps to a glyph whose outline
(composite glyphs expanded) and advance are the original's; characters the face lacks are left
out; the bytes are the same for the same text; fontTools can load and re-save the font."""

from __future__ import annotations

import io
from functools import lru_cache

import pytest
from fontTools.ttLib import TTFont

from elicense.ofd_font import font_subset
from elicense.render_fonts import FONT_PATH

LICENCE_TEXT = ("居住证姓名林晓雨性别女民族汉出生日期公民身份号码0123456789示例市区路院楼单元室"
                "颁发机构（演示）电子证照专用章：年月日至长期1.2.156.3005 "
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_/,;《》“”、。")


@lru_cache(maxsize=1)
def _original() -> TTFont:
    return TTFont(str(FONT_PATH), fontNumber=0, lazy=True)


@lru_cache(maxsize=1)
def _composite_characters() -> str:
    """Up to eight characters whose glyph in the face is a composite (built of others)."""
    font = _original()
    glyf = font["glyf"]
    found = []
    for code, name in sorted(font.getBestCmap().items()):
        if glyf[name].isComposite():
            found.append(chr(code))
            if len(found) == 8:
                break
    return "".join(found)


def _same_glyphs(text: str) -> None:
    original = _original()
    subset = TTFont(io.BytesIO(font_subset(text)))
    original_map, subset_map = original.getBestCmap(), subset.getBestCmap()
    for char in set(text):
        name = original_map.get(ord(char))
        if name is None:
            assert ord(char) not in subset_map
            continue
        new = subset_map[ord(char)]
        before = original["glyf"][name].getCoordinates(original["glyf"])
        after = subset["glyf"][new].getCoordinates(subset["glyf"])
        assert list(before[0]) == list(after[0]), char
        assert list(before[1]) == list(after[1]), char
        assert original["hmtx"][name] == subset["hmtx"][new], char
    assert set(subset_map) == {ord(c) for c in set(text) if ord(c) in original_map}


def test_licence_text_glyphs_are_the_originals() -> None:
    _same_glyphs(LICENCE_TEXT)


def test_composite_glyphs_keep_their_components() -> None:
    composites = _composite_characters()
    if not composites:
        pytest.skip("the face has no composite glyphs")
    _same_glyphs(composites + "营业执照")


def test_characters_the_face_lacks_are_left_out() -> None:
    _same_glyphs("张三\U0001F600\u2603")


def test_same_text_same_bytes_and_small() -> None:
    one = font_subset(LICENCE_TEXT)
    assert one == font_subset("".join(reversed(LICENCE_TEXT)))
    assert len(one) < 64 * 1024


def test_fonttools_loads_and_resaves_it() -> None:
    font = TTFont(io.BytesIO(font_subset(LICENCE_TEXT)))
    out = io.BytesIO()
    font.save(out)
    assert font["maxp"].numGlyphs == len(font.getGlyphOrder())
    assert font["head"].indexToLocFormat == 1
