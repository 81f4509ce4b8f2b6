"""Page layout for the extractors: text items with geometry, rows, and label-anchored values.

Printed documents put a value to the right of its label and, when it is long, on following lines
aligned with the first value line. Every extractor reduces to: find the label, collect what lies
right of it on its row, then what lies below it in its column until the next label.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from core import ExtractedField, TextLine
from ocr.documents.text import compact

BoxMapper = Callable[[list[list[float]]], list[list[float]]]


@dataclass(slots=True)
class Item:
    """One OCR line in the (flattened) page's coordinates."""

    text: str  # compact: half-width, no whitespace
    raw: str
    score: float
    x0: float
    y0: float
    x1: float
    y1: float
    # One probability per character of ``text`` when the engine gave them.
    char_scores: tuple[float, ...] | None = None

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    def box(self) -> list[list[float]]:
        return [[self.x0, self.y0], [self.x1, self.y0], [self.x1, self.y1], [self.x0, self.y1]]


def to_items(lines: Iterable[TextLine]) -> list[Item]:
    items = []
    for ln in lines:
        pts = np.asarray(ln.box, dtype=np.float32)
        text = compact(ln.text)
        if not text:
            continue
        items.append(Item(text, ln.text, ln.score, float(pts[:, 0].min()), float(pts[:, 1].min()),
                          float(pts[:, 0].max()), float(pts[:, 1].max()),
                          _compact_scores(ln.text, text, ln.char_scores)))
    return items


def _compact_scores(
    raw: str, text: str, scores: tuple[float, ...] | None
) -> tuple[float, ...] | None:
    """Per-character scores of ``compact(raw)``: compaction only drops whitespace."""
    if scores is None or len(scores) != len(raw):
        return None
    kept = tuple(s for c, s in zip(raw, scores, strict=True) if not c.isspace())
    return kept if len(kept) == len(text) else None


def join_items(a: Item, b: Item) -> Item:
    """One item holding ``a``'s text then ``b``'s, spanning both boxes."""
    scores = (a.char_scores + b.char_scores
              if a.char_scores is not None and b.char_scores is not None else None)
    return Item(a.text + b.text, a.raw + b.raw, min(a.score, b.score), min(a.x0, b.x0),
                min(a.y0, b.y0), max(a.x1, b.x1), max(a.y1, b.y1), scores)


def part_of(it: Item, start: int, end: int) -> Item:
    """Characters ``start:end`` of a horizontal item, boxed by proportion of its width."""
    n = max(1, len(it.text))
    w = it.x1 - it.x0
    scores = it.char_scores[start:end] if it.char_scores is not None else None
    return Item(it.text[start:end], it.text[start:end], it.score, it.x0 + w * start / n, it.y0,
                it.x0 + w * end / n, it.y1, scores)


BOX_MARKS = frozenset("☑☐☒□■✔✓√")


def drop_box_marks(items: list[Item]) -> list[Item]:
    """Cards and licences have no checkboxes: a box or tick glyph in an item is a misread
    guilloche, seal stroke or table corner (``姓名☑郝琴``, ``☑营`` for the 营 of 经　营　者). The
    glyphs are cut out; an item of nothing else is dropped."""
    out = []
    for it in items:
        keep = [k for k, ch in enumerate(it.text) if ch not in BOX_MARKS]
        if len(keep) == len(it.text):
            out.append(it)
            continue
        if not keep:
            continue
        # The box shrinks to the kept characters' span; the text closes up.
        span = part_of(it, keep[0], keep[-1] + 1)
        text = "".join(it.text[k] for k in keep)
        scores = (tuple(it.char_scores[k] for k in keep)
                  if it.char_scores is not None and len(it.char_scores) == len(it.text) else None)
        out.append(Item(text, text, it.score, span.x0, span.y0, span.x1, span.y1, scores))
    return out


def split_label_tails(items: list[Item], labels: Iterable[str]) -> list[Item]:
    """A letter-spaced label whose first characters the detector joined to the value before it
    (``…家用电器销售。住`` then ``所``): those characters move to the item that holds the rest of
    the label, on the same row right after it."""
    labels = [lab for lab in set(labels) if len(lab) >= 2]
    out: list[Item] = []
    for row in rows(items):
        k = 0
        while k < len(row):
            cur = row[k]
            nxt = row[k + 1] if k + 1 < len(row) else None
            if nxt is not None:
                for lab in labels:
                    cut = next((n for n in range(1, len(lab))
                                if cur.text.endswith(lab[:n]) and nxt.text.startswith(lab[n:])
                                and len(cur.text) > n), 0)
                    if cut:
                        n = len(cur.text)
                        row[k + 1] = join_items(part_of(cur, n - cut, n), nxt)
                        cur = part_of(cur, 0, n - cut)
                        break
            out.append(cur)
            k += 1
    return out


