"""The licence as an OFD file (GB/T 33190), showing what the PDF page shows.

:func:`render_licence_ofd` lays the page out exactly as :func:`elicense.render_licence` does
(the same boxes, font sizes, wrapping and colours, from ``elicense.render``'s layout), converted
from PDF points (origin bottom left) to OFD millimetres (origin top left), and writes the
package with :func:`signing.write_ofd`::

    OFD.xml                          DocBody: DocInfo (DocID, title, dates), DocRoot
    Doc_0/Document.xml               CommonData (MaxUnitID, PageArea, PublicRes, DocumentRes),
                                     Pages, Attachments
    Doc_0/PublicRes.xml              Fonts: the embedded font (BaseLoc Res)
    Doc_0/DocumentRes.xml            MultiMedias: the holder photo, the QR code (BaseLoc Res)
    Doc_0/Res/font_<id>.ttf          a TrueType subset of the PDF's face (elicense.ofd_font)
    Doc_0/Res/photo.jpg|png          the photo file as issued (the token's photo hash matches)
    Doc_0/Res/qr.png                 the QR code (same text as the PDF's: the ZZ1 token or link)
    Doc_0/Pages/Page_0/Content.xml   one Body layer: frame, text, photo, QR, drawn seal
    Doc_0/Attachs/Attachments.xml    licence.json (GB/T 36903 metadata and token)
    Doc_0/Attachs/licence.json       the same bytes the PDF attaches

Every file but ``OFD.xml`` lies under ``Doc_0/``, so a seal whose references cover the
document's files (``signing.ofd_seal``) covers the metadata too. Text objects carry ``DeltaX``
(each glyph's advance from the PDF's font metrics), so readers place every character as the PDF
does. Output is deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import math
from dataclasses import dataclass, field
from datetime import date
from typing import Final
from xml.etree import ElementTree as ET

import signing
from core import FileFormat, sniff_format
from elicense.attachment import ATTACHMENT_NAME, MAX_ATTACHMENT_BYTES
from elicense.errors import LicenceRecordInvalidError
from elicense.issue import IssuedLicence
from elicense.model import Licence
from elicense.ofd_font import OFD_FONT_NAME, font_subset
from elicense.qr_link import verify_link
from elicense.render_fonts import text_width
from elicense.render_layout import (
    FOOTER_BLOCK,
    FRAME_INSET,
    ISSUER_LINE,
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
from elicense.render_qr import QUIET_ZONE, qr_png
from elicense.seal import Seal
from elicense.template import LicenceTemplate, Orientation

__all__ = ["SealPlacement", "licence_ofd", "render_licence_ofd"]

NS: Final = signing.OFD_NAMESPACE
ET.register_namespace("ofd", NS)
MM_PER_POINT: Final = 25.4 / 72
_A4_PT: Final = (595.2755905511812, 841.8897637795277)
_DOC: Final = "Doc_0"
_QR_SCALE: Final = 8
_PHOTO_FILES: Final = {FileFormat.JPEG: ("photo.jpg", "JPEG"), FileFormat.PNG: ("photo.png", "PNG")}


@dataclass(frozen=True)
class SealPlacement:
    """Where the drawn seal sits on the page, in OFD millimetres from the top left: the box a
    seal's ``StampAnnot`` should use so the electronic seal covers the drawn one."""

    page: int
    left: float
    top: float
    width: float
    height: float


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _num(value: float) -> str:
    """A coordinate in millimetres, to 1/1000 mm, without trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _rgb(hex_code: str) -> str:
    code = hex_code.lstrip("#")
    return " ".join(str(int(code[i:i + 2], 16)) for i in (0, 2, 4))


@dataclass
class _Page:
    """Collects page objects in OFD units while the layout code speaks PDF points."""

    height_pt: float
    font_id: int
    next_id: int
    layer: ET.Element = field(default_factory=lambda: ET.Element(_q("Layer")))
    text: list[str] = field(default_factory=list)

    def new_id(self) -> str:
        self.next_id += 1
        return str(self.next_id)

    def x(self, points: float) -> float:
        return points * MM_PER_POINT

    def y(self, points: float) -> float:
        return (self.height_pt - points) * MM_PER_POINT

    def string(self, x_pt: float, baseline_pt: float, text: str, size_pt: float, colour: str,
               spacing_pt: float = 0.0, alpha: int | None = None,
               ctm: tuple[float, ...] | None = None, box: tuple[float, ...] | None = None,
               ) -> None:
        """``text`` with its baseline starting at (``x_pt``, ``baseline_pt``) as the PDF draws
        it; ``ctm``/``box`` place it in a rotated frame instead (the seal's arc)."""
        if not text:
            return
        size = size_pt * MM_PER_POINT
        advances = [text_width(char, size_pt) * MM_PER_POINT for char in text]
        spacing = spacing_pt * MM_PER_POINT
        width = sum(advances) + spacing * (len(text) - 1)
        element = ET.SubElement(self.layer, _q("TextObject"))
        element.set("ID", self.new_id())
        if box is None:
            box = (self.x(x_pt), self.y(baseline_pt) - size, width + size * 0.1, size * 1.3)
            origin = (0.0, size)
        else:
            origin = (x_pt * MM_PER_POINT, baseline_pt * MM_PER_POINT)
        element.set("Boundary", " ".join(_num(v) for v in box))
        if ctm is not None:
            element.set("CTM", " ".join(_num(v) if abs(v) >= 0.0005 else "0" for v in ctm))
        if alpha is not None:
            element.set("Alpha", str(alpha))
        element.set("Font", str(self.font_id))
        element.set("Size", _num(size))
        fill = ET.SubElement(element, _q("FillColor"))
        fill.set("Value", _rgb(colour))
        code = ET.SubElement(element, _q("TextCode"))
        code.set("X", _num(origin[0]))
        code.set("Y", _num(origin[1]))
        if len(text) > 1:
            code.set("DeltaX", " ".join(_num(advance + spacing) for advance in advances[:-1]))
        code.text = text
        self.text.append(text)

    def right_string(self, right_pt: float, baseline_pt: float, text: str, size_pt: float,
                     colour: str) -> None:
        self.string(right_pt - text_width(text, size_pt), baseline_pt, text, size_pt, colour)

    def centred_string(self, centre_pt: float, baseline_pt: float, text: str, size_pt: float,
                       colour: str, alpha: int | None = None) -> None:
        self.string(centre_pt - text_width(text, size_pt) / 2, baseline_pt, text, size_pt,
                    colour, alpha=alpha)

    def path(self, box_pt: tuple[float, float, float, float], data: str, *, stroke: str | None,
             fill: str | None, line_width_pt: float = 0.0, alpha: int | None = None) -> None:
        """A path in the box (left, bottom, right, top in points); ``data`` in box millimetres
        from its top left."""
        left, bottom, right, top = box_pt
        element = ET.SubElement(self.layer, _q("PathObject"))
        element.set("ID", self.new_id())
        element.set("Boundary", " ".join(_num(v) for v in (
            self.x(left), self.y(top), (right - left) * MM_PER_POINT,
            (top - bottom) * MM_PER_POINT)))
        if line_width_pt:
            element.set("LineWidth", _num(line_width_pt * MM_PER_POINT))
        if alpha is not None:
            element.set("Alpha", str(alpha))
        element.set("Stroke", "true" if stroke else "false")
        element.set("Fill", "true" if fill else "false")
        if stroke:
            ET.SubElement(element, _q("StrokeColor")).set("Value", _rgb(stroke))
        if fill:
            ET.SubElement(element, _q("FillColor")).set("Value", _rgb(fill))
        ET.SubElement(element, _q("AbbreviatedData")).text = data

    def rect(self, left: float, bottom: float, width: float, height: float, colour: str,
             line_width_pt: float) -> None:
        pad = line_width_pt
        w, h = (width + 2 * pad) * MM_PER_POINT, (height + 2 * pad) * MM_PER_POINT
        p = pad * MM_PER_POINT
        data = (f"M {_num(p)} {_num(p)} L {_num(w - p)} {_num(p)} L {_num(w - p)} {_num(h - p)}"
                f" L {_num(p)} {_num(h - p)} C")
        self.path((left - pad, bottom - pad, left + width + pad, bottom + height + pad), data,
                  stroke=colour, fill=None, line_width_pt=line_width_pt)

    def image(self, resource_id: int, left: float, bottom: float, width: float,
              height: float) -> None:
        element = ET.SubElement(self.layer, _q("ImageObject"))
        element.set("ID", self.new_id())
        w, h = width * MM_PER_POINT, height * MM_PER_POINT
        element.set("Boundary", " ".join(_num(v) for v in (
            self.x(left), self.y(bottom + height), w, h)))
        element.set("CTM", f"{_num(w)} 0 0 {_num(h)} 0 0")
        element.set("ResourceID", str(resource_id))


def render_licence_ofd(
    licence: Licence,
    template: LicenceTemplate,
    *,
    photo: bytes | None,
    qr_payload: str,
    metadata: bytes,
    seal: Seal | None = None,
    draw_seal: bool = True,
) -> tuple[bytes, SealPlacement]:
    """The licence as an unsigned one-page OFD, and where its seal sits.

    Same inputs and checks as :func:`elicense.render_licence` (``LicenceRecordInvalidError``
    when the record does not fit the template or the photo is unusable), plus ``metadata``:
    the ``licence.json`` bytes the PDF attaches, carried as the OFD attachment. With
    ``draw_seal=False`` the page leaves the seal out (an electronic seal's ``StampAnnot`` is
    then the only one shown, at the returned :class:`SealPlacement`).
    """
    if not qr_payload:
        raise ValueError("qr_payload is empty")
    check_against_template(licence, template, photo)
    width, height = _A4_PT if template.orientation is Orientation.PORTRAIT else _A4_PT[::-1]
    ids = iter(range(1, 6))
    font_id, photo_id, qr_id, layer_id, attachment_id = (next(ids) for _ in range(5))
    page = _Page(height_pt=height, font_id=font_id, next_id=attachment_id)
    page.layer.set("ID", str(layer_id))
    page.layer.set("Type", "Body")
    res: dict[str, bytes] = {}
    media: list[tuple[int, str, str]] = []

    _frame(page, template, width, height)
    content = Box(FRAME_INSET + PADDING, FRAME_INSET + PADDING,
                   width - FRAME_INSET - PADDING, height - FRAME_INSET - PADDING)
    _title(page, template, content)
    side_left = content.right - SIDE_COLUMN
    side_top = content.top - TITLE_BLOCK
    if photo is not None:
        name, kind = _PHOTO_FILES[_photo_format(photo)]
        res[name] = photo
        media.append((photo_id, kind, name))
        side_top -= _photo(page, photo_id, photo, side_left + SIDE_COLUMN / 2, side_top) + 6 * mm
    res["qr.png"] = _qr_png(qr_payload)
    media.append((qr_id, "PNG", "qr.png"))
    page.image(qr_id, side_left, side_top - QR_SIZE, QR_SIZE, QR_SIZE)
    fields = Box(content.left, content.bottom + FOOTER_BLOCK, side_left - 8 * mm,
                  content.top - TITLE_BLOCK)
    _fields(page, licence, template, fields)
    footer = Box(content.left, content.bottom, side_left - 8 * mm, content.bottom + FOOTER_BLOCK)
    centre = _footer(page, licence, template, footer)
    the_seal = seal or Seal(licence.issuer, colour=template.colours.seal)
    if draw_seal:
        _seal(page, the_seal, *centre, SEAL_RADIUS)
    placement = SealPlacement(0, page.x(centre[0] - SEAL_RADIUS), page.y(centre[1] + SEAL_RADIUS),
                              2 * SEAL_RADIUS * MM_PER_POINT, 2 * SEAL_RADIUS * MM_PER_POINT)

    page_id = int(page.new_id())
    font_file = f"font_{font_id}.ttf"
    res[font_file] = font_subset("".join(page.text))
    files = {
        "OFD.xml": _ofd_xml(licence),
        f"{_DOC}/Document.xml": _document_xml(width, height, page_id),
        f"{_DOC}/PublicRes.xml": _public_res(font_id, font_file),
        f"{_DOC}/DocumentRes.xml": _document_res(media),
        f"{_DOC}/Pages/Page_0/Content.xml": _content_xml(page, width, height),
        f"{_DOC}/Attachs/Attachments.xml": _attachments_xml(attachment_id, metadata,
                                                            licence.issue_date),
        f"{_DOC}/Attachs/{ATTACHMENT_NAME}": metadata,
    }
    files.update({f"{_DOC}/Res/{name}": data for name, data in res.items()})
    return signing.write_ofd(files), placement


def licence_ofd(issued: IssuedLicence, template: LicenceTemplate, *, photo: bytes | None,
                public_url: str | None = None, draw_seal: bool = True,
                ) -> tuple[bytes, SealPlacement]:
    """The OFD of a licence issued as a PDF: the same QR text (the token, or its link to
    ``public_url``) and the very ``licence.json`` bytes the signed PDF attaches."""
    attachments = signing.read_pdf_attachments(issued.pdf, {ATTACHMENT_NAME: MAX_ATTACHMENT_BYTES})
    metadata = (attachments or {}).get(ATTACHMENT_NAME)
    if metadata is None:
        raise ValueError("the issued PDF carries no readable licence.json")
    return render_licence_ofd(issued.licence, template, photo=photo,
                              qr_payload=verify_link(issued.token, public_url),
                              metadata=metadata, draw_seal=draw_seal)


def _photo_format(photo: bytes) -> FileFormat:
    kind = sniff_format(photo)
    if kind not in _PHOTO_FILES:
        raise LicenceRecordInvalidError("<photo>", "the photo must be a JPEG or PNG image")
    return kind


def _frame(page: _Page, template: LicenceTemplate, width: float, height: float) -> None:
    colour = template.colours.frame
    page.rect(FRAME_INSET, FRAME_INSET, width - 2 * FRAME_INSET, height - 2 * FRAME_INSET,
              colour, 2.2)
    inner = FRAME_INSET + 2 * mm
    page.rect(inner, inner, width - 2 * inner, height - 2 * inner, colour, 0.6)


def _title(page: _Page, template: LicenceTemplate, box: Box) -> None:
    centre = (box.left + box.right) / 2
    size = 30.0
    spacing = size * 0.5 if len(template.title) <= 5 else 0.0
    title_width = text_width(template.title, size) + spacing * (len(template.title) - 1)
    page.string(centre - title_width / 2, box.top - size, template.title, size,
                template.colours.title, spacing)
    if template.subtitle:
        page.centred_string(centre, box.top - size - 20, template.subtitle, 14,
                            template.colours.title)


def _photo(page: _Page, resource_id: int, photo: bytes, centre_x: float, top: float) -> float:
    # Pillow loads when a page is drawn, as in elicense.render (``import elicense`` is light).
    from PIL import Image, UnidentifiedImageError  # noqa: PLC0415

    try:
        with Image.open(io.BytesIO(photo)) as image:
            image.verify()
        with Image.open(io.BytesIO(photo)) as image:
            pixels_w, pixels_h = image.size
    except (OSError, SyntaxError, ValueError, UnidentifiedImageError):
        raise LicenceRecordInvalidError("<photo>", "the photo cannot be decoded") from None
    box_w, box_h = PHOTO_BOX
    scale = min(box_w / pixels_w, box_h / pixels_h)
    w, h = pixels_w * scale, pixels_h * scale
    x, y = centre_x - w / 2, top - h
    page.image(resource_id, x, y, w, h)
    page.path((x, y, x + w, y + h),
              f"M 0 0 L {_num(w * MM_PER_POINT)} 0 L {_num(w * MM_PER_POINT)} "
              f"{_num(h * MM_PER_POINT)} L 0 {_num(h * MM_PER_POINT)} C",
              stroke="#000000", fill=None, line_width_pt=0.5)
    return h


def _qr_png(payload: str) -> bytes:
    return qr_png(payload, _QR_SCALE, QUIET_ZONE)


def _fields(page: _Page, licence: Licence, template: LicenceTemplate, box: Box) -> None:
    size, label_width, wrapped = layout_fields(licence, template, box)
    leading = size * 1.5
    y = box.top - size
    for label, value_lines in wrapped:
        page.string(box.left, y, label, size, template.colours.label)
        for line in value_lines:
            page.string(box.left + label_width, y, line, size, template.colours.text)
            y -= leading
        y -= size * 0.6


def _footer(page: _Page, licence: Licence, template: LicenceTemplate, box: Box,
            ) -> tuple[float, float]:
    """Issuer and date lines, the identifier; returns the seal's centre (points)."""
    issuer_line = f"颁发机构：{licence.issuer}"
    date_line = f"颁发日期：{format_date(licence.issue_date)}"
    right = box.right
    y = box.bottom + ISSUER_LINE
    page.right_string(right, y, issuer_line, 12, template.colours.text)
    page.right_string(right, y - 18, date_line, 12, template.colours.text)
    page.string(box.left, box.bottom, f"证照标识：{licence.identifier}", 7.5,
                template.colours.label)
    seal_x = right - max(text_width(issuer_line, 12), text_width(date_line, 12)) / 2
    return min(seal_x, right - SEAL_RADIUS), y - 4


def _circle(cx: float, cy: float, r: float) -> str:
    """A circle as four cubic Béziers (millimetres, y down)."""
    k = 0.5522847498 * r
    return (f"M {_num(cx + r)} {_num(cy)} "
            f"B {_num(cx + r)} {_num(cy + k)} {_num(cx + k)} {_num(cy + r)} {_num(cx)} "
            f"{_num(cy + r)} "
            f"B {_num(cx - k)} {_num(cy + r)} {_num(cx - r)} {_num(cy + k)} {_num(cx - r)} "
            f"{_num(cy)} "
            f"B {_num(cx - r)} {_num(cy - k)} {_num(cx - k)} {_num(cy - r)} {_num(cx)} "
            f"{_num(cy - r)} "
            f"B {_num(cx + k)} {_num(cy - r)} {_num(cx + r)} {_num(cy - k)} {_num(cx + r)} "
            f"{_num(cy)} C")


def _seal(page: _Page, seal: Seal, cx: float, cy: float, radius: float) -> None:
    """The drawn seal of ``elicense.seal`` (ring, star, issuer along the arc, caption)."""
    alpha = round(seal.opacity * 255)
    box = (cx - radius, cy - radius, cx + radius, cy + radius)
    r_mm = radius * MM_PER_POINT
    page.path(box, _circle(r_mm, r_mm, r_mm * 0.94), stroke=seal.colour, fill=None,
              line_width_pt=radius * 0.06, alpha=alpha)
    outer, inner = r_mm * 0.27, r_mm * 0.27 * 0.382
    points = []
    for i in range(10):
        angle = math.radians(90 + i * 36)
        r = outer if i % 2 == 0 else inner
        points.append((r_mm + r * math.cos(angle), r_mm - r * math.sin(angle)))
    star = " ".join(f"{'M' if i == 0 else 'L'} {_num(x)} {_num(y)}"
                    for i, (x, y) in enumerate(points)) + " C"
    page.path(box, star, stroke=None, fill=seal.colour, alpha=alpha)
    _arc_text(page, seal, cx, cy, radius, alpha)
    if seal.caption:
        page.centred_string(cx, cy - radius * 0.52, seal.caption, radius * 0.15, seal.colour,
                            alpha=alpha)


def _arc_text(page: _Page, seal: Seal, cx: float, cy: float, radius: float, alpha: int) -> None:
    """Each character upright along the upper arc, as ``elicense.seal`` draws it: a text
    object over the seal's square whose CTM rotates about the centre."""
    text = seal.text
    if not text:
        return
    count = len(text)
    span = min(210.0, 24.0 * (count - 1))
    step = span / (count - 1) if count > 1 else 0.0
    baseline = radius * 0.7
    size = min(radius * 0.2, 0.9 * math.radians(step or 24.0) * baseline)
    r_mm = radius * MM_PER_POINT
    box = (page.x(cx - radius), page.y(cy + radius), 2 * r_mm, 2 * r_mm)
    for i, char in enumerate(text):
        turn = math.radians(90 + span / 2 - i * step - 90)  # anticlockwise, as on the PDF
        cos, sin = math.cos(turn), math.sin(turn)
        # Object space: the character centred on x = 0, its baseline ``baseline`` above the
        # origin (y grows downwards); the CTM turns it anticlockwise and moves the origin to
        # the seal's centre in the box.
        page.string(-text_width(char, size) / 2, -baseline, char, size, seal.colour,
                    alpha=alpha, ctm=(cos, -sin, sin, cos, r_mm, r_mm), box=box)


def _xml(root: ET.Element) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8",
                                                                      xml_declaration=False)


