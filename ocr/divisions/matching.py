"""Matching the division prefix of an OCR'd address or authority name, correcting it when safe.

A prefix is a chain of division names, each one inside the one before it: province →
prefecture → county, where any level may be the first (合肥市蜀山区…, 昆山市…) and a province
may be followed directly by one of its counties. At every position the names that occur
exactly win; only when none does is a one-edit match tried, and it is taken only when a single
division name (within the parent, or nationwide at the start) is that close. Among the chains
that can be read, the one consuming the most characters wins, then the one with fewer
corrections, then the one naming more divisions still in force; a remaining tie is ambiguous
and gives no match.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ocr.divisions.index import Division, DivisionIndex, Form, Level, NameEntry, division_index

# Organ words that follow the division prefix of a 签发机关 or 登记机关, longest first so that
# 公安分局 is not read as 公安…
ORGANS = tuple(sorted(
    (
        "公安局", "公安分局", "公安厅", "分局", "市场监督管理局", "市场监管局",
        "工商行政管理局", "工商局", "行政审批局", "行政审批服务局", "市场和质量监督管理局",
        "市场监督管理和知识产权局", "市场和质量技术监督局", "质量技术监督局",
    ),
    key=len,
    reverse=True,
))
# 北京市公安局海淀分局: a county, often in its short form, between an organ word and this.
BRANCH = "分局"


@dataclass(frozen=True, slots=True)
class DivisionMatch:
    """The division prefix found in ``original``.

    ``text`` is ``original`` with the matched names replaced by their official spelling,
    ``codes`` the GB/T 2260 codes of the names in reading order, ``span`` how many characters
    of ``original`` the names take up (in an authority, up to the end of the last name).
    """

    text: str
    corrected: bool
    original: str
    codes: tuple[str, ...]
    span: int


@dataclass(frozen=True, slots=True)
class _Step:
    entry: NameEntry
    start: int
    end: int
    corrected: bool


def _in_scope(entry: NameEntry, scope: Division | None) -> bool:
    """Whether ``entry`` may follow ``scope`` (None: the start of the text)."""
    division = entry.division
    if entry.kind is Form.SHORT and division.level is Level.COUNTY:
        return False
    if scope is None:
        return True
    if division.parent == scope.code:
        return True
    return (
        scope.level is Level.PROVINCE
        and division.level is Level.COUNTY
        and division.code[:2] == scope.code[:2]
    )


def _exact_steps(index: DivisionIndex, text: str, pos: int, scope: Division | None) -> list[_Step]:
    steps = []
    for length in index.lengths_under(scope):
        end = pos + length
        if end > len(text):
            break
        for entry in index.exact.get(text[pos:end], ()):
            if _in_scope(entry, scope):
                steps.append(_Step(entry, pos, end, False))
    return steps


def _near_steps(index: DivisionIndex, text: str, pos: int, scope: Division | None) -> list[_Step]:
    """Official names one edit away from the text at ``pos``: a substituted character (never the
    last), an interior character missing, or an interior character too many."""
    steps = []
    fuzzy = index.fuzzy
    for length in index.lengths_under(scope):
        if length < 3 or pos + length - 1 > len(text):
            continue
        # Substitution: a window as long as the name.
        end = pos + length
        window = text[pos:end]
        if len(window) == length:
            for i in range(length - 1):
                for entry in fuzzy.get(f"S{window[:i]}\x00{window[i + 1:]}", ()):
                    if _in_scope(entry, scope):
                        steps.append(_Step(entry, pos, end, True))
        # Omission: a window one shorter than the name.
        if length >= 4:
            for entry in fuzzy.get(f"D{text[pos:end - 1]}", ()):
                if len(entry.form) == length and _in_scope(entry, scope):
                    steps.append(_Step(entry, pos, end - 1, True))
        # Insertion: a window one longer than the name.
        window = text[pos:end + 1]
        if len(window) == length + 1:
            for j in range(1, length):
                for entry in index.exact.get(window[:j] + window[j + 1:], ()):
                    if entry.kind is Form.FULL and _in_scope(entry, scope):
                        steps.append(_Step(entry, pos, end + 1, True))
    return steps


def _unique(steps: list[_Step]) -> list[_Step]:
    """The best step when all name one division, else none.

    Rows with one official name under one parent are one division recoded over time. Rows with
    one spelling in the text but different names are one place renamed when only one of them
    is in force (鹿泉市 → 鹿泉区, both 鹿泉 before 分局), and two places otherwise (临夏市 and
    临夏县 are both 临夏). The row in force (or the latest) stands for the division, and a
    same-length reading is preferred to an indel.
    """
    groups = {(s.entry.division.name, s.entry.division.parent) for s in steps}
    if len(groups) > 1:
        in_force = {(s.entry.division.name, s.entry.division.parent) for s in steps
                    if s.entry.division.current}
        if len({s.entry.form for s in steps}) != 1 or len(in_force) != 1:
            return []
        steps = [s for s in steps if (s.entry.division.name, s.entry.division.parent) in in_force]
    if not steps:
        return []
    best = min(
        steps,
        key=lambda s: (
            s.end - s.start != len(s.entry.form),
            not s.entry.division.current,
            s.entry.division.last,
        ),
    )
    return [best]


def _next_steps(index: DivisionIndex, text: str, pos: int, scope: Division | None) -> list[_Step]:
    return _exact_steps(index, text, pos, scope) or _unique(_near_steps(index, text, pos, scope))


def _chains(
    index: DivisionIndex, text: str, pos: int, scope: Division | None, steps: tuple[_Step, ...]
) -> Iterator[tuple[_Step, ...]]:
    """Every chain of names readable from ``pos`` (each prefix of a chain included)."""
    if steps:
        yield steps
    if scope is not None and scope.level is Level.COUNTY:
        return
    for step in _next_steps(index, text, pos, scope):
        yield from _chains(index, text, step.end, step.entry.division, (*steps, step))


def _branch_step(index: DivisionIndex, text: str, pos: int, scope: Division) -> list[_Step]:
    """The county (official or short name) at ``pos`` followed by 分局, read exactly or with
    one substituted character when no other county of ``scope`` is that close."""
    exact: list[_Step] = []
    near: list[_Step] = []
    for entry in index.children.get(scope.code, ()):
        end = pos + len(entry.form)
        if entry.division.level is not Level.COUNTY or not text.startswith(BRANCH, end):
            continue
        # Both are len(entry.form) long: 分局 was found at ``end``.
        window = text[pos:end]
        if window == entry.form:
            exact.append(_Step(entry, pos, end, False))
        elif sum(a != b for a, b in zip(window, entry.form, strict=True)) == 1:
            near.append(_Step(entry, pos, end, True))
    return _unique(exact) or (_unique(near) if not exact else [])


def _organ_end(text: str, pos: int) -> int | None:
    for organ in ORGANS:
        if text.startswith(organ, pos):
            return pos + len(organ)
    return None


def _best(original: str, chains: list[tuple[_Step, ...]]) -> DivisionMatch | None:
    """The longest chain, then the least corrected, then the most current; None on a tie."""
    if not chains:
        return None

    def score(chain: tuple[_Step, ...]) -> tuple[int, int, int]:
        corrections = sum(step.corrected for step in chain)
        current = sum(step.entry.division.current for step in chain)
        return (chain[-1].end, -corrections, current)

    top = max(score(chain) for chain in chains)
    results = {_result(original, chain) for chain in chains if score(chain) == top}
    return results.pop() if len(results) == 1 else None


def _result(original: str, chain: tuple[_Step, ...]) -> DivisionMatch:
    pieces = []
    last = 0
    for step in chain:
        pieces.append(original[last:step.start])
        pieces.append(step.entry.form)
        last = step.end
    pieces.append(original[last:])
    return DivisionMatch(
        text="".join(pieces),
        corrected=any(step.corrected for step in chain),
        original=original,
        codes=tuple(step.entry.division.code for step in chain),
        span=chain[-1].end,
    )


def match_address(text: str) -> DivisionMatch | None:
    """The division prefix of an address (住址, 住所), corrected where that is unambiguous.

    A short form (北京, 广西) counts only when an official name follows it, so 北京路 or 中山路
    at the start of an address is not taken for a place.
    """
    index = division_index()
    chains = [
        chain for chain in _chains(index, text, 0, None, ())
        if chain[-1].entry.kind is Form.FULL
    ]
    return _best(text, chains)


def match_authority(text: str) -> DivisionMatch | None:
    """The division names of an issuing or registering authority (签发机关, 登记机关).

    The prefix must be followed by an organ word (公安局, 市场监督管理局, 工商行政管理局 …);
    after the organ word a county and 分局 may follow (北京市公安局海淀分局), the county also
    in its short form. None when no organ word follows a readable prefix.
    """
    index = division_index()
    chains = []
    for chain in _chains(index, text, 0, None, ()):
        organ_end = _organ_end(text, chain[-1].end)
        if chain[-1].entry.kind is not Form.FULL or organ_end is None:
            continue
        scope = chain[-1].entry.division
        branch = _branch_step(index, text, organ_end, scope) if scope.level < Level.COUNTY else []
        chains.append((*chain, *branch))
    return _best(text, chains)
