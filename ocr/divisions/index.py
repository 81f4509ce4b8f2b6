"""The GB/T 2260 division names as an in-memory index: exact forms and one-edit keys.

Built once per process from ``gbt2260.tsv`` (see scripts/make_divisions.py for its source) by
:func:`division_index`. Besides each official name it indexes the common short forms
(北京市 → 北京, 广西壮族自治区 → 广西, 延边朝鲜族自治州 → 延边, 浦东新区 → 浦东), which the
matcher accepts only in restricted places.
"""

from __future__ import annotations

import enum
import functools
import re
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from typing import NamedTuple

DATA_FILE = "gbt2260.tsv"
CURRENT = "current"

# The 55 minority nationalities as they appear in autonomous division names; longer first so
# that 土家 is preferred to 土.
_NATIONALITIES = sorted(
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 "
    "水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 "
    "乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺".split(),
    key=len,
    reverse=True,
)
_AUTONOMOUS = re.compile(
    r"^(.{2,}?)(?:(?:" + "|".join(_NATIONALITIES) + r")族?)*自治(?:区|州|县|旗)$"
)
_SUFFIXES = ("特别行政区", "新区", "地区", "林区", "省", "市", "区", "县", "旗", "盟")


class Level(enum.IntEnum):
    """The three GB/T 2260 levels, in hierarchical order."""

    PROVINCE = 1
    PREFECTURE = 2
    COUNTY = 3


class Form(enum.Enum):
    """How a name entry spells its division."""

    FULL = "full"
    SHORT = "short"


@dataclass(frozen=True, slots=True)
class Division:
    """One (code, name) pair of the data; a renamed division has one per name."""

    code: str
    name: str
    parent: str
    current: bool
    last: str

    @property
    def level(self) -> Level:
        if self.code.endswith("0000"):
            return Level.PROVINCE
        if self.code.endswith("00"):
            return Level.PREFECTURE
        return Level.COUNTY


class NameEntry(NamedTuple):
    """A spelling (the official name or a short form) that the matcher can find in text.

    A named tuple rather than a dataclass: the index makes some 8,000 of them on first use
    and a tuple is several times cheaper to build.
    """

    form: str
    kind: Form
    division: Division


def short_form(name: str) -> str | None:
    """The common short form of an official name, or None when it would be under 2 characters.

    >>> short_form("广西壮族自治区"), short_form("北京市"), short_form("浦东新区")
    ('广西', '北京', '浦东')
    """
    found = _AUTONOMOUS.match(name)
    if found:
        return found.group(1)
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def substitution_keys(form: str) -> list[str]:
    """Keys shared by ``form`` and every string that differs from it in one character.

    The last character (the type: 省, 市, 区, 县 ...) is never a substitution site: a street
    (长丰路) must not become a county (长丰县). Forms shorter than 3 characters get no keys, so
    at least two characters of a corrected name were read correctly.
    """
    if len(form) < 3:
        return []
    return [f"S{form[:i]}\x00{form[i + 1:]}" for i in range(len(form) - 1)]


def omission_keys(form: str) -> list[str]:
    """Keys for ``form`` read with one interior character missing (4+ characters only)."""
    if len(form) < 4:
        return []
    return [f"D{form[:i]}{form[i + 1:]}" for i in range(1, len(form) - 1)]


class DivisionIndex:
    """Division rows by code; name entries by exact spelling and by parent code; official
    names also by one-edit key (short forms are only ever matched exactly or when anchored)."""

    def __init__(self, divisions: list[Division]) -> None:
        self.divisions = tuple(divisions)
        by_code: dict[str, Division] = {}
        exact: dict[str, list[NameEntry]] = defaultdict(list)
        children: dict[str, list[NameEntry]] = defaultdict(list)
        full, short = Form.FULL, Form.SHORT
        for division in divisions:
            known = by_code.get(division.code)
            if known is None or (division.current, division.last) > (known.current, known.last):
                by_code[division.code] = division
            name = division.name
            entry = NameEntry(name, full, division)
            exact[name].append(entry)
            children[division.parent].append(entry)
            abbreviation = short_form(name)
            if abbreviation is not None:
                entry = NameEntry(abbreviation, short, division)
                exact[abbreviation].append(entry)
                children[division.parent].append(entry)
        self._by_code = by_code
        self.exact = dict(exact)
        self.children = dict(children)
        self.lengths = tuple(sorted({len(form) for form in self.exact}))
        self._lengths_under: dict[str, tuple[int, ...]] = {}

    @functools.cached_property
    def fuzzy(self) -> dict[str, list[NameEntry]]:
        """Official names by one-edit key; built on the first near match, since clean text
        never needs it and it is half the cost of the index."""
        fuzzy: dict[str, list[NameEntry]] = defaultdict(list)
        for entries in self.exact.values():
            for entry in entries:
                if entry.kind is Form.FULL:
                    for key in substitution_keys(entry.form):
                        fuzzy[key].append(entry)
                    for key in omission_keys(entry.form):
                        fuzzy[key].append(entry)
        return dict(fuzzy)

    def lengths_under(self, scope: Division | None) -> tuple[int, ...]:
        """The lengths of the names that may follow ``scope`` (its children, and a province's
        counties too), so that the matcher slices only windows that can match."""
        if scope is None:
            return self.lengths
        found = self._lengths_under.get(scope.code)
        if found is None:
            entries = list(self.children.get(scope.code, ()))
            if scope.level is Level.PROVINCE:
                for entry in entries[:]:
                    if entry.division.level is Level.PREFECTURE:
                        entries.extend(self.children.get(entry.division.code, ()))
            found = tuple(sorted({len(entry.form) for entry in entries}))
            self._lengths_under[scope.code] = found
        return found

    def __len__(self) -> int:
        return len(self.divisions)

    def get(self, code: str) -> Division | None:
        """The division with this code (its current name when it was renamed)."""
        return self._by_code.get(code)


def parse_rows(text: str) -> list[Division]:
    """Rows of the TSV (``code, name, parent, last``) after its comment header."""
    divisions = []
    lines = (line for line in text.splitlines() if line and not line.startswith("#"))
    next(lines)  # the column names
    for line in lines:
        code, name, parent, last = line.split("\t")
        divisions.append(Division(code, name, parent, last == CURRENT, last))
    return divisions


@functools.cache
def division_index() -> DivisionIndex:
    """The index over the packaged data, built on first use and shared by the process."""
    text = resources.files(__package__).joinpath(DATA_FILE).read_text(encoding="utf-8")
    return DivisionIndex(parse_rows(text))