def _sub(parent: ET.Element, name: str, text: str | None = None, **attributes: str,
         ) -> ET.Element:
    element = ET.SubElement(parent, _q(name), attributes)
    if text is not None:
        element.text = text
    return element


def _ofd_xml(licence: Licence) -> bytes:
    root = ET.Element(_q("OFD"), {"Version": "1.0", "DocType": "OFD"})
    body = _sub(root, "DocBody")
    info = _sub(body, "DocInfo")
    _sub(info, "DocID", hashlib.sha256(licence.identifier.encode()).hexdigest()[:32])
    _sub(info, "Title", licence.name)
    _sub(info, "Author", licence.issuer)
    _sub(info, "Subject", licence.identifier)
    _sub(info, "CreationDate", licence.issue_date.isoformat())
    _sub(info, "Creator", "zhengzhao")
    _sub(info, "CreatorVersion", "0.1.0")
    _sub(body, "DocRoot", f"{_DOC}/Document.xml")
    return _xml(root)


def _document_xml(width_pt: float, height_pt: float, page_id: int) -> bytes:
    """The document; the page's ID is the last one handed out, so it is also MaxUnitID."""
    root = ET.Element(_q("Document"))
    common = _sub(root, "CommonData")
    _sub(common, "MaxUnitID", str(page_id))
    area = _sub(common, "PageArea")
    _sub(area, "PhysicalBox", f"0 0 {_num(width_pt * MM_PER_POINT)} "
                              f"{_num(height_pt * MM_PER_POINT)}")
    _sub(common, "PublicRes", "PublicRes.xml")
    _sub(common, "DocumentRes", "DocumentRes.xml")
    pages = _sub(root, "Pages")
    _sub(pages, "Page", ID=str(page_id), BaseLoc="Pages/Page_0/Content.xml")
    _sub(root, "Attachments", "Attachs/Attachments.xml")
    return _xml(root)


