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

``*_check_char`` raise ``ValueError`` for a malformed body (a programming error); the
``validate_*`` functions never raise and return an :class:`IdentifierCheck` naming the problem.
They are strict: normalise (``normalize_identifier``) before validating user input.
"""

from __future__ import annotations

from datetime import date

from verify.forms.problems import IdentifierCheck, Problem, Sex

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ORG_CODE_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB/T 2260 province-level codes, plus 71 Taiwan, 81 Hong Kong, 82 Macao and 83 (the residence
# permits of Taiwan residents).
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82 83".split()
)
EARLIEST_BIRTH_YEAR = 1800

_DIGITS = frozenset("0123456789")


def id_check_char(body: str) -> str:
    """The 18th character of a resident ID number whose first 17 digits are ``body``."""
    if len(body) != 17 or not set(body) <= _DIGITS:
        raise ValueError("an ID number body is 17 ASCII digits")
    return ID_CHECK_CHARS[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def org_code_check_char(body: str) -> str:
    """The 9th character of an organisation code (GB 11714) whose first 8 are ``body``."""
    if len(body) != 8 or not set(body) <= set(ORG_CODE_CHARSET):
        raise ValueError("an organisation code body is 8 digits or capital letters")
    total = sum(ORG_CODE_CHARSET.index(c) * w for c, w in zip(body, ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_check_char(body: str) -> str:
    """The 18th character of a unified social credit code (GB 32100) from its first 17."""
    if len(body) != 17 or not set(body) <= set(USCC_CHARSET):
        raise ValueError("a USCC body is 17 characters from the GB 32100 charset")
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]  # 31 -> 0: never index past the charset


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
    birth = _birth_date(number[6:14])
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


def _birth_date(digits: str) -> date | None:
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:])
    if year < EARLIEST_BIRTH_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None
