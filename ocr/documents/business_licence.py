"""Business licence (营业执照): labels in one or two columns, values right of them.

Covers the 2014+ layouts with a unified social credit code (GB 32100) and the older ones with a
15-digit registration number (注册号, GS 15-2006), companies, branches (分公司), sole traders
(个体工商户) and partnerships. Letter-spaced labels (``名　　称``) that the detector reads as
vertical runs of one character per label (``名类住``) are split back into characters and joined
along their rows. Identifiers are checked and repaired only when one substitution passes;
addresses and the registration authority are checked against GB/T 2260 place names.
"""

from __future__ import annotations

import re

from core import BusinessLicenceField as F
from core import ExtractedField
from ocr.documents.identifiers import CheckedIdentifier, check_registration_number, check_uscc
from ocr.documents.layout import (
    Anchor,
    BoxMapper,
    Item,
    collect_value,
    complete_fragment_labels,
    drop_box_marks,
    drop_pattern_noise,
    find_anchor,
    make_field,
    merge_split_labels,
    piece_scores,
    split_embedded_labels,
    split_label_tails,
    split_vertical_runs,
)
from ocr.documents.licence_values import (
    notes_column_edge,
    registration_date,
    split_name_rows,
    strip_watermark,
    trim_address,
    trim_entity_type,
    trim_name,
    trim_person,
)
from ocr.documents.places import place_field
from ocr.documents.text import USCC, fix_digits, parse_date, parse_date_range, uscc_form

# Each field's label variants: companies, branches (分公司), sole traders (个体工商户),
# partnerships.
LABELS: dict[F, tuple[str, ...]] = {
    F.USCC: ("统一社会信用代码", "社会信用代码", "信用代码"),
    F.REGISTRATION_NUMBER: ("注册号",),
    F.NAME: ("名称", "企业名称"),
    F.ENTITY_TYPE: ("公司类型", "企业类型", "企业类别", "类型", "组成形式", "经济性质"),
    F.LEGAL_REPRESENTATIVE: ("法定代表人姓名", "负责人姓名", "经营者姓名", "投资人姓名",
                             "法定代表人", "负责人", "经营者", "执行事务合伙人", "投资人",
                             "法人代表"),
    F.REGISTERED_CAPITAL: ("注册资本", "出资额", "注册资金"),
    F.ESTABLISHED_DATE: ("成立日期", "注册日期"),
    F.TERM_FROM: ("营业期限", "合伙期限", "经营期限"),
    F.ADDRESS: ("主要经营场所", "经营场所", "营业场所", "住所"),
    F.BUSINESS_SCOPE: ("经营范围",),
    F.REGISTRATION_AUTHORITY: ("登记机关",),
}
MULTILINE = {F.BUSINESS_SCOPE, F.ADDRESS, F.NAME}
# Labels of old licences whose values are not extracted: they only end their neighbours' values.
STOP_LABELS = ("董事长", "副董事长", "总经理", "副总经理", "实收资本", "执照有效期限", "证照编号",
               "发照日期", "年检情况", "年度检验情况")
ALL_LABELS = (tuple(lab for labs in LABELS.values() for lab in labs) + STOP_LABELS
              + ("营业执照",))
_DATE_CN = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日?")


