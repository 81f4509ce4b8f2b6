"""Fonts and text layout helpers shared by the renderers: cached faces, spacing, wrapping.

All coordinates are left/baseline (PIL anchor ``ls``) so that mixed fonts on one line share a
baseline, as printed documents do.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from PIL import ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype")

Colour = tuple[int, int, int] | tuple[int, int, int, int]


class Face(StrEnum):
    """The installed typefaces the generator draws with."""

    HEI = "wqy/wqy-zenhei.ttc"  # 黑体-like: ID card values, labels, titles
    MICROHEI = "wqy/wqy-microhei.ttc"
    SONG = "arphic/uming.ttc"  # 宋体-like: licence and form values
    KAI = "arphic/ukai.ttc"  # 楷体-like: signatures
    MONO_BOLD = "dejavu/DejaVuSansMono-Bold.ttf"  # the ID number (OCR-B stand-in)
    SANS = "dejavu/DejaVuSans.ttf"  # ☑ / ☐ glyphs


@lru_cache(maxsize=128)
def font(face: Face, size: int) -> ImageFont.FreeTypeFont:
    """A cached font; raises FileNotFoundError naming the Debian package when it is missing."""
    path = FONT_DIR / face.value
    if not path.exists():
        raise FileNotFoundError(
            f"font {path} is missing (install fonts-wqy-zenhei, fonts-wqy-microhei, "
            "fonts-arphic-uming, fonts-arphic-ukai, fonts-dejavu-core)")
    return ImageFont.truetype(str(path), size)


def text_width(text: str, fnt: ImageFont.FreeTypeFont, spacing: float = 0.0) -> float:
    """Advance width of ``text`` with ``spacing`` extra pixels between characters."""
    return fnt.getlength(text) + spacing * max(0, len(text) - 1)


def draw_spaced(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str,
                fnt: ImageFont.FreeTypeFont, fill: Colour, spacing: float = 0.0) -> float:
    """Draw ``text`` at a left/baseline point with letter spacing; return the end x."""
    x, y = xy
    if spacing == 0:
        draw.text((x, y), text, font=fnt, fill=fill, anchor="ls")
        return x + fnt.getlength(text)
    for char in text:
        draw.text((x, y), char, font=fnt, fill=fill, anchor="ls")
        x += fnt.getlength(char) + spacing
    return x - spacing


def draw_justified(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str,
                   fnt: ImageFont.FreeTypeFont, fill: Colour, width: float) -> float:
    """Spread the characters of a short label over ``width`` (名　　称 style); return end x."""
    if len(text) < 2 or fnt.getlength(text) >= width:
        return draw_spaced(draw, xy, text, fnt, fill)
    spacing = (width - fnt.getlength(text)) / (len(text) - 1)
    return draw_spaced(draw, xy, text, fnt, fill, spacing)


def draw_centred(draw: ImageDraw.ImageDraw, centre_x: float, baseline: float, text: str,
                 fnt: ImageFont.FreeTypeFont, fill: Colour, spacing: float = 0.0) -> float:
    """Draw a line centred on ``centre_x``; return its left x."""
    left = centre_x - text_width(text, fnt, spacing) / 2
    draw_spaced(draw, (left, baseline), text, fnt, fill, spacing)
    return left


def wrap(text: str, fnt: ImageFont.FreeTypeFont, max_width: float,
         max_chars: int | None = None) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width`` (CJK text breaks anywhere).

    Closing punctuation is kept off the start of a line, as Chinese typesetting requires.
    """
    lines: list[str] = []
    current = ""
    for char in text:
        candidate = current + char
        too_long = fnt.getlength(candidate) > max_width or (
            max_chars is not None and len(candidate) > max_chars)
        if too_long and current:
            if char in "，。；、）)：" and len(current) > 1:
                lines.append(current[:-1])
                current = current[-1] + char
            else:
                lines.append(current)
                current = char
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines
