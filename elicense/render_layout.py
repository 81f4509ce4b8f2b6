"""The licence page's layout, shared by the PDF renderer (:mod:`elicense.render`) and the OFD
renderer (:mod:`elicense.render_ofd`), so that both formats print the same fields in the same
places: page measures in PDF points, the printed value of each template field, the check of a
record against its template and the field block's font size and line wrapping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from core import OPEN_ENDED
from elicense.errors import LicenceRecordInvalidError
from elicense.model import Licence
from elicense.render_fonts import text_width, wrap_text
from elicense.template import LicenceTemplate, StandardField, standard_field

# One millimetre in points, computed as ``reportlab.lib.units.mm`` is (the same float, so the
# same page bytes).
mm: Final = 72.0 / 2.54 * 0.1

FRAME_INSET: Final = 10 * mm
PADDING: Final = 10 * mm
SIDE_COLUMN: Final = 42 * mm
QR_SIZE: Final = 42 * mm
PHOTO_BOX: Final = (34 * mm, 46 * mm)
TITLE_BLOCK: Final = 30 * mm
FOOTER_BLOCK: Final = 54 * mm
ISSUER_LINE: Final = 31 * mm  # above the bottom of the content: the seal clears the identifier
SEAL_RADIUS: Final = 21 * mm
MAX_FONT: Final = 12.0
MIN_FONT: Final = 7.5
LEADING: Final = 1.5
@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle on the page, in points from the bottom left."""

    left: float
    bottom: float
    right: float
    top: float


def field_value(licence: Licence, key: str) -> str:
    """The printed text of a template key: standard metadata or a type-specific detail."""
    match standard_field(key):
        case StandardField.NAME:
            return licence.name
        case StandardField.NUMBER:
            return licence.number
        case StandardField.IDENTIFIER:
            return licence.identifier
        case StandardField.HOLDER:
            return licence.holder
        case StandardField.HOLDER_CODE:
            return licence.holder_code
        case StandardField.HOLDER_CODE_MASKED:
            return licence.masked_holder_code
        case StandardField.ISSUER:
            return licence.issuer
        case StandardField.ISSUE_DATE:
            return format_date(licence.issue_date)
        case StandardField.VALID_FROM:
            return format_date(licence.valid_from)
        case StandardField.VALID_UNTIL:
            return format_date(licence.valid_until)
        case StandardField.VALID_PERIOD:
            return f"{format_date(licence.valid_from)}至{format_date(licence.valid_until)}"
        case StandardField.JURISDICTION_CODE:
            return licence.jurisdiction_code
    value = licence.detail(key)
    if value is None:
        raise LicenceRecordInvalidError("<record>", "the template needs this detail",
                                        f"details.{key}")
    return value


def format_date(day: date | None) -> str:
    """``2024年05月06日``; ``长期`` for an open end."""
    return OPEN_ENDED if day is None else f"{day.year}年{day.month:02d}月{day.day:02d}日"


def check_against_template(
    licence: Licence, template: LicenceTemplate, photo: bytes | None
) -> None:
    if licence.type_code != template.type_code:
        raise LicenceRecordInvalidError("<record>", "the template is for another licence type",
                                        "type_code")
    for key in template.detail_keys:
        if licence.detail(key) is None:
            raise LicenceRecordInvalidError("<record>", "the template needs this detail",
                                            f"details.{key}")
    if template.photo and photo is None:
        raise LicenceRecordInvalidError("<photo>", "this licence type needs the holder's photo")
    if not template.photo and photo is not None:
        raise LicenceRecordInvalidError("<photo>", "this licence type has no photo box")


def layout_fields(
    licence: Licence, template: LicenceTemplate, box: Box
) -> tuple[float, float, list[tuple[str, list[str]]]]:
    """Font size, label column width and wrapped lines: the largest size at which all fit."""
    size = MAX_FONT
    values = [(field.shown_label, field_value(licence, field.key)) for field in template.fields]
    while size >= MIN_FONT:
        label_width = max(text_width(label, size) for label, _ in values) + size * 1.5
        value_width = box.right - box.left - label_width
        wrapped = [(label, wrap_text(value, size, value_width)) for label, value in values]
        lines = sum(len(value_lines) for _, value_lines in wrapped)
        gaps = size * 0.6 * (len(wrapped) - 1)
        if lines * size * LEADING + gaps <= box.top - box.bottom:
            return size, label_width, wrapped
        size -= 0.5
    raise LicenceRecordInvalidError("<record>", "the fields do not fit on the page", "details")
