"""``validate`` end to end on extraction results: the sample cases, every kind of finding, the
verdict, confidence and the report's shape."""

from __future__ import annotations

import json
from datetime import date

import pytest
from forms_builders import (  # noqa: I001 - a sibling module, put on sys.path by pytest
    SERVICES,
    TODAY,
    case_documents,
    case_service_id,
    edited,
    permit_documents,
    ticked,
    without,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from core import DocType, DocumentResult, QualityCode, QualityWarning
from verify.forms import (
    PhotoEvidence,
    Severity,
    ValidationReport,
    Verdict,
    load_service,
    load_services,
    parse_service,
    validate,
)

CATALOG = load_services(SERVICES)
RENEWAL = CATALOG.get("id-card-renewal")
CHANGE = CATALOG.get("legal-representative-change")
PERMIT = CATALOG.get("safety-production-permit-change")
ID_CASE, CHANGE_CASE = 0, 2  # sample case 0 is an ID renewal, case 2 a representative change


def check(service, documents, **kwargs) -> ValidationReport:
    return validate(service, documents, today=kwargs.pop("today", TODAY), **kwargs)


def rule_codes(report: ValidationReport) -> set[tuple[str, str | None]]:
    return {(f.code.value, f.rule) for f in report.findings}


@pytest.mark.parametrize("case", range(6))
def test_every_sample_case_is_valid_for_its_service(case: int) -> None:
    report = check(CATALOG.get(case_service_id(case)), case_documents(case))
    assert report.verdict is Verdict.VALID, [f.message_en for f in report.findings]
    assert report.ok
    # Only the licence can be surplus (an ID renewal or a new individual business needs none).
    assert report.codes() <= {"material.unexpected"}


def test_a_case_checked_against_the_wrong_service_is_not_valid() -> None:
    report = check(RENEWAL, case_documents(CHANGE_CASE))
    assert report.verdict is Verdict.INCOMPLETE  # the change form lacks the renewal's fields
    assert "material.title_mismatch" in report.codes()
    assert "field.missing" in report.codes()


def test_a_name_edited_on_the_form_is_a_cross_material_mismatch() -> None:
    docs = edited(case_documents(ID_CASE), "form", "姓名", "王小明")
    report = check(RENEWAL, docs)
    assert report.verdict is Verdict.INVALID
    assert ("cross.mismatch", "form_name_matches_card") in rule_codes(report)
    mismatch = next(f for f in report.findings if f.rule == "form_name_matches_card")
    assert mismatch.severity is Severity.ERROR
    assert mismatch.refs == ("form.name", "id_front.name")
    assert "姓名" in mismatch.message_zh and "王小明" not in mismatch.message_zh  # no values
    # The signature still carries the card's name: a clerk's question, not another error.
    assert ("cross.mismatch", "signature_matches_name") in rule_codes(report)


def test_a_wrong_check_character_on_the_form() -> None:
    docs = case_documents(ID_CASE)
    number = next(d for d in docs if d.doc_type is DocType.FORM).fields["公民身份号码"].value
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    report = check(RENEWAL, edited(docs, "form", "公民身份号码", wrong))
    assert report.verdict is Verdict.INVALID
    codes = rule_codes(report)
    assert ("id_number.check_char", "id_number") in codes
    assert ("cross.mismatch", "form_id_number_matches_card") in codes
    bad = next(f for f in report.findings if f.code.value == "id_number.check_char")
    assert (bad.material, bad.field, bad.file) == ("form", "id_number", "0003_form_clean.pdf")


def test_a_missing_material_makes_the_application_incomplete() -> None:
    report = check(RENEWAL, without(case_documents(ID_CASE), "id_card_back"))
    assert report.verdict is Verdict.INCOMPLETE
    missing = [f for f in report.findings if f.code.value == "material.missing"]
    assert [f.material for f in missing] == ["id_back"]
    # Rules about the absent card are skipped rather than reported as unreadable.
    assert not any(f.rule == "card_valid_on_application_date" for f in report.findings)


def test_an_empty_application_is_incomplete_not_an_exception() -> None:
    report = check(CHANGE, [])
    assert report.verdict is Verdict.INCOMPLETE
    assert {f.material for f in report.findings} == {"licence", "id_front", "id_back", "form"}


def test_a_missing_required_field() -> None:
    report = check(RENEWAL, edited(case_documents(ID_CASE), "form", "联系电话", None))
    assert report.verdict is Verdict.INCOMPLETE
    assert ("field.missing", "required") in rule_codes(report)


def test_an_unreadable_signature_asks_a_clerk() -> None:
    report = check(RENEWAL, edited(case_documents(ID_CASE), "form", "申请人签名", None))
    assert report.verdict is Verdict.NEEDS_REVIEW
    assert {f.code.value for f in report.by_severity(Severity.NEEDS_REVIEW)} == {
        "field.missing", "cross.not_checked"}


def test_low_confidence_turns_errors_on_that_value_into_a_clerks_call() -> None:
    docs = edited(case_documents(ID_CASE), "form", "姓名", "丁洋鹃", confidence=0.55)
    report = check(RENEWAL, docs)
    assert report.verdict is Verdict.NEEDS_REVIEW
    assert ("field.low_confidence", "confidence") in rule_codes(report)
    mismatch = next(f for f in report.findings if f.rule == "form_name_matches_card")
    assert mismatch.severity is Severity.NEEDS_REVIEW
    name = next(f for f in report.fields if f.ref == "form.name")
    assert name.confidence == 0.55 and name.worst is Severity.NEEDS_REVIEW


def test_the_threshold_comes_from_the_caller_unless_the_service_sets_one() -> None:
    docs = case_documents(ID_CASE, confidence=0.85)
    assert check(RENEWAL, docs).verdict is Verdict.VALID
    assert check(RENEWAL, docs, min_field_confidence=0.9).verdict is Verdict.NEEDS_REVIEW
    strict = RENEWAL.model_copy(update={"min_field_confidence": 0.9})
    assert check(strict, docs, min_field_confidence=0.5).verdict is Verdict.NEEDS_REVIEW


def test_values_compared_only_by_cross_rules_count_for_confidence_too() -> None:
    # The card's name has no field rule here; only the cross rule reads it.
    service = parse_service({
        "id": "names", "name": "姓名核对",
        "materials": [{"id": "card", "kind": "id_card_front", "name": "身份证"},
                      {"id": "form", "kind": "form", "name": "申请表",
                       "fields": [{"id": "name", "label": "姓名"}]}],
        "cross_rules": [{"id": "same_name", "type": "equal", "left": "form.name",
                         "right": "card.name"}],
    })
    docs = without(case_documents(ID_CASE), "business_licence")
    docs = without(docs, "id_card_back")
    assert check(service, docs).verdict is Verdict.VALID
    report = check(service, edited(docs, "id_card_front", "name", "丁洋娟", 0.4))
    assert report.verdict is Verdict.NEEDS_REVIEW
    low = next(f for f in report.findings if f.code.value == "field.low_confidence")
    assert (low.material, low.field) == ("card", "name")
    assert [f.ref for f in report.fields] == ["form.name", "card.name"]


def test_card_consistency_birth_date_and_sex_against_the_number() -> None:
    docs = edited(case_documents(ID_CASE), "id_card_front", "birth_date", "1991-08-28")
    docs = edited(docs, "id_card_front", "sex", "男")
    codes = rule_codes(check(RENEWAL, docs))
    assert ("cross.birth_date_mismatch", "card_birth_date_matches_number") in codes
    assert ("cross.sex_mismatch", "card_sex_matches_number") in codes
    assert ("cross.mismatch", "form_sex_matches_card") in codes


def test_an_expired_card_rejects_a_change_but_only_warns_on_a_renewal() -> None:
    docs = edited(case_documents(CHANGE_CASE), "id_card_back", "valid_until", "2024-08-20")
    report = check(CHANGE, docs)
    assert report.verdict is Verdict.INVALID
    assert ("cross.expired", "card_valid_today") in rule_codes(report)
    renewal = check(RENEWAL, edited(case_documents(ID_CASE), "id_card_back", "valid_until",
                                    "2025-01-01"))
    assert renewal.verdict is Verdict.VALID
    expired = next(f for f in renewal.findings if f.code.value == "cross.expired")
    assert expired.severity is Severity.WARNING and "2025-01-01" in expired.message_zh


def test_validity_is_measured_on_the_check_date_and_long_term_never_ends() -> None:
    docs = edited(case_documents(CHANGE_CASE), "id_card_back", "valid_until", "长期")
    assert check(CHANGE, docs, today=date(2090, 1, 1)).verdict is Verdict.VALID
    docs = edited(docs, "id_card_back", "valid_from", "2025-07-01")
    report = check(CHANGE, docs)
    assert ("cross.not_yet_valid", "card_valid_today") in rule_codes(report)


def test_licence_and_form_must_name_the_same_company_and_representative() -> None:
    docs = edited(case_documents(CHANGE_CASE), "business_licence", "uscc", "91350100M000100Y43")
    docs = edited(docs, "form", "原法定代表人", "张三丰")
    codes = rule_codes(check(CHANGE, docs))
    assert ("cross.mismatch", "form_uscc_matches_licence") in codes
    assert ("cross.mismatch", "previous_representative_matches_licence") in codes


def test_a_change_to_the_same_representative_is_refused() -> None:
    docs = case_documents(CHANGE_CASE)
    form = next(d for d in docs if d.doc_type is DocType.FORM)
    docs = edited(docs, "form", "原法定代表人", form.fields["新法定代表人"].value)
    codes = rule_codes(check(CHANGE, docs))
    assert ("cross.same", "representative_changes") in codes


def test_checkbox_groups() -> None:
    docs = ticked(case_documents(ID_CASE), {"男": True, "女": True})
    assert ("field.multiple_ticked", "checkbox") in rule_codes(check(RENEWAL, docs))
    docs = ticked(case_documents(ID_CASE), {"有效期满换领": False, "丢失补领": True})
    assert ("field.not_allowed", "enum") in rule_codes(check(RENEWAL, docs))
    docs = ticked(case_documents(ID_CASE), {"窗口领取": False, "邮寄送达": False})
    assert ("field.missing", "required") in rule_codes(check(RENEWAL, docs))


def test_surplus_unrecognised_and_poor_quality_documents_are_warnings() -> None:
    docs = case_documents(ID_CASE)
    front = next(d for d in docs if d.doc_type is DocType.ID_CARD_FRONT)
    unknown = DocumentResult(file="receipt.jpg", doc_type=DocType.UNKNOWN)
    blurred = DocumentResult.from_dict({**front.to_dict(), "file": "front2.jpg"})
    docs[0].warnings.append(QualityWarning(QualityCode.GLARE, 0.8))
    report = check(RENEWAL, [*docs, unknown, blurred])
    assert report.verdict is Verdict.VALID
    warnings = {(f.code.value, f.file) for f in report.by_severity(Severity.WARNING)}
    assert ("material.unrecognised", "receipt.jpg") in warnings
    assert ("material.too_many", None) in warnings
    assert ("material.quality", front.file) in warnings
    assert "receipt.jpg" in report.unassigned_files
    assert report.materials[0].files == (front.file, "front2.jpg")


def photo_service(required: bool):
    data = RENEWAL.model_dump(mode="json", exclude_none=True)
    for m in data["materials"]:
        if m["kind"] == "photo":
            m["required"] = required
    return parse_service(data)


def test_photos_are_reported_from_the_evidence_given() -> None:
    docs = case_documents(ID_CASE)
    required = photo_service(True)
    assert check(required, docs).verdict is Verdict.NEEDS_REVIEW  # nobody checked a photo
    assert check(required, docs, photos=[]).verdict is Verdict.INCOMPLETE
    ok = PhotoEvidence("cn-resident-id", True, "me.jpg")
    assert check(required, docs, photos=[ok]).verdict is Verdict.VALID
    bad = PhotoEvidence("cn-resident-id", False, "me.jpg")
    report = check(required, docs, photos=[bad])
    assert report.verdict is Verdict.INVALID and "photo.failed" in report.codes()
    # The bundled renewal takes photos on site: none uploaded is fine, a failed one is not.
    assert check(RENEWAL, docs).verdict is Verdict.VALID
    assert check(RENEWAL, docs, photos=[bad]).verdict is Verdict.INVALID


def test_the_safety_permit_service_on_hand_built_documents() -> None:
    docs = permit_documents()
    report = check(PERMIT, docs)
    assert report.verdict is Verdict.VALID, [f.message_en for f in report.findings]
    changes = next(f for f in report.fields if f.ref == "form.change_items")
    assert changes.value == "主要负责人"
    docs = ticked(docs, {"单位地址": True})
    assert check(PERMIT, docs).verdict is Verdict.VALID  # several items may change at once
    bad = edited(docs, "form", "许可证编号", "闽FM2019000123")
    assert ("field.pattern", "regex") in rule_codes(check(PERMIT, bad))
    expired = edited(docs, "business_licence", "term_until", "2024-12-31")
    assert ("cross.expired", "licence_not_expired") in rule_codes(check(PERMIT, expired))
    other = edited(docs, "id_card_front", "name", "陈建国")
    assert ("cross.mismatch", "principal_matches_card") in rule_codes(check(PERMIT, other))


def test_auto_approval_needs_a_clean_valid_report_read_with_high_confidence() -> None:
    permit = check(PERMIT, permit_documents())
    assert permit.auto_approvable  # 0.99 >= 0.95, no warnings
    assert not check(PERMIT, permit_documents()[:3]).auto_approvable  # incomplete
    renewal = check(RENEWAL, case_documents(ID_CASE))
    assert renewal.verdict is Verdict.VALID and not renewal.auto_approvable  # surplus licence
    docs = without(case_documents(ID_CASE), "business_licence")
    assert check(RENEWAL, docs).auto_approvable
    assert not check(RENEWAL, without(case_documents(ID_CASE, 0.9), "business_licence"))\
        .auto_approvable


def test_the_report_is_json_and_its_findings_carry_no_values() -> None:
    docs = edited(case_documents(ID_CASE), "form", "公民身份号码", "110105194912310021")
    report = check(RENEWAL, docs)
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert data["verdict"] == "invalid" and data["service"]["id"] == "id-card-renewal"
    assert data["counts"]["error"] == len(report.by_severity(Severity.ERROR)) > 0
    assert data["checked_on"] == "2025-06-30"
    findings_text = json.dumps(data["findings"], ensure_ascii=False)
    for value in ("110105194912310021", "320102199108294666", "丁洋娟"):
        assert value not in findings_text
    fields = {f["ref"]: f for f in data["fields"]}
    assert fields["form.id_number"]["value"] == "110105194912310021"
    assert fields["form.id_number"]["worst"] == "error"


def test_garbage_values_are_findings_never_exceptions() -> None:
    docs = case_documents(ID_CASE)
    for key in ("出生日期", "申请日期", "公民身份号码", "联系电话", "姓名"):
        docs = edited(docs, "form", key, "？？ ##")
    docs = edited(docs, "id_card_back", "valid_until", "不详")
    docs = edited(docs, "id_card_front", "id_number", "")
    report = check(RENEWAL, docs)
    assert report.verdict is Verdict.INVALID
    assert "cross.not_checked" in report.codes()


def test_a_service_file_written_by_a_clerk_works_without_code(tmp_path) -> None:
    path = tmp_path / "renewal-lite.yaml"
    path.write_text("""
id: renewal-lite
name: 身份证换领（简）
materials:
  - {id: card, kind: id_card_front, name: 身份证,
     fields: [{id: id_number, rules: [required, id_number]}]}
  - id: form
    kind: form
    name: 申领登记表
    fields:
      - {id: phone, label: 手机, aliases: [联系电话], rules: [required, mobile]}
      - {id: number, label: 公民身份号码, rules: [required]}
cross_rules:
  - {id: same_number, type: equal, left: form.number, right: card.id_number,
     compare: identifier}
""", "utf-8")
    service = load_service(path)
    assert check(service, case_documents(ID_CASE)).verdict is Verdict.VALID
    docs = edited(case_documents(ID_CASE), "form", "联系电话", "010-8888888")
    assert "mobile.length" in check(service, docs).codes()


FORM_LABELS = ["姓名", "民族", "出生日期", "公民身份号码", "户籍地址", "联系电话", "申请人签名",
               "申请日期"]


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from(FORM_LABELS), st.text(max_size=40)),
       st.dictionaries(st.sampled_from(["男", "女", "有效期满换领", "丢失补领", "窗口领取"]),
                       st.booleans()),
       st.floats(0, 1))
