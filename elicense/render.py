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
from datetime import date
from typing import TYPE_CHECKING, Final

from core import FileFormat, sniff_format
from elicense.errors import LicenceRecordInvalidError
from elicense.model import Licence
from elicense.render_fonts import register_font, text_width
from elicense.render_layout import (
    FOOTER_BLOCK,
    FRAME_INSET,
    ISSUER_LINE,
    LEADING,
    PADDING,
    PHOTO_BOX,
    QR_SIZE,
    SEAL_RADIUS,
    SIDE_COLUMN,
    TITLE_BLOCK,
    Box,
    check_against_template,
    format_date,
    layout_fields,
    mm,
)
from elicense.render_qr import QrStyle, draw_qr
from elicense.seal import Seal, draw_seal
from elicense.template import LicenceTemplate, Orientation

if TYPE_CHECKING:
    from reportlab.lib.colors import Color
    from reportlab.pdfgen.canvas import Canvas

log = logging.getLogger(__name__)

_PHOTO_FORMATS: Final = (FileFormat.JPEG, FileFormat.PNG)


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

    check_against_template(licence, template, photo)
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
    content = Box(FRAME_INSET + PADDING, FRAME_INSET + PADDING,
                   width - FRAME_INSET - PADDING, height - FRAME_INSET - PADDING)
    _draw_title(canvas, font, template, content)
    side_left = content.right - SIDE_COLUMN
    side_top = content.top - TITLE_BLOCK
    if photo is not None:
        side_top -= _draw_photo(canvas, photo, side_left + SIDE_COLUMN / 2, side_top) + 6 * mm
    draw_qr(canvas, qr_payload, side_left, side_top - QR_SIZE, QR_SIZE, qr_style)
    fields = Box(content.left, content.bottom + FOOTER_BLOCK, side_left - 8 * mm,
                  content.top - TITLE_BLOCK)
    _draw_fields(canvas, font, licence, template, fields)
    footer = Box(content.left, content.bottom, side_left - 8 * mm, content.bottom + FOOTER_BLOCK)
    _draw_footer(canvas, font, licence, template, footer,
                 seal or Seal(licence.issuer, colour=template.colours.seal))
    canvas.showPage()
    canvas.save()
    log.debug("rendered licence type %s", licence.type_code)
    return buffer.getvalue()


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


def _draw_title(canvas: Canvas, font: str, template: LicenceTemplate, box: Box) -> None:
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


def _draw_fields(
    canvas: Canvas, font: str, licence: Licence, template: LicenceTemplate, box: Box
) -> None:
    size, label_width, wrapped = layout_fields(licence, template, box)
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
    canvas: Canvas, font: str, licence: Licence, template: LicenceTemplate, box: Box, seal: Seal
) -> None:
    canvas.saveState()
    canvas.setFillColor(_colour(template.colours.text))
    canvas.setFont(font, 12)
    issuer_line = f"颁发机构：{licence.issuer}"
    date_line = f"颁发日期：{format_date(licence.issue_date)}"
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
