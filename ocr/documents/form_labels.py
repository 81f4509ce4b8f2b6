"""What a form's text says about itself: whether a piece of text reads like a label, and which
checkbox options (☑/☐ and the word after them) it holds. No geometry here (see ``form_cells``).
"""

from __future__ import annotations

import re

LABEL = re.compile(r"^[\u4e00-\u9fff()（）/、]{2,16}$")
LABEL_CHARS = re.compile(r"^[\u4e00-\u9fff()（）/、]+$")
LONG_LABEL = re.compile(r"^[\u4e00-\u9fff()（）/、]{2,30}$")
# A label with an explanatory note in brackets after it: ``姓名（拼音）``,
# ``主体代码（组织机构代码/金融机构标识码/个人身份证件号码/护照号码/其他）``. The note says what
# may be written, the label before it says what the cell is.
_NOTED = re.compile(r"^([\u4e00-\u9fff()（）/、]{2,16}?)（([\u4e00-\u9fff/、]{1,40})）$")
_LABEL_SUFFIXES = (
    "名称", "姓名", "号码", "代码", "电话", "日期", "地址", "住所", "类型", "事项", "性别",
    "民族", "邮编", "人", "码", "额", "资本", "期限", "场所", "机关", "范围", "单位", "职务",
    "手机", "时间", "原因", "方式", "邮箱", "形式", "出生", "籍贯", "户籍", "证件", "编号",
    "金额", "签名", "签字", "数", "号", "量", "址", "箱", "面积", "年限",
    # Personal-information tables (登记表): 政治面貌, 婚育状况, 国籍, 生源地, 最高学历 ...
    "面貌", "状况", "国籍", "地", "学历", "学位", "专业", "兼职", "永居", "居住证", "所在",
    "联系人", "情况", "名称", "有效期", "等级",
)
CHECKED = "☑☒✔✓■√"
UNCHECKED = "☐□口"
# PP-OCR often reads an empty box as 口, which is also a character: in these words it is one
# (place names too: 张家口, 营口, 汉口, 渡口 ...).
_KOU_WORDS = re.compile(r"(窗|出|进|人|港|路|门|接|户|入|关|开|河|海|胸|缺|家|江|湖|峡|渡|营|汉|"
                        r"虎|道|街|村|巷|岭|坝|溪|沟|隘|垭|谷|洞|闸)口")
_OPTION = re.compile(rf"([{CHECKED}{UNCHECKED}])\s*([^{CHECKED}{UNCHECKED}\s]+)")
_QUOTES = "“”\"'「」"


def options(text: str) -> list[tuple[str, str]]:
    """(mark, option word) pairs; words in quotes (a form's own instructions) are not options."""
    protected = _KOU_WORDS.sub(lambda m: m.group(1) + "\x00", text)
    pairs = []
    for mark, word in _OPTION.findall(protected):
        word = word.replace("\x00", "口").rstrip(":")
        if word and not any(q in word for q in _QUOTES):
            pairs.append((mark, word))
    return pairs


def is_label(text: str) -> bool:
    """Whether ``text`` reads like a form label: short Chinese with a label-like ending or a
    colon, possibly followed by a bracketed note on what to write."""
    t = text.rstrip(":")
    if noted := _NOTED.match(t):
        t = noted.group(1)
    return bool(LABEL.match(t)) and (text.endswith(":") or t.endswith(_LABEL_SUFFIXES))


def open_brackets(text: str) -> int:
    """How many brackets ``text`` opens and leaves open."""
    return (text.count("（") + text.count("(")) - (text.count("）") + text.count(")"))
