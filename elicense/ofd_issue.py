"""Sealing a licence's OFD with the office's electronic seal (GB/T 38540), and the seal's picture.

:func:`seal_licence_ofd` takes the unsigned OFD of :func:`elicense.render_licence_ofd` (drawn
without its own seal, ``draw_seal=False``) and the :class:`elicense.SealPlacement` it returned,
and seals it with the key store's SM2 keys: the seal maker makes a v4 SESeal naming the seal
signer's certificate, whose picture is :func:`seal_picture_png` (the drawn seal of
``elicense.seal`` as a PNG), and the seal signer signs the package (:func:`signing.seal_ofd`),
the stamp placed where the page's seal would be. Every file of ``Doc_0`` (the page, fonts,
photo, QR and ``licence.json``) is among the signature's references.

Today a seal is made per licence, valid from the issue time for as long as the signer's
certificate is; an office that registers one seal (an ES id from its seal authority) would make
it once and keep it.
"""

from __future__ import annotations

import hashlib
import io
import math
from datetime import datetime
from functools import lru_cache
from typing import Final

import signing
from elicense.render_fonts import FONT_PATH
from elicense.render_ofd import SealPlacement
from elicense.seal import Seal
from signing import KeyStore, SealPicture, Sm2Role, StampPlacement

__all__ = ["seal_licence_ofd", "seal_picture_png"]

_PIXELS_PER_MM: Final = 10


@lru_cache(maxsize=8)
def seal_picture_png(seal: Seal, diameter_mm: float) -> bytes:
    """The seal as drawn on the PDF page (ring, star, the issuer along the upper arc, caption),
    as a transparent RGBA PNG of ``diameter_mm`` at 10 pixels per millimetre. Drawing it takes
    about 100 ms and an office's seal is the same on every licence, so it is drawn once."""
    # Pillow loads when a seal is drawn (``import elicense`` stays light).
    from PIL import Image, ImageDraw, ImageFont  # noqa: PLC0415

    side = round(diameter_mm * _PIXELS_PER_MM)
    radius = side / 2
    colour = _rgba(seal.colour, seal.opacity)
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    ring = radius * 0.06
    inset = radius - radius * 0.94
    draw.ellipse((inset, inset, side - inset, side - inset), outline=colour,
                 width=max(1, round(ring)))
    outer, inner = radius * 0.27, radius * 0.27 * 0.382
    star = [(radius + (outer if i % 2 == 0 else inner) * math.cos(math.radians(90 + i * 36)),
             radius - (outer if i % 2 == 0 else inner) * math.sin(math.radians(90 + i * 36)))
            for i in range(10)]
    draw.polygon(star, fill=colour)
    if seal.caption:
        font = ImageFont.truetype(str(FONT_PATH), max(1, round(radius * 0.15)), index=0)
        draw.text((radius, radius + radius * 0.52), seal.caption, font=font, fill=colour,
                  anchor="ms")
    _arc_text(image, seal.text, radius, colour)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _rgba(hex_code: str, opacity: float) -> tuple[int, int, int, int]:
    code = hex_code.lstrip("#")
    red, green, blue = (int(code[i:i + 2], 16) for i in (0, 2, 4))
    return red, green, blue, round(opacity * 255)


def _arc_text(image: object, text: str, radius: float, colour: tuple[int, ...]) -> None:
    """Each character upright along the upper arc, as ``elicense.seal`` lays it out."""
    from PIL import Image, ImageDraw, ImageFont  # noqa: PLC0415 - see seal_picture_png

    if not text or not isinstance(image, Image.Image):
        return
    count = len(text)
    span = min(210.0, 24.0 * (count - 1))
    step = span / (count - 1) if count > 1 else 0.0
    baseline = radius * 0.7
    size = min(radius * 0.2, 0.9 * math.radians(step or 24.0) * baseline)
    font = ImageFont.truetype(str(FONT_PATH), max(1, round(size)), index=0)
    cell = round(size * 2)
    for i, char in enumerate(text):
        angle = 90 + span / 2 - i * step  # degrees anticlockwise from the x axis
        glyph = Image.new("RGBA", (cell, cell), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((cell / 2, cell / 2), char, font=font, fill=colour,
                                   anchor="mm")
        turned = glyph.rotate(angle - 90, resample=Image.Resampling.BICUBIC)
        # The character's centre sits on the circle of radius baseline + size / 2.
        centre = baseline + size * 0.4
        x = radius + centre * math.cos(math.radians(angle))
        y = radius - centre * math.sin(math.radians(angle))
        image.alpha_composite(turned, (round(x - cell / 2), round(y - cell / 2)))


def seal_licence_ofd(ofd: bytes, placement: SealPlacement, seal: Seal, store: KeyStore,
                     now: datetime) -> bytes:
    """``ofd`` sealed with the store's SM2 seal (see the module docstring). Raises
    :class:`signing.KeysMissingError` when the store has no SM2 keys (``zhengzhao keys init
    --sm2``) and what :func:`signing.seal_ofd` raises."""
    if not store.has_sm2():
        raise signing.KeysMissingError("the SM2 seal keys (zhengzhao keys init --sm2)")
    maker_key = store.sm2_key(Sm2Role.SEAL_MAKER)
    maker_cert = store.sm2_certificate(Sm2Role.SEAL_MAKER)
    signer_key = store.sm2_key(Sm2Role.SEAL_SIGNER)
    signer_cert = store.sm2_certificate(Sm2Role.SEAL_SIGNER)
    size = round(placement.width)
    picture = SealPicture("PNG", seal_picture_png(seal, size), size, size)
    es_id = "ZZ" + hashlib.sha256(signer_cert.dump()).hexdigest()[:30].upper()
    seal_der = signing.make_seal(
        maker_key, maker_cert, [signer_cert], picture, es_id=es_id, name=seal.text,
        created=now, valid_start=now,
        valid_end=signer_cert["tbs_certificate"]["validity"]["not_after"].native)
    stamp = StampPlacement(page=placement.page, x=placement.left, y=placement.top)
    return signing.seal_ofd(ofd, seal_der, signer_key, signer_cert, now, stamp)
