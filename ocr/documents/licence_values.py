"""Cleaning what a business licence's labels collect on real captures: the printed notes column
of old licences, watermarks laid over values (``仅限官网APP展示使用``), a company's name printed
again under its address, an entity type run into the name, a date whose 月 hides under the seal.
"""

from __future__ import annotations

import re

from ocr.documents.layout import Item, rows
from ocr.documents.text import valid_date

# Old licences (企业法人营业执照) print numbered notes in a right-hand column:
# ``7.《企业法人营业执照》被吊销后…``.
_NOTE = re.compile(r"^\d{1,2}[.、．]")
# Watermark phrases that licences shown on websites carry; they end a short value.
_WATERMARK = re.compile(r"(仅限|仅供|此件|复印无效|网站展示|展示使用|不得做|不得用于|他用无效|"
                        r"与原件一致|再次复印)")
# The site a licence image was taken from, stamped over it (``中国制造网``, ``维库电子市场网``).
_WEBSITE = re.compile(r"[\u4e00-\u9fff]{2,6}网$")
# A registered name ends with its legal form; what follows the last one is a watermark or a
# neighbouring line, unless it opens a bracket (``（有限合伙）``).
_NAME_END = re.compile(r"(公司|厂|店|商行|经营部|门市部|合作社|事务所|工作室|中心|研究院|设计院)")
# The entity types a licence prints (类型 / 公司类型 / 组成形式), with an optional bracket.
ENTITY_TYPE = re.compile(
    r"(其他)?(有限责任公司分公司|股份有限公司分公司|有限责任公司|股份有限公司|有限合伙企业|"
    r"普通合伙企业|合伙企业|个人独资企业|个体工商户|全民所有制|集体所有制|股份合作制|"
    r"中外合资经营|中外合作经营|外商独资|个人经营|家庭经营|农民专业合作社)"
    r"(（[^）]{1,24}）)?")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LEADING_NOTE = re.compile(r"^[（(][^）)]{1,4}[）)](?=.)")
_NOT_DATE = re.compile(r"[^\d年月日]")
_DATE_LENIENT = re.compile(r"(\d{4})年?(\d{1,2})月(\d{1,2})日?|(\d{4})年(\d{2})(\d{2})日")


def notes_column_edge(items: list[Item]) -> float:
    """Where an old licence's numbered notes column starts (``inf`` when there is none)."""
    notes = [it for it in items if _NOTE.match(it.text) and len(it.text) >= 6]
    if len(notes) < 2 or not items:
        return float("inf")
    edge = min(it.x0 for it in notes) - 0.5 * min(it.height for it in notes)
    # Only a column in the right half: newer licences print numbered 重要提示 across the page.
    middle = (min(it.x0 for it in items) + max(it.x1 for it in items)) / 2
    return edge if edge > middle else float("inf")


def strip_watermark(text: str) -> str:
    m = _WATERMARK.search(text)
    text = text[: m.start()] if m and m.start() > 0 else text
    m = _WEBSITE.search(text)
    return text[: m.start()] if m and m.start() > 0 else text


def trim_name(text: str) -> str:
    # Old labels carry a bracketed note (``企业名称(中2)``) that reads as the name's start.
    text = _LEADING_NOTE.sub("", text, count=1) or text
    ends = list(_NAME_END.finditer(text))
    if not ends:
        return text
    tail = text[ends[-1].end():]
    # A legal form in brackets (``（有限合伙）``) is part of the name; a page or copy note
    # (``（页2）``, ``(1-1)``) is not.
    keep = not tail or (tail[0] in "（(" and len(_CJK.findall(tail)) >= 2
                        and not any(c.isdigit() for c in tail))
    return text if keep else text[: ends[-1].end()]


def split_name_rows(
    pieces: list[tuple[str, Item]]
) -> tuple[list[tuple[str, Item]], list[tuple[str, Item]]]:
    """A name's own pieces, and a following row that is an entity type (when 类型's label was
    lost, its value sits right under the name)."""
    first = pieces[0][1] if pieces else None
    for k, (text, it) in enumerate(pieces):
        if first is not None and it.y0 > first.y1 and ENTITY_TYPE.match(text) is not None:
            return pieces[:k], pieces[k:k + 1]
    return pieces, []


def trim_entity_type(text: str) -> str:
    m = ENTITY_TYPE.search(text)
    return m.group(0) if m else text


def trim_address(pieces: list[tuple[str, Item]]) -> list[tuple[str, Item]]:
    """An address continues on the next rows, but a row that is a company's name (its seal or
    its name printed again under the address) ends it."""
    first = pieces[0][1] if pieces else None
    for k, (text, it) in enumerate(pieces):
        if first is not None and it.y0 > first.y1 and text.endswith("公司"):
            return pieces[:k]
    return pieces


def trim_person(text: str) -> str:
    """A representative's name: old licences label it ``法定代表人姓名``/``姓名``."""
    return strip_watermark(text.removeprefix("姓名"))


def registration_date(
    items: list[Item], authority: Item | None, used: set[int]
) -> tuple[str, Item] | None:
    """The date printed under the registration authority's seal: the lowest unused full date.
    Its parts are often printed wide apart (``2020 年 03 月 10 日``), so a row is read whole,
    and a 月 lost under the red seal is tolerated when month and day have two digits."""
    free = [it for it in items if id(it) not in used]
    if authority is not None:
        near = [it for it in free if it.y0 >= authority.y0 - authority.height]
        free = near or free
    lines = rows(free)
    for k in range(len(lines) - 1, -1, -1):
        row = lines[k]
        # Digits and the 年/月/日 between them sit at slightly different heights: a row of
        # pieces can split in two.
        if k + 1 < len(lines) and _close(row, lines[k + 1]):
            row = sorted(row + lines[k + 1], key=lambda i: i.x0)
        # Only digits and 年月日: seal fragments (``州海``) share the row.
        text = "".join(_NOT_DATE.sub("", it.text) for it in row)
        for m in _DATE_LENIENT.finditer(text):
            y, mo, d = (g for g in m.groups() if g is not None)
            if iso := valid_date(int(y), int(mo), int(d)):
                start = next((it for it in row if it.text[:1].isdigit()), row[0])
                return iso, start
    return None


def _close(upper: list[Item], lower: list[Item]) -> bool:
    """Two rows whose boxes still overlap vertically by a third of a line."""
    top = max(it.y0 for it in lower)
    bottom = min(it.y1 for it in upper)
    height = min(it.height for it in upper + lower)
    return bottom - top > 0.3 * height
