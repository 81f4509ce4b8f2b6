"""Generic printed application forms: ``label: value`` pairs and ticked checkboxes.

No schema is needed: a label is a short run of Chinese text that ends with a colon or is followed,
on the same row, by a value; in a table the label cell and the value cell are separate items, the
value cell right of its label or, when the label's row holds nothing else, under it. A checkbox is
a ☑/☐ glyph (or a square the detector read as 口/□) in front of an option word.
"""

from __future__ import annotations

import re

from core import ExtractedField
from ocr.documents.form_cells import (
    split_value_and_label,
    stack_labels,
    stack_wrapped,
    value_below,
)
from ocr.documents.form_labels import CHECKED, LABEL, LONG_LABEL, is_label, options
from ocr.documents.layout import BoxMapper, Item, make_field, rows
from ocr.documents.text import parse_date

__all__ = ["extract", "is_label"]

_DATE_LABEL = re.compile(r"(日期|时间|出生)$")


def extract(
    items: list[Item], to_source: BoxMapper | None = None
) -> tuple[dict[str, ExtractedField], dict[str, bool]]:
    """``label -> value`` fields and ``option -> ticked`` checkboxes."""
    fields: dict[str, ExtractedField] = {}
    boxes: dict[str, bool] = {}
    items = split_value_and_label(stack_wrapped(stack_labels(items)))
    grid = rows(items)
    # Where values start: x of every plain item that directly follows a label on its row.
    value_x0s = [
        row[k + 1].x0
        for row in grid
        for k in range(len(row) - 1)
        if is_label(row[k].text) and not is_label(row[k + 1].text)
        and not options(row[k + 1].text)
    ]

    # Items with something after them on their row: in a grid of label and value cells a
    # label has its value to its right, whatever column it stands in.
    followed = {id(row[k]) for row in grid for k in range(len(row) - 1)
                if not is_label(row[k + 1].text)}
    # Items that stand apart after a label's value on their row: the label of the next cell.
    after_value = {id(row[k]) for row in grid for k in range(2, len(row))
                   if is_label(row[k - 2].text) and not is_label(row[k - 1].text)
                   and row[k].x0 - row[k - 1].x1 > 0.8 * row[k].height}

    def label_like(it: Item) -> bool:
        # Label-looking text that starts where values start (a value column) and ends its row
        # is a value: "原法定代表人辞去职务" ends like a label but fills the 变更原因 cell.
        if (not is_label(it.text) or it.text.endswith(":") or id(it) in followed
                or id(it) in after_value):
            return is_label(it.text)
        aligned = sum(1 for x in value_x0s if abs(x - it.x0) < 0.6 * it.height)
        return aligned < 2

    def tick(text: str) -> None:
        for mark, word in options(text):
            boxes[word] = mark in CHECKED

    taken: set[int] = set()
    bare: list[Item] = []  # labels with nothing after them on their row
    for row in grid:
        i = 0
        while i < len(row):
            it = row[i]
            if options(it.text) and not label_like(it):
                tick(it.text)
                i += 1
                continue
            if ":" in it.text and not label_like(it):
                label, _, rest = it.text.partition(":")
                # A label inside a label (``电话:家中:0731-…``): the inner one names the value.
                inner, colon, inner_rest = rest.partition(":")
                if colon and inner_rest and LABEL.match(inner) and len(inner) <= 8:
                    label, rest = inner, inner_rest
                if LABEL.match(label) and rest:
                    _put(fields, label, rest, [(rest, it)], to_source)
                    i += 1
                    continue
                # A long label with its colon (``本人/法定代表人签名（或授权委托人签名）：``)
                # and the value in the next item of its row.
                if (not rest and LONG_LABEL.match(label) and i + 1 < len(row)
                        and not label_like(row[i + 1]) and not options(row[i + 1].text)):
                    _put(fields, label, row[i + 1].text, [(row[i + 1].text, row[i + 1])],
                         to_source)
                    taken.add(id(row[i + 1]))
                    i += 2
                    continue
            if label_like(it):
                value_items: list[Item] = []
                j = i + 1
                while j < len(row) and not label_like(row[j]):
                    if options(row[j].text):
                        tick(row[j].text)
                    else:
                        value_items.append(row[j])
                    j += 1
                if value_items:
                    _put_items(fields, it.text.rstrip(":"), value_items, to_source)
                    taken.update(id(v) for v in value_items)
                elif j == i + 1 == len(row):
                    bare.append(it)
                i = j
                continue
            i += 1
    for label in bare:
        if below := value_below(label, items, taken):
            _put_items(fields, label.text.rstrip(":"), below, to_source)
            taken.update(id(v) for v in below)
    return fields, boxes


def _put_items(
    fields: dict[str, ExtractedField], label: str, value_items: list[Item],
    to_source: BoxMapper | None,
) -> None:
    value = "".join(v.text for v in value_items)
    _put(fields, label, value, [(v.text, v) for v in value_items], to_source)


def _put(
    fields: dict[str, ExtractedField],
    label: str,
    value: str,
    pieces: list[tuple[str, Item]],
    to_source: BoxMapper | None,
) -> None:
    # A value written inside the cell's brackets (``（岳欣欣）`` under ``姓名（拼音）``).
    if len(value) > 2 and value[0] in "（(" and value[-1] in "）)":
        value = value[1:-1]
    if _DATE_LABEL.search(label) and (iso := parse_date(value)):
        value = iso
    key = label
    n = 2
    while key in fields:
        key = f"{label}#{n}"
        n += 1
    fields[key] = make_field(pieces, value, to_source)
