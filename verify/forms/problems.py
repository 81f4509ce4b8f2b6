"""What an identifier validator reports: a problem code, the value checked and what it derived."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Problem(StrEnum):
    """Why a value is not a valid identifier or name. Values are stable: they end finding codes
    (``id_number.check_char``, ``uscc.org_code``, ``person_name.dot`` ...)."""

    LENGTH = "length"
    CHARSET = "charset"
    REGION = "region"
    BIRTH_DATE = "birth_date"
    BIRTH_IN_FUTURE = "birth_in_future"
    CHECK_CHAR = "check_char"
    ORG_CODE = "org_code"
    PREFIX = "prefix"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    CHARACTER = "character"
    DOT = "dot"


class Sex(StrEnum):
    """Sex as printed on the resident ID card; the ID number's 17th digit is odd for men."""

    MALE = "男"
    FEMALE = "女"


@dataclass(frozen=True, slots=True)
class IdentifierCheck:
    """The outcome of one validator: ``problem`` is ``None`` when the value is valid.

    ``expected_check`` is the check character the body calls for (set when the check character
    is wrong); ``birth_date`` and ``sex`` are what a *valid* resident ID number encodes.
    """

    value: str
    problem: Problem | None = None
    expected_check: str | None = None
    birth_date: date | None = None
    sex: Sex | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None
