"""Check characters of the identifiers printed on Chinese documents.

Resident ID numbers (GB 11643, ISO 7064 MOD 11-2), organisation codes (GB 11714) and unified
social credit codes (GB 32100). The generator uses these to make numbers that pass validation;
the tests check them against an independent implementation.
"""

from __future__ import annotations

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"

ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# GB 32100 leaves out I, O, S, V and Z so that codes cannot be misread.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_DIGITS = frozenset("0123456789")


def id_check_char(first17: str) -> str:
    """The 18th character of a resident ID number whose first 17 digits are given."""
    if len(first17) != 17 or not set(first17) <= _DIGITS:
        raise ValueError("an ID number body is 17 ASCII digits")
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def is_valid_id_number(number: str) -> bool:
    """Whether an 18-character resident ID number has the right check character."""
    if len(number) != 18 or not set(number[:17]) <= _DIGITS:
        return False
    return id_check_char(number[:17]) == number[17].upper()


def _org_char_value(char: str) -> int:
    if char in _DIGITS:
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    raise ValueError(f"not an organisation-code character: {char!r}")


def org_code_check_char(body8: str) -> str:
    """The check character of a 9-character organisation code (GB 11714) from its 8-char body."""
    if len(body8) != 8:
        raise ValueError("an organisation code body is 8 characters")
    total = sum(_org_char_value(c) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code (GB 32100) from its first 17."""
    if len(first17) != 17 or not set(first17) <= set(USCC_CHARSET):
        raise ValueError("a USCC body is 17 characters from the GB 32100 charset")
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    check = 31 - total % 31
    return USCC_CHARSET[0 if check == 31 else check]


def is_valid_uscc(code: str) -> bool:
    """Whether a USCC has valid organisation-code and final check characters."""
    if len(code) != 18 or not set(code) <= set(USCC_CHARSET):
        return False
    org = code[8:17]
    return org_code_check_char(org[:8]) == org[8] and uscc_check_char(code[:17]) == code[17]
