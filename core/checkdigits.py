"""Check characters of the identifiers printed on Chinese documents, written from the standards.

Shared by ``ocr`` (which repairs misread identifiers only when exactly one repair passes) and
``verify`` (which reports what is wrong with an identifier). Pure functions, no project imports.

- Resident ID number, GB 11643-1999: 17 digits (6 region, 8 birth date, 3 sequence whose last
  digit is odd for men) and a check character by ISO 7064 MOD 11-2: weights ``2^(17-i) mod 11``
  (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2), check ``"10X98765432"[sum mod 11]``.
- Organisation code, GB 11714-1997: 8 body characters (digits or capital letters, A = 10 ...
  Z = 35), weights 3 7 9 10 5 8 4 2, check ``11 - sum mod 11`` with 10 -> ``X`` and 11 -> ``0``.
- Unified social credit code, GB 32100-2015: 18 characters from a 31-symbol set without I, O, S,
  V and Z; positions 3-8 the registering authority's region, 9-17 an organisation code; weights
  ``3^i mod 31``, check = ``31 - sum mod 31`` where 31 stands for ``0``.
- Business registration number (注册号) of the licences issued before 2015, GS 15-2006: 15
  digits, the last one a check digit by ISO 7064 MOD 11,10.
"""

from __future__ import annotations

from datetime import date

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


def registration_number_check_digit(body: str) -> str:
    """The 15th digit of a business registration number (GS 15-2006) from its first 14."""
    if len(body) != 14 or not set(body) <= _DIGITS:
        raise ValueError("a registration number body is 14 ASCII digits")
    p = 10
    for c in body:
        s = (p + int(c)) % 10 or 10
        p = (2 * s) % 11
    return str((11 - p) % 10)


def birth_date_of(digits: str) -> date | None:
    """``YYYYMMDD`` as a date, ``None`` when it is no calendar date or before 1800."""
    if len(digits) != 8 or not set(digits) <= _DIGITS:
        return None
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:])
    if year < EARLIEST_BIRTH_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def is_valid_id_number(number: str) -> bool:
    """Form, province, birth date and check character of a resident ID number all hold."""
    return (len(number) == 18 and set(number[:17]) <= _DIGITS
            and number[:2] in PROVINCE_CODES and birth_date_of(number[6:14]) is not None
            and number[17] == id_check_char(number[:17]))


def is_valid_uscc(code: str) -> bool:
    """Charset, region digits, embedded organisation code and check character all hold."""
    return (len(code) == 18 and set(code) <= set(USCC_CHARSET) and set(code[2:8]) <= _DIGITS
            and code[17] == uscc_check_char(code[:17])
            and code[16] == org_code_check_char(code[8:16]))


def is_valid_registration_number(number: str) -> bool:
    """A 15-digit business registration number whose check digit holds."""
    return (len(number) == 15 and set(number) <= _DIGITS
            and number[14] == registration_number_check_digit(number[:14]))
