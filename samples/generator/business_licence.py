"""Business licence (营业执照) renderer after the 2019 多证合一 design, landscape or portrait.

Cream paper with a red guilloche border, the abstract emblem, the title, the USCC top-left, a
QR-like code top-right, two columns of label/value fields (one column in portrait), and at the
bottom right 登记机关 with the authority's seal and the registration date. As on real licences the
authority's name appears only in the seal's arc text.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from PIL import Image, ImageDraw

from core.documents import BusinessLicenceField, DocType
from samples.generator import ornaments
from samples.generator.identity import Company
from samples.generator.truth import Rendered
from samples.generator.typesetting import (
    Face,
    draw_centred,
    draw_justified,
    draw_spaced,
    font,
    wrap,
)

LANDSCAPE = (1600, 1130)
PORTRAIT = (1130, 1600)
BORDER_MARGIN, BORDER_BAND = 24, 40
BORDER_COLOUR = (206, 72, 40)
INK = (20, 20, 20)
_QR_CAPTION = "扫描二维码登录“国家企业信用信息公示系统”了解更多登记、备案、许可、监管信息。"


def chinese_date(day: date) -> str:
    """A date as printed on licences, e.g. ``2015年03月01日``."""
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def _border_strip(length: int, rng: np.random.Generator) -> np.ndarray:
    """Interlaced rope pattern for one border strip, shape (BORDER_BAND, length), in [0, 1]."""
    v, u = np.mgrid[0:BORDER_BAND, 0:length].astype(np.float32)
    period = rng.uniform(16, 24)
    wave = 2.4 * np.sin(2 * np.pi * v / BORDER_BAND)
    a = np.exp(-np.sin(np.pi * u / period + wave) ** 2 / 0.06)
    b = np.exp(-np.sin(np.pi * u / period - wave) ** 2 / 0.06)
    return np.maximum(a, b)


def _paper(width: int, height: int, rng: np.random.Generator) -> Image.Image:
    """Cream paper, faint background guilloche and the decorative border (RGB)."""
    base = np.empty((height, width, 3), np.float32)
    base[:] = np.array((250, 246, 233), np.float32) + rng.uniform(-3, 3, 3).astype(np.float32)
    faint = ornaments.guilloche(width // 2, height // 2, rng, families=2, spacing=14)
    faint = np.asarray(Image.fromarray((faint * 255).astype(np.uint8)).resize((width, height)),
                       np.float32) / 255
    pixels = ornaments.tint(base, faint, (236, 196, 170), 0.16)
    m, band = BORDER_MARGIN, BORDER_BAND
    top = _border_strip(width - 2 * m, rng)
    side = _border_strip(height - 2 * m, rng)
    colour = np.array(BORDER_COLOUR, np.float32)
    for region, mask in (
        (pixels[m:m + band, m:width - m], top),
        (pixels[height - m - band:height - m, m:width - m], top[::-1]),
        (pixels[m:height - m, m:m + band], side.T),
        (pixels[m:height - m, width - m - band:width - m], side.T[:, ::-1]),
    ):
        alpha = (mask * 0.85)[..., None]
        region[:] = np.maximum(region * (1 - alpha) + colour * alpha, 0)
    img = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img)
    d.rectangle((m, m, width - m, height - m), outline=BORDER_COLOUR, width=3)
    d.rectangle((m + band, m + band, width - m - band, height - m - band),
                outline=BORDER_COLOUR, width=2)
    d.rectangle((m + band + 7, m + band + 7, width - m - band - 7, height - m - band - 7),
                outline=BORDER_COLOUR, width=1)
    for cx, cy in ((m + band / 2, m + band / 2), (width - m - band / 2, m + band / 2),
                   (m + band / 2, height - m - band / 2),
                   (width - m - band / 2, height - m - band / 2)):
        for r in (18, 12, 6):
            d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(250, 240, 225),
                      outline=BORDER_COLOUR, width=2)
    return img


def _rows(company: Company) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Left and right column (label, printed value) pairs for this entity type."""
    kind = company.entity_type
    left = [("名称", company.name), ("类型", company.type_text),
            (kind.representative_label, company.legal_representative)]
    if company.composition:
        left.append(("组成形式", company.composition))
    left.append(("经营范围", company.business_scope))
    right: list[tuple[str, str]] = []
    if company.registered_capital:
        right.append(("注册资本", company.registered_capital))
    right.append((kind.date_label, chinese_date(company.established)))
    if kind.has_term:
        end = "长期" if company.term_until is None else chinese_date(company.term_until)
        right.append(("营业期限", f"{chinese_date(company.established)}至{end}"))
    right.append((kind.address_label, company.address))
    return left, right


def _column(draw: ImageDraw.ImageDraw | None, rows: list[tuple[str, str]], x: int, y: float,
            width: int, size: int, justify: bool, gap: int = 16) -> float:
    """Lay out (and draw, when ``draw`` is given) label/value rows; return the next baseline."""
    label_font, value_font = font(Face.HEI, size), font(Face.SONG, size)
    line_height, value_x = size + 12, x + 5 * size + 20
    for label, value in rows:
        lines = wrap(value, value_font, width - (value_x - x))
        if draw is not None:
            if justify and len(label) == 2:
                draw_justified(draw, (x, y), label, label_font, INK, 4 * size)
            else:
                draw_spaced(draw, (x, y), label, label_font, INK)
            for i, line in enumerate(lines):
                draw_spaced(draw, (value_x, y + i * line_height), line, value_font, INK)
        y += len(lines) * line_height + gap
    return y


