"""Printed application forms on A4 (1240 × 1754 px, 150 dpi): a title, a ruled table of label and
value cells, checkbox groups (☑ / ☐, printed glyphs or drawn boxes) and a few ``标签：值`` lines
outside the table (受理编号, signature, 申请日期).

Truth keys are the printed labels without colon or spaces; dates are printed in Chinese and
recorded as ``YYYY-MM-DD``; every checkbox option word maps to whether it is ticked.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from PIL import Image, ImageDraw

from core.documents import DocType
from samples.generator.identity import Company, Person
from samples.generator.ornaments import draw_checkbox
from samples.generator.truth import Rendered
from samples.generator.typesetting import (
    Face,
    draw_centred,
    draw_justified,
    draw_spaced,
    font,
    text_width,
    wrap,
)

PAGE = (1240, 1754)
TABLE_LEFT, TABLE_RIGHT = 90, 1150
LABEL_WIDTH, VALUE_WIDTH = 222, 308
INK = (15, 15, 15)


class FormKind(StrEnum):
    """The application forms the generator can fill in (the value is the printed title)."""

    LEGAL_REP_CHANGE = "营业执照法定代表人变更登记申请表"
    ID_APPLICATION = "居民身份证申领登记表"
    INDIVIDUAL_SETUP = "个体工商户设立登记申请书"


@dataclass(frozen=True, slots=True)
class Text:
    """A label cell and its value cell; ``span`` makes the value run across the row."""

    label: str
    value: str
    span: bool = False
    day: date | None = None  # set when the value is a printed date (truth gets ISO)


@dataclass(frozen=True, slots=True)
class Checks:
    """A label cell and a value cell of checkbox options."""

    label: str
    options: tuple[tuple[str, bool], ...]
    span: bool = False


@dataclass(frozen=True, slots=True)
class Section:
    """A full-width shaded heading row."""

    title: str


Row = Section | list[Text | Checks]


@dataclass(frozen=True, slots=True)
class FormFilling:
    """Everything a form needs besides the person and company; decided once per case."""

    kind: FormKind
    application_date: date
    acceptance_number: str
    previous_representative: str = ""
    change_reason: str = ""
    email: str = ""
    staff: int = 1
    funds_wan: int = 5
    id_reason: str = "有效期满换领"


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


# Cells the office fills in later: printed empty, so they are absent from the truth.
_OFFICE_ROWS: list[Row] = [Section("以下由受理机关填写"),
                           [Text("受理人", ""), Text("受理日期", "")],
                           [Text("审核意见", "", span=True)]]


def _sex(person: Person) -> Checks:
    return Checks("性别", (("男", person.sex == "男"), ("女", person.sex == "女")))


def _layout(filling: FormFilling, person: Person, company: Company) -> tuple[list[Row], str]:
    """The table rows and the signature label for this kind of form."""
    if filling.kind is FormKind.LEGAL_REP_CHANGE:
        return [
            Section("一、企业基本信息"),
            [Text("企业名称", company.name, span=True)],
            [Text("统一社会信用代码", company.uscc, span=True)],
            [Text("住所", company.address, span=True)],
            Section("二、变更事项"),
            [Checks("申请事项", (("变更", True), ("备案", False), ("注销", False)), span=True)],
            [Text("原法定代表人", filling.previous_representative),
             Text("新法定代表人", person.name)],
            [Text("公民身份号码", person.id_number, span=True)],
            [_sex(person), Text("联系电话", person.phone)],
            [Text("变更原因", filling.change_reason, span=True)],
            Section("三、申请人信息"),
            [Text("申请人姓名", person.name), Text("电子邮箱", filling.email)],
            *_OFFICE_ROWS,
        ], "法定代表人签字"
    if filling.kind is FormKind.ID_APPLICATION:
        reasons = ("首次申领", "有效期满换领", "损坏换领", "丢失补领")
        return [
            [Text("姓名", person.name), _sex(person)],
            [Text("民族", person.ethnicity),
             Text("出生日期", chinese_date(person.birth_date), day=person.birth_date)],
            [Text("公民身份号码", person.id_number, span=True)],
            [Text("户籍地址", person.address, span=True)],
            [Text("联系电话", person.phone), Text("受理单位", person.issuing_authority)],
            [Checks("申领原因", tuple((r, r == filling.id_reason) for r in reasons), span=True)],
            [Checks("领证方式", (("窗口领取", True), ("邮寄送达", False)), span=True)],
            *_OFFICE_ROWS,
        ], "申请人签名"
    return [
        Section("一、个体工商户基本信息"),
        [Text("个体工商户名称", company.name, span=True)],
        [Text("经营者姓名", person.name), _sex(person)],
        [Text("公民身份号码", person.id_number, span=True)],
        [Text("联系电话", person.phone), Text("从业人数", f"{filling.staff}人")],
        [Checks("组成形式", (("个人经营", company.composition != "家庭经营"),
                           ("家庭经营", company.composition == "家庭经营")), span=True)],
        [Text("经营场所", company.address, span=True)],
        [Text("经营范围", company.business_scope, span=True)],
        [Text("资金数额", f"{filling.funds_wan}万元", span=True)],
        *_OFFICE_ROWS,
    ], "经营者签字"


class _Painter:
    """Draws cells and collects the truth as it goes."""

    def __init__(self, img: Image.Image, rng: random.Random) -> None:
        self.draw = ImageDraw.Draw(img)
        self.label_font = font(Face.HEI, 24)
        self.value_font = font(Face.SONG if rng.random() < 0.6 else Face.HEI, 26)
        self.glyph_boxes = rng.random() < 0.5
        self.justify = rng.random() < 0.5
        self.fields: dict[str, str] = {}
        self.checkboxes: dict[str, bool] = {}

    def value_lines(self, cell: Text | Checks, width: float) -> int:
        if isinstance(cell, Checks):
            return len(self.option_lines(cell, width))
        return len(wrap(cell.value, self.value_font, width - 28))

    def option_lines(self, cell: Checks, width: float) -> list[list[tuple[str, bool]]]:
        """Checkbox options broken into lines that fit the cell."""
        lines: list[list[tuple[str, bool]]] = [[]]
        used = 16.0
        for word, checked in cell.options:
            need = 30 + 6 + self.value_font.getlength(word) + 30
            if lines[-1] and used + need - 30 > width - 10:
                lines.append([])
                used = 16.0
            lines[-1].append((word, checked))
            used += need
        return lines

    def label(self, text: str, left: float, top: float, height: float) -> None:
        lines = wrap(text, self.label_font, LABEL_WIDTH - 20)
        y0 = top + height / 2 - (len(lines) - 1) * 17 + 9
        for i, line in enumerate(lines):
            if self.justify and len(line) == 2:
                x = left + LABEL_WIDTH / 2 - 48
                draw_justified(self.draw, (x, y0 + 34 * i), line, self.label_font, INK, 96)
            else:
                draw_centred(self.draw, left + LABEL_WIDTH / 2, y0 + 34 * i, line,
                             self.label_font, INK)

    def value(self, cell: Text | Checks, left: float, top: float, height: float,
              width: float) -> None:
        key = cell.label.replace(" ", "").replace("　", "")
        if isinstance(cell, Text):
            lines = wrap(cell.value, self.value_font, width - 28)
            y0 = top + height / 2 - (len(lines) - 1) * 18 + 9
            for i, line in enumerate(lines):
                draw_spaced(self.draw, (left + 14, y0 + 36 * i), line, self.value_font, INK)
            if cell.value:
                self.fields[key] = cell.day.isoformat() if cell.day else cell.value
            return
        self.checkboxes.update(dict(cell.options))
        option_lines = self.option_lines(cell, width)
        y0 = top + height / 2 - (len(option_lines) - 1) * 18 + 10
        for i, options in enumerate(option_lines):
            x = left + 16
            for word, checked in options:
                x = self.checkbox(x, y0 + 36 * i, checked) + 6
                x = draw_spaced(self.draw, (x, y0 + 36 * i), word, self.value_font, INK) + 30

    def checkbox(self, x: float, baseline: float, checked: bool) -> float:
        if self.glyph_boxes:
            glyph = "☑" if checked else "☐"
            return draw_spaced(self.draw, (x, baseline + 2), glyph, font(Face.SANS, 30), INK)
        return draw_checkbox(self.draw, x, baseline, 24, checked, INK)


def render_form(filling: FormFilling, person: Person, company: Company,
                rng: random.Random) -> Rendered:
    """Render one filled-in form for ``person`` (and ``company``) as a white A4 page."""
    img = Image.new("RGB", PAGE, (255, 255, 255))
    painter = _Painter(img, rng)
    draw = painter.draw
    centre = PAGE[0] / 2
    draw.text((centre, 165), filling.kind.value, font=font(Face.HEI, 44), fill=INK, anchor="ms",
              stroke_width=1, stroke_fill=INK)
    number_text = f"受理编号：{filling.acceptance_number}"
    small = font(Face.HEI, 22)
    draw_spaced(draw, (TABLE_RIGHT - text_width(number_text, small), 240), number_text, small, INK)
    painter.fields["受理编号"] = filling.acceptance_number

    rows, signature_label = _layout(filling, person, company)
    top = 262.0
    full_value = TABLE_RIGHT - TABLE_LEFT - LABEL_WIDTH
    for row in rows:
        if isinstance(row, Section):
            draw.rectangle((TABLE_LEFT, top, TABLE_RIGHT, top + 52), fill=(232, 232, 232))
            draw_spaced(draw, (TABLE_LEFT + 16, top + 36), row.title, font(Face.HEI, 24), INK)
            draw.rectangle((TABLE_LEFT, top, TABLE_RIGHT, top + 52), outline=INK, width=2)
            top += 52
            continue
        widths = [full_value] if row[0].span else [VALUE_WIDTH] * len(row)
        lines = max(painter.value_lines(cell, w) for cell, w in zip(row, widths, strict=True))
        height = max(70.0, 36.0 * lines + 34)
        left = float(TABLE_LEFT)
        for cell, width in zip(row, widths, strict=True):
            draw.rectangle((left, top, left + LABEL_WIDTH, top + height), outline=INK, width=2)
            painter.label(cell.label, left, top, height)
            left += LABEL_WIDTH
            draw.rectangle((left, top, left + width, top + height), outline=INK, width=2)
            painter.value(cell, left, top, height, width)
            left += width
        top += height
    draw.rectangle((TABLE_LEFT, 262, TABLE_RIGHT, top), outline=INK, width=3)

    label_font = font(Face.HEI, 26)
    sign_y = top + 100
    end = draw_spaced(draw, (TABLE_LEFT + 20, sign_y), f"{signature_label}：", label_font, INK)
    draw_spaced(draw, (end + 20, sign_y + 4), person.name, font(Face.KAI, 44), INK, 6)
    painter.fields[signature_label] = person.name
    date_text = chinese_date(filling.application_date)
    end = draw_spaced(draw, (700, sign_y), "申请日期：", label_font, INK)
    draw_spaced(draw, (end + 8, sign_y), date_text, painter.value_font, INK)
    painter.fields["申请日期"] = filling.application_date.isoformat()
    notes = ("注：1. 本表请用黑色钢笔或签字笔填写，也可打印，字迹应清楚、工整。",
             "　　2. 申请人应对所提交材料的真实性、合法性、有效性负责。",
             "　　3. 在“□”中打“√”表示选择。")
    for i, note in enumerate(notes):
        draw_spaced(draw, (TABLE_LEFT, PAGE[1] - 190 + 34 * i), note, font(Face.HEI, 20), INK)
    extra = {"title": filling.kind.value, "checkbox_style":
             "glyph" if painter.glyph_boxes else "drawn"}
    return Rendered(img.convert("RGBA"), DocType.FORM, painter.fields, painter.checkboxes, extra)
