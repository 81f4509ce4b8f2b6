"""Rules as data: the field rules and cross-material rules a service definition may use.

Each rule is a frozen pydantic model told apart by ``type``; a rule without parameters may be
written as its bare type (``required``, ``id_number``). Every rule may set ``severity`` (default
``error``) and its own ``message_zh`` / ``message_en``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from verify.forms.result import Severity

IDENT = r"^[a-z][a-z0-9_]*$"
REF = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"
_RELATIVE_DAY = re.compile(r"^today(?:([+-])(\d{1,5})d)?$")


class RuleType(StrEnum):
    """Field rule types."""

    REQUIRED = "required"
    LENGTH = "length"
    REGEX = "regex"
    ENUM = "enum"
    DATE = "date"
    ID_NUMBER = "id_number"
    USCC = "uscc"
    ORG_CODE = "org_code"
    MOBILE = "mobile"
    PERSON_NAME = "person_name"


class Compare(StrEnum):
    """How two values are brought to a common form before they are compared."""

    TEXT = "text"  # no whitespace, half-width
    NAME = "name"  # also every middle-dot look-alike as ·
    IDENTIFIER = "identifier"  # also upper case, no hyphens
    DATE = "date"  # the same day, however written


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Rule(_Strict):
    severity: Severity = Severity.ERROR
    message_zh: str | None = None
    message_en: str | None = None


class RequiredRule(_Rule):
    type: Literal["required"]


class LengthRule(_Rule):
    type: Literal["length"]
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _bounds(self) -> LengthRule:
        if self.min is None and self.max is None:
            raise ValueError("a length rule needs min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is larger than max")
        return self


class RegexRule(_Rule):
    """The compact value must match ``pattern`` entirely (Python ``re`` syntax)."""

    type: Literal["regex"]
    pattern: str

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return pattern


class EnumRule(_Rule):
    type: Literal["enum"]
    values: tuple[str, ...] = Field(min_length=1)


class DateBound(_Strict):
    """A date, or a day relative to the check date: ``today``, ``today-30d``, ``today+7d``."""

    literal: date | None = None
    offset_days: int | None = None

    def resolve(self, today: date) -> date:
        if self.literal is not None:
            return self.literal
        return today + timedelta(days=self.offset_days or 0)

    def describe(self) -> str:
        if self.literal is not None:
            return self.literal.isoformat()
        return "today" if not self.offset_days else f"today{self.offset_days:+d}d"

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: Any) -> Any:
        if isinstance(data, date):
            return {"literal": data}
        if isinstance(data, str):
            if m := _RELATIVE_DAY.match(data.strip()):
                sign, days = m.group(1), int(m.group(2) or 0)
                return {"offset_days": -days if sign == "-" else days}
            try:
                return {"literal": date.fromisoformat(data.strip())}
            except ValueError:
                raise ValueError("a date bound is YYYY-MM-DD, today, today-Nd or today+Nd") \
                    from None
        return data


class DateRule(_Rule):
    """The value is a real date within the bounds; with ``open_ended`` also ``长期``."""

    type: Literal["date"]
    not_before: DateBound | None = None
    not_after: DateBound | None = None
    open_ended: bool = False


class IdNumberRule(_Rule):
    type: Literal["id_number"]


class UsccRule(_Rule):
    type: Literal["uscc"]


class OrgCodeRule(_Rule):
    type: Literal["org_code"]


class MobileRule(_Rule):
    type: Literal["mobile"]


class PersonNameRule(_Rule):
    type: Literal["person_name"]


FieldRule = Annotated[
    RequiredRule | LengthRule | RegexRule | EnumRule | DateRule | IdNumberRule | UsccRule
    | OrgCodeRule | MobileRule | PersonNameRule,
    Field(discriminator="type"),
]


class _Cross(_Strict):
    id: str = Field(pattern=IDENT, description="stable id, reported as the finding's rule")
    severity: Severity = Severity.ERROR
    message_zh: str | None = None
    message_en: str | None = None

    def references(self) -> dict[str, str]:
        """``{parameter name: "material.field"}`` for every field reference of this rule."""
        return {k: v for k, v in self.model_dump().items()
                if k not in ("id", "type", "severity", "message_zh", "message_en", "compare")
                and isinstance(v, str) and re.match(REF, v)}


class EqualRule(_Cross):
    type: Literal["equal"]
    left: str = Field(pattern=REF)
    right: str = Field(pattern=REF)
    compare: Compare = Compare.TEXT


class DifferentRule(_Cross):
    type: Literal["different"]
    left: str = Field(pattern=REF)
    right: str = Field(pattern=REF)
    compare: Compare = Compare.TEXT


class IdNumberBirthDateRule(_Cross):
    type: Literal["id_number_birth_date"]
    id_number: str = Field(pattern=REF)
    birth_date: str = Field(pattern=REF)


class IdNumberSexRule(_Cross):
    type: Literal["id_number_sex"]
    id_number: str = Field(pattern=REF)
    sex: str = Field(pattern=REF)


class ValidOnRule(_Cross):
    """A document is valid on a day: ``valid_from`` (optional) <= day <= ``valid_until``, where
    ``长期`` never ends. ``as_of`` is ``today`` (the check date) or a date field reference."""

    type: Literal["valid_on"]
    valid_from: str | None = Field(default=None, pattern=REF)
    valid_until: str = Field(pattern=REF)
    as_of: str = Field(default="today", pattern=r"^(today|[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*)$")


CrossRule = Annotated[
    EqualRule | DifferentRule | IdNumberBirthDateRule | IdNumberSexRule | ValidOnRule,
    Field(discriminator="type"),
]


def expand_shorthand(rules: Any) -> Any:
    """``["required", {"type": "length", ...}]`` -> every rule as a mapping."""
    if isinstance(rules, list | tuple):
        return [{"type": r} if isinstance(r, str) else r for r in rules]
    return rules