def render_business_licence(company: Company, rng: np.random.Generator,
                            orientation: str | None = None) -> Rendered:
    """Render a licence; ``orientation`` is ``landscape``, ``portrait`` or None (random)."""
    orientation = orientation or ("portrait" if rng.random() < 0.2 else "landscape")
    portrait = orientation == "portrait"
    width, height = PORTRAIT if portrait else LANDSCAPE
    img = _paper(width, height, rng)
    draw = ImageDraw.Draw(img)
    centre = width / 2
    img.paste(ornaments.emblem(110), (int(centre - 55), 100), ornaments.emblem(110))
    draw_centred(draw, centre, 335, "营业执照", font(Face.HEI, 96), INK, 36)
    if rng.random() < 0.5:
        draw_centred(draw, centre, 390, "（副　本）", font(Face.HEI, 28), INK)
    left_x = 120 if portrait else 130
    if rng.random() < 0.4:
        number = "".join(str(d) for d in rng.integers(0, 10, 17))
        draw_spaced(draw, (left_x, 130), f"证照编号：{number}", font(Face.HEI, 20), INK)
    draw_spaced(draw, (left_x, 180), "统一社会信用代码", font(Face.HEI, 24), INK, 2)
    draw_spaced(draw, (left_x, 224), company.uscc, font(Face.HEI, 32), INK, 1)
    qr = ornaments.qr_like(rng, module_px=5)
    qr_x = width - 124 - qr.width
    img.paste(qr, (qr_x, 100))
    for i, line in enumerate(wrap(_QR_CAPTION, font(Face.HEI, 15), qr.width + 40)):
        draw_spaced(draw, (qr_x - 20, 100 + qr.height + 22 + 20 * i), line, font(Face.HEI, 15), INK)

    left, right = _rows(company)
    justify = rng.random() < 0.8
    if portrait:
        columns = [(left[:-1] + right + left[-1:], 130, width - 260)]
        bottom_limit, size, gap, top = height - 420, 32, 30, 520
    else:
        columns = [(left, 130, 720), (right, 880, 600)]
        bottom_limit, size, gap, top = height - 200, 28, 16, 470
    while size > 22 and max(_column(None, rows, x, top, w, size, justify, gap)
                            for rows, x, w in columns) > bottom_limit:
        size -= 2
    for rows, x, w in columns:
        _column(draw, rows, x, top, w, size, justify, gap)

    seal_y = height - 250 if not portrait else height - 330
    draw_spaced(draw, (width - 590, seal_y - 10), "登记机关", font(Face.HEI, 32), INK, 8)
    draw_spaced(draw, (width - 510, seal_y + 55), chinese_date(company.registration_date),
                font(Face.SONG, 30), INK)
    stamp = ornaments.seal(company.registration_authority, 100, rng)
    ornaments.multiply_onto(img, stamp, (int(width - 430 - stamp.width / 2),
                                         int(seal_y - stamp.height / 2 + 10)))
    small = font(Face.HEI, 16)
    footer_y = height - 170
    draw_spaced(draw, (left_x, footer_y), "国家企业信用信息公示系统网址：", small, INK)
    draw_spaced(draw, (left_x, footer_y + 22), "http://www.gsxt.gov.cn", small, INK)
    draw_spaced(draw, (left_x, footer_y + 44),
                "市场主体应当于每年1月1日至6月30日通过国家企业信用信息公示系统报送公示年度报告。",
                small, INK)
    draw_centred(draw, centre, height - 80, "国家市场监督管理总局监制", font(Face.HEI, 17), INK)

    kind = company.entity_type
    fields = {
        BusinessLicenceField.USCC.value: company.uscc,
        BusinessLicenceField.NAME.value: company.name,
        BusinessLicenceField.ENTITY_TYPE.value: company.type_text,
        BusinessLicenceField.LEGAL_REPRESENTATIVE.value: company.legal_representative,
    }
    if company.registered_capital:
        fields[BusinessLicenceField.REGISTERED_CAPITAL.value] = company.registered_capital
    fields[BusinessLicenceField.ESTABLISHED_DATE.value] = company.established.isoformat()
    if kind.has_term:
        fields[BusinessLicenceField.TERM_FROM.value] = company.established.isoformat()
        fields[BusinessLicenceField.TERM_UNTIL.value] = (
            "长期" if company.term_until is None else company.term_until.isoformat())
    fields[BusinessLicenceField.ADDRESS.value] = company.address
    fields[BusinessLicenceField.BUSINESS_SCOPE.value] = company.business_scope
    fields[BusinessLicenceField.REGISTRATION_AUTHORITY.value] = company.registration_authority
    fields[BusinessLicenceField.REGISTRATION_DATE.value] = company.registration_date.isoformat()
    extra = {"orientation": orientation, "labels_justified": justify, "value_font_px": size,
             "seal_only_fields": [BusinessLicenceField.REGISTRATION_AUTHORITY.value],
             "composition": company.composition}
    return Rendered(img.convert("RGBA"), DocType.BUSINESS_LICENCE, fields, extra=extra)