def split_vertical_runs(items: list[Item]) -> list[Item]:
    """A detector box much taller than wide holding several characters is a column of
    letter-spaced label characters read together (``名类住`` for 名称 / 类型 / 住所 stacked
    in a licence's label column): give each character its own slice of the box."""
    out: list[Item] = []
    for it in items:
        n = len(it.text)
        if n < 2 or it.height < 1.5 * it.width:
            out.append(it)
            continue
        step = it.height / n
        for k, ch in enumerate(it.text):
            score = it.char_scores[k] if it.char_scores is not None else it.score
            out.append(Item(ch, ch, score, it.x0, it.y0 + k * step, it.x1,
                            it.y0 + (k + 1) * step, (score,)))
    return out


def split_embedded_labels(items: list[Item], labels: Iterable[str]) -> list[Item]:
    """An item that holds a label after some value text (``性别男民族汉``, ``类型有限责任公司
    法定代表人张三``) is cut before the label, so that each label starts an item of its own.
    Longer labels claim their characters first (``法定代表人`` before ``代表人``)."""
    ordered = sorted(set(labels), key=len, reverse=True)
    out: list[Item] = []
    for it in items:
        claimed: list[tuple[int, int]] = []
        for lab in ordered:
            start = it.text.find(lab)
            while start >= 0:
                end = start + len(lab)
                if all(end <= a or start >= b for a, b in claimed):
                    claimed.append((start, end))
                start = it.text.find(lab, start + 1)
        cuts = sorted({a for a, _b in claimed if a > 0})
        if not cuts:
            out.append(it)
            continue
        bounds = [0, *cuts, len(it.text)]
        out.extend(part_of(it, a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a)
    return out


def same_row(a: Item, b: Item) -> bool:
    overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
    return overlap > 0.5 * min(a.height, b.height)


def rows(items: Sequence[Item]) -> list[list[Item]]:
    """Items grouped into visual rows, top to bottom, each row left to right. An item joins the
    row it overlaps most (measured against the row's median top and bottom), so a slightly
    tilted line of letter-spaced label characters stays one row."""
    out: list[list[Item]] = []
    spans: list[tuple[float, float]] = []
    for it in sorted(items, key=lambda i: i.cy):
        best, best_ratio = -1, 0.5
        for k, (y0, y1) in enumerate(spans):
            overlap = min(y1, it.y1) - max(y0, it.y0)
            ratio = overlap / max(1e-6, min(y1 - y0, it.height))
            if ratio > best_ratio:
                best, best_ratio = k, ratio
        if best < 0:
            out.append([it])
            spans.append((it.y0, it.y1))
        else:
            out[best].append(it)
            members = out[best]
            spans[best] = (float(np.median([m.y0 for m in members])),
                           float(np.median([m.y1 for m in members])))
    for row in out:
        row.sort(key=lambda i: i.x0)
    out.sort(key=lambda r: min(i.y0 for i in r))
    return out


def merge_split_labels(items: list[Item], labels: Iterable[str]) -> list[Item]:
    """Join items that a letter-spaced label (``名　　称``) was split into by the detector."""
    labels = list(labels)
    merged: list[Item] = []
    for row in rows(items):
        i = 0
        while i < len(row):
            cur = row[i]
            while i + 1 < len(row):
                nxt = row[i + 1]
                joined = cur.text + nxt.text
                if any(lab.startswith(cur.text) and lab != cur.text for lab in labels) and any(
                    lab.startswith(joined) or joined.startswith(lab) for lab in labels
                ):
                    cur = join_items(cur, nxt)
                    i += 1
                else:
                    break
            merged.append(cur)
            i += 1
    return merged


def complete_fragment_labels(items: list[Item], labels: Iterable[str]) -> list[Item]:
    """A widely letter-spaced label can lose its last character to the detector (``类`` of
    ``类　　型``, ``关`` of ``登记机关`` under a seal). An item that is most of, or the first one or
    two characters of, exactly one label, with no item carrying that label, is taken for it."""
    labels = list(labels)
    present = {lab for lab in labels if any(it.text.startswith(lab) for it in items)}
    for it in items:
        matches = [lab for lab in labels if lab.startswith(it.text) and lab != it.text
                   and (len(it.text) <= 2 or len(it.text) >= 0.7 * len(lab))]
        if len(matches) == 1 and matches[0] not in present:
            it.text = matches[0]
            it.char_scores = None
            present.add(matches[0])
    return items


def drop_pattern_noise(items: list[Item]) -> list[Item]:
    """Guilloche borders and QR codes read as ``8888888888``: one character repeated."""
    out = []
    for it in items:
        t = it.text
        if len(t) >= 6 and max(t.count(c) for c in set(t)) >= 0.8 * len(t):
            continue
        out.append(it)
    return out


@dataclass(slots=True)
class Anchor:
    """A label found on the page: the item holding it and how many characters it takes."""

    label: str
    item: Item
    length: int

    @property
    def value_x(self) -> float:
        """Where the value starts: after the label's characters inside its item."""
        it = self.item
        if self.length >= len(it.text):
            return it.x1
        return it.x0 + (it.x1 - it.x0) * self.length / len(it.text)


def find_anchor(items: Sequence[Item], labels: Sequence[str]) -> Anchor | None:
    """The first item (reading order) whose text starts with one of ``labels``, trying the
    labels in the order given (the preferred one first)."""
    for lab in labels:
        for it in sorted(items, key=lambda i: (i.y0, i.x0)):
            if it.text.startswith(lab):
                return Anchor(lab, it, len(lab))
    return None


def collect_value(
    items: Sequence[Item],
    anchor: Anchor,
    *,
    stop_labels: Sequence[Anchor] = (),
    x_max: float = float("inf"),
    multiline: bool = False,
    stop_y: float = float("inf"),
) -> list[tuple[str, Item]]:
    """Pieces of text belonging to ``anchor``'s value, in reading order.

    The remainder of the label's own item comes first, then items right of it on its row up to
    the next label or ``x_max``, then — when ``multiline`` — rows below, aligned with the value
    column, until another label or ``stop_y``.
    """
    label_items = {id(a.item) for a in stop_labels if a.item is not anchor.item}
    pieces: list[tuple[str, Item]] = []
    lab = anchor.item
    rest = lab.text[anchor.length :].lstrip(":")
    if rest:
        pieces.append((rest, lab))
    def right_of_label(it: Item) -> bool:
        # Detector boxes are padded, so a value's box may start inside its label's box.
        return (it is not lab and it.x0 >= lab.x1 - max(0.5 * lab.height, 0.3 * (lab.x1 - lab.x0))
                and it.x0 < x_max)

    others = [a.item for a in stop_labels if a.item is not lab]

    def nearer_another_label(it: Item) -> bool:
        # A line between two labels' rows belongs to the label of this label's column whose
        # row it is nearer (a label further left, in another column, owns nothing here).
        return any(abs(it.cy - o.cy) < abs(it.cy - lab.cy) and o.x1 <= it.x0 + lab.height
                   and o.x0 >= lab.x0 - 2 * lab.height for o in others)

    row_right = sorted((it for it in items if right_of_label(it) and same_row(it, lab)
                        and not nearer_another_label(it)), key=lambda i: i.x0)
    if not row_right and not rest:
        # Scans fed in askew, or printed out of register: the value sits half a line lower or
        # higher than its label. Take the nearest line right of it that no other label owns.
        near = [it for it in items if right_of_label(it) and id(it) not in label_items
                and abs(it.cy - lab.cy) < 0.9 * lab.height and not nearer_another_label(it)]
        row_right = sorted((it for it in near if same_row(it, min(near, key=lambda i: abs(
            i.cy - lab.cy)))), key=lambda i: i.x0) if near else []
    right_edge = lab.x1
    for it in row_right:
        # A stamp or a watermark standing well apart on the row is no part of the value.
        if id(it) in label_items or it.x0 - right_edge > 4 * max(lab.height, it.height):
            break
        pieces.append((it.text, it))
        right_edge = it.x1
    if not multiline:
        return pieces
    value_left = min([p[1].x0 for p in pieces if p[1] is not lab] + [anchor.value_x])
    bottom = lab.y1
    line_h = lab.height
    taken = {id(it) for _t, it in pieces}
    for row in rows([it for it in items
                     if it.y0 > lab.y0 + 0.5 * lab.height and id(it) not in taken]):
        row = [it for it in row if it.x0 >= value_left - 1.2 * line_h and it.x0 < x_max]
        if not row:
            continue
        top = min(it.y0 for it in row)
        if top >= stop_y - 0.3 * line_h or any(id(it) in label_items for it in row):
            break
        if top - bottom > 1.6 * line_h:
            break
        pieces.extend((it.text, it) for it in row)
        bottom = max(it.y1 for it in row)
    return pieces


def make_field(
    pieces: Sequence[tuple[str, Item]], value: str, to_source: BoxMapper | None = None
) -> ExtractedField:
    """An ExtractedField whose confidence is the weakest piece's and whose box spans them."""
    used = [it for _t, it in pieces]
    confidence = min((it.score for it in used), default=0.0)
    box = None
    if used:
        x0, y0 = min(i.x0 for i in used), min(i.y0 for i in used)
        x1, y1 = max(i.x1 for i in used), max(i.y1 for i in used)
        box = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
        if to_source is not None:
            box = to_source(box)
    return ExtractedField(value, confidence, box)


def piece_scores(pieces: Sequence[tuple[str, Item]]) -> tuple[float, ...] | None:
    """Per-character scores of the joined piece texts (each piece is its item's text or the
    tail of it after a label), when every piece's item has them."""
    out: list[float] = []
    for text, it in pieces:
        if (it.char_scores is None or len(it.char_scores) != len(it.text)
                or not it.text.endswith(text)):
            return None
        out.extend(it.char_scores[len(it.text) - len(text):])
    return tuple(out)
