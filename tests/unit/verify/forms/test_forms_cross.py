"""Cross-material rules on values: comparison modes, what an ID number encodes, validity on a
day, and what happens when a value or a whole material is absent."""

from __future__ import annotations

from datetime import date

from pydantic import TypeAdapter

from verify.forms.cross import check_cross
from verify.forms.reading import ReadValue
from verify.forms.specs import CrossRule

TODAY = date(2025, 6, 30)
RULE = TypeAdapter(CrossRule)


def outcome(rule: dict, values: dict[str, str | None], absent: tuple[str, ...] = ()) -> str | None:
    def lookup(ref: str) -> ReadValue | None:
        if ref.split(".")[0] in absent:
            return None
        return ReadValue(values.get(ref), 0.99)

    failure = check_cross(RULE.validate_python({"id": "r", **rule}), lookup, TODAY)
    return None if failure is None else failure.code.value


def equal(compare: str) -> dict:
    return {"type": "equal", "left": "a.x", "right": "b.x", "compare": compare}


def test_text_comparison_ignores_spaces_and_width_only() -> None:
    assert outcome(equal("text"), {"a.x": "南京 启明（物流）", "b.x": "南京启明(物流)"}) is None
    assert outcome(equal("text"), {"a.x": "南京启明物流", "b.x": "南京启明快递"}) \
        == "cross.mismatch"


def test_name_comparison_unifies_middle_dots() -> None:
    assert outcome(equal("name"), {"a.x": "买买提•艾力", "b.x": "买买提·艾力"}) is None
    assert outcome(equal("text"), {"a.x": "买买提•艾力", "b.x": "买买提·艾力"}) \
        == "cross.mismatch"


def test_identifier_comparison_ignores_case_and_hyphens() -> None:
    assert outcome(equal("identifier"), {"a.x": "11010519491231002x",
                                         "b.x": "110105-19491231-002X"}) is None


def test_date_comparison_reads_any_spelling() -> None:
    assert outcome(equal("date"), {"a.x": "1991年8月29日", "b.x": "1991-08-29"}) is None
    assert outcome(equal("date"), {"a.x": "1991-08-28", "b.x": "1991-08-29"}) \
        == "cross.mismatch"
    assert outcome(equal("date"), {"a.x": "八月", "b.x": "1991-08-29"}) == "cross.not_checked"


def test_different() -> None:
    rule = {"type": "different", "left": "a.x", "right": "b.x", "compare": "name"}
    assert outcome(rule, {"a.x": "张三", "b.x": "李四"}) is None
    assert outcome(rule, {"a.x": "张三", "b.x": " 张 三"}) == "cross.same"


def test_what_the_id_number_encodes() -> None:
    birth = {"type": "id_number_birth_date", "id_number": "c.n", "birth_date": "c.b"}
    sex = {"type": "id_number_sex", "id_number": "c.n", "sex": "c.s"}
    number = "11010519491231002X"
    assert outcome(birth, {"c.n": number, "c.b": "1949-12-31"}) is None
    assert outcome(birth, {"c.n": number, "c.b": "1949-12-30"}) == "cross.birth_date_mismatch"
    assert outcome(sex, {"c.n": number, "c.s": "女"}) is None
    assert outcome(sex, {"c.n": number, "c.s": "男"}) == "cross.sex_mismatch"
    # An invalid number cannot say anything: a clerk compares by eye.
    assert outcome(sex, {"c.n": "110105194912310021", "c.s": "女"}) == "cross.not_checked"


def test_valid_on_a_day() -> None:
    rule = {"type": "valid_on", "valid_from": "c.f", "valid_until": "c.u"}
    assert outcome(rule, {"c.f": "2019-05-08", "c.u": "2039-05-08"}) is None
    assert outcome(rule, {"c.f": "2005-06-30", "c.u": "2025-06-30"}) is None  # last valid day
    assert outcome(rule, {"c.f": "2005-06-29", "c.u": "2025-06-29"}) == "cross.expired"
    assert outcome(rule, {"c.f": "2025-07-01", "c.u": "2045-07-01"}) == "cross.not_yet_valid"
    assert outcome(rule, {"c.f": "2010-01-01", "c.u": "长期"}) is None
    assert outcome(rule, {"c.f": "2010-01-01", "c.u": "不详"}) == "cross.not_checked"
    on_form = {**rule, "as_of": "f.d"}
    assert outcome(on_form, {"c.f": "2005-06-29", "c.u": "2025-06-29", "f.d": "2025-06-01"}) \
        is None
    assert outcome(on_form, {"c.f": "2005-06-29", "c.u": "2025-06-29", "f.d": None}) \
        == "cross.not_checked"


def test_an_unread_value_asks_a_clerk_and_an_absent_material_skips_the_rule() -> None:
    assert outcome(equal("text"), {"a.x": "张三", "b.x": None}) == "cross.not_checked"
    assert outcome(equal("text"), {"a.x": "张三"}, absent=("b",)) is None
