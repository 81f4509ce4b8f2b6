"""The drawn issuer seal: a red ring, a five-pointed star, the issuer's name along the upper arc
and an optional caption under the star, as vector graphics in the page's embedded face.

The seal is a picture of authority, not its proof: the PAdES signature is what a verifier
trusts. It is drawn slightly transparent so the issuer line it covers stays legible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from elicense.render_fonts import register_font

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

DEFAULT_CAPTION: Final = "电子证照专用章"
SEAL_RED: Final = "#D7000F"
_MAX_ARC_DEGREES: Final = 210.0
_DEGREES_PER_CHAR: Final = 24.0


@dataclass(frozen=True, slots=True)
class Seal:
    """What the seal says: ``text`` along the arc (the issuer), ``caption`` under the star."""

    text: str
    caption: str = DEFAULT_CAPTION
    colour: str = SEAL_RED
    opacity: float = 0.85


def draw_seal(canvas: Canvas, seal: Seal, centre_x: float, centre_y: float, radius: float) -> None:
    """Draw ``seal`` centred on (``centre_x``, ``centre_y``) with outer ``radius`` (points)."""
    # reportlab loads when a page is drawn, not with the package (``import elicense`` is light).
    from reportlab.lib.colors import HexColor  # noqa: PLC0415

    font = register_font()
    colour = HexColor(seal.colour)
    canvas.saveState()
    canvas.setStrokeColor(colour)
    canvas.setFillColor(colour)
    canvas.setStrokeAlpha(seal.opacity)
    canvas.setFillAlpha(seal.opacity)
    canvas.setLineWidth(radius * 0.06)
    canvas.circle(centre_x, centre_y, radius * 0.94, stroke=1, fill=0)
    _draw_star(canvas, centre_x, centre_y, radius * 0.27)
    _draw_arc_text(canvas, font, seal.text, centre_x, centre_y, radius)
    if seal.caption:
        size = radius * 0.15
        canvas.setFont(font, size)
        canvas.drawCentredString(centre_x, centre_y - radius * 0.52, seal.caption)
    canvas.restoreState()


def _draw_star(canvas: Canvas, x: float, y: float, outer: float) -> None:
    inner = outer * 0.382  # the inner radius of a regular five-pointed star
    path = canvas.beginPath()
    for i in range(10):
        angle = math.radians(90 + i * 36)
        r = outer if i % 2 == 0 else inner
        point = (x + r * math.cos(angle), y + r * math.sin(angle))
        if i == 0:
            path.moveTo(*point)
        else:
            path.lineTo(*point)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)


def _draw_arc_text(
    canvas: Canvas, font: str, text: str, x: float, y: float, radius: float
) -> None:
    """Characters upright along the upper arc, read clockwise, symmetric about the top."""
    if not text:
        return
    count = len(text)
    span = min(_MAX_ARC_DEGREES, _DEGREES_PER_CHAR * (count - 1))
    step = span / (count - 1) if count > 1 else 0.0
    baseline = radius * 0.7
    size = min(radius * 0.2, 0.9 * math.radians(step or _DEGREES_PER_CHAR) * baseline)
    for i, char in enumerate(text):
        angle = 90 + span / 2 - i * step  # degrees, counter-clockwise from the x axis
        canvas.saveState()
        canvas.translate(x, y)
        canvas.rotate(angle - 90)
        canvas.setFont(font, size)
        canvas.drawCentredString(0, baseline, char)
        canvas.restoreState()
