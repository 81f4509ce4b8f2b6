"""Extraction on the layouts real captures produce (hand-built lines, no OCR): each case is what
PP-OCR returned on a real photo or scan in samples/real, reduced to the lines that matter."""

from __future__ import annotations

from core import FieldNote, TextLine
from ocr.documents import business_licence, form, id_card
from ocr.documents.layout import (
    collect_value,
    find_anchor,
    rows,
    split_embedded_labels,
    split_vertical_runs,
    to_items,
)
from ocr.documents.text import parse_date, parse_date_range


def line(text: str, x: float, y: float, w: float | None = None, h: float = 30,
         scores: tuple[float, ...] | None = None) -> TextLine:
    w = w if w is not None else 30 * len(text)
    return TextLine(text, 0.99, [[x, y], [x + w, y], [x + w, y + h], [x, y + h]], 0, scores)


def values(fields: dict) -> dict[str, str]:
    return {k: v.value for k, v in fields.items()}


# --- ID card fronts -----------------------------------------------------------------------
def test_sex_and_ethnicity_on_one_line_and_the_traditional_label_glyph() -> None:
    lines = [line("姓名韦小宝", 80, 70), line("性別男民族满", 80, 140),
             line("出生1654年12月20日", 80, 210), line("住址北京市东城区景山前街4号", 80, 280),
             line("公民身份证号码", 80, 510), line("11010519491231002X", 330, 505, w=480, h=40)]
    got = values(id_card.extract_front(to_items(lines)))
    assert got["sex"] == "男"
    assert got["ethnicity"] == "满"
    assert got["id_number"] == "11010519491231002X"


def test_tick_glyphs_read_into_a_card_line_are_cut_out() -> None:
    # Guilloche under the name read as a ticked box: 姓名☑郝琴, 民族☑汉 (synthetic scan 0116).
    lines = [line("姓名☑郝琴", 121, 266, h=60), line("性别女", 130, 328), line("民族☑汉", 310, 308),
             line("出生", 140, 394), line("1989年10月31日", 220, 380),
             line("住址", 145, 447), line("广东省深圳市南山区民主路733号", 226, 440),
             line("公民身份号码", 161, 588), line("440305198910319800", 330, 580, w=360)]
    got = values(id_card.extract_front(to_items(lines)))
    assert got["name"] == "郝琴"
    assert got["ethnicity"] == "汉"


def test_labels_misread_by_one_character_still_anchor_in_the_label_column() -> None:
    # A 210 px card: 性别 read 性川, 民族 民莱, 住址 徐址 (samples/real idf-obama-joke-desk-lowres).
    lines = [line("姓名奥巴马", 20, 47, h=18), line("性川男民莱肯尼亚", 19, 65, h=18),
             line("出生1961年8月4日", 19, 84, h=18), line("徐址", 20, 108, w=33, h=14),
             line("华盛顿特区宾夕法尼亚大", 44, 104, w=123, h=18),
             line("道1600号白宫", 49, 119, w=67, h=17),
             line("公民身份证号码", 21, 159, w=64, h=14),
             line("326221196108040096", 95, 157, w=114, h=16)]
    got = values(id_card.extract_front(to_items(lines)))
    assert got["sex"] == "男"
    assert got["ethnicity"] == "肯尼亚"
    assert got["address"] == "华盛顿特区宾夕法尼亚大道1600号白宫"


def test_an_unread_address_label_leaves_the_lines_between_birth_and_number() -> None:
    lines = [line("姓名二哈", 40, 40), line("性别男", 40, 100), line("民族汉", 200, 100),
             line("出生2015年03月08日", 40, 160), line("河南省安阳市文峰区", 150, 222),
             line("公民身份号码", 40, 330), line("410502201503081234", 260, 326, w=420)]
    assert values(id_card.extract_front(to_items(lines)))["address"] == "河南省安阳市文峰区"


