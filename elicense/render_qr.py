"""The licence QR code: segno at error-correction level M, drawn either as vector rectangles
(one filled path of the dark runs of each row) or as an embedded 1-bit PNG.

A verification link (``elicense.qr_link``) is written in two segments: the address up to and
including ``#`` in byte mode, the percent-encoded token in alphanumeric mode (5.5 bits a
character instead of 8: version 15 instead of 18 for a person's licence). :func:`qr_geometry`
says what a printed code measures (``docs/tokens.md``, section 10).

bench/render.py measures both; vectors are the default: sharp at any zoom and only a few
milliseconds slower (see ``docs/licences.md`` for figures).
The quiet zone is the standard 4 modules, painted white so a coloured page cannot eat it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import segno
    from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE: Final = 4
_MM_PER_POINT: Final = 25.4 / 72


class QrStyle(StrEnum):
    """How the QR modules reach the PDF."""

    VECTOR = "vector"
    PNG = "png"


@lru_cache(maxsize=16)
def make_qr(payload: str) -> segno.QRCode:
    """A full QR code (never Micro QR) at level M exactly (segno would otherwise raise the level
    when the version allows it, making the size depend on the payload in surprising ways).

    Kept for the last few payloads: a licence issued as PDF and OFD draws the same code twice.
    segno's own choice of mask pattern (pure Python) was most of a licence's rendering time, so
    the code is encoded with mask 0, :func:`elicense.qr_mask.best_mask` makes segno's choice with
    numpy, and the code is encoded again with that mask unless it is 0. The code object is only
    read, never changed."""
    # segno, numpy and reportlab load when a page is drawn (``import elicense`` stays light).
    import segno  # noqa: PLC0415

    from elicense.qr_mask import best_mask  # noqa: PLC0415

    segments = _segments(payload)
    first = segno.make_qr(segments, error="m", boost_error=False, mask=0)
    if first.is_micro:
        return first
    mask = best_mask(first.matrix)
    return first if mask == 0 else segno.make_qr(segments, error="m", boost_error=False,
                                                 mask=mask)


def qr_png(payload: str, scale: int, border: int = QUIET_ZONE) -> bytes:
    """The code as a 1-bit PNG, ``scale`` pixels a module, ``border`` modules of quiet zone
    (Pillow writes it: segno's pure-Python PNG writer took about as long as the encoding)."""
    import numpy as np  # noqa: PLC0415 - with Pillow, only when a code is drawn as a picture
    from PIL import Image  # noqa: PLC0415

    modules = np.array([list(row) for row in make_qr(payload).matrix], dtype=bool)
    light = np.pad(~modules, border, constant_values=True)
    pixels = light.repeat(scale, axis=0).repeat(scale, axis=1)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def _segments(payload: str) -> list[str]:
    """A link split after ``#`` (segno picks each segment's mode: byte for the address,
    alphanumeric for the encoded token); anything else is one segment."""
    head, hash_sign, tail = payload.partition("#")
    return [head + hash_sign, tail] if hash_sign and tail else [payload]


@dataclass(frozen=True)
class QrGeometry:
    """What a printed QR code measures: its version, modules a side (without the quiet zone)
    and the side of one module in millimetres when the code, quiet zone included, is drawn
    ``size_pt`` points wide."""

    version: int
    modules: int
    module_mm: float


def qr_geometry(payload: str, size_pt: float) -> QrGeometry:
    """The :class:`QrGeometry` of ``payload`` drawn in a square of ``size_pt`` points."""
    qr = make_qr(payload)
    modules = len(qr.matrix)
    return QrGeometry(int(qr.version), modules,
                      size_pt * _MM_PER_POINT / (modules + 2 * QUIET_ZONE))


def draw_qr(
    canvas: Canvas, payload: str, x: float, y: float, size: float,
    style: QrStyle = QrStyle.VECTOR,
) -> int:
    """Draw the QR for ``payload`` in the square at (``x``, ``y``) of side ``size`` points, quiet
    zone included. Returns the QR version."""
    qr = make_qr(payload)
    if style is QrStyle.PNG:
        _draw_png(canvas, qr, x, y, size)
    else:
        _draw_vector(canvas, qr, x, y, size)
    return int(qr.version)


def _draw_vector(canvas: Canvas, qr: segno.QRCode, x: float, y: float, size: float) -> None:
    """One ``re`` operator per horizontal run of dark modules, in module units.

    The coordinate system is scaled so that one module is one unit and rows count downwards;
    the operators are integers written straight into the content stream (``addLiteral``), which
    is several times faster than reportlab's path object formatting each float.
    """
    from reportlab.lib.colors import black, white  # noqa: PLC0415 - see make_qr

    matrix = qr.matrix
    modules = len(matrix) + 2 * QUIET_ZONE
    unit = size / modules
    canvas.saveState()
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(black)
    canvas.transform(unit, 0, 0, -unit, x + QUIET_ZONE * unit, y + size - QUIET_ZONE * unit)
    operators = []
    for row_index, row in enumerate(matrix):
        start = None
        for col, dark in enumerate((*row, 0)):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                operators.append(f"{start} {row_index} {col - start} 1 re")
                start = None
    operators.append("f")
    canvas.addLiteral("\n".join(operators))
    canvas.restoreState()


def _draw_png(canvas: Canvas, qr: segno.QRCode, x: float, y: float, size: float) -> None:
    from reportlab.lib.utils import ImageReader  # noqa: PLC0415 - see make_qr

    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=1, border=QUIET_ZONE)
    buffer.seek(0)
    canvas.drawImage(ImageReader(buffer), x, y, size, size)