def extract(items: list[Item], to_source: BoxMapper | None = None) -> dict[str, ExtractedField]:
    """Fields keyed by :class:`core.BusinessLicenceField`."""
    items = split_vertical_runs(drop_pattern_noise(drop_box_marks(items)))
    items = merge_split_labels(items, ALL_LABELS)
    items = split_label_tails(items, ALL_LABELS)
    items = complete_fragment_labels(items, ALL_LABELS)
    # Two-character labels also occur inside values (经营范围 ... 类型 ...): only the long ones
    # are cut out of a line.
    items = split_embedded_labels(items, [lab for lab in ALL_LABELS if len(lab) >= 4])
    edge = notes_column_edge(items)
    # Old licences print the authority's name on its own above the date, with no label, in the
    # right half where the notes column stands.
    named = [it for it in items if _AUTHORITY_LINE.fullmatch(it.text)]
    items = [it for it in items if it.x0 < edge]
    anchors: dict[F, Anchor] = {}
    for key, labels in LABELS.items():
        anchor = _find_label(items, labels)
        if anchor is not None:
            anchors[key] = anchor
    found = list(anchors.values()) + [
        a for lab in STOP_LABELS if (a := find_anchor(items, [lab])) is not None
        and all(a.item is not b.item for b in anchors.values())]
    fields: dict[str, ExtractedField] = {}
    used: set[int] = set()
    for key, anchor in anchors.items():
        pieces = collect_value(
            items,
            anchor,
            stop_labels=found,
            x_max=_column_limit(anchor, found),
            multiline=key in MULTILINE,
            stop_y=_next_label_below(anchor, found),
        )
        if key in (F.ESTABLISHED_DATE, F.TERM_FROM):
            used.update(id(it) for _t, it in pieces)
        text = "".join(t for t, _ in pieces)
        if key == F.USCC:
            if field := _identifier(pieces or [(anchor.item.text, anchor.item)], to_source):
                fields[key] = field
        elif key == F.REGISTRATION_NUMBER:
            if field := _identifier(pieces, to_source, registration=True):
                fields[key] = field
        elif key == F.TERM_FROM:
            start, end = parse_date_range(text)
            if start:
                fields[F.TERM_FROM] = make_field(pieces, start, to_source)
            if end:
                fields[F.TERM_UNTIL] = make_field(pieces, end, to_source)
        elif key == F.ESTABLISHED_DATE:
            if iso := parse_date(text):
                fields[key] = make_field(pieces, iso, to_source)
        elif key == F.REGISTRATION_AUTHORITY:
            value = _DATE_CN.sub("", text)
            if value:
                fields[key] = place_field(make_field(pieces, value, to_source), authority=True)
        elif key == F.ADDRESS and (pieces := trim_address(pieces)):
            text = strip_watermark("".join(t for t, _ in pieces))
            fields[key] = place_field(make_field(pieces, text, to_source))
        elif key == F.NAME and text:
            pieces, type_row = split_name_rows(pieces)
            text = trim_name(strip_watermark("".join(t for t, _ in pieces)))
            if text:
                fields[key] = make_field(pieces, text, to_source)
            if type_row and F.ENTITY_TYPE not in anchors:
                fields[F.ENTITY_TYPE] = make_field(
                    type_row, trim_entity_type(type_row[0][0]), to_source)
        elif key == F.ENTITY_TYPE and text:
            fields[key] = make_field(pieces, trim_entity_type(strip_watermark(text)), to_source)
        elif key == F.LEGAL_REPRESENTATIVE and (text := trim_person(text)):
            fields[key] = make_field(pieces, text, to_source)
        elif key == F.BUSINESS_SCOPE and text:
            fields[key] = make_field(pieces, text, to_source)
        elif text := strip_watermark(text):
            fields[key] = make_field(pieces, text, to_source)
    if F.USCC not in fields and F.REGISTRATION_NUMBER not in fields:
        for it in items:
            if field := _identifier([(it.text, it)], to_source):
                fields[F.USCC] = field
                break
    if F.REGISTRATION_AUTHORITY not in fields:
        if named:
            it = max(named, key=lambda i: i.y0)
            fields[F.REGISTRATION_AUTHORITY] = place_field(
                make_field([(it.text, it)], it.text, to_source), authority=True)
    authority = anchors.get(F.REGISTRATION_AUTHORITY)
    reg_date = registration_date(items, authority.item if authority else None, used)
    if reg_date is not None:
        iso, item = reg_date
        fields[F.REGISTRATION_DATE] = make_field([(item.text, item)], iso, to_source)
    return fields


def _find_label(items: list[Item], labels: tuple[str, ...]) -> Anchor | None:
    # A label stands at the start of a short-ish item; a scope sentence that happens to start
    # with "类型" further down must not win, so prefer the topmost and leftmost candidate.
    return find_anchor(items, labels)


def _column_limit(anchor: Anchor, anchors: list[Anchor]) -> float:
    """A left-column value ends where a right-column label starts."""
    h = anchor.item.height
    right = [a.item.x0 for a in anchors if a.item.x0 > anchor.item.x1 + h
             and anchor.item.y0 - 2 * h < a.item.y0 < anchor.item.y0 + 3 * h]
    return min(right, default=float("inf"))


def _next_label_below(anchor: Anchor, anchors: list[Anchor]) -> float:
    tol = 2.5 * anchor.item.height
    below = [a.item.y0 for a in anchors
             if a.item.y0 > anchor.item.y0 + 0.5 * anchor.item.height
             and abs(a.item.x0 - anchor.item.x0) < tol]
    return min(below, default=float("inf"))


_AUTHORITY_LINE = re.compile(
    r"[\u4e00-\u9fff]{2,16}(市场监督管理|工商行政管理|行政审批|市场监管)局")
_DUST = frozenset(".·,-_'`")
_REGISTRATION_NUMBER = re.compile(r"(?<!\d)(\d{15})(?!\d)")


def _identifier(
    pieces: list[tuple[str, Item]], to_source: BoxMapper | None, *, registration: bool = False
) -> ExtractedField | None:
    """The USCC (or the old registration number) in ``pieces``, checked and, when exactly one
    confusable substitution passes, repaired."""
    # A dot or dash read inside a credit code (``91440101MA5D5.JQ7X8``) is dust; an old number
    # is followed by its copy number (``410100100003919-1/1``), so its dashes stay.
    scores = piece_scores(pieces)
    raw = "".join(t for t, _ in pieces)
    keep = [k for k, c in enumerate(raw) if registration or c not in _DUST]
    text = "".join(raw[k] for k in keep)
    if scores is not None:
        scores = tuple(scores[k] for k in keep)
    if registration:
        form = fix_digits(text)
        m = _REGISTRATION_NUMBER.search(form)
    else:
        form = uscc_form(text)
        m = USCC.search(form)
    if m is None or not pieces:
        return None
    span = scores[m.start(1):m.end(1)] if scores is not None else None
    checked: CheckedIdentifier = (check_registration_number(m.group(1), span) if registration
                                  else check_uscc(m.group(1), span))
    field = make_field(pieces, checked.value, to_source)
    return ExtractedField(field.value, field.confidence, field.box, checked.raw, checked.notes)