def test_birth_date_and_sex_are_cross_checked_with_a_valid_number() -> None:
    lines = [line("姓名王小红", 80, 70), line("性别男", 80, 140),
             line("公民身份号码", 80, 510), line("11010519851102002X", 330, 505, w=480)]
    fields = id_card.extract_front(to_items(lines))
    assert fields["birth_date"].value == "1985-11-02"
    assert fields["birth_date"].notes == (FieldNote.FROM_ID_NUMBER,)
    assert fields["sex"].value == "男"  # as read: the number says 女
    assert FieldNote.INCONSISTENT_WITH_ID_NUMBER in fields["sex"].notes


def test_a_misread_number_digit_is_repaired_only_where_the_engine_was_unsure() -> None:
    misread = "11010519851102008X"  # the 17th character 2 read as 8: fails the check
    unsure = tuple(0.5 if i == 16 else 0.999 for i in range(18))
    lines = [line("公民身份号码", 80, 510), line(misread, 330, 505, w=480, scores=unsure)]
    field = id_card.extract_front(to_items(lines))["id_number"]
    assert field.value != misread and field.raw == misread
    assert FieldNote.CHECK_DIGIT_CORRECTED in field.notes
    sure = tuple(0.999 for _ in range(18))
    lines[1] = line(misread, 330, 505, w=480, scores=sure)
    field = id_card.extract_front(to_items(lines))["id_number"]
    assert field.value == misread and FieldNote.CHECK_DIGIT_INVALID in field.notes


# --- business licences --------------------------------------------------------------------
def test_letter_spaced_labels_read_as_vertical_runs() -> None:
    # 名　称 / 类　型 / 住　所 stacked: the detector returns 名类住 and 称型所 as two columns.
    lines = [line("统一社会信用代码", 100, 40), line("91310115MA1H8H1D7F", 100, 80, w=380),
             line("营业执照", 600, 40, h=60),
             line("名类住", 100, 200, w=30, h=190), line("称型所", 260, 200, w=30, h=190),
             line("上海荆戈工业控制设备有限公司", 330, 200),
             line("有限责任公司（自然人独资）", 330, 280),
             line("浦东新区万祥镇宏祥北路83弄", 330, 360)]
    got = values(business_licence.extract(to_items(lines)))
    assert got["name"] == "上海荆戈工业控制设备有限公司"
    assert got["entity_type"] == "有限责任公司（自然人独资）"
    assert got["address"] == "浦东新区万祥镇宏祥北路83弄"
    assert got["uscc"] == "91310115MA1H8H1D7F"


def test_old_licence_registration_number_notes_column_and_chinese_numeral_dates() -> None:
    lines = [line("企业法人营业执照", 90, 100, h=60),
             line("1.《企业法人营业执照》是企业法人资格和合法经营的凭证。", 1040, 220, w=480),
             line("2.《企业法人营业执照》分为正本和副本，正本和副本具有同等法律效力。", 1040, 250,
                  w=580),
             line("注册号", 380, 300), line("431300000026471", 470, 322, w=230),
             line("名称", 105, 365), line("娄底龙山竹业有限公司", 330, 390),
             line("住所", 105, 420), line("娄星区金谷市场55栋", 330, 448),
             line("8.办理注销登记，应当交回《企业法人营业执照》正本和副本。", 1035, 440, w=580),
             line("法定代表人姓名", 104, 489), line("王立志", 330, 508),
             line("公司类型", 101, 660), line("有限责任公司", 330, 684),
             line("成立日期", 103, 1070, h=44), line("二〇一〇年三月九日", 333, 1096, h=40),
             line("营业期限", 101, 1127, h=41),
             line("二〇一〇年三月九日至二〇三〇年三月八日", 335, 1161, h=36)]
    got = values(business_licence.extract(to_items(lines)))
    assert got["registration_number"] == "431300000026471"
    assert got["address"] == "娄星区金谷市场55栋"
    assert got["legal_representative"] == "王立志"
    assert got["entity_type"] == "有限责任公司"
    assert got["established_date"] == "2010-03-09"
    assert (got["term_from"], got["term_until"]) == ("2010-03-09", "2030-03-08")
    assert "uscc" not in got


