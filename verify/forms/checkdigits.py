"""Check characters of the identifiers printed on Chinese documents, written from the standards.

- Resident ID number, GB 11643-1999: 17 digits (6 region, 8 birth date, 3 sequence whose last
  digit is odd for men) and a check character by ISO 7064 MOD 11-2: weights ``2^(17-i) mod 11``
  (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2), check ``"10X98765432"[sum mod 11]``.
- Organisation code, GB 11714-1997: 8 body characters (digits or capital letters, A = 10 ...
  Z = 35), weights 3 7 9 10 5 8 4 2, check ``11 - sum mod 11`` with 10 -> ``X`` and 11 -> ``0``.
- Unified social credit code, GB 32100-2015: 18 characters from a 31-symbol set without I, O, S,
  V and Z; positions 3-8 the registering authority's region, 9-17 an organisation code; weights
  ``3^i mod 31``, check = ``31 - sum mod 31`` where 31 stands for ``0`` (a popular
  implementation indexes the charset with 31 and crashes when the sum is a multiple of 31).

The check characters themselves are computed in ``core.checkdigits`` (shared with ``ocr``).
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
