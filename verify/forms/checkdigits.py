"""Validation of the identifiers printed on Chinese documents: resident ID number (GB 11643),
organisation code (GB 11714) and unified social credit code (GB 32100).

The check characters are computed in ``core.checkdigits`` (shared with ``ocr``, which repairs
misread identifiers), whose docstring gives the algorithms; a popular USCC implementation
indexes the charset with 31 and crashes when the sum is a multiple of 31, ours maps 31 to ``0``.
``*_check_char`` raise ``ValueError`` for a malformed body (a programming error); the
``validate_*`` functions never raise and return an :class:`IdentifierCheck` naming the problem.
They are strict: normalise (``normalize_identifier``) before validating user input.
"""

from __future__ import annotations

from datetime import date

from core.checkdigits import (
    EARLIEST_BIRTH_YEAR,
    ID_CHECK_CHARS,
    ID_WEIGHTS,
    ORG_CODE_CHARSET,
    ORG_WEIGHTS,
    PROVINCE_CODES,
    USCC_CHARSET,
    USCC_WEIGHTS,
    birth_date_of,
    id_check_char,
    org_code_check_char,
    uscc_check_char,
)
from verify.forms.problems import IdentifierCheck, Problem, Sex

__all__ = [
    "EARLIEST_BIRTH_YEAR",
    "ID_CHECK_CHARS",
    "ID_WEIGHTS",
    "ORG_CODE_CHARSET",
    "ORG_WEIGHTS",
    "PROVINCE_CODES",
    "USCC_CHARSET",
    "USCC_WEIGHTS",
    "id_check_char",
    "org_code_check_char",
    "uscc_check_char",
    "validate_id_number",
    "validate_org_code",
    "validate_uscc",
]
_DIGITS = frozenset("0123456789")


def validate_id_number(number: str, *, today: date | None = None) -> IdentifierCheck:
    """Check an 18-character resident ID number: form, province, birth date, check character.

    A valid number's result carries the birth date and sex it encodes. With ``today`` a birth
    date after it is a problem too.
    """
    if len(number) != 18:
        return IdentifierCheck(number, Problem.LENGTH)
    if not set(number[:17]) <= _DIGITS or number[17] not in ID_CHECK_CHARS:
        return IdentifierCheck(number, Problem.CHARSET)
    if number[:2] not in PROVINCE_CODES:
        return IdentifierCheck(number, Problem.REGION)
    birth = birth_date_of(number[6:14])
    if birth is None:
        return IdentifierCheck(number, Problem.BIRTH_DATE)
    if today is not None and birth > today:
        return IdentifierCheck(number, Problem.BIRTH_IN_FUTURE)
    expected = id_check_char(number[:17])
    if number[17] != expected:
        return IdentifierCheck(number, Problem.CHECK_CHAR, expected_check=expected)
    sex = Sex.MALE if int(number[16]) % 2 else Sex.FEMALE
    return IdentifierCheck(number, birth_date=birth, sex=sex)


def validate_org_code(code: str) -> IdentifierCheck:
    """Check a 9-character organisation code (GB 11714), without the printed hyphen."""
    if len(code) != 9:
        return IdentifierCheck(code, Problem.LENGTH)
    if not set(code[:8]) <= set(ORG_CODE_CHARSET) or code[8] not in "0123456789X":
        return IdentifierCheck(code, Problem.CHARSET)
    expected = org_code_check_char(code[:8])
    if code[8] != expected:
        return IdentifierCheck(code, Problem.CHECK_CHAR, expected_check=expected)
    return IdentifierCheck(code)


def validate_uscc(code: str) -> IdentifierCheck:
    """Check an 18-character unified social credit code: charset, final check character, region
    digits and the embedded organisation code's own check character."""
    if len(code) != 18:
        return IdentifierCheck(code, Problem.LENGTH)
    if not set(code) <= set(USCC_CHARSET):
        return IdentifierCheck(code, Problem.CHARSET)
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return IdentifierCheck(code, Problem.CHECK_CHAR, expected_check=expected)
    if not set(code[2:8]) <= _DIGITS:
        return IdentifierCheck(code, Problem.REGION)
    org_check = org_code_check_char(code[8:16])
    if code[16] != org_check:
        return IdentifierCheck(code, Problem.ORG_CODE, expected_check=org_check)
    return IdentifierCheck(code)
