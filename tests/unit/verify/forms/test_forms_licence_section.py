"""The ``licence:`` section and a material's ``elicence:`` sources in service definitions: the
bundled services carry them, a broken one is SERVICE_INVALID naming the path, and corrections
and unverified e-licences change what ``validate`` concludes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from forms_builders import SERVICES, case_documents, case_service_id  # noqa: I001 - sibling

from core import ErrorCode
from verify.forms import (
    Constant,
    HolderKind,
    LicenceEvidence,
    LicenceFact,
    NumberScheme,
    ServiceInvalidError,
    Severity,
    Verdict,
    load_service,
    load_services,
    validate,
)

COMPANY = "111000000000002892904"
LICENCE = {
    "type_code": "111000000000002892903", "holder": "id_front.name",
    "holder_code": "id_front.id_number", "holder_code_type": "resident_id",
    "details": {"性别": "id_front.sex", "签发": {"licence": "issue_date"}, "类": {"value": "甲"}},
    "valid_years": 5, "portrait_from": "id_front",
}
BASE: dict = {
    "id": "demo", "name": "示例事项",
    "materials": [
        {"id": "id_front", "kind": "id_card_front", "name": "身份证人像面",
         "fields": [{"id": "name", "rules": ["required"]}]},
        {"id": "licence", "kind": "business_licence", "name": "营业执照",
         "fields": [{"id": "uscc", "rules": ["required", "uscc"]}],
         "elicence": {"type_codes": [COMPANY],
                      "fields": {"uscc": "holder_code", "name": "holder",
                                 "legal_representative": "details.法定代表人"}}},
        {"id": "form", "kind": "form", "name": "申请表",
         "fields": [{"id": "name", "label": "姓名"}]},
        {"id": "photo", "kind": "photo", "name": "相片", "profile": "cn-resident-id",
         "required": False},
    ],
    "licence": LICENCE,
}


def load(tmp_path: Path, edit=None):
    data = json.loads(json.dumps(BASE))
    if edit is not None:
        edit(data)
    path = tmp_path / "svc.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return load_service(path)


def refused(tmp_path: Path, edit) -> ServiceInvalidError:
    with pytest.raises(ServiceInvalidError) as info:
        load(tmp_path, edit)
    assert info.value.code is ErrorCode.SERVICE_INVALID
    assert "svc.yaml" in info.value.message_en
    return info.value


def test_a_full_section_loads_with_every_kind_of_source(tmp_path: Path) -> None:
    service = load(tmp_path)
    licence = service.licence
    assert licence is not None and licence.holder_code_type is HolderKind.RESIDENT_ID
    assert licence.number is NumberScheme.SERIAL and licence.valid_years == 5
    assert licence.details["签发"] == LicenceFact(licence="issue_date")
    assert licence.details["类"] == Constant(value="甲")
    assert licence.references() == {"holder": "id_front.name",
                                    "holder_code": "id_front.id_number",
                                    "details.性别": "id_front.sex"}
    material = service.material("licence")
    assert material is not None and material.accepts_elicence(COMPANY)
    assert not material.accepts_elicence("111000000000002892901")
    assert material.elicence_fields(COMPANY)["legal_representative"] == "details.法定代表人"


def test_the_bundled_services_say_what_they_issue_and_accept() -> None:
    catalog = load_services(SERVICES)
    renewal = catalog.get("id-card-renewal").licence
    # Issue 13, item 6: a renewal issues the 居民身份证换领受理凭证, not a 居住证 stand-in.
    assert renewal is not None and renewal.type_code == "111000000000002892905"
    assert renewal.stand_in is None and renewal.photo_material == "photo"
    business = catalog.get("individual-business-registration").licence
    assert business is not None and business.number is NumberScheme.USCC
    assert business.holder_code is None and business.valid_years is None
    assert business.details["类型"] == Constant(value="个体工商户")
    change = catalog.get("legal-representative-change").material("licence")
    assert change is not None and change.accepts_elicence(COMPANY)
    permit = catalog.get("safety-production-permit-change").material("licence")
    assert permit is not None and permit.elicence_fields("111000000000002892901")[
        "legal_representative"] == "details.经营者"


@pytest.mark.parametrize(("edit", "path", "words"), [
    (lambda d: d["licence"].update(type_code="12345"), "licence.type_code", "pattern"),
    (lambda d: d["licence"].update(holder="nowhere.name"), "licence.holder", "no material"),
    (lambda d: d["licence"].update(holder_code="id_front.nothing"), "licence.holder_code",
     "no field"),
    (lambda d: d["licence"]["details"].update(性别="photo.sex"), "licence.details.性别",
     "photo"),
    (lambda d: d["licence"].update(photo_material="form"), "licence.photo_material",
     "no photo"),
    (lambda d: d["licence"].update(portrait_from="licence"), "licence.portrait_from",
     "ID card"),
    (lambda d: d["licence"].pop("holder_code"), "licence", "holder_code"),
    (lambda d: d["licence"]["details"].update(类={"licence": "colour"}), "licence.details",
     "licence fact"),
    (lambda d: d["licence"].update(valid_years=0), "licence.valid_years", "greater"),
    (lambda d: d["materials"][1]["elicence"]["fields"].update(uscc="secret"),
     "materials[1].elicence", "licence fact"),
    (lambda d: d["materials"][1]["elicence"]["fields"].update(colour="holder"),
     "materials[1].elicence[0].fields.colour", "no field"),
    (lambda d: d["materials"][1]["elicence"].update(type_codes=[]),
     "materials[1].elicence", "at least 1"),
    (lambda d: d["materials"][2].update(elicence=d["materials"][1]["elicence"]),
     "materials[2]", "only ID cards and licences"),
])
def test_a_broken_section_names_its_path(tmp_path: Path, edit, path: str, words: str) -> None:
    error = refused(tmp_path, edit)
    assert error.path.startswith(path), error.path
    assert words in error.problem, error.problem


def test_a_correction_wins_is_marked_and_rules_out_instant_approval() -> None:
    case = 2  # a clean legal-representative change: valid and instantly approvable as read
    service = load_services(SERVICES).get(case_service_id(case))
    documents = case_documents(case)
    plain = validate(service, documents, today=_sample_day())
    assert plain.verdict is Verdict.VALID and plain.auto_approvable
    wrong = validate(service, documents, today=_sample_day(),
                     corrections={"form.uscc": "91350100M000100Y43"})
    assert "cross.mismatch" in wrong.codes() and "field.corrected" in wrong.codes()
    report = validate(service, documents, today=_sample_day(),
                      corrections={"form.phone": "13912345678"})
    corrected = next(f for f in report.fields if f.ref == "form.phone")
    assert corrected.value == "13912345678" and corrected.confidence == 1.0
    assert corrected.corrected
    finding = next(f for f in report.findings if f.code.value == "field.corrected")
    assert finding.severity is Severity.WARNING and finding.field == "phone"
    assert report.verdict is Verdict.VALID and not report.auto_approvable


def test_an_unverified_e_licence_is_an_error_finding() -> None:
    case = 2
    service = load_services(SERVICES).get(case_service_id(case))
    report = validate(service, case_documents(case), today=_sample_day(),
                      licences=[LicenceEvidence("licence", "licence.revoked", "material-9")])
    finding = next(f for f in report.findings if f.code.value == "licence.revoked")
    assert finding.severity is Severity.ERROR and finding.material == "licence"
    assert "吊销" in finding.message_zh and "revoked" in finding.message_en
    assert report.verdict is Verdict.INVALID and not report.auto_approvable
    unknown = validate(service, case_documents(case), today=_sample_day(),
                       licences=[LicenceEvidence("licence", "licence.revocation_unknown")])
    assert unknown.verdict is Verdict.NEEDS_REVIEW and not unknown.auto_approvable


def _sample_day():
    from datetime import date

    return date(2025, 6, 30)  # the sample generator's reference day
