"""Resident ID card (居民身份证): the portrait side's six fields and the emblem side's two."""

from __future__ import annotations

import re

from core import ExtractedField, IdCardBackField, IdCardFrontField
from ocr.documents.layout import (
    BoxMapper,
    Item,
    collect_value,
    drop_pattern_noise,
    find_anchor,
    make_field,
    merge_split_labels,
)
from ocr.documents.text import find_id_number, parse_date, parse_date_range

FRONT_LABELS = ("姓名", "性别", "民族", "出生", "住址", "公民身份号码")
BACK_LABELS = ("签发机关", "有效期限", "中华人民共和国", "居民身份证")
_SEX = re.compile(r"[男女]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def extract_front(
    items: list[Item], to_source: BoxMapper | None = None
) -> dict[str, ExtractedField]:
    """Fields of the portrait side, keyed by :class:`IdCardFrontField`."""
    items = merge_split_labels(drop_pattern_noise(items), FRONT_LABELS)
    anchors = {lab: find_anchor(items, [lab]) for lab in FRONT_LABELS}
    found = [a for a in anchors.values() if a is not None]
    fields: dict[str, ExtractedField] = {}

    def value(label: str, multiline: bool = False, stop_y: float = float("inf")):
        anchor = anchors[label]
        if anchor is None:
            return []
        return collect_value(items, anchor, stop_labels=found, multiline=multiline, stop_y=stop_y)

    if pieces := value("姓名"):
        fields[IdCardFrontField.NAME] = make_field(pieces, "".join(t for t, _ in pieces), to_source)
    if (pieces := value("性别")) and (m := _SEX.search("".join(t for t, _ in pieces))):
        fields[IdCardFrontField.SEX] = make_field(pieces, m.group(0), to_source)
    if pieces := value("民族"):
        text = "".join(_CJK.findall("".join(t for t, _ in pieces))).removesuffix("族")
        if text:
            fields[IdCardFrontField.ETHNICITY] = make_field(pieces, text, to_source)
    if (pieces := value("出生")) and (iso := parse_date("".join(t for t, _ in pieces))):
        fields[IdCardFrontField.BIRTH_DATE] = make_field(pieces, iso, to_source)
    number_anchor = anchors["公民身份号码"]
    stop = number_anchor.item.y0 if number_anchor else float("inf")
    if pieces := value("住址", multiline=True, stop_y=stop):
        # The number sits right under the address; never let it run into it.
        pieces = [(t, it) for t, it in pieces if find_id_number(t) is None]
        if pieces:
            fields[IdCardFrontField.ADDRESS] = make_field(
                pieces, "".join(t for t, _ in pieces), to_source
            )
    number_pieces = value("公民身份号码")
    number = find_id_number("".join(t for t, _ in number_pieces)) if number_pieces else None
    if number is None:
        # The label is often lost in glare; the number alone is unmistakable.
        for it in sorted(items, key=lambda i: -i.y0):
            if (number := find_id_number(it.text)) is not None:
                number_pieces = [(it.text, it)]
                break
    if number is not None:
        fields[IdCardFrontField.ID_NUMBER] = make_field(number_pieces, number, to_source)
    return fields


def extract_back(
    items: list[Item], to_source: BoxMapper | None = None
) -> dict[str, ExtractedField]:
    """Fields of the emblem side, keyed by :class:`IdCardBackField`."""
    items = merge_split_labels(items, BACK_LABELS)
    anchors = [a for lab in BACK_LABELS if (a := find_anchor(items, [lab])) is not None]
    by_label = {a.label: a for a in anchors}
    fields: dict[str, ExtractedField] = {}
    if (a := by_label.get("签发机关")) and (pieces := collect_value(items, a, stop_labels=anchors)):
        fields[IdCardBackField.ISSUING_AUTHORITY] = make_field(
            pieces, "".join(t for t, _ in pieces), to_source
        )
    if (a := by_label.get("有效期限")) and (pieces := collect_value(items, a, stop_labels=anchors)):
        start, end = parse_date_range("".join(t for t, _ in pieces))
        if start:
            fields[IdCardBackField.VALID_FROM] = make_field(pieces, start, to_source)
        if end:
            fields[IdCardBackField.VALID_UNTIL] = make_field(pieces, end, to_source)
    return fields


__all__ = ["extract_back", "extract_front"]
