"""Check characters of the identifiers printed on Chinese documents, for the generator.

The algorithms live in :mod:`verify.forms` (GB 11643 resident ID numbers, GB 11714 organisation
codes, GB 32100 unified social credit codes); the generator makes its numbers with the same
code the validator checks them with, and ``tests/unit/samples`` checks them against an
independent implementation. The names below are kept for the generator's callers.
"""

from __future__ import annotations

from verify.forms import (
    ID_CHECK_CHARS,
    ID_WEIGHTS,
    ORG_WEIGHTS,
    USCC_CHARSET,
    USCC_WEIGHTS,
    id_check_char,
    org_code_check_char,
    uscc_check_char,
    validate_id_number,
    validate_uscc,
)

__all__ = [
    "ID_CHECK_CHARS",
    "ID_WEIGHTS",
    "ORG_WEIGHTS",
    "USCC_CHARSET",
    "USCC_WEIGHTS",
    "id_check_char",
    "is_valid_id_number",
    "is_valid_uscc",
    "org_code_check_char",
    "uscc_check_char",
]


def is_valid_id_number(number: str) -> bool:
    """Whether an 18-character resident ID number is valid (form, region, birth date, check)."""
    return validate_id_number(number).ok


def is_valid_uscc(code: str) -> bool:
    """Whether a USCC has valid organisation-code and final check characters."""
    return validate_uscc(code).ok
