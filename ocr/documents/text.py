"""Text normalisation shared by the document extractors: OCR confusions, dates, numbers."""

from __future__ import annotations

import re
from datetime import date

from core import OPEN_ENDED

_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # full-width ASCII block
_FULLWIDTH.update({0x3000: 0x20, ord("："): ord(":"), ord("（"): ord("("), ord("）"): ord(")")})
# Characters PP-OCR confuses with digits inside numeric fields.
_DIGIT_FIXES = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1",
                              "|": "1", "Z": "2", "S": "5", "B": "8", "x": "X", "×": "X"})
_SPACES = re.compile(r"\s+")


def halfwidth(text: str) -> str:
    """Full-width digits, letters, colon, brackets and the ideographic space to ASCII."""
    return text.translate(_FULLWIDTH)


_CJK = re.compile(r"[\u4e00-\u9fff]")
_TO_FULLWIDTH_PUNCT = str.maketrans({"(": "（", ")": "）", ",": "，", ";": "；"})


def compact(text: str) -> str:
    """The canonical form of OCR text: no whitespace, ASCII letters and digits half-width, the
    colon as ``:``, and — in Chinese text — brackets, commas and semicolons full-width, as
    Chinese documents print them (PP-OCR returns either width)."""
    t = _SPACES.sub("", halfwidth(text))
    if _CJK.search(t):
        t = t.translate(_TO_FULLWIDTH_PUNCT)
    return t


def fix_digits(text: str) -> str:
    """Repair letter/digit confusions in a field that can only hold digits (and a final X)."""
    return compact(text).translate(_DIGIT_FIXES)


def valid_date(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


_DATE_PATTERNS = (
    re.compile(r"(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?"),
    re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)"),
)


_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_CN_DIGIT.update({"零": 0, "○": 0, "O": 0, "o": 0, "0": 0, "Ｏ": 0})
_CN_DATE = re.compile(r"([〇零○OoＯ0一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月"
                      r"([一二三四五六七八九十廿卅]{1,3})日")


def _cn_number(text: str) -> int:
    """一 … 九, 十, 十一 … 十九, 二十 … 三十一 (廿 and 卅 for 二十 and 三十)."""
    text = text.replace("廿", "二十").replace("卅", "三十")
    if "十" not in text:
        return _CN_DIGIT.get(text, 0)
    tens, _, units = text.partition("十")
    return (_CN_DIGIT.get(tens, 0) if tens else 1) * 10 + (_CN_DIGIT.get(units, 0) if units else 0)


def arabic_dates(text: str) -> str:
    """Dates written in Chinese numerals (``二〇一〇年三月九日``, as old licences print them)
    rewritten with Arabic digits (``2010年3月9日``)."""
    def convert(m: re.Match[str]) -> str:
        year = "".join(str(_CN_DIGIT[c]) for c in m.group(1))
        return f"{year}年{_cn_number(m.group(2))}月{_cn_number(m.group(3))}日"

    return _CN_DATE.sub(convert, text)


def parse_date(text: str) -> str | None:
    """The first date in ``text`` as ``YYYY-MM-DD`` (年月日, dots, dashes, slashes, 8 digits,
    Chinese numerals)."""
    t = arabic_dates(compact(text)).translate(_DIGIT_FIXES)
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(t):
            iso = valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if iso:
                return iso
    return None


def parse_date_range(text: str) -> tuple[str | None, str | None]:
    """A validity range like ``2016.05.10-2036.05.10``, ``2015年3月1日至长期``."""
    t = arabic_dates(compact(text))
    parts = re.split(r"[至到~\-—–－一]+(?=\d|长期|永久)", t, maxsplit=1)
    start = parse_date(parts[0]) if parts else None
    end: str | None = None
    if len(parts) == 2:
        end = OPEN_ENDED if ("长期" in parts[1] or "永久" in parts[1]) else parse_date(parts[1])
    elif "长期" in t:
        end = OPEN_ENDED
    if start is None or (len(parts) < 2 and end is None):
        # Dates run together without a readable separator: take two in a row.
        dates = [m for p in _DATE_PATTERNS for m in p.finditer(t.translate(_DIGIT_FIXES))]
        found = [valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3))) for m in dates]
        found = [f for f in found if f]
        if found:
            start = start or found[0]
            if end is None and len(found) > 1:
                end = found[1]
    return start, end


ID_NUMBER = re.compile(r"(?<![0-9X])([1-9]\d{16}[\dX])(?![0-9X])")


def find_id_number(text: str) -> str | None:
    """An 18-character resident ID number in ``text`` after digit repair."""
    m = ID_NUMBER.search(fix_digits(text).upper())
    return m.group(1) if m else None


_USCC_FIXES = str.maketrans({"O": "0", "I": "1", "S": "5", "Z": "2", "V": "U"})
USCC = re.compile(r"(?<![0-9A-Z])([0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10})(?![0-9A-Z])")


def uscc_form(text: str) -> str:
    """``text`` with the letters a USCC never holds mapped to the digits OCR mistook them for;
    character for character, so positions still line up with ``compact(text)``."""
    return compact(text).upper().translate(_USCC_FIXES)


def find_uscc(text: str) -> str | None:
    """An 18-character unified social credit code in ``text``."""
    m = USCC.search(uscc_form(text))
    return m.group(1) if m else None
