"""Resident ID card renderer (both sides), laid out after the second-generation card.

The card is 85.6 × 54 mm, drawn 1000 px wide (≈ 11.7 px/mm). Labels are blue-grey, values black;
the number is in a bold monospace face standing in for OCR-B. The portrait is a silhouette and
the emblem an abstract roundel.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from core.documents import DocType, IdCardBackField, IdCardFrontField
from samples.generator import ornaments
from samples.generator.identity import Person
from samples.generator.truth import Rendered
from samples.generator.typesetting import Face, draw_centred, draw_spaced, font, wrap

CARD_WIDTH = 1000
CARD_HEIGHT = round(CARD_WIDTH * 54 / 85.6)
CORNER_RADIUS = 36
LABEL_COLOUR = (62, 112, 158)
VALUE_COLOUR = (18, 18, 20)

_FRONT_LABEL_X = 90
_FRONT_VALUE_X = 205
_ADDRESS_WIDTH = 390


def _card_base(rng: np.random.Generator, front: bool) -> Image.Image:
    """A pale tinted card with guilloche lines and rounded corners (RGBA)."""
    if front:
        base = ornaments.gradient_background(CARD_WIDTH, CARD_HEIGHT, (226, 237, 243),
                                             (244, 239, 224))
        lines_colour = (150, 186, 208)
    else:
        base = ornaments.gradient_background(CARD_WIDTH, CARD_HEIGHT, (230, 241, 233),
                                             (225, 235, 246))
        lines_colour = (140, 182, 186)
    jitter = rng.uniform(-5, 5, 3).astype(np.float32)
    lines = ornaments.guilloche(CARD_WIDTH, CARD_HEIGHT, rng)
    pixels = ornaments.tint(base + jitter, lines, lines_colour, rng.uniform(0.2, 0.3))
    card = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB").convert("RGBA")
    mask = Image.new("L", card.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, CARD_WIDTH - 1, CARD_HEIGHT - 1),
                                           CORNER_RADIUS, fill=255)
    card.putalpha(mask)
    return card


def render_id_front(person: Person, rng: np.random.Generator) -> Rendered:
    """The portrait side: name, sex, ethnicity, birth date, address, number, silhouette."""
    card = _card_base(rng, front=True)
    portrait = ornaments.silhouette(290, 380)
    card.alpha_composite(portrait, (628, 66))
    draw = ImageDraw.Draw(card)
    label, value = font(Face.HEI, 28), font(Face.HEI, 33)
    label_spacing = 2

    def field(label_text: str, x: float, baseline: float) -> None:
        draw_spaced(draw, (x, baseline), label_text, label, LABEL_COLOUR, label_spacing)

    field("姓名", _FRONT_LABEL_X, 112)
    draw_spaced(draw, (_FRONT_VALUE_X, 112), person.name, font(Face.HEI, 36), VALUE_COLOUR, 4)
    field("性别", _FRONT_LABEL_X, 187)
    draw_spaced(draw, (_FRONT_VALUE_X, 187), person.sex, value, VALUE_COLOUR)
    field("民族", 345, 187)
    draw_spaced(draw, (455, 187), person.ethnicity, value, VALUE_COLOUR)
    field("出生", _FRONT_LABEL_X, 262)
    x = float(_FRONT_VALUE_X)
    birth = person.birth_date
    for number, unit in ((birth.year, "年"), (birth.month, "月"), (birth.day, "日")):
        x = draw_spaced(draw, (x, 262), str(number), value, VALUE_COLOUR) + 12
        x = draw_spaced(draw, (x, 262), unit, label, LABEL_COLOUR) + 14
    field("住址", _FRONT_LABEL_X, 337)
    lines = wrap(person.address, value, _ADDRESS_WIDTH)
    for i, line in enumerate(lines[:3]):
        draw_spaced(draw, (_FRONT_VALUE_X, 337 + 45 * i), line, value, VALUE_COLOUR)
    field("公民身份号码", _FRONT_LABEL_X, 548)
    draw_spaced(draw, (330, 550), person.id_number, font(Face.MONO_BOLD, 40), VALUE_COLOUR, 3)
    fields = {
        IdCardFrontField.NAME.value: person.name,
        IdCardFrontField.SEX.value: person.sex,
        IdCardFrontField.ETHNICITY.value: person.ethnicity,
        IdCardFrontField.BIRTH_DATE.value: person.birth_date.isoformat(),
        IdCardFrontField.ADDRESS.value: person.address,
        IdCardFrontField.ID_NUMBER.value: person.id_number,
    }
    return Rendered(card, DocType.ID_CARD_FRONT, fields, extra={"address_lines": lines})


def render_id_back(person: Person, rng: np.random.Generator) -> Rendered:
    """The emblem side: title, issuing authority and validity period."""
    card = _card_base(rng, front=False)
    card.alpha_composite(ornaments.emblem(176), (62, 44))
    draw = ImageDraw.Draw(card)
    draw_centred(draw, 585, 128, "中华人民共和国", font(Face.HEI, 46), VALUE_COLOUR, 16)
    draw_centred(draw, 585, 250, "居民身份证", font(Face.HEI, 80), VALUE_COLOUR, 28)
    label, value = font(Face.HEI, 28), font(Face.HEI, 33)
    draw_spaced(draw, (190, 505), "签发机关", label, LABEL_COLOUR, 3)
    draw_spaced(draw, (352, 505), person.issuing_authority, value, VALUE_COLOUR)
    draw_spaced(draw, (190, 575), "有效期限", label, LABEL_COLOUR, 3)
    draw_spaced(draw, (352, 575), person.validity_text, value, VALUE_COLOUR)
    until = person.id_valid_until
    fields = {
        IdCardBackField.ISSUING_AUTHORITY.value: person.issuing_authority,
        IdCardBackField.VALID_FROM.value: person.id_valid_from.isoformat(),
        IdCardBackField.VALID_UNTIL.value: "长期" if until is None else until.isoformat(),
    }
    return Rendered(card, DocType.ID_CARD_BACK, fields)
