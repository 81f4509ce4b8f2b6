"""Canonical forms of field values before they are checked or compared.

OCR output is already compact (``ocr.normalize_text``), but hand-typed JSON and older extractions
are not: spaces, full-width digits and brackets, lower-case ``x`` and the several look-alikes of
the middle dot in ethnic-minority names (``·``) all occur. ``verify`` may not import ``ocr``, so
the few rules it needs live here.
"""

from __future__ import annotations

import re
from datetime import date

MIDDLE_DOT = "\u00b7"  # ·, the separator the public-security system prints in names
OPEN_ENDED_WORDS = ("长期", "永久")

_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
# Dots people and OCR put between the parts of a transliterated name: bullet, katakana middle
# dot, full-width and small full stops, hyphenation point, operators.
_DOTS = str.maketrans({c: MIDDLE_DOT for c in "\u2022\u30fb\uff65\u2027\u2219\u22c5\uff0e\ufe52"})
_SPACES = re.compile(r"\s+")
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})[年./](\d{1,2})[月./](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def halfwidth(text: str) -> str:
    """Full-width ASCII (digits, letters, brackets, colon) and the ideographic space to ASCII."""
    return text.translate(_FULLWIDTH)


def compact_text(text: str) -> str:
    """Half-width, without whitespace: the form in which two free-text values are compared."""
    return _SPACES.sub("", halfwidth(text))


def normalize_identifier(text: str) -> str:
    """ID numbers, codes and phone numbers: half-width, upper case, no spaces or hyphens."""
    return compact_text(text).replace("-", "").upper()


def normalize_name(text: str) -> str:
    """A personal name: no whitespace, every middle-dot look-alike as ``·`` (U+00B7)."""
    return _SPACES.sub("", halfwidth(text).translate(_DOTS)).replace(".", MIDDLE_DOT)


def normalize_label(text: str) -> str:
    """A printed form label as a key: compact, without a trailing colon."""
    return compact_text(text).rstrip(":")


def is_open_ended(text: str) -> bool:
    """Whether a validity end date reads as open-ended (``长期``)."""
    return compact_text(text) in OPEN_ENDED_WORDS


def parse_date(text: str) -> date | None:
    """A date written ``YYYY-MM-DD`` (the normal form), ``YYYY年M月D日``, ``YYYY.MM.DD``,
    ``YYYY/MM/DD`` or ``YYYYMMDD``; ``None`` if it is none of these or not a real day."""
    t = compact_text(text)
    for pattern in _DATE_PATTERNS:
        if m := pattern.match(t):
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    return None
