"""The photo step as the pages show it (issue 13, item 4): from a material's stored photo check
(:class:`api.db.PhotoCheck` as :func:`api.schemas.from_rows.material_public` hands it on), a
:class:`PhotoStep` — one or two plain instructions for the applicant, the applicant's own
problems apart from what the auto-fix repairs, whether a fixed photo is on offer and whether it
passes, every failed and warning verdict explained in words for the 详情 toggle and the clerk,
and whether the photo is an auto-fixed one the applicant took.

Whose item a rule is, the instructions and the explanations come from ``verify.photo`` (the
rules' own texts); this module only decides which verdicts the page leads with. A stored report
that cannot be read (an older or damaged row) gives a step with what could be read, never an
error."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from verify.photo import (
    BACKGROUND_CHECKS,
    CheckKind,
    CheckResult,
    CheckStatus,
    PhotoCheck,
    explain,
    instruction,
    kind_of,
    lead_instructions,
    title,
)

__all__ = ["BACKGROUND_CHECK_IDS", "PhotoItem", "PhotoStep", "photo_offer"]

Pair = tuple[str, str]

# The photo checks about the background: when one failed, the fix offer says so first.
BACKGROUND_CHECK_IDS = tuple(sorted(c.value for c in BACKGROUND_CHECKS))
# How many instructions lead the step: one or two plain sentences, the rest under 详情.
LEAD = 2


@dataclass(frozen=True)
class PhotoItem:
    """One verdict as the pages show it: the rule's id (for tests and staff), its status
    (``fail`` / ``warn``), whose item it is, its plain name, what to do, and the measurement
    in words."""

    check: str
    status: str
    kind: str
    title: Pair
    instruction: Pair
    explanation: Pair

    @property
    def failed(self) -> bool:
        return self.status == CheckStatus.FAIL.value


@dataclass(frozen=True)
class PhotoStep:
    """What the photo part of a material slot shows. ``instructions`` lead (at most two);
    ``problems`` are the applicant's items (what a new photo must change); ``fixed_items`` the
    mechanical items the offered fixed photo repairs; ``details`` every failed and warning
    verdict of the uploaded photo, explained; ``remaining`` the fixed photo's own failures.
    ``fixed`` says a fixed photo is on offer, ``fixed_passes`` that it meets every rule,
    ``fix_error`` why no fix was possible, ``used_fixed`` that this photo is an auto-fixed one
    the applicant took."""

    checked: bool = False
    passed: bool = False
    profile: str = ""
    error: dict[str, Any] | None = None
    instructions: tuple[Pair, ...] = ()
    problems: tuple[PhotoItem, ...] = ()
    fixed_items: tuple[PhotoItem, ...] = ()
    details: tuple[PhotoItem, ...] = ()
    remaining: tuple[PhotoItem, ...] = ()
    fixed: bool = False
    fixed_passes: bool = False
    fix_error: Pair | None = None
    used_fixed: bool = False
    background: bool = False

    @property
    def failed(self) -> tuple[PhotoItem, ...]:
        """Every failed verdict of the uploaded photo."""
        return tuple(item for item in self.details if item.failed)

    @property
    def warnings(self) -> tuple[PhotoItem, ...]:
        return tuple(item for item in self.details if not item.failed)


def photo_offer(photo_check: dict[str, Any] | None) -> PhotoStep:
    """The photo step of one material from its stored check (``None``: not checked yet)."""
    if not photo_check:
        return PhotoStep()
    result = _dict(photo_check.get("result"))
    error = result.get("error") if isinstance(result.get("error"), dict) else None
    checks = _results(result.get("checks"))
    shown = [c for c in checks if c.status in (CheckStatus.FAIL, CheckStatus.WARN)]
    failed = [c for c in shown if c.status is CheckStatus.FAIL]
    fix = _dict(result.get("fix"))
    fixed = bool(photo_check.get("fixed_sha256"))
    fix_error = _error_pair(fix.get("error"))
    remaining = _remaining(fix) if fixed else []
    # A rule only the fixed photo fails was broken by the fix (a small photo enlarged).
    by_fix = frozenset(c.check for c in remaining) - {c.check for c in failed}
    if fixed:
        # The fixed photo repairs every mechanical item; what is left is the applicant's.
        problems = remaining
        fixed_items = [c for c in failed if kind_of(c.check) is CheckKind.MECHANICAL]
    elif fix_error is not None or fix:
        # No usable fix: the mechanical items are the applicant's too.
        problems, fixed_items = failed, []
    else:
        problems = [c for c in failed if kind_of(c.check) is CheckKind.APPLICANT]
        fixed_items = []
        if not problems:  # nothing was fixed and nothing is the applicant's: say all
            problems = failed
    return PhotoStep(
        checked=True, passed=bool(photo_check.get("passed")),
        profile=str(photo_check.get("profile") or result.get("profile") or ""), error=error,
        instructions=lead_instructions(problems, LEAD, by_fix=by_fix),
        problems=_items(problems, by_fix),
        fixed_items=_items(fixed_items), details=_items(shown),
        remaining=_items(remaining, by_fix),
        fixed=fixed, fixed_passes=fixed and bool(fix.get("passed")), fix_error=fix_error,
        used_fixed=bool(result.get("fixed_photo_used")),
        background=any(c.check in BACKGROUND_CHECKS for c in failed))


def _dict(raw: Any) -> dict[str, Any]:
    return raw if isinstance(raw, dict) else {}


def _results(raw: Any) -> list[CheckResult]:
    """The stored verdicts that can be read back (an unknown rule id is skipped)."""
    results = []
    for item in raw if isinstance(raw, list) else []:
        try:
            results.append(CheckResult.from_dict(item))
        except (KeyError, ValueError, TypeError, AttributeError):
            continue
    return results


def _remaining(fix: dict[str, Any]) -> list[CheckResult]:
    """The fixed photo's failed verdicts: in full when stored (``fix.checks``), else rebuilt
    from their ids (reports stored before issue 13 kept only the ids)."""
    full = [c for c in _results(fix.get("checks")) if c.status is CheckStatus.FAIL]
    if full or not isinstance(fix.get("failed"), list):
        return full
    rebuilt = []
    for check_id in fix["failed"]:
        try:
            check = PhotoCheck(check_id)
        except ValueError:
            continue
        zh, en = title(check)  # no measurement stored: the explanation is the rule's name
        rebuilt.append(CheckResult(check, CheckStatus.FAIL, None, "", "", en, zh))
    return rebuilt


def _items(results: Iterable[CheckResult], by_fix: frozenset[PhotoCheck] = frozenset()
           ) -> tuple[PhotoItem, ...]:
    return tuple(PhotoItem(check=c.check.value, status=c.status.value,
                           kind=kind_of(c.check).value, title=title(c.check),
                           instruction=instruction(c, by_fix=c.check in by_fix),
                           explanation=explain(c))
                 for c in results)


def _error_pair(raw: Any) -> Pair | None:
    if not isinstance(raw, dict):
        return None
    zh, en = raw.get("message_zh"), raw.get("message_en")
    if not zh and not en:
        return None
    return str(zh or en), str(en or zh)
