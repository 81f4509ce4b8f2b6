"""Field rules on single values: length, regex, enum, dates and validity ends, identifiers."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import TypeAdapter, ValidationError

from verify.forms import FindingCode
from verify.forms.rules import check_rule
from verify.forms.specs import FieldRule

TODAY = date(2025, 6, 30)
RULE = TypeAdapter(FieldRule)


def code(rule: dict, value: str) -> str | None:
    failure = check_rule(RULE.validate_python(rule), value, TODAY)
    return None if failure is None else failure.code.value


def test_length_counts_characters_of_the_compact_value() -> None:
    rule = {"type": "length", "min": 2, "max": 4}
    assert code(rule, "张伟") is None
    assert code(rule, " 张 伟 ") is None  # spaces are not characters of the value
    assert code(rule, "张") == FindingCode.FIELD_TOO_SHORT
    assert code(rule, "欧阳娜娜娜") == FindingCode.FIELD_TOO_LONG


def test_regex_must_match_the_whole_value() -> None:
    rule = {"type": "regex", "pattern": r"\d+人"}
    assert code(rule, "6人") is None
    assert code(rule, "６ 人") is None  # full-width digits and spaces are normalised first
    assert code(rule, "共6人") == FindingCode.FIELD_PATTERN
    assert code(rule, "6人以上") == FindingCode.FIELD_PATTERN


def test_enum_and_multiple_ticked_options() -> None:
    rule = {"type": "enum", "values": ["有效期满换领", "损坏换领"]}
    assert code(rule, "损坏换领") is None
    assert code(rule, "丢失补领") == FindingCode.FIELD_NOT_ALLOWED
    assert code({"type": "enum", "values": ["单位名称", "主要负责人"]}, "单位名称、主要负责人") \
        is None
    assert code(rule, "损坏换领、丢失补领") == FindingCode.FIELD_NOT_ALLOWED


@pytest.mark.parametrize("written", ["2025-06-30", "2025年6月30日", "2025.06.30", "2025/6/30",
                                     "20250630", "２０２５－０６－３０"])
def test_dates_in_the_usual_spellings(written: str) -> None:
    assert code({"type": "date", "not_after": "today"}, written) is None


def test_date_bounds_literal_and_relative() -> None:
    rule = {"type": "date", "not_before": "today-30d", "not_after": "today"}
    assert code(rule, "2025-05-31") is None  # exactly 30 days before
    assert code(rule, "2025-05-30") == FindingCode.FIELD_TOO_EARLY
    assert code(rule, "2025-07-01") == FindingCode.FIELD_TOO_LATE
    assert code({"type": "date", "not_before": date(1900, 1, 1)}, "1899-12-31") \
        == FindingCode.FIELD_TOO_EARLY
    assert code({"type": "date", "not_after": "today+7d"}, "2025-07-07") is None


def test_not_a_date() -> None:
    rule = {"type": "date"}
    assert code(rule, "2025-02-30") == FindingCode.FIELD_NOT_A_DATE
    assert code(rule, "下周一") == FindingCode.FIELD_NOT_A_DATE
    assert code(rule, "长期") == FindingCode.FIELD_NOT_A_DATE  # only with open_ended


def test_an_open_ended_validity_end() -> None:
    rule = {"type": "date", "open_ended": True, "not_before": "today"}
    assert code(rule, "长期") is None
    assert code(rule, "永久") is None
    assert code(rule, "2039-05-08") is None
    assert code(rule, "2020-05-08") == FindingCode.FIELD_TOO_EARLY  # an ended validity


def test_identifier_rules_normalise_and_name_the_problem() -> None:
    assert code({"type": "id_number"}, "11010519491231002x") is None
    assert code({"type": "id_number"}, "110105194912310021") == "id_number.check_char"
    assert code({"type": "uscc"}, "91350100m000100y43") is None
    assert code({"type": "uscc"}, "91350100M000100Y44") == "uscc.check_char"
    assert code({"type": "org_code"}, "71526726-X") is None
    assert code({"type": "mobile"}, "+86 138 1234 5678") is None
    assert code({"type": "mobile"}, "12812345678") == "mobile.prefix"
    assert code({"type": "person_name"}, "买买提•艾力") is None
    assert code({"type": "person_name"}, "Zhang") == "person_name.character"


def test_a_birth_date_in_the_future_is_measured_from_the_check_date() -> None:
    # 2030-01-01, sequence 001, check character computed by the GB 11643 definition.
    body = "11010520300101001"
    total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(body))
    number = body + "0123456789X"[(12 - total % 11) % 11]
    assert code({"type": "id_number"}, number) == "id_number.birth_in_future"


def test_rules_refuse_bad_parameters() -> None:
    for bad in ({"type": "length", "min": 5, "max": 2}, {"type": "enum", "values": []},
                {"type": "regex", "pattern": "a{2,1}"}, {"type": "date", "not_after": "soon"},
                {"type": "required", "severity": "fatal"}):
        with pytest.raises(ValidationError):
            RULE.validate_python(bad)
