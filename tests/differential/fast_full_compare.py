"""Compare the fast PDF verification path with the full pyHanko validator on one file, at both
levels: ``signing.validate_pdf`` and ``elicense.verify_licence_pdf``, each called with
``fast=True`` (the fast path, falling back to the full one when it declines) and ``fast=False``
(the full validator, the reference).

The fast path may only give the same verdict or a stricter one. Strictness order: PASSED <
INDETERMINATE < FAILED. When both pass, the PAdES level, the signer's key id and the signing
time must be equal too. ``signing.pades_fast.fast_validate`` is also called
on its own to count the files the fast path decided itself (a verdict) and those it handed
over (``None``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from licence_material import Material

import signing
from elicense import verify_licence_pdf
from signing import Indication
from signing.pades_fast import fast_validate

RANK = {Indication.PASSED: 0, Indication.INDETERMINATE: 1, Indication.FAILED: 2}


class Outcome(StrEnum):
    AGREE = "agree"
    FAST_STRICTER = "fast_stricter"
    FAST_LENIENT = "fast_more_lenient"  # must never happen
    PASSED_DIFFERENT = "both_passed_but_differ"  # must never happen either


class Decision(StrEnum):
    DECIDED = "fast_decided"
    FELL_BACK = "fell_back"


def _pair(function: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, Any]:
    """``function`` with ``fast=True`` and with ``fast=False``."""
    return function(*args, fast=True, **kwargs), function(*args, fast=False, **kwargs)


def _same_pass(fast: Any, full: Any) -> bool:
    return (fast.level == full.level and fast.signer_kid == full.signer_kid
            and fast.signing_time == full.signing_time)


def compare(fast: Any, full: Any, summary: Callable[[Any], Any]) -> Outcome:
    """``fast`` against ``full`` (verdicts with ``indication``); ``summary`` picks the object
    whose level, signer_kid and signing_time must match when both passed."""
    r_fast, r_full = RANK[fast.indication], RANK[full.indication]
    if r_fast < r_full:
        return Outcome.FAST_LENIENT
    if r_fast > r_full:
        return Outcome.FAST_STRICTER
    if fast.indication is Indication.PASSED and not _same_pass(summary(fast), summary(full)):
        return Outcome.PASSED_DIFFERENT
    return Outcome.AGREE


@dataclass(frozen=True)
class Result:
    signature: Outcome
    licence: Outcome
    decision: Decision
    direct: Outcome | None  # the fast path's own verdict against the full one, when it gave one
    full_signature: Indication
    full_licence: Indication
    fast_signature: Indication
    fast_licence: Indication

    @property
    def bad(self) -> bool:
        return any(o in (Outcome.FAST_LENIENT, Outcome.PASSED_DIFFERENT)
                   for o in (self.signature, self.licence, self.direct))


def check(pdf: bytes, material: Material) -> Result:
    trust, now = material.trust, material.now
    kwargs: dict[str, Any] = {"trust_roots": [trust.root], "crls": trust.crls, "now": now}
    fast, full = _pair(signing.validate_pdf, pdf, **kwargs)
    own = fast_validate(pdf, **kwargs)
    decision = Decision.FELL_BACK if own is None else Decision.DECIDED
    lic_fast, lic_full = _pair(verify_licence_pdf, pdf, trust, now=now)
    return Result(signature=compare(fast, full, lambda v: v),
                  licence=compare(lic_fast, lic_full, lambda v: v.pdf),
                  decision=decision,
                  direct=None if own is None else compare(own, full, lambda v: v),
                  full_signature=full.indication,
                  full_licence=lic_full.indication, fast_signature=fast.indication,
                  fast_licence=lic_fast.indication)


@dataclass
class Tally:
    """Counts per mutation kind."""

    rows: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, kind: str, result: Result, *, generator_failed: bool = False) -> None:
        row = self.rows.setdefault(kind, Counter())
        row["mutants"] += 1
        row["generator_failed"] += generator_failed
        row[f"sig:{result.signature}"] += 1
        row[f"lic:{result.licence}"] += 1
        row[result.decision.value] += 1
        if result.direct is not None:
            row[f"direct:{result.direct}"] += 1
        row[f"full_sig:{result.full_signature}"] += 1
        row[f"full_lic:{result.full_licence}"] += 1

    def total(self) -> Counter[str]:
        out: Counter[str] = Counter()
        for row in self.rows.values():
            out.update(row)
        return out

    def table(self) -> str:
        columns = [("mutants", "n"), ("generator_failed", "writer raised"),
                   ("sig:agree", "sig agree"), ("sig:fast_stricter", "sig stricter"),
                   ("sig:fast_more_lenient", "sig LENIENT"),
                   ("sig:both_passed_but_differ", "sig pass≠"),
                   ("lic:agree", "lic agree"), ("lic:fast_stricter", "lic stricter"),
                   ("lic:fast_more_lenient", "lic LENIENT"),
                   ("lic:both_passed_but_differ", "lic pass≠"),
                   ("fast_decided", "fast decided"), ("fell_back", "fell back"),
                   ("direct:agree", "decided = full"),
                   ("full_sig:PASSED", "full sig PASSED"),
                   ("full_lic:PASSED", "full lic PASSED")]
        lines = ["| kind | " + " | ".join(title for _, title in columns) + " |",
                 "|---|" + "---:|" * len(columns)]
        for kind, row in sorted(self.rows.items()) + [("**total**", self.total())]:
            lines.append(f"| {kind} | " + " | ".join(str(row[key]) for key, _ in columns) + " |")
        return "\n".join(lines)