def _public_res(font_id: int, font_file: str) -> bytes:
    root = ET.Element(_q("Res"), {"BaseLoc": "Res"})
    fonts = _sub(root, "Fonts")
    font = _sub(fonts, "Font", ID=str(font_id), FontName=OFD_FONT_NAME,
                FamilyName=OFD_FONT_NAME)
    _sub(font, "FontFile", font_file)
    return _xml(root)


def _document_res(media: list[tuple[int, str, str]]) -> bytes:
    root = ET.Element(_q("Res"), {"BaseLoc": "Res"})
    items = _sub(root, "MultiMedias")
    for resource_id, kind, name in media:
        item = _sub(items, "MultiMedia", ID=str(resource_id), Type="Image", Format=kind)
        _sub(item, "MediaFile", name)
    return _xml(root)


def _content_xml(page: _Page, width_pt: float, height_pt: float) -> bytes:
    root = ET.Element(_q("Page"))
    area = _sub(root, "Area")
    _sub(area, "PhysicalBox", f"0 0 {_num(width_pt * MM_PER_POINT)} "
                              f"{_num(height_pt * MM_PER_POINT)}")
    content = _sub(root, "Content")
    content.append(page.layer)
    return _xml(root)


def _attachments_xml(attachment_id: int, metadata: bytes, issued_on: date) -> bytes:
    root = ET.Element(_q("Attachments"))
    item = _sub(root, "Attachment", ID=str(attachment_id), Name=ATTACHMENT_NAME,
                Format="json", CreationDate=f"{issued_on.isoformat()}T00:00:00",
                Size=_num(len(metadata) / 1024), Visible="false", Usage="none")
    _sub(item, "FileLoc", ATTACHMENT_NAME)
    return _xml(root)

