"""Mainland mobile numbers and Chinese personal names, including ethnic-minority names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verify.forms import Problem, normalize_mobile, normalize_name, validate_mobile
from verify.forms import validate_person_name as name_check

mobiles = st.builds(lambda second, rest: f"1{second}{rest}", st.sampled_from("3456789"),
                    st.text("0123456789", min_size=9, max_size=9))


@given(mobiles)
def test_mobile_numbers_pass_in_every_common_spelling(number: str) -> None:
    assert validate_mobile(number).ok
    for spelled in (f"+86 {number}", f"0086{number}", f"86-{number[:3]}-{number[3:7]}-"
                    f"{number[7:]}", f"{number[:3]} {number[3:7]} {number[7:]}",
                    number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))):
        assert normalize_mobile(spelled) == number
        assert validate_mobile(normalize_mobile(spelled)).ok


@pytest.mark.parametrize(("number", "problem"), [
    ("1381234567", Problem.LENGTH),
    ("138123456789", Problem.LENGTH),
    ("1381234567a", Problem.CHARSET),
    ("12812345678", Problem.PREFIX),
    ("10812345678", Problem.PREFIX),
    ("23812345678", Problem.PREFIX),
    ("010-12345678", Problem.LENGTH),  # a landline is not a mobile
])
def test_mobile_problems(number: str, problem: Problem) -> None:
    assert validate_mobile(number).problem is problem


@pytest.mark.parametrize("name", [
    "张伟", "王芳", "欧阳娜娜", "诸葛亮", "买买提·艾力", "阿卜杜热合曼·吐尔逊", "次仁多吉",
    "𠮷野", "王㛃",  # a CJK extension B character and an extension A character
])
def test_names_that_pass(name: str) -> None:
    assert name_check(name).ok


@pytest.mark.parametrize("spelled", ["买买提•艾力", "买买提・艾力", "买买提．艾力", "买买提.艾力",
                                     "买买提 · 艾力"])
def test_middle_dot_look_alikes_are_normalised(spelled: str) -> None:
    assert normalize_name(spelled) == "买买提·艾力"
    assert name_check(normalize_name(spelled)).ok


@pytest.mark.parametrize(("name", "problem"), [
    ("", Problem.TOO_SHORT),
    ("张", Problem.TOO_SHORT),
    ("·张", Problem.DOT),
    ("买买提·", Problem.DOT),
    ("买买提··艾力", Problem.DOT),
    ("Zhang Wei", Problem.CHARACTER),
    ("张3", Problem.CHARACTER),
    ("张伟（曾用名）", Problem.CHARACTER),
    ("买买提•艾力", Problem.CHARACTER),  # not normalised: the bullet is not the middle dot
    ("阿" * 31, Problem.TOO_LONG),
])
def test_name_problems(name: str, problem: Problem) -> None:
    assert name_check(name).problem is problem
