"""Normalisation of OCR text: dates, ranges, ID numbers and credit codes."""

from __future__ import annotations

import pytest

from ocr.documents.text import compact, find_id_number, find_uscc, parse_date, parse_date_range


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("1990 年 3 月 7 日", "1990-03-07"),
        ("出生1990年03月07日", "1990-03-07"),
        ("2016.05.10", "2016-05-10"),
        ("２０２３年０５月１２日", "2023-05-12"),
        ("20230512", "2023-05-12"),
        ("2023年O5月l2日", "2023-05-12"),
    ],
)
def test_parse_date(text: str, iso: str) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize("text", ["1990年2月30日", "no date", "2023.13.01", ""])
def test_parse_date_rejects_impossible_dates(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2016.05.10-2036.05.10", ("2016-05-10", "2036-05-10")),
        ("2016.05.10-长期", ("2016-05-10", "长期")),
        ("2015年03月01日至长期", ("2015-03-01", "长期")),
        ("2015年03月01日至2045年02月28日", ("2015-03-01", "2045-02-28")),
        ("2016.05.102036.05.10", ("2016-05-10", "2036-05-10")),
    ],
)
def test_parse_date_range(text: str, expected: tuple[str, str]) -> None:
    assert parse_date_range(text) == expected


def test_id_number_repairs_letter_confusions() -> None:
    assert find_id_number("34O1O4199OO3O7123x") == "340104199003071234"[:17] + "X"
    assert find_id_number("号码 11010519491231002X") == "11010519491231002X"
    assert find_id_number("1234") is None


def test_uscc_found_in_label_line() -> None:
    assert find_uscc("统一社会信用代码91340100MA2NXXX1B") is None  # wrong length
    assert find_uscc("统一社会信用代码 91340100MA2N0K2B3F") == "91340100MA2N0K2B3F"


def test_compact_removes_ideographic_spaces_and_fullwidth() -> None:
    assert compact("名　　称：ＡＢＣ") == "名称:ABC"
    assert compact("有限责任公司(自然人独资)") == "有限责任公司（自然人独资）"
    assert compact("A (B)") == "A(B)"
