"""Table cells of a printed form, rebuilt from the detector's lines.

The detector reads a table line by line, not cell by cell: a label printed on two or three lines
of its cell comes back as several items, a value wrapped in its cell likewise, and a value that
fills its cell up to the ruling line is sometimes read together with the label of the next cell.
These helpers put the cells back together, and find a value printed under its label when the
label's row holds nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence

from ocr.documents.form_labels import LABEL, LABEL_CHARS, is_label, open_brackets, options
from ocr.documents.layout import Item, join_items, part_of, rows


def _continues(text: str) -> bool:
    """A label line that its next line must finish: a bracket left open, or a list of
    alternatives broken after its slash (``境内机构注册地/`` over ``境内个人常住地``)."""
    return open_brackets(text) > 0 or text.endswith(("/", "、"))


def _same_column(top: Item, low: Item) -> bool:
    """Lines of one cell are centred on one axis or, when wrapped, share their left edge."""
    h = min(top.height, low.height)
    return (abs((top.x0 + top.x1) - (low.x0 + low.x1)) / 2 < 0.8 * h
            or abs(top.x0 - low.x0) < 0.5 * h)


def _finishes(top: Item, low: Item) -> bool:
    """Whether ``low`` is the next line of the label cell whose text so far is ``top``."""
    if not (LABEL_CHARS.match(top.text) and LABEL_CHARS.match(low.text)
            and _same_column(top, low)):
        return False
    joined = top.text + low.text
    if _continues(top.text):
        # A long label broken over lines: the parts may be long, and the lines set at the
        # normal line pitch may only touch. Once the brackets close it must read as a label.
        h = min(top.height, low.height)
        return low.y0 < top.y1 + 0.25 * h and (
            _continues(joined) or is_label(joined))
    # Two short lines (``出生`` over ``日期``): their padded boxes overlap, while the rows of
    # a table are set further apart.
    return (low.y0 < top.y1 and len(top.text) <= 8 and len(low.text) <= 8
            and bool(LABEL.match(top.text)) and is_label(joined))


def stack_labels(items: list[Item]) -> list[Item]:
    """A label printed on several lines of its cell (``出生`` over ``日期``, ``姓名`` over
    ``（拼音）``, a code's label with its bracketed list of kinds over three lines) becomes one
    label item."""
    out: list[Item] = []
    used: set[int] = set()
    ordered = sorted(items, key=lambda i: (i.y0, i.x0))
    for k, top in enumerate(ordered):
        if id(top) in used:
            continue
        grown = True
        while grown:
            grown = False
            for low in ordered[k + 1:]:
                if id(low) in used or low is top:
                    continue
                if low.y0 >= top.y1 + 0.25 * min(top.height, low.height):
                    break
                if low.y0 > top.y0 and _finishes(top, low):
                    used.add(id(low))
                    top = join_items(top, low)
                    grown = _continues(top.text)
                    break
        out.append(top)
    return out


def stack_wrapped(items: list[Item]) -> list[Item]:
    """Join value lines stacked inside one table cell (same left edge, almost no gap) into one
    item, so a label centred beside a two-line value still shares a row with all of it."""
    out: list[Item] = []
    last_line: dict[int, Item] = {}  # merged item -> its bottom line
    for it in sorted(items, key=lambda i: (i.y0, i.x0)):
        if is_label(it.text) or ":" in it.text or options(it.text):
            out.append(it)
            continue
        for prev in out:
            last = last_line.get(id(prev))
            if last is None:
                continue
            h = min(last.height, it.height)
            # Wrapped lines follow at about one line pitch; table rows are further apart.
            # Wrapped lines start at the same left edge (a few pixels apart); the next cell
            # down in a grid starts where its own text is centred.
            # Their (padded) boxes touch; the next row of a grid leaves a gap.
            if (abs(prev.x0 - it.x0) < 0.3 * h and 0 < it.y0 - last.y0 < 1.35 * h
                    and it.y0 - last.y1 < 0.15 * h):
                prev.text += it.text
                prev.raw += it.raw
                prev.score = min(prev.score, it.score)
                prev.x1 = max(prev.x1, it.x1)
                prev.y1 = it.y1
                last_line[id(prev)] = it
                break
        else:
            merged = Item(it.text, it.raw, it.score, it.x0, it.y0, it.x1, it.y1)
            last_line[id(merged)] = it
            out.append(merged)
    return out


def _is_value(it: Item) -> bool:
    return not is_label(it.text) and ":" not in it.text and not options(it.text)


def split_value_and_label(items: list[Item]) -> list[Item]:
    """A value that fills its cell up to the ruling line can be read together with the label of
    the next cell (``证件类型 | 学位证书证件号码 | D4785…``). Seen in a row as a label directly
    followed by a label-like item that is itself followed by a value, the middle item is cut
    before a label as long as the one before it (labels of one row are set alike); what is left
    in front must be a value of two characters or more."""
    cut: dict[int, tuple[Item, Item]] = {}
    for row in rows(items):
        for first, middle, after in zip(row, row[1:], row[2:], strict=False):
            if not (is_label(first.text) and is_label(middle.text) and _is_value(after)):
                continue
            if ":" in middle.text or options(middle.text):
                continue
            start = len(middle.text) - len(first.text.rstrip(":"))
            head, tail = middle.text[:start], middle.text[start:]
            if start >= 2 and is_label(tail) and not is_label(head) and LABEL.match(tail):
                cut[id(middle)] = (part_of(middle, 0, start),
                                   part_of(middle, start, len(middle.text)))
    out: list[Item] = []
    for it in items:
        out.extend(cut.get(id(it), (it,)))
    return out


def value_below(label: Item, items: Sequence[Item], taken: set[int]) -> list[Item]:
    """The value printed under ``label`` when its row holds nothing after it: the items of the
    next row, if that row starts within a line's height, holds no label, and its first item
    starts under the label (indented or flush), not in another column."""
    h = label.height
    below = [it for it in items if it.y0 > label.y1 - 0.3 * h and id(it) not in taken]
    if not below:
        return []
    row = min(rows(below), key=lambda r: min(it.y0 for it in r))
    if min(it.y0 for it in row) - label.y1 > h or not all(_is_value(it) for it in row):
        return []
    inside = [it for it in row if label.x0 - 0.5 * h <= it.x0 < label.x1]
    if not inside:
        return []
    picked = [inside[0]]
    for it in row[row.index(inside[0]) + 1:]:
        # Text well apart further along the row stands in another column.
        if it.x0 - picked[-1].x1 > 2 * h:
            break
        picked.append(it)
    return picked
