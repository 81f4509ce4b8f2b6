"""The one typeface of the licence pages: WenQuanYi Zen Hei, embedded as a TrueType subset.

reportlab embeds only the glyphs a page uses. Noto CJK ships as OpenType/CFF, which reportlab
cannot embed, and the built-in ``STSong-Light`` is never embedded (the look would depend on the
reader), so the Debian ``fonts-wqy-zenhei`` collection is used, face 0 of the ``.ttc``. The font
file is parsed once per process (60-70 ms) and shared; reportlab keeps per-document state in a
weak dictionary, so sharing is safe.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Final

from elicense.errors import LicenceFontMissingError

FONT_NAME: Final = "WenQuanYiZenHei"
FONT_PATH: Final = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
_NO_BREAK_BEFORE: Final = frozenset("，。、；：？！）》」』】,.;:?!)")


@lru_cache(maxsize=1)
def register_font() -> str:
    """Register the face with reportlab (once) and return its name."""
    # reportlab loads when a page is drawn, not with the package (``import elicense`` is light).
    from reportlab import rl_config  # noqa: PLC0415
    from reportlab.pdfbase import pdfmetrics  # noqa: PLC0415
    from reportlab.pdfbase.ttfonts import TTFont  # noqa: PLC0415

    if not FONT_PATH.is_file():
        raise LicenceFontMissingError(str(FONT_PATH))
    # Binary (Flate only) streams instead of ASCII85 on top: 10 % smaller files and no pure-Python
    # base-85 pass (about 5 ms a page). A process-wide reportlab switch; elicense is the only
    # reportlab user in zhengzhao, and every PDF reader handles binary streams.
    rl_config.useA85 = 0
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH), subfontIndex=0))
    return FONT_NAME


def text_width(text: str, size: float) -> float:
    """Width of ``text`` in points at ``size`` in the registered face."""
    from reportlab.pdfbase import pdfmetrics  # noqa: PLC0415 - see register_font

    return pdfmetrics.stringWidth(text, register_font(), size)


def wrap_text(text: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` points.

    Chinese text breaks between any two characters; closing punctuation never starts a line (it
    joins the previous one, which may then overhang by one character). Runs of Latin letters and
    digits are kept whole when they fit on a line. Explicit newlines are kept.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for token in _tokens(paragraph):
            candidate = current + token
            if current and text_width(candidate, size) > width and token[0] not in _NO_BREAK_BEFORE:
                lines.append(current)
                current = token.lstrip(" ")
            else:
                current = candidate
        lines.append(current)
    return lines


def _tokens(text: str) -> list[str]:
    """Characters, except that an ASCII word (letters, digits, ``-./``) stays one token."""
    tokens: list[str] = []
    for char in text:
        if tokens and _is_word_char(char) and _is_word_char(tokens[-1][-1]):
            tokens[-1] += char
        else:
            tokens.append(char)
    return tokens


def _is_word_char(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "-./")
