"""Field rules applied to one value: each failure is a finding code plus message parameters.

The value given is present (a missing value is handled by the engine with the ``required``
rule); the engine adds which material and field it is about and renders the messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from verify.forms.checkdigits import validate_id_number, validate_org_code, validate_uscc
from verify.forms.normalize import (
    compact_text,
    is_open_ended,
    normalize_identifier,
    normalize_name,
    parse_date,
)
from verify.forms.people import normalize_mobile, validate_mobile, validate_person_name
from verify.forms.problems import IdentifierCheck
from verify.forms.result import FindingCode
from verify.forms.specs import (
    DateRule,
    EnumRule,
    FieldRule,
    IdNumberRule,
    LengthRule,
    MobileRule,
    OrgCodeRule,
    PersonNameRule,
    RegexRule,
    RequiredRule,
    UsccRule,
)

MULTIPLE_SEPARATOR = "、"


@dataclass(frozen=True, slots=True)
class RuleFailure:
    """A rule the value broke: the finding code and the parameters its message needs."""

    code: FindingCode
    params: dict[str, Any] = field(default_factory=dict)


def check_rule(rule: FieldRule, value: str, today: date) -> RuleFailure | None:
    """Apply one field rule to a present value; ``None`` when it passes."""
    match rule:
        case RequiredRule():
            return None
        case LengthRule():
            n = len(compact_text(value))
            if rule.min is not None and n < rule.min:
                return RuleFailure(FindingCode.FIELD_TOO_SHORT, {"min": rule.min})
            if rule.max is not None and n > rule.max:
                return RuleFailure(FindingCode.FIELD_TOO_LONG, {"max": rule.max})
            return None
        case RegexRule():
            if re.fullmatch(rule.pattern, compact_text(value)):
                return None
            return RuleFailure(FindingCode.FIELD_PATTERN, {"pattern": rule.pattern})
        case EnumRule():
            allowed = {compact_text(v) for v in rule.values}
            parts = compact_text(value).split(MULTIPLE_SEPARATOR)
            if all(p in allowed for p in parts):
                return None
            return RuleFailure(FindingCode.FIELD_NOT_ALLOWED, {"values": "、".join(rule.values)})
        case DateRule():
            return _check_date(rule, value, today)
        case IdNumberRule():
            return _identifier("id_number", validate_id_number(normalize_identifier(value),
                                                              today=today))
        case UsccRule():
            return _identifier("uscc", validate_uscc(normalize_identifier(value)))
        case OrgCodeRule():
            return _identifier("org_code", validate_org_code(normalize_identifier(value)))
        case MobileRule():
            return _identifier("mobile", validate_mobile(normalize_mobile(value)))
        case PersonNameRule():
            return _identifier("person_name", validate_person_name(normalize_name(value)))
    raise TypeError(f"unknown rule {type(rule).__name__}")  # pragma: no cover - exhaustive


def _identifier(kind: str, check: IdentifierCheck) -> RuleFailure | None:
    if check.problem is None:
        return None
    return RuleFailure(FindingCode(f"{kind}.{check.problem.value}"))


def _check_date(rule: DateRule, value: str, today: date) -> RuleFailure | None:
    if rule.open_ended and is_open_ended(value):
        return None
    day = parse_date(value)
    if day is None:
        return RuleFailure(FindingCode.FIELD_NOT_A_DATE)
    if rule.not_before is not None and day < rule.not_before.resolve(today):
        bound = rule.not_before.resolve(today).isoformat()
        return RuleFailure(FindingCode.FIELD_TOO_EARLY, {"bound": bound})
    if rule.not_after is not None and day > rule.not_after.resolve(today):
        bound = rule.not_after.resolve(today).isoformat()
        return RuleFailure(FindingCode.FIELD_TOO_LATE, {"bound": bound})
    return None
