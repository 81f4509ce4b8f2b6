"""Generic printed application forms: ``label: value`` pairs and ticked checkboxes.

No schema is needed: a label is a short run of Chinese text that ends with a colon or is followed,
on the same row, by a value; in a table the label cell and the value cell are separate items. A
checkbox is a ☑/☐ glyph (or a square the detector read as 口/□) in front of an option word.
"""

from __future__ import annotations

import re

from core import ExtractedField
from ocr.documents.layout import BoxMapper, Item, join_items, make_field, rows
from ocr.documents.text import parse_date

_LABEL = re.compile(r"^[\u4e00-\u9fff()（）/、]{2,16}$")
_LONG_LABEL = re.compile(r"^[\u4e00-\u9fff()（）/、]{2,30}$")
_LABEL_SUFFIXES = (
    "名称", "姓名", "号码", "代码", "电话", "日期", "地址", "住所", "类型", "事项", "性别",
    "民族", "邮编", "人", "码", "额", "资本", "期限", "场所", "机关", "范围", "单位", "职务",
    "手机", "时间", "原因", "方式", "邮箱", "形式", "出生", "籍贯", "户籍", "证件", "编号",
    "金额", "签名", "签字", "数", "号", "量", "址", "箱", "面积", "年限",
    # Personal-information tables (登记表): 政治面貌, 婚育状况, 国籍, 生源地, 最高学历 ...
    "面貌", "状况", "国籍", "地", "学历", "学位", "专业", "兼职", "永居", "居住证", "所在",
    "联系人", "情况", "名称", "有效期",
)
_CHECKED = "☑☒✔✓■√"
_UNCHECKED = "☐□口"
# PP-OCR often reads an empty box as 口, which is also a character: in these words it is one
# (place names too: 张家口, 营口, 汉口, 渡口 ...).
_KOU_WORDS = re.compile(r"(窗|出|进|人|港|路|门|接|户|入|关|开|河|海|胸|缺|家|江|湖|峡|渡|营|汉|"
                        r"虎|道|街|村|巷|岭|坝|溪|沟|隘|垭|谷|洞|闸)口")
_OPTION = re.compile(rf"([{_CHECKED}{_UNCHECKED}])\s*([^{_CHECKED}{_UNCHECKED}\s]+)")
_QUOTES = "“”\"'「」"


def _options(text: str) -> list[tuple[str, str]]:
    """(mark, option word) pairs; words in quotes (a form's own instructions) are not options."""
    protected = _KOU_WORDS.sub(lambda m: m.group(1) + "\x00", text)
    pairs = []
    for mark, word in _OPTION.findall(protected):
        word = word.replace("\x00", "口").rstrip(":")
        if word and not any(q in word for q in _QUOTES):
            pairs.append((mark, word))
    return pairs
_DATE_LABEL = re.compile(r"(日期|时间|出生)$")


def is_label(text: str) -> bool:
    """Whether ``text`` reads like a form label (short Chinese, label-like ending)."""
    t = text.rstrip(":")
    return bool(_LABEL.match(t)) and (text.endswith(":") or t.endswith(_LABEL_SUFFIXES))


def extract(
    items: list[Item], to_source: BoxMapper | None = None
) -> tuple[dict[str, ExtractedField], dict[str, bool]]:
    """``label -> value`` fields and ``option -> ticked`` checkboxes."""
    fields: dict[str, ExtractedField] = {}
    boxes: dict[str, bool] = {}
    items = _stack_wrapped(_stack_labels(items))
    # Where values start: x of every plain item that directly follows a label on its row.
    value_x0s = [
        row[k + 1].x0
        for row in rows(items)
        for k in range(len(row) - 1)
        if is_label(row[k].text) and not is_label(row[k + 1].text)
        and not _options(row[k + 1].text)
    ]

    # Items with something after them on their row: in a grid of label and value cells a
    # label has its value to its right, whatever column it stands in.
    followed = {id(row[k]) for row in rows(items) for k in range(len(row) - 1)
                if not is_label(row[k + 1].text)}

    def label_like(it: Item) -> bool:
        # Label-looking text that starts where values start (a value column) and ends its row
        # is a value: "原法定代表人辞去职务" ends like a label but fills the 变更原因 cell.
        if not is_label(it.text) or it.text.endswith(":") or id(it) in followed:
            return is_label(it.text)
        aligned = sum(1 for x in value_x0s if abs(x - it.x0) < 0.6 * it.height)
        return aligned < 2

    for row in rows(items):
        i = 0
        while i < len(row):
            it = row[i]
            options = _options(it.text)
            if options and not label_like(it):
                for mark, word in options:
                    boxes[word] = mark in _CHECKED
                i += 1
                continue
            if ":" in it.text and not label_like(it):
                label, _, rest = it.text.partition(":")
                if _LABEL.match(label) and rest:
                    _put(fields, label, rest, [(rest, it)], to_source)
                    i += 1
                    continue
                # A long label with its colon (``本人/法定代表人签名（或授权委托人签名）：``)
                # and the value in the next item of its row.
                if (not rest and _LONG_LABEL.match(label) and i + 1 < len(row)
                        and not label_like(row[i + 1]) and not _options(row[i + 1].text)):
                    _put(fields, label, row[i + 1].text, [(row[i + 1].text, row[i + 1])],
                         to_source)
                    i += 2
                    continue
            if label_like(it):
                label = it.text.rstrip(":")
                value_items: list[Item] = []
                j = i + 1
                while j < len(row) and not label_like(row[j]):
                    if opts := _options(row[j].text):
                        for mark, word in opts:
                            boxes[word] = mark in _CHECKED
                    else:
                        value_items.append(row[j])
                    j += 1
                if value_items:
                    value = "".join(v.text for v in value_items)
                    _put(fields, label, value, [(v.text, v) for v in value_items],
                         to_source)
                i = j
                continue
            i += 1
    return fields, boxes


def _stack_labels(items: list[Item]) -> list[Item]:
    """A label printed on two lines in its cell (``出生`` over ``日期``, ``现工作（学习）`` over
    ``单位``) becomes one label: short Chinese lines stacked tightly on one centre line that
    together read like a label."""
    out: list[Item] = []
    used: set[int] = set()
    ordered = sorted(items, key=lambda i: (i.y0, i.x0))
    for k, top in enumerate(ordered):
        if id(top) in used:
            continue
        for low in ordered[k + 1:]:
            if id(low) in used:
                continue
            h = min(top.height, low.height)
            # Lines of one cell are set closer than the rows of a table: their (padded) boxes
            # overlap.
            if low.y0 >= top.y1:
                break
            joined = top.text + low.text
            if (abs((top.x0 + top.x1) - (low.x0 + low.x1)) / 2 < 0.8 * h
                    and len(top.text) <= 8 and len(low.text) <= 8 and ":" not in top.text
                    and _LABEL.match(top.text) and is_label(joined)):
                top = join_items(top, low)
                used.add(id(low))
                break
        out.append(top)
    return out


def _stack_wrapped(items: list[Item]) -> list[Item]:
    """Join value lines stacked inside one table cell (same left edge, almost no gap) into one
    item, so a label centred beside a two-line value still shares a row with all of it."""
    out: list[Item] = []
    last_line: dict[int, Item] = {}  # merged item -> its bottom line
    for it in sorted(items, key=lambda i: (i.y0, i.x0)):
        if is_label(it.text) or ":" in it.text or _options(it.text):
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
