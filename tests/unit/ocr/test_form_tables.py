"""Label and value cells of printed form tables paired by geometry (hand-built lines shaped like
what PP-OCR returns on the XFUND forms in samples/real, no OCR)."""

from __future__ import annotations

from core import TextLine
from ocr.documents import form
from ocr.documents.form_cells import split_value_and_label, stack_labels
from ocr.documents.layout import to_items


def line(text: str, x: float, y: float, w: float | None = None, h: float = 60) -> TextLine:
    w = w if w is not None else 45 * len(text)
    return TextLine(text, 0.99, [[x, y], [x + w, y], [x + w, y + h], [x, y + h]], 0)


def read(lines: list[TextLine]) -> tuple[dict[str, str], dict[str, bool]]:
    fields, boxes = form.extract(to_items(lines))
    return {k: v.value for k, v in fields.items()}, boxes


def test_a_long_label_over_three_lines_of_its_cell_pairs_with_the_value_on_its_right() -> None:
    # The label's bracketed list of kinds runs over three tightly set lines; the value cell
    # right of it is centred on the middle line; the next row's label breaks after a slash.
    parts = ["主体代码（组织机构代码/", "金融机构标识码/个人身份", "证件号码/护照号码/其他）"]
    lines = [line(parts[0], 335, 1115, w=412, h=47), line(parts[1], 335, 1162, w=415, h=47),
             line(parts[2], 332, 1206, w=413, h=55),
             line("430913198201144511", 761, 1143, w=418, h=55),
             line("境内机构注册地/", 401, 1263, w=277, h=55),
             line("河北省张家口市怀来县东花园镇", 803, 1277, w=575, h=55),
             line("境内个人常住地", 401, 1305, w=274, h=63)]
    fields, _ = read(lines)
    assert fields["".join(parts)] == "430913198201144511"
    assert fields["境内机构注册地/境内个人常住地"] == "河北省张家口市怀来县东花园镇"
    assert len(fields) == 2


def test_the_lines_of_one_cell_stop_where_the_brackets_close() -> None:
    items = to_items([line("代码（组织机构代码/", 0, 0, h=47), line("护照号码）", 0, 47, h=47),
                      line("注册地/", 0, 96, h=47), line("常住地", 0, 140, h=47)])
    assert [it.text for it in stack_labels(items)] == ["代码（组织机构代码/护照号码）",
                                                       "注册地/常住地"]


def test_a_label_with_a_bracketed_note_on_its_second_line() -> None:
    lines = [line("姓名", 227, 502, w=116, h=76), line("（拼音）", 208, 562, w=152, h=79),
             line("（岳欣欣）", 417, 531, w=331, h=122),
             line("性别", 792, 551, w=121, h=85), line("女", 1002, 551, w=75, h=79)]
    fields, _ = read(lines)
    assert fields["姓名（拼音）"] == "岳欣欣"
    assert fields["性别"] == "女"


def test_a_value_under_its_label_when_the_labels_row_holds_nothing_else() -> None:
    lines = [line("邮政地址:湖南省怀化市市辖区", 249, 795, w=623, h=69),
             line("申请针对的物业地址", 255, 1063, w=407, h=55),
             line("紫藤苑4号楼3单元301", 418, 1146, w=390, h=54),
             line("ABC-12", 1900, 1150, w=200, h=50),  # a mark well apart on the row
             line("市政府隐私声明", 241, 1313, w=307, h=63)]
    fields, _ = read(lines)
    assert fields["申请针对的物业地址"] == "紫藤苑4号楼3单元301"
    assert fields["邮政地址"] == "湖南省怀化市市辖区"


