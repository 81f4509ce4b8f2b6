"""Check characters shared by ``ocr`` and ``verify`` (``core.checkdigits``)."""

from __future__ import annotations

import pytest

from core.checkdigits import (
    is_valid_id_number,
    is_valid_registration_number,
    is_valid_uscc,
    registration_number_check_digit,
)

# 注册号 printed on real licences in samples/real/documents.yaml (read by a person, not by us).
PRINTED_REGISTRATION_NUMBERS = (
    "440307814431916", "431300000026471", "410100100003919", "440400000213043",
    "440111600194563",
)
# Credit codes printed on real licences in the same set.
PRINTED_USCCS = ("91310000MA1GCWBA87", "91310115MA1H8H1D7F", "91440300MA5HFYQP6U")


@pytest.mark.parametrize("number", PRINTED_REGISTRATION_NUMBERS)
def test_printed_registration_numbers_pass_and_every_single_digit_change_fails(
    number: str,
) -> None:
    assert is_valid_registration_number(number)
    assert registration_number_check_digit(number[:14]) == number[14]
    # ISO 7064 MOD 11,10 catches every single-digit substitution.
    for i in range(15):
        for d in "0123456789":
            if d != number[i]:
                assert not is_valid_registration_number(number[:i] + d + number[i + 1:])


@pytest.mark.parametrize("code", PRINTED_USCCS)
def test_printed_credit_codes_pass(code: str) -> None:
    assert is_valid_uscc(code)
    assert not is_valid_uscc(code[:-1] + ("0" if code[-1] != "0" else "1"))


def test_id_number_needs_a_real_birth_date_and_province() -> None:
    assert is_valid_id_number("11010519491231002X")
    assert not is_valid_id_number("11010519491331002X")  # month 13
    assert not is_valid_id_number("99010519491231002X")  # no province 99


def test_malformed_bodies_are_programming_errors() -> None:
    with pytest.raises(ValueError):
        registration_number_check_digit("12345")
