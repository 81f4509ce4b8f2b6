"""Personal identifiers without a check digit: mainland mobile numbers and Chinese names.

Mobile numbers: 11 digits, ``1`` then ``3``-``9`` (the MIIT numbering plan's mobile blocks).
Which three-digit segments are assigned changes every few years, so a segment is not checked.

Names: Chinese characters (the basic block and extensions A-H, compatibility ideographs), at
least two of them; the transliterated names of many ethnic minorities (Uyghur, Kazakh, some
Tibetan and Mongolian names) separate their parts with a middle dot ``·``, e.g.
``买买提·艾力``: a dot must stand between two characters, never at an end or doubled.
"""

from __future__ import annotations

import re

from verify.forms.normalize import MIDDLE_DOT, normalize_identifier
from verify.forms.problems import IdentifierCheck, Problem

NAME_MIN_CHARS = 2
# The resident ID card's name field holds long transliterated names; 30 characters is far
# beyond any Han name and leaves room for them.
NAME_MAX_CHARS = 30

_IDEOGRAPH = re.compile(
    "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f\U00030000-\U0003134f]"
)
_COUNTRY_PREFIXES = ("+86", "0086", "86")


def normalize_mobile(text: str) -> str:
    """A phone number as 11 digits: half-width, no separators, no ``+86`` / ``0086`` prefix."""
    t = normalize_identifier(text).replace("(", "").replace(")", "")
    for prefix in _COUNTRY_PREFIXES:
        if t.startswith(prefix) and len(t) == len(prefix) + 11:
            return t[len(prefix):]
    return t


def validate_mobile(number: str) -> IdentifierCheck:
    """Check a mainland mobile number given as 11 ASCII digits (see :func:`normalize_mobile`)."""
    if len(number) != 11:
        return IdentifierCheck(number, Problem.LENGTH)
    if not number.isascii() or not number.isdigit():
        return IdentifierCheck(number, Problem.CHARSET)
    if number[0] != "1" or number[1] not in "3456789":
        return IdentifierCheck(number, Problem.PREFIX)
    return IdentifierCheck(number)


def validate_person_name(name: str) -> IdentifierCheck:
    """Check a Chinese personal name (already normalised with ``normalize_name``)."""
    parts = name.split(MIDDLE_DOT)
    if any(not _IDEOGRAPH.fullmatch(c) for c in name if c != MIDDLE_DOT):
        return IdentifierCheck(name, Problem.CHARACTER)
    if len(parts) > 1 and any(not p for p in parts):
        return IdentifierCheck(name, Problem.DOT)
    letters = len(name) - name.count(MIDDLE_DOT)
    if letters < NAME_MIN_CHARS:
        return IdentifierCheck(name, Problem.TOO_SHORT)
    if len(name) > NAME_MAX_CHARS:
        return IdentifierCheck(name, Problem.TOO_LONG)
    return IdentifierCheck(name)