def test_watermarks_and_stamps_beside_values_are_left_out() -> None:
    lines = [line("营业执照", 600, 40, h=60), line("统一社会信用代码", 100, 100),
             line("名称", 100, 200), line("五冶集团上海有限公司站展示不得做其他用途", 230, 200),
             line("法定代表人", 100, 260), line("李天锋仅限官网APP展示使用", 260, 260),
             line("注册资本", 100, 320), line("人民币贰佰万元", 230, 320),
             line("东", 800, 322)]
    got = values(business_licence.extract(to_items(lines)))
    assert got["name"] == "五冶集团上海有限公司"
    assert got["legal_representative"] == "李天锋"
    assert got["registered_capital"] == "人民币贰佰万元"


def test_registration_date_with_its_month_lost_under_the_seal() -> None:
    lines = [line("营业执照", 600, 40, h=60), line("经营范围", 100, 200),
             line("登记机关", 763, 2132, w=300, h=59),
             line("2017", 1075, 2272, w=112, h=57), line("年", 1176, 2295, w=70, h=65),
             line("09", 1263, 2272, w=69, h=65), line("21", 1385, 2272, w=61, h=61),
             line("日", 1465, 2303, w=52, h=53)]
    assert values(business_licence.extract(to_items(lines)))["registration_date"] == "2017-09-21"


def test_a_tick_glyph_read_into_a_letter_spaced_label_column() -> None:
    # A 个体工商户 licence: 名称 / 经营场所 / 经营者 / 成立日期 letter-spaced in two columns of
    # label characters, and the 营 of 经营者 read with a seal stroke as ☑ (yueyang in samples/real).
    lines = [line("个体工商户营业执照", 760, 550, h=370),
             line("注册号", 2014, 909, w=240, h=70),
             line("440307814431916", 2405, 921, w=414, h=70),
             line("深圳市龙岗区龙城岳扬化工厂", 1091, 1074, w=682, h=94),
             line("名经经", 421, 1086, w=116, h=411), line("营场", 586, 1205, w=294, h=107),
             line("称所者期", 910, 1074, w=162, h=495),
             line("深圳市龙岗区龙城街道回龙埔工业区B栋215", 1088, 1191, w=998, h=105),
             line("☑营", 560, 1334, w=244, h=101), line("杨其扬", 1081, 1322, w=178, h=71),
             line("成立日", 420, 1431, w=472, h=134),
             line("二〇一五年五月廿九日", 1076, 1439, w=534, h=88)]
    got = values(business_licence.extract(to_items(lines)))
    assert got["legal_representative"] == "杨其扬"
    assert got["address"] == "深圳市龙岗区龙城街道回龙埔工业区B栋215"
    assert got["name"] == "深圳市龙岗区龙城岳扬化工厂"


def test_an_old_licence_authority_printed_in_the_notes_column_half() -> None:
    # 企业法人营业执照: numbered notes fill the right half, and the authority's name stands alone
    # there above the date (bl-old-style-laifuxiang).
    note = "《企业法人营业执照》是企业法人资格和合法经营的凭证之"
    notes = [line(f"{k}.{note}{k}。", 710, 200 + 30 * k, w=380, h=18) for k in range(1, 6)]
    lines = [line("企业法人营业执照", 300, 60, h=60), *notes,
             line("名称", 95, 250), line("郑州市来福祥装饰有限公司", 230, 250),
             line("公司类型", 91, 474), line("有限责任公司", 242, 473),
             line("郑州市工商行政管理局", 807, 677, w=233, h=32),
             line("成立日期", 94, 754), line("2000年04月20日", 242, 752)]
    got = values(business_licence.extract(to_items(lines)))
    assert got["registration_authority"] == "郑州市工商行政管理局"
    # A sentence of the notes that names an authority is no authority.
    lines[-3] = line("9.遗失的应当在公司登记机关郑州市工商行政管理局指定的报刊", 807, 677, w=500)
    assert "registration_authority" not in values(business_licence.extract(to_items(lines)))