def test_an_empty_label_cell_takes_nothing_from_the_next_row_of_the_table() -> None:
    # 受理人 has an empty cell; the row below holds a label and its value, not 受理人's value;
    # and text far below, or in another column, is not a value under a label either.
    lines = [line("受理人", 100, 100, h=50), line("受理日期", 700, 100, h=50),
             line("经办单位", 100, 170, h=50), line("某某街道办事处", 400, 170, h=50),
             line("办理时间", 100, 400, h=50), line("以上内容属实", 150, 600, h=50),
             line("经办人", 100, 700, h=50), line("张三", 800, 760, h=50)]
    fields, _ = read(lines)
    assert fields == {"经办单位": "某某街道办事处"}


def test_a_value_read_together_with_the_next_cells_label_is_cut_before_that_label() -> None:
    lines = [line("证件类型", 205, 1302, w=185, h=68),
             line("学位证书证件号码", 443, 1302, w=379, h=74),
             line("D47854648486893", 869, 1305, w=299, h=46),
             line("户籍详址", 1386, 1301, w=198, h=87),
             line("辽宁省西丰县安民镇永淳村二组62号", 1633, 1318, w=642, h=58)]
    fields, _ = read(lines)
    assert fields["证件类型"] == "学位证书"
    assert fields["证件号码"] == "D47854648486893"
    assert fields["户籍详址"] == "辽宁省西丰县安民镇永淳村二组62号"


def test_a_label_after_an_empty_cell_is_not_cut_into_a_value() -> None:
    # 受理人's cell is empty: 受理日期 is a label, not the value ``受`` and a label 理日期.
    items = to_items([line("受理人", 100, 100), line("受理日期", 400, 100),
                      line("2020年1月2日", 700, 100)])
    assert [it.text for it in split_value_and_label(items)] == ["受理人", "受理日期",
                                                                "2020年1月2日"]
    fields, _ = read([line("受理人", 100, 100), line("受理日期", 400, 100),
                      line("2020年1月2日", 700, 100)])
    assert fields == {"受理日期": "2020-01-02"}


def test_a_label_inside_a_label_names_the_value() -> None:
    fields, _ = read([line("电话:家中:0731-56494164", 252, 885, w=606, h=61),
                      line("工作:", 2001, 891, w=161, h=68),
                      line("手机:15845878995", 249, 967, w=396, h=72)])
    assert fields == {"家中": "0731-56494164", "手机": "15845878995"}


def test_a_chosen_option_is_the_value_and_the_next_cells_label_stays_a_label() -> None:
    # 有无上海市居住证 is answered 无 in its cell; 居住证有效期 stands in the next cell, where
    # the rows above have their values (a value column), after a gap.
    lines = [line("户籍详址", 1386, 1301, w=198, h=87),
             line("辽宁省西丰县安民镇永淳村二组62号", 1633, 1318, w=642, h=58),
             line("联系电话", 1383, 1411, w=198, h=83),
             line("13585662395", 1628, 1417, w=224, h=57),
             line("有否境外永居", 188, 1524, w=260, h=66), line("否", 631, 1510, w=61, h=63),
             line("有无上海市居住证", 966, 1527, w=338, h=63),
             line("无", 1450, 1521, w=86, h=85),
             line("居住证有效期", 1635, 1529, w=262, h=75)]
    fields, _ = read(lines)
    assert fields["有无上海市居住证"] == "无"
    assert fields["有否境外永居"] == "否"
    assert "居住证有效期" not in fields


def test_ticked_options_in_a_value_cell_and_no_value_from_below_for_their_label() -> None:
    lines = [line("主体类型", 459, 921, w=169, h=66), line("☑境内个人", 1107, 924, w=194, h=68),
             line("□境内机构", 1578, 926, w=191, h=66),
             line("主体名称", 457, 1025, w=171, h=66), line("赵阳", 825, 1011, w=113, h=72),
             line("上市情况", 453, 1380, w=173, h=76), line("☑未上市", 844, 1381, w=169, h=93),
             line("□其他", 1896, 1389, w=127, h=72),
             line("港澳台居民", 500, 1470, w=300, h=60)]
    fields, boxes = read(lines)
    assert boxes == {"境内个人": True, "境内机构": False, "未上市": True, "其他": False}
    assert fields == {"主体名称": "赵阳"}
