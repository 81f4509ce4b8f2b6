"""Cross-material rules: values that must agree between documents (the name on the form and on
the ID card), what an ID number encodes (birth date, sex) and whether a document is valid on a
day. A rule whose material was not submitted is skipped (the missing material is its own
finding); a rule that cannot read a value it needs asks a clerk to compare by eye."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from verify.forms.checkdigits import validate_id_number
from verify.forms.normalize import (
    compact_text,
    is_open_ended,
    normalize_identifier,
    normalize_name,
    parse_date,
)
from verify.forms.reading import ReadValue
from verify.forms.result import FindingCode
from verify.forms.rules import RuleFailure
from verify.forms.specs import (
    Compare,
    CrossRule,
    DifferentRule,
    EqualRule,
    IdNumberBirthDateRule,
    IdNumberSexRule,
    ValidOnRule,
)

# ``lookup(ref)`` gives the value read for ``material.field``, or ``None`` when that material
# was not submitted at all.
Lookup = Callable[[str], ReadValue | None]


def check_cross(rule: CrossRule, lookup: Lookup, today: date) -> RuleFailure | None:
    """Apply one cross rule; ``None`` when it holds or does not apply."""
    refs = dict(rule.references())
    values = {name: lookup(ref) for name, ref in refs.items()}
    if isinstance(rule, ValidOnRule) and rule.as_of != "today":
        values["as_of"] = lookup(rule.as_of)
        refs["as_of"] = rule.as_of
    if any(v is None for v in values.values()):
        return None  # a material is absent: reported as missing, nothing to compare
    unread = [refs[name] for name, v in values.items() if v is not None and v.value is None]
    if unread:
        return RuleFailure(FindingCode.CROSS_NOT_CHECKED, {"unread": tuple(unread)})
    text = {name: v.value or "" for name, v in values.items() if v is not None}
    match rule:
        case EqualRule() | DifferentRule():
            left, right = _canonical(text["left"], rule.compare), \
                _canonical(text["right"], rule.compare)
            if left is None or right is None:
                bad = refs["left"] if left is None else refs["right"]
                return RuleFailure(FindingCode.CROSS_NOT_CHECKED, {"unread": (bad,)})
            if isinstance(rule, EqualRule) and left != right:
                return RuleFailure(FindingCode.CROSS_MISMATCH)
            if isinstance(rule, DifferentRule) and left == right:
                return RuleFailure(FindingCode.CROSS_SAME)
            return None
        case IdNumberBirthDateRule() | IdNumberSexRule():
            check = validate_id_number(normalize_identifier(text["id_number"]))
            if not check.ok:
                return RuleFailure(FindingCode.CROSS_NOT_CHECKED, {"unread": (refs["id_number"],)})
            if isinstance(rule, IdNumberBirthDateRule):
                if parse_date(text["birth_date"]) != check.birth_date:
                    return RuleFailure(FindingCode.CROSS_BIRTH_DATE_MISMATCH)
                return None
            if check.sex is None or compact_text(text["sex"]) != check.sex.value:
                return RuleFailure(FindingCode.CROSS_SEX_MISMATCH)
            return None
        case ValidOnRule():
            return _valid_on(rule, text, refs, today)
    raise TypeError(f"unknown cross rule {type(rule).__name__}")  # pragma: no cover


def _canonical(value: str, compare: Compare) -> Any:
    if compare is Compare.NAME:
        return normalize_name(value)
    if compare is Compare.IDENTIFIER:
        return normalize_identifier(value)
    if compare is Compare.DATE:
        return parse_date(value)
    return compact_text(value)


def _valid_on(rule: ValidOnRule, text: dict[str, str], refs: dict[str, str],
              today: date) -> RuleFailure | None:
    as_of = today if rule.as_of == "today" else parse_date(text["as_of"])
    if as_of is None:
        return RuleFailure(FindingCode.CROSS_NOT_CHECKED, {"unread": (refs["as_of"],)})
    params: dict[str, Any] = {"as_of": as_of.isoformat()}
    if "valid_from" in text:
        since = parse_date(text["valid_from"])
        if since is None:
            return RuleFailure(FindingCode.CROSS_NOT_CHECKED, {"unread": (refs["valid_from"],)})
        if since > as_of:
            return RuleFailure(FindingCode.CROSS_NOT_YET_VALID,
                               {**params, "since": since.isoformat()})
    if is_open_ended(text["valid_until"]):
        return None
    until = parse_date(text["valid_until"])
    if until is None:
        return RuleFailure(FindingCode.CROSS_NOT_CHECKED, {"unread": (refs["valid_until"],)})
    if until < as_of:
        return RuleFailure(FindingCode.CROSS_EXPIRED, {**params, "until": until.isoformat()})
    return None
