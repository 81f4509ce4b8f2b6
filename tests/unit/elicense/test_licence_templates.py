"""Licence templates: the bundled ones match the sample records, a directory of extra templates
adds or replaces types, and broken files give errors naming the file and the path."""

from __future__ import annotations

from pathlib import Path

import pytest
from licence_helpers import SAMPLE_NAMES, SAMPLES  # noqa: I001 - a sibling module

from core import ErrorCode
from elicense import (
    LicenceTemplateInvalidError,
    LicenceTemplateMissingError,
    StandardField,
    load_licence,
    load_template,
    load_templates,
)
from elicense.template import BUNDLED_TEMPLATES_DIR
from verify.forms import validate_uscc

MINIMAL = """\
type_code: "{code}"
name: 测试证
title: 测试证
fields:
  - {{key: holder, label: 名称}}
"""


def test_bundled_templates_cover_the_sample_records() -> None:
    catalog = load_templates()
    records = [load_licence(SAMPLES / f"{name}.json") for name in SAMPLE_NAMES]
    assert catalog.type_codes() == sorted(r.type_code for r in records)
    for record in records:
        template = catalog.get(record.type_code)
        assert template.name == record.name
        for key in template.detail_keys:
            assert record.detail(key) is not None, key


def test_template_type_codes_name_a_valid_defining_authority() -> None:
    for template in (load_template(p) for p in BUNDLED_TEMPLATES_DIR.glob("*.yaml")):
        assert validate_uscc(template.type_code[:18]).ok


def test_the_personal_templates_have_a_photo_box() -> None:
    catalog = load_templates()
    with_photo = {catalog.get(code).name for code in catalog.type_codes()
                  if catalog.get(code).photo}
    assert with_photo == {"居住证", "居民身份证换领受理凭证"}


def test_standard_and_detail_keys_are_told_apart() -> None:
    template = load_templates().get("111000000000002892903")
    kinds = {field.key: field.standard for field in template.fields}
    assert kinds["holder"] is StandardField.HOLDER
    assert kinds["valid_period"] is StandardField.VALID_PERIOD
    assert kinds["民族"] is None
    assert template.detail_keys == ("性别", "民族", "出生日期", "居住地址")
    assert template.fields[0].shown_label == "姓名"
    assert template.fields[1].shown_label == "性别"


def test_unknown_type_code() -> None:
    with pytest.raises(LicenceTemplateMissingError) as caught:
        load_templates().get("111000000000002892999")
    assert caught.value.code is ErrorCode.LICENCE_TEMPLATE_MISSING
    assert "111000000000002892901" in caught.value.message_en


def test_extra_directory_adds_and_replaces(tmp_path: Path) -> None:
    (tmp_path / "new.yaml").write_text(MINIMAL.format(code="111000000000002892950"), "utf-8")
    replacement = MINIMAL.format(code="111000000000002892902").replace("测试证", "替换证")
    (tmp_path / "food.yaml").write_text(replacement, "utf-8")
    catalog = load_templates(tmp_path)
    assert len(catalog) == len(load_templates()) + 1
    assert catalog.get("111000000000002892950").title == "测试证"
    assert catalog.get("111000000000002892902").title == "替换证"
    assert load_templates().get("111000000000002892902").title == "食品经营许可证"


@pytest.mark.parametrize(("text", "path", "words"), [
    (MINIMAL.format(code="1110000000000028929"), "type_code", "type code"),
    (MINIMAL.format(code="111000000000002892950") + "colours: {frame: red}\n",
     "colours.frame", "pattern"),
    (MINIMAL.format(code="111000000000002892950") + "orientation: diagonal\n",
     "orientation", "portrait"),
    (MINIMAL.format(code="111000000000002892950") + "  - {key: holder}\n", "fields",
     "twice"),
    (MINIMAL.format(code="111000000000002892950") + "stamp: yes\n", "stamp", "Extra"),
    (MINIMAL.format(code="111000000000002892950").replace("title: 测试证\n", ""), "title",
     "required"),
])
def test_broken_templates_name_the_path(tmp_path: Path, text: str, path: str, words: str) -> None:
    target = tmp_path / "bad.yaml"
    target.write_text(text, "utf-8")
    with pytest.raises(LicenceTemplateInvalidError, match=words) as caught:
        load_template(target)
    assert caught.value.code is ErrorCode.CONFIG_INVALID
    assert caught.value.source == "bad.yaml"
    assert caught.value.path == path


def test_yaml_syntax_error_gives_the_line(tmp_path: Path) -> None:
    target = tmp_path / "bad.yaml"
    target.write_text("type_code: x\nfields: [\n  {key: a\n", "utf-8")
    with pytest.raises(LicenceTemplateInvalidError, match="line"):
        load_template(target)


def test_a_template_is_a_mapping(tmp_path: Path) -> None:
    target = tmp_path / "list.yaml"
    target.write_text("- a\n- b\n", "utf-8")
    with pytest.raises(LicenceTemplateInvalidError, match="mapping"):
        load_template(target)
    with pytest.raises(LicenceTemplateInvalidError, match="cannot read"):
        load_template(tmp_path / "absent.yaml")
