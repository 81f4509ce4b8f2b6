"""Resident ID card (居民身份证): the portrait side's six fields and the emblem side's two.

Values are tied to their labels by geometry (right of the label on its row, then the rows below
for the address). Real captures print and read the labels in several ways: ``性別`` with the
traditional glyph, ``公民身份证号码``, ``性别 男 民族 汉`` read as one line, letter-spaced labels
split into single characters. The ID number is checked (GB 11643) and repaired only when one
OCR-confusable substitution passes; the birth date and sex are cross-checked with it.
"""

from __future__ import annotations

import re

from core import ExtractedField, FieldNote, IdCardBackField, IdCardFrontField
from ocr.documents.identifiers import check_id_number
from ocr.documents.layout import (
    Anchor,
    BoxMapper,
    Item,
    collect_value,
    drop_box_marks,
    drop_pattern_noise,
    make_field,
    merge_split_labels,
    piece_scores,
    rows,
    split_embedded_labels,
    split_vertical_runs,
)
from ocr.documents.places import place_field
from ocr.documents.text import ID_NUMBER, fix_digits, parse_date, parse_date_range

# Each field's printed label and the ways real cards and OCR give it (preferred first).
FRONT_LABELS: dict[IdCardFrontField, tuple[str, ...]] = {
    IdCardFrontField.NAME: ("姓名",),
    IdCardFrontField.SEX: ("性别", "性別"),
    IdCardFrontField.ETHNICITY: ("民族",),
    IdCardFrontField.BIRTH_DATE: ("出生",),
    IdCardFrontField.ADDRESS: ("住址",),
    IdCardFrontField.ID_NUMBER: ("公民身份号码", "公民身份证号码", "公民身份号", "身份号码"),
}
ALL_FRONT_LABELS = tuple(lab for labs in FRONT_LABELS.values() for lab in labs)
BACK_LABELS = ("签发机关", "有效期限", "中华人民共和国", "居民身份证")
_SEX = re.compile(r"[男女]")
_SEX_THEN_ETHNICITY = re.compile(r"[男女][\u4e00-\u9fff]{2}([\u4e00-\u9fff]{1,6})$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NAME = re.compile(r"[\u4e00-\u9fff·•]{2,15}")


def find_label(items: list[Item], labels: tuple[str, ...]) -> Anchor | None:
    """The topmost, leftmost item starting with one of ``labels`` (preferred label first)."""
    ordered = sorted(items, key=lambda i: (i.y0, i.x0))
    for lab in labels:
        for it in ordered:
            if it.text.startswith(lab):
                return Anchor(lab, it, len(lab))
    return None


def front_items(items: list[Item]) -> list[Item]:
    """The portrait side's items with its labels made whole and standing at item starts."""
    items = split_vertical_runs(drop_pattern_noise(drop_box_marks(items)))
    items = merge_split_labels(items, ALL_FRONT_LABELS)
    return split_embedded_labels(items, ("性别", "性別", "民族", "出生"))


def extract_front(
    items: list[Item], to_source: BoxMapper | None = None
) -> dict[str, ExtractedField]:
    """Fields of the portrait side, keyed by :class:`IdCardFrontField`."""
    items = front_items(items)
    anchors = {key: find_label(items, labs) for key, labs in FRONT_LABELS.items()}
    _misread_labels(items, anchors)
    found = [a for a in anchors.values() if a is not None]
    fields: dict[str, ExtractedField] = {}

    def value(key: IdCardFrontField, multiline: bool = False,
              stop_y: float = float("inf")) -> list[tuple[str, Item]]:
        anchor = anchors[key]
        if anchor is None:
            return []
        return collect_value(items, anchor, stop_labels=found, multiline=multiline, stop_y=stop_y)

    if pieces := value(IdCardFrontField.NAME):
        name = "".join(t for t, _ in pieces)
        if _NAME.fullmatch(name):
            fields[IdCardFrontField.NAME] = make_field(pieces, name, to_source)
    if (pieces := value(IdCardFrontField.SEX)) and (
            m := _SEX.search("".join(t for t, _ in pieces))):
        fields[IdCardFrontField.SEX] = make_field(pieces, m.group(0), to_source)
    if pieces := value(IdCardFrontField.ETHNICITY):
        text = "".join(_CJK.findall("".join(t for t, _ in pieces))).removesuffix("族")
        if text:
            fields[IdCardFrontField.ETHNICITY] = make_field(pieces, text, to_source)
    elif (pieces := value(IdCardFrontField.SEX)) and (
            m := _SEX_THEN_ETHNICITY.search("".join(t for t, _ in pieces))):
        # 民族 misread beyond recognition on the sex line: its two characters follow the sex.
        fields[IdCardFrontField.ETHNICITY] = make_field(pieces, m.group(1), to_source)
    if (pieces := value(IdCardFrontField.BIRTH_DATE)) and (
            iso := parse_date("".join(t for t, _ in pieces))):
        fields[IdCardFrontField.BIRTH_DATE] = make_field(pieces, iso, to_source)
    number = _id_number(items, anchors[IdCardFrontField.ID_NUMBER], found, to_source)
    stop = number[1].y0 if number is not None else float("inf")
    if anchors[IdCardFrontField.ID_NUMBER] is not None:
        stop = min(stop, anchors[IdCardFrontField.ID_NUMBER].item.y0)
    pieces = value(IdCardFrontField.ADDRESS, multiline=True, stop_y=stop)
    if not pieces and anchors[IdCardFrontField.ADDRESS] is None:
        pieces = _unlabelled_address(items, anchors[IdCardFrontField.BIRTH_DATE], stop)
    if pieces:
        # The number sits right under the address; never let it run into it.
        pieces = [(t, it) for t, it in pieces if ID_NUMBER.search(fix_digits(t)) is None]
        if pieces:
            fields[IdCardFrontField.ADDRESS] = place_field(
                make_field(pieces, "".join(t for t, _ in pieces), to_source))
    if number is not None:
        fields[IdCardFrontField.ID_NUMBER] = number[0]
        _cross_check(fields, number[0])
    return fields


def _misread_labels(items: list[Item], anchors: dict[IdCardFrontField, Anchor | None]) -> None:
    """Labels the recogniser got one character wrong (``性川``, ``徐址``) on a small or worn
    card, taken for theirs when they stand in the label column of the labels that were read."""
    column = [a.item.x0 for a in anchors.values() if a is not None]
    if not column:
        return
    left = min(column)
    taken = {id(a.item) for a in anchors.values() if a is not None}
    for key, labels in FRONT_LABELS.items():
        if anchors[key] is not None or key == IdCardFrontField.ETHNICITY:
            continue
        label = labels[0]
        for it in sorted(items, key=lambda i: i.y0):
            head = it.text[:len(label)]
            if (id(it) in taken or len(head) < len(label) or abs(it.x0 - left) > it.height
                    or sum(a != b for a, b in zip(head, label, strict=True)) != 1):
                continue
            anchors[key] = Anchor(label, it, len(label))
            taken.add(id(it))
            break


def _unlabelled_address(
    items: list[Item], birth: Anchor | None, stop: float
) -> list[tuple[str, Item]]:
    """With 住址 unread, the address is the lines between the birth date and the number, in
    the value column."""
    if birth is None or stop == float("inf"):
        return []
    line = birth.item
    return [(it.text, it) for it in sorted(items, key=lambda i: (round(i.cy / line.height), i.x0))
            if it.y0 > line.y1 - 0.2 * line.height and it.y1 < stop + 0.2 * line.height
            and it.x0 > line.x0 + 1.5 * line.height]


def _id_number(
    items: list[Item], anchor: Anchor | None, found: list[Anchor], to_source: BoxMapper | None
) -> tuple[ExtractedField, Item] | None:
    """The ID number right of its label, else the lowest line holding 18 ID characters."""
    candidates: list[list[tuple[str, Item]]] = []
    if anchor is not None:
        candidates.append(collect_value(items, anchor, stop_labels=found))
    # The label is often lost in glare; the number alone is unmistakable.
    candidates.extend([(it.text, it)] for it in sorted(items, key=lambda i: -i.y0))
    for pieces in candidates:
        joined = fix_digits("".join(t for t, _ in pieces)).upper()
        m = ID_NUMBER.search(joined)
        if m is None:
            continue
        scores = piece_scores(pieces)
        span = scores[m.start():m.end()] if scores is not None else None
        checked = check_id_number(m.group(1), span)
        field = make_field(pieces, checked.value, to_source)
        field = ExtractedField(field.value, field.confidence, field.box, checked.raw,
                               checked.notes)
        return field, pieces[0][1]
    return None


def _cross_check(fields: dict[str, ExtractedField], number: ExtractedField) -> None:
    """Birth date and sex against a valid ID number: a missing one is taken from it, a
    disagreeing one is kept as read and flagged."""
    if FieldNote.CHECK_DIGIT_INVALID in number.notes:
        return
    digits = number.value
    birth = f"{digits[6:10]}-{digits[10:12]}-{digits[12:14]}"
    sex = "男" if int(digits[16]) % 2 else "女"
    for key, implied in ((IdCardFrontField.BIRTH_DATE, birth), (IdCardFrontField.SEX, sex)):
        got = fields.get(key)
        if got is None:
            fields[key] = ExtractedField(implied, number.confidence, None, "",
                                         (FieldNote.FROM_ID_NUMBER,))
        elif got.value != implied:
            fields[key] = ExtractedField(got.value, got.confidence, got.box, got.raw,
                                         (*got.notes, FieldNote.INCONSISTENT_WITH_ID_NUMBER))


def extract_back(
    items: list[Item], to_source: BoxMapper | None = None
) -> dict[str, ExtractedField]:
    """Fields of the emblem side, keyed by :class:`IdCardBackField`."""
    items = merge_split_labels(split_vertical_runs(drop_box_marks(items)), BACK_LABELS)
    anchors = [a for lab in BACK_LABELS if (a := find_label(items, (lab,))) is not None]
    by_label = {a.label: a for a in anchors}
    fields: dict[str, ExtractedField] = {}
    if (a := by_label.get("签发机关")) and (pieces := collect_value(items, a, stop_labels=anchors)):
        fields[IdCardBackField.ISSUING_AUTHORITY] = place_field(make_field(
            pieces, "".join(t for t, _ in pieces), to_source), authority=True)
    validity = _validity(items, by_label.get("有效期限"), anchors)
    if validity is not None:
        pieces, start, end = validity
        if start:
            fields[IdCardBackField.VALID_FROM] = make_field(pieces, start, to_source)
        if end:
            fields[IdCardBackField.VALID_UNTIL] = make_field(pieces, end, to_source)
    return fields


def _validity(
    items: list[Item], anchor: Anchor | None, anchors: list[Anchor]
) -> tuple[list[tuple[str, Item]], str | None, str | None] | None:
    """The validity range right of its label, else the row holding two dates (or 长期)."""
    if anchor is not None and (pieces := collect_value(items, anchor, stop_labels=anchors)):
        start, end = parse_date_range("".join(t for t, _ in pieces))
        if start:
            return pieces, start, end
    for row in reversed(rows(items)):
        pieces = [(it.text, it) for it in row]
        start, end = parse_date_range("".join(t for t, _ in pieces))
        if start and end:
            return pieces, start, end
    return None


__all__ = ["ALL_FRONT_LABELS", "extract_back", "extract_front", "find_label", "front_items"]