def test_any_form_content_gives_a_report_never_an_exception(values, boxes, confidence) -> None:
    docs = case_documents(ID_CASE)
    for key, value in values.items():
        docs = edited(docs, "form", key, value, confidence)
    report = check(RENEWAL, ticked(docs, boxes))
    assert report.verdict in set(Verdict)
    json.dumps(report.to_dict(), ensure_ascii=False)


def test_english_messages_name_fields_in_words_not_by_their_ids() -> None:
    """Issue 13 item 5: "valid_until on the ID card" read as an internal key on English pages.
    Every field of the ID card renewal, emptied in turn, is named without an underscore, and a
    cross rule that could not be checked is named by what it compares, not by its id."""
    documents = case_documents(ID_CASE)
    seen = 0
    for material in RENEWAL.materials:
        kind = {"id_card_front": "id_card_front", "id_card_back": "id_card_back"}.get(
            material.kind.value)
        if kind is None:
            continue
        for spec in material.fields:
            report = check(RENEWAL, edited(documents, kind, spec.id, None))
            named = [f for f in report.findings if f.field == spec.id or
                     any(r.endswith(f".{spec.id}") for r in f.refs)]
            assert named, spec.id
            seen += len(named)
            for finding in named:
                assert spec.id not in finding.message_en or "_" not in spec.id, \
                    finding.message_en
                assert "_" not in finding.message_en, finding.message_en
                assert "_" not in finding.message_zh, finding.message_zh
    assert seen >= 5
