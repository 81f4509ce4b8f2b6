"""Service definitions: the bundled ones load, and a broken file is a SERVICE_INVALID error that
names the file and the offending path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from forms_builders import SERVICES  # noqa: I001 - a sibling module, put on sys.path by pytest

from core import ErrorCode
from verify.forms import (
    MaterialKind,
    ServiceInvalidError,
    ServiceNotFoundError,
    load_service,
    load_service_catalog,
    load_services,
    parse_service,
)

MINIMAL: dict = {
    "id": "demo",
    "name": "示例事项",
    "materials": [
        {"id": "id_front", "kind": "id_card_front", "name": "身份证人像面",
         "fields": [{"id": "id_number", "rules": ["required", "id_number"]}]},
        {"id": "form", "kind": "form", "name": "申请表",
         "fields": [{"id": "name", "label": "姓名", "rules": ["required", "person_name"]}]},
    ],
    "cross_rules": [{"id": "same_name", "type": "equal", "left": "form.name",
                     "right": "id_front.name", "compare": "name"}],
}


def write(tmp_path: Path, data: object, name: str = "svc.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True),
                    "utf-8")
    return path


def broken(tmp_path: Path, edit) -> ServiceInvalidError:
    data = json.loads(json.dumps(MINIMAL))
    edit(data)
    with pytest.raises(ServiceInvalidError) as info:
        load_service(write(tmp_path, data))
    assert info.value.code is ErrorCode.SERVICE_INVALID
    assert "svc.yaml" in info.value.message_en and "svc.yaml" in info.value.message_zh
    return info.value


@pytest.mark.parametrize("path", sorted(SERVICES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_bundled_service_loads(path: Path) -> None:
    service = load_service(path)
    assert service.id == path.stem  # the file is named after the id
    assert any(m.kind is MaterialKind.FORM for m in service.materials)
    assert service.cross_rules


def test_the_four_services_of_the_issue_are_bundled() -> None:
    catalog = load_services(SERVICES)
    for name in ("居民身份证换领", "营业执照法定代表人变更", "安全生产许可证变更",
                 "个体工商户设立登记"):
        assert catalog.get(name).name == name
    assert catalog.get("id-card-renewal").name == "居民身份证换领"
    assert catalog.get("身份证换领").id == "id-card-renewal"  # an alias
    assert catalog.get("resident id card renewal").id == "id-card-renewal"  # English, any case


def test_an_unknown_service_names_the_known_ones() -> None:
    with pytest.raises(ServiceNotFoundError) as info:
        load_services(SERVICES).get("护照办理")
    assert info.value.code is ErrorCode.SERVICE_NOT_FOUND
    assert "id-card-renewal" in info.value.message_en


def test_the_minimal_example_loads_from_yaml_and_json(tmp_path: Path) -> None:
    assert load_service(write(tmp_path, MINIMAL)).id == "demo"
    assert load_service(write(tmp_path, json.dumps(MINIMAL), "svc.json")).id == "demo"


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ServiceInvalidError) as info:
        load_service(write(tmp_path, "id: demo\nmaterials: [\n  {id: x\n"))
    assert "svc.yaml" in str(info.value) and "line" in info.value.message_en


def test_bad_json_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ServiceInvalidError) as info:
        load_service(write(tmp_path, '{"id": "demo",\n "name": }', "svc.json"))
    assert "line 2" in info.value.message_en


def test_a_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(ServiceInvalidError, match="one mapping"):
        load_service(write(tmp_path, "- just\n- a list\n"))


def test_an_unknown_rule_type_names_its_path(tmp_path: Path) -> None:
    err = broken(tmp_path, lambda d: d["materials"][1]["fields"][0]["rules"].append("passport"))
    assert err.path == "materials[1].fields[0].rules[2]"
    assert "passport" in err.problem


def test_a_missing_field_names_its_path(tmp_path: Path) -> None:
    err = broken(tmp_path, lambda d: d.pop("name"))
    assert err.path == "name"
    err = broken(tmp_path, lambda d: d["materials"][0].pop("kind"))
    assert err.path == "materials[0].kind"


def test_a_rule_parameter_error_skips_the_union_tag_in_the_path(tmp_path: Path) -> None:
    def bad_regex(d: dict) -> None:
        d["materials"][1]["fields"][0]["rules"] = [{"type": "regex", "pattern": "(["}]

    err = broken(tmp_path, bad_regex)
    assert err.path == "materials[1].fields[0].rules[0].pattern"
    assert "regular expression" in err.problem


def test_a_misspelt_key_is_refused(tmp_path: Path) -> None:
    err = broken(tmp_path, lambda d: d["materials"][1]["fields"][0].update(lable="姓名"))
    assert err.path == "materials[1].fields[0].lable"


def test_a_length_rule_needs_a_bound_and_a_date_bound_must_parse(tmp_path: Path) -> None:
    err = broken(tmp_path, lambda d: d["materials"][1]["fields"][0]["rules"].append(
        {"type": "length"}))
    assert err.path == "materials[1].fields[0].rules[2]"
    err = broken(tmp_path, lambda d: d["materials"][1]["fields"][0]["rules"].append(
        {"type": "date", "not_after": "tomorrow"}))
    assert err.path == "materials[1].fields[0].rules[2].not_after"


def test_cross_rule_references_must_resolve(tmp_path: Path) -> None:
    err = broken(tmp_path, lambda d: d["cross_rules"][0].update(left="licence.uscc"))
    assert (err.path, err.problem) == ("cross_rules[0].left", "no material 'licence'")
    err = broken(tmp_path, lambda d: d["cross_rules"][0].update(left="form.surname"))
    assert err.path == "cross_rules[0].left" and "surname" in err.problem
    err = broken(tmp_path, lambda d: d["cross_rules"][0].update(right="id_front.nationality"))
    assert err.path == "cross_rules[0].right"


def test_card_fields_are_the_ocr_field_names(tmp_path: Path) -> None:
    err = broken(tmp_path, lambda d: d["materials"][0]["fields"].append({"id": "surname"}))
    assert err.path == "materials[0].fields[1].id" and "id_number" in err.problem
    err = broken(tmp_path, lambda d: d["materials"][0]["fields"][0].update(label="号码"))
    assert err.path == "materials[0].fields[0]"


def test_a_form_field_needs_a_label_or_checkboxes(tmp_path: Path) -> None:
    err = broken(tmp_path, lambda d: d["materials"][1]["fields"][0].pop("label"))
    assert err.path == "materials[1].fields[0]"


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    err = broken(tmp_path, lambda d: d["materials"].append(dict(d["materials"][0])))
    assert err.path == "materials[2].id"
    err = broken(tmp_path, lambda d: d["cross_rules"].append(dict(d["cross_rules"][0])))
    assert err.path == "cross_rules[1].id"


def test_photo_materials_need_a_profile_and_have_no_fields(tmp_path: Path) -> None:
    err = broken(tmp_path, lambda d: d["materials"].append(
        {"id": "photo", "kind": "photo", "name": "相片"}))
    assert err.path == "materials[2]" and "profile" in err.problem
    assert load_service(write(tmp_path, {**MINIMAL, "materials": [
        *MINIMAL["materials"],
        {"id": "photo", "kind": "photo", "name": "相片", "profile": "cn-resident-id"}]}))


def test_a_later_directory_replaces_a_service_and_one_directory_may_not_repeat_an_id(
        tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    custom = yaml.safe_load((SERVICES / "id-card-renewal.yaml").read_text("utf-8"))
    custom["name"] = "居民身份证换领（本地）"
    write(mine, custom, "renewal.yaml")
    catalog = load_services(SERVICES, None, mine)
    assert catalog.get("id-card-renewal").name == "居民身份证换领（本地）"
    assert len(catalog) == len(load_services(SERVICES))
    write(mine, custom, "renewal-copy.yaml")
    with pytest.raises(ServiceInvalidError, match="also defined in"):
        load_services(mine)


def test_the_catalogue_is_the_bundled_services_plus_the_office_directory(
        tmp_path: Path) -> None:
    bundled = load_service_catalog()
    assert sorted(s.id for s in bundled) == [
        "id-card-renewal", "individual-business-registration", "legal-representative-change",
        "safety-production-permit-change"]
    assert SERVICES.parent.name == "forms"  # product data beside its loader, not in samples/
    office = tmp_path / "office"
    office.mkdir()
    custom = yaml.safe_load((SERVICES / "id-card-renewal.yaml").read_text("utf-8"))
    custom["name"] = "居民身份证换领（本地）"
    write(office, custom, "renewal.yaml")
    write(office, MINIMAL, "demo.yaml")
    catalog = load_service_catalog(office)
    assert catalog.get("id-card-renewal").name == "居民身份证换领（本地）"
    assert catalog.get("demo").name == "示例事项"
    assert len(catalog) == len(bundled) + 1
    with pytest.raises(ServiceInvalidError, match="not a directory"):
        load_service_catalog(tmp_path / "missing")


def test_parse_service_checks_data_that_is_already_parsed() -> None:
    assert parse_service(MINIMAL).name == "示例事项"
    with pytest.raises(ServiceInvalidError):
        parse_service({**MINIMAL, "materials": []})


def test_the_annotated_example_in_the_docs_loads_and_works(tmp_path: Path) -> None:
    from forms_builders import ROOT, TODAY, case_documents  # noqa: PLC0415

    from verify.forms import Severity, Verdict, validate

    doc = (ROOT / "docs" / "services.md").read_text("utf-8")
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    service = load_service(write(tmp_path, example, "renewal-lite.yaml"))
    assert service.id == "renewal-lite" and len(service.cross_rules) == 6
    # Case 0's documents lack the example's 变更事项 checkboxes: incomplete, nothing else.
    report = validate(service, case_documents(0), today=TODAY)
    assert report.verdict is Verdict.INCOMPLETE
    errors = {(f.code.value, f.field) for f in report.by_severity(Severity.ERROR)}
    assert errors == {("field.missing", "items")}