def test_a_right_column_label_whose_first_character_joined_the_left_value() -> None:
    # 住　所 letter-spaced in the right column: the detector joined 住 to the scope on its left.
    lines = [line("营业执照", 568, 260, h=120), line("经营范围", 166, 626, w=117, h=37),
             line("化妆品零售，建筑材料销售，家用电器销售。住", 326, 625, w=614, h=37),
             line("所", 975, 626, w=44, h=35),
             line("河南省郑州市金水区幸福路510号国", 1059, 624, w=430, h=36),
             line("（依法须经批准的项目，经相关部门批准后方", 344, 663, w=532, h=35),
             line("际商务中心6号楼8层", 1060, 665, w=251, h=32),
             line("可开展经营活动）", 327, 706, w=203, h=33)]
    got = values(business_licence.extract(to_items(lines)))
    assert got["address"] == "河南省郑州市金水区幸福路510号国际商务中心6号楼8层"
    assert got["business_scope"] == ("化妆品零售，建筑材料销售，家用电器销售。"
                                     "（依法须经批准的项目，经相关部门批准后方可开展经营活动）")


# --- forms ----------------------------------------------------------------------------------
def test_a_label_on_two_lines_of_its_cell_and_labels_in_every_column_of_a_grid() -> None:
    lines = [line("姓名", 227, 502, h=76), line("（岳欣欣)", 417, 531, w=331, h=122),
             line("性别", 792, 551, h=85), line("女", 1002, 551, h=79),
             line("出生", 1124, 507, h=77), line("日期", 1124, 562, h=88),
             line("1997年12月17日", 1293, 573, w=285, h=63),
             line("国籍", 224, 658, h=85), line("中国", 429, 652, h=77),
             line("民族", 790, 656, h=94), line("汉", 969, 663, h=85),
             line("婚育", 1121, 633, h=85), line("状况", 1117, 685, h=95),
             line("未婚", 1265, 647, h=77)]
    fields, _boxes = form.extract(to_items(lines))
    got = values(fields)
    assert got["出生日期"] == "1997-12-17"
    assert got["婚育状况"] == "未婚"
    assert got["民族"] == "汉"
    assert got["国籍"] == "中国"
    assert got["姓名"] == "岳欣欣"


# --- layout helpers -------------------------------------------------------------------------
def test_vertical_runs_become_characters_and_embedded_labels_split() -> None:
    items = split_vertical_runs(to_items([line("名类住", 0, 0, w=30, h=190)]))
    assert [it.text for it in items] == ["名", "类", "住"]
    assert items[0].y1 <= items[1].y0 + 1e-6 < items[2].y0
    parts = split_embedded_labels(to_items([line("性别男民族汉", 0, 0)]), ["性别", "民族"])
    assert [p.text for p in parts] == ["性别男", "民族汉"]
    assert parts[0].x1 <= parts[1].x0 + 1e-6


def test_a_tilted_row_of_spaced_label_characters_stays_one_row() -> None:
    items = to_items([line("住", 107, 418, h=49), line("7.《企业法人营业执照》被吊销后", 1037, 411),
                      line("所", 278, 416, h=55), line("娄星区金谷市场55栋", 330, 447, h=35)])
    grouped = [[it.text for it in row] for row in rows(items)]
    assert ["住", "所"] == [t for t in grouped[0] if t in "住所"]


def test_a_value_half_a_line_below_its_label_is_its_value() -> None:
    items = to_items([line("成立日期", 103, 1070, h=44),
                      line("二〇一〇年三月九日", 333, 1096, h=40),
                      line("营业期限", 101, 1127, h=41)])
    anchor = find_anchor(items, ["成立日期"])
    assert anchor is not None
    assert [t for t, _ in collect_value(items, anchor)] == ["二〇一〇年三月九日"]


def test_chinese_numeral_dates() -> None:
    assert parse_date("二〇一五年五月廿九日") == "2015-05-29"
    assert parse_date("二○一五年十二月三十一日") == "2015-12-31"
    assert parse_date("二〇一五年十三月一日") is None
    assert parse_date_range("二〇一〇年三月九日至二〇三〇年三月八日") == (
        "2010-03-09", "2030-03-08")
