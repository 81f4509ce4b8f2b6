"""Field extraction from positioned lines (hand-built layouts, no OCR)."""

from __future__ import annotations

from core import DocType, TextLine
from ocr.documents import business_licence, form, id_card
from ocr.documents.classify import classify
from ocr.documents.layout import to_items


def line(text: str, x: float, y: float, w: float | None = None, h: float = 30) -> TextLine:
    w = w if w is not None else 30 * len(text)
    return TextLine(text, 0.99, [[x, y], [x + w, y], [x + w, y + h], [x, y + h]])


def test_id_front_from_separate_label_and_value_lines() -> None:
    lines = [
        line("姓名", 80, 70), line("王小红", 190, 68),
        line("性别", 80, 140), line("女", 190, 140), line("民族", 300, 140), line("回", 410, 140),
        line("出生", 80, 210), line("1985 年 11 月 2 日", 190, 210, w=330),
        line("住址", 80, 280), line("北京市朝阳区建国路", 190, 280),
        line("88号院2号楼1单元", 190, 322),
        line("公民身份号码", 80, 510), line("110105198511020028", 330, 505, w=480, h=40),
    ]
    fields = id_card.extract_front(to_items(lines))
    values = {k: v.value for k, v in fields.items()}
    assert values == {
        "name": "王小红", "sex": "女", "ethnicity": "回", "birth_date": "1985-11-02",
        "address": "北京市朝阳区建国路88号院2号楼1单元", "id_number": "110105198511020028",
    }
    assert all(v.box is not None for v in fields.values())


def test_id_front_when_label_and_value_are_one_line() -> None:
    lines = [line("姓名王小红", 80, 70), line("性别女民族回", 80, 140),
             line("出生1985年11月2日", 80, 210), line("住址北京市朝阳区建国路", 80, 280),
             line("公民身份号码110105198511020028", 80, 510, w=800)]
    values = {k: v.value for k, v in id_card.extract_front(to_items(lines)).items()}
    assert values["name"] == "王小红"
    assert values["sex"] == "女"
    assert values["birth_date"] == "1985-11-02"
    assert values["id_number"] == "110105198511020028"


def test_id_back_validity() -> None:
    lines = [line("中华人民共和国", 300, 60), line("居民身份证", 300, 130),
             line("签发机关", 150, 450), line("北京市公安局朝阳分局", 300, 450),
             line("有效期限", 150, 520), line("2016.05.10-2036.05.10", 300, 520, w=420)]
    values = {k: v.value for k, v in id_card.extract_back(to_items(lines)).items()}
    assert values == {"issuing_authority": "北京市公安局朝阳分局", "valid_from": "2016-05-10",
                      "valid_until": "2036-05-10"}


def test_business_licence_two_columns_and_wrapped_scope() -> None:
    lines = [
        line("营业执照", 650, 80, h=60),
        line("统一社会信用代码", 100, 200), line("91340100MA2N0K2B3F", 360, 200, w=380),
        line("名　　称", 100, 300, w=120), line("合肥恒泰信息科技有限公司", 260, 300),
        line("注册资本", 850, 300), line("伍佰万元整", 990, 300),
        line("类　　型", 100, 360, w=120), line("有限责任公司（自然人独资）", 260, 360),
        line("成立日期", 850, 360), line("2015年03月01日", 990, 360),
        line("法定代表人", 100, 420), line("李强", 260, 420),
        line("营业期限", 850, 420), line("2015年03月01日至长期", 990, 420),
        line("经营范围", 100, 480), line("软件开发；信息技术咨询服务；", 260, 480),
        line("计算机系统服务。", 260, 520),
        line("住　　所", 850, 480, w=120), line("安徽省合肥市蜀山区", 990, 480),
        line("长江西路189号", 990, 520),
        line("登记机关", 900, 700), line("合肥市市场监督管理局", 1040, 700),
        line("2023年05月12日", 1040, 760),
    ]
    values = {k: v.value for k, v in business_licence.extract(to_items(lines)).items()}
    assert values == {
        "uscc": "91340100MA2N0K2B3F", "name": "合肥恒泰信息科技有限公司",
        "registered_capital": "伍佰万元整", "entity_type": "有限责任公司（自然人独资）",
        "established_date": "2015-03-01", "legal_representative": "李强",
        "term_from": "2015-03-01", "term_until": "长期",
        "business_scope": "软件开发；信息技术咨询服务；计算机系统服务。",
        "address": "安徽省合肥市蜀山区长江西路189号",
        "registration_authority": "合肥市市场监督管理局", "registration_date": "2023-05-12",
    }


def test_form_pairs_and_checkboxes() -> None:
    lines = [
        line("营业执照法定代表人变更登记申请表", 200, 50),
        line("申请人姓名", 100, 200), line("张伟", 300, 200), line("性别", 600, 200),
        line("☑男 ☐女", 700, 200, w=150),
        line("联系电话", 100, 260), line("13912345678", 300, 260, w=250),
        line("申请日期：2024年1月5日", 100, 320, w=500),
    ]
    fields, boxes = form.extract(to_items(lines))
    assert {k: v.value for k, v in fields.items()} == {
        "申请人姓名": "张伟", "联系电话": "13912345678", "申请日期": "2024-01-05"}
    assert boxes == {"男": True, "女": False}


def test_classifier() -> None:
    front = ["姓名", "张伟", "公民身份号码", "110105198511020028"]
    assert classify(front)[0] == DocType.ID_CARD_FRONT
    back = ["中华人民共和国", "居民身份证", "签发机关", "有效期限"]
    assert classify(back)[0] == DocType.ID_CARD_BACK
    assert classify(["营业执照", "统一社会信用代码", "经营范围"])[0] == DocType.BUSINESS_LICENCE
    form_text = ["居民身份证申领登记表", "姓名", "公民身份号码", "签名"]
    assert classify(form_text)[0] == DocType.FORM
    assert classify(["hello", "world"])[0] == DocType.UNKNOWN
