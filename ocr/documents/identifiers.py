"""Identifiers read by OCR, checked and — only when it is certain — repaired by their check
characters: the resident ID number (GB 11643), the unified social credit code (GB 32100) and the
old 15-digit business registration number (GS 15-2006).

A value that fails its check is retried with the characters PP-OCR confuses (3/8, 0/D, 1/7, 6/G,
B/8 …) at its least certain positions, one position at a time. A repair is accepted only when
exactly one candidate passes; otherwise the value stays as read and is flagged
``check_digit_invalid``, which is also how a card whose printed check digit is wrong comes out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core import FieldNote
from core.checkdigits import (
    USCC_CHARSET,
    is_valid_id_number,
    is_valid_registration_number,
    is_valid_uscc,
)

# What PP-OCR reads instead of the printed character, both ways, from the misreadings seen on
# cards and licences (and the usual OCR confusion tables: 0/O/D/Q, 1/I/L/7, 2/Z, 5/S, 6/G, 8/B).
_CONFUSIONS: dict[str, str] = {
    "0": "8689DQ", "1": "74ILT", "2": "73Z", "3": "8529", "4": "1A", "5": "638S",
    "6": "5809GB", "7": "12T", "8": "30692B", "9": "0863", "X": "KY", "A": "4", "B": "836",
    "D": "0", "G": "6C", "L": "1", "T": "17", "Y": "X", "K": "X", "C": "G",
}
# A position is retried when its character was read with less than this probability; when the
# engine gives no per-character probabilities nothing is retried (a printed error stays).
LOW_CONFIDENCE = 0.97
MAX_POSITIONS = 5

_DIGITS = "0123456789"


@dataclass(frozen=True, slots=True)
class CheckedIdentifier:
    """An identifier after its check: the value to use, what was read, and what happened."""

    value: str
    raw: str
    valid: bool  # ``value`` passes its check

    @property
    def notes(self) -> tuple[FieldNote, ...]:
        if not self.valid:
            return (FieldNote.CHECK_DIGIT_INVALID,)
        if self.value != self.raw:
            return (FieldNote.CHECK_DIGIT_CORRECTED,)
        return ()


def _id_alphabet(i: int) -> str:
    return _DIGITS + "X" if i == 17 else _DIGITS


def _uscc_alphabet(i: int) -> str:
    return _DIGITS if 2 <= i <= 7 else USCC_CHARSET


def _digit_alphabet(_i: int) -> str:
    return _DIGITS


def check_id_number(raw: str, scores: Sequence[float] | None = None) -> CheckedIdentifier:
    """An 18-character resident ID number as read, with its per-character probabilities."""
    return _check(raw, scores, is_valid_id_number, _id_alphabet)


def check_uscc(raw: str, scores: Sequence[float] | None = None) -> CheckedIdentifier:
    """An 18-character unified social credit code as read."""
    return _check(raw, scores, is_valid_uscc, _uscc_alphabet)


def check_registration_number(
    raw: str, scores: Sequence[float] | None = None
) -> CheckedIdentifier:
    """A 15-digit business registration number as read."""
    return _check(raw, scores, is_valid_registration_number, _digit_alphabet)


def _check(
    raw: str,
    scores: Sequence[float] | None,
    valid: Callable[[str], bool],
    alphabet: Callable[[int], str],
) -> CheckedIdentifier:
    if valid(raw):
        return CheckedIdentifier(raw, raw, True)
    if scores is None or len(scores) != len(raw):
        return CheckedIdentifier(raw, raw, False)
    positions = sorted((i for i, s in enumerate(scores) if s < LOW_CONFIDENCE),
                       key=lambda i: scores[i])[:MAX_POSITIONS]
    passing = set()
    for i in positions:
        allowed = alphabet(i)
        for c in _CONFUSIONS.get(raw[i], ""):
            if c in allowed:
                candidate = raw[:i] + c + raw[i + 1:]
                if valid(candidate):
                    passing.add(candidate)
    if len(passing) == 1:
        return CheckedIdentifier(passing.pop(), raw, True)
    return CheckedIdentifier(raw, raw, False)


__all__ = [
    "CheckedIdentifier",
    "check_id_number",
    "check_registration_number",
    "check_uscc",
]
