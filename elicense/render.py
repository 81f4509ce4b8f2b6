"""One-page licence PDFs drawn with reportlab from a :class:`Licence` and its template.

The page carries the title, the template's fields, the holder's photo (if the template has a photo
box), the QR code with the signed token, the issuer line under a drawn seal, and the licence
identifier. Text is set in an embedded subset of WenQuanYi Zen Hei. Output is deterministic: the
same inputs give the same bytes (reportlab's invariant mode, a creation date taken from the
licence's issue date), so hashes of rendered licences are stable. Signing happens afterwards, on
these bytes. reportlab and Pillow load when a page is first drawn, not with the package
(``import elicense`` stays light: the CLI's ``--help`` imports it).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final

from core import OPEN_ENDED, FileFormat, sniff_format
from elicense.errors import LicenceRecordInvalidError
from elicense.model import Licence
from elicense.render_fonts import register_font, text_width, wrap_text
from elicense.render_qr import QrStyle, draw_qr
from elicense.seal import Seal, draw_seal
from elicense.template import LicenceTemplate, Orientation, StandardField, standard_field

if TYPE_CHECKING:
    from reportlab.lib.colors import Color
    from reportlab.pdfgen.canvas import Canvas

log = logging.getLogger(__name__)

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
_PHOTO_FORMATS: Final = (FileFormat.JPEG, FileFormat.PNG)


@dataclass(frozen=True, slots=True)
class _Box:
    left: float
    bottom: float
    right: float
    top: float


def render_licence(
    licence: Licence,
    template: LicenceTemplate,
    *,
    photo: bytes | None,
    qr_payload: str,
    seal: Seal | None = None,
    qr_style: QrStyle = QrStyle.VECTOR,
) -> bytes:
    """The licence as a one-page PDF.

    ``photo`` (JPEG or PNG) is required when the template has a photo box and refused otherwise;
    ``seal`` defaults to one with the licence's issuer. Raises
    :class:`elicense.LicenceRecordInvalidError` if the record does not match the template (type
    code, missing details), the photo is unusable, or the fields cannot fit on the page.
    ``ValueError`` for an empty ``qr_payload`` or one too long for any QR code (a programming
    error: tokens are about 420 characters).
    """
    if not qr_payload:
        raise ValueError("qr_payload is empty")
    from reportlab.lib.pagesizes import A4, landscape, portrait  # noqa: PLC0415 - module doc
    from reportlab.pdfgen.canvas import Canvas  # noqa: PLC0415

    _check_against_template(licence, template, photo)
    font = register_font()
    page_size = landscape(A4) if template.orientation is Orientation.LANDSCAPE else portrait(A4)
    width, height = page_size
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=page_size, invariant=1, pageCompression=1,
                    initialFontName=font)
    stamp = _pdf_date(licence.issue_date)
    canvas.setDateFormatter(lambda *_: stamp)
    canvas.setTitle(licence.name)
    canvas.setAuthor(licence.issuer)
    canvas.setSubject(licence.identifier)
    canvas.setCreator("zhengzhao")

    _draw_frame(canvas, template, width, height)
    content = _Box(FRAME_INSET + PADDING, FRAME_INSET + PADDING,
                   width - FRAME_INSET - PADDING, height - FRAME_INSET - PADDING)
    _draw_title(canvas, font, template, content)
    side_left = content.right - SIDE_COLUMN
    side_top = content.top - TITLE_BLOCK
    if photo is not None:
        side_top -= _draw_photo(canvas, photo, side_left + SIDE_COLUMN / 2, side_top) + 6 * mm
    draw_qr(canvas, qr_payload, side_left, side_top - QR_SIZE, QR_SIZE, qr_style)
    fields = _Box(content.left, content.bottom + FOOTER_BLOCK, side_left - 8 * mm,
                  content.top - TITLE_BLOCK)
    _draw_fields(canvas, font, licence, template, fields)
    footer = _Box(content.left, content.bottom, side_left - 8 * mm, content.bottom + FOOTER_BLOCK)
    _draw_footer(canvas, font, licence, template, footer,
                 seal or Seal(licence.issuer, colour=template.colours.seal))
    canvas.showPage()
    canvas.save()
    log.debug("rendered licence type %s", licence.type_code)
    return buffer.getvalue()


def _field_value(licence: Licence, key: str) -> str:
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
            return _format_date(licence.issue_date)
        case StandardField.VALID_FROM:
            return _format_date(licence.valid_from)
        case StandardField.VALID_UNTIL:
            return _format_date(licence.valid_until)
        case StandardField.VALID_PERIOD:
            return f"{_format_date(licence.valid_from)}至{_format_date(licence.valid_until)}"
        case StandardField.JURISDICTION_CODE:
            return licence.jurisdiction_code
    value = licence.detail(key)
    if value is None:
        raise LicenceRecordInvalidError("<record>", "the template needs this detail",
                                        f"details.{key}")
    return value


def _format_date(day: date | None) -> str:
    """``2024年05月06日``; ``长期`` for an open end."""
    return OPEN_ENDED if day is None else f"{day.year}年{day.month:02d}月{day.day:02d}日"


def _check_against_template(
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


def _pdf_date(day: date) -> str:
    # Midnight Beijing time on the issue date: the PDF's creation and modification date.
    return f"D:{day.year:04d}{day.month:02d}{day.day:02d}000000+08'00'"


def _colour(hex_code: str) -> Color:
    from reportlab.lib.colors import HexColor  # noqa: PLC0415 - see the module doc

    return HexColor(hex_code)


def _draw_frame(canvas: Canvas, template: LicenceTemplate, width: float, height: float) -> None:
    canvas.saveState()
    canvas.setStrokeColor(_colour(template.colours.frame))
    canvas.setLineWidth(2.2)
    canvas.rect(FRAME_INSET, FRAME_INSET, width - 2 * FRAME_INSET, height - 2 * FRAME_INSET)
    canvas.setLineWidth(0.6)
    inner = FRAME_INSET + 2 * mm
    canvas.rect(inner, inner, width - 2 * inner, height - 2 * inner)
    canvas.restoreState()


def _draw_title(canvas: Canvas, font: str, template: LicenceTemplate, box: _Box) -> None:
    centre = (box.left + box.right) / 2
    size = 30.0
    # Short titles are spaced out as on printed licences (营 业 执 照).
    spacing = size * 0.5 if len(template.title) <= 5 else 0.0
    title_width = text_width(template.title, size) + spacing * (len(template.title) - 1)
    canvas.saveState()
    canvas.setFillColor(_colour(template.colours.title))
    text = canvas.beginText(centre - title_width / 2, box.top - size)
    text.setFont(font, size)
    text.setCharSpace(spacing)
    text.textOut(template.title)
    canvas.drawText(text)
    canvas.restoreState()
    canvas.saveState()
    canvas.setFillColor(_colour(template.colours.title))
    if template.subtitle:
        canvas.setFont(font, 14)
        canvas.drawCentredString(centre, box.top - size - 20, template.subtitle)
    canvas.restoreState()


def _draw_photo(canvas: Canvas, photo: bytes, centre_x: float, top: float) -> float:
    """Draw the photo at its own aspect ratio, as large as fits the photo box, hanging from
    ``top`` and centred on ``centre_x``; return the height used."""
    from PIL import Image, UnidentifiedImageError  # noqa: PLC0415 - see the module doc
    from reportlab.lib.utils import ImageReader  # noqa: PLC0415

    if sniff_format(photo) not in _PHOTO_FORMATS:
        raise LicenceRecordInvalidError("<photo>", "the photo must be a JPEG or PNG image")
    try:
        with Image.open(io.BytesIO(photo)) as image:
            image.verify()
        reader = ImageReader(io.BytesIO(photo))
        pixels_w, pixels_h = reader.getSize()
    except (OSError, SyntaxError, ValueError, UnidentifiedImageError):
        raise LicenceRecordInvalidError("<photo>", "the photo cannot be decoded") from None
    box_w, box_h = PHOTO_BOX
    scale = min(box_w / pixels_w, box_h / pixels_h)
    w, h = pixels_w * scale, pixels_h * scale
    x, y = centre_x - w / 2, top - h
    canvas.drawImage(reader, x, y, w, h)
    canvas.saveState()
    canvas.setLineWidth(0.5)
    canvas.rect(x, y, w, h, stroke=1, fill=0)
    canvas.restoreState()
    return h


def _layout_fields(
    licence: Licence, template: LicenceTemplate, box: _Box
) -> tuple[float, float, list[tuple[str, list[str]]]]:
    """Font size, label column width and wrapped lines: the largest size at which all fit."""
    size = MAX_FONT
    values = [(field.shown_label, _field_value(licence, field.key)) for field in template.fields]
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


def _draw_fields(
    canvas: Canvas, font: str, licence: Licence, template: LicenceTemplate, box: _Box
) -> None:
    size, label_width, wrapped = _layout_fields(licence, template, box)
    leading = size * LEADING
    y = box.top - size
    canvas.saveState()
    for label, value_lines in wrapped:
        canvas.setFillColor(_colour(template.colours.label))
        canvas.setFont(font, size)
        canvas.drawString(box.left, y, label)
        canvas.setFillColor(_colour(template.colours.text))
        for line in value_lines:
            canvas.drawString(box.left + label_width, y, line)
            y -= leading
        y -= size * 0.6
    canvas.restoreState()


def _draw_footer(
    canvas: Canvas, font: str, licence: Licence, template: LicenceTemplate, box: _Box, seal: Seal
) -> None:
    canvas.saveState()
    canvas.setFillColor(_colour(template.colours.text))
    canvas.setFont(font, 12)
    issuer_line = f"颁发机构：{licence.issuer}"
    date_line = f"颁发日期：{_format_date(licence.issue_date)}"
    right = box.right
    y = box.bottom + ISSUER_LINE
    canvas.drawRightString(right, y, issuer_line)
    canvas.drawRightString(right, y - 18, date_line)
    canvas.setFont(font, 7.5)
    canvas.setFillColor(_colour(template.colours.label))
    canvas.drawString(box.left, box.bottom, f"证照标识：{licence.identifier}")
    canvas.restoreState()
    seal_x = right - max(text_width(issuer_line, 12), text_width(date_line, 12)) / 2
    draw_seal(canvas, seal, min(seal_x, right - SEAL_RADIUS), y - 4, SEAL_RADIUS)
