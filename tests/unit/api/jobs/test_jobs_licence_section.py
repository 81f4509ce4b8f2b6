"""Issuing from the service's ``licence:`` section, on SQLite and PostgreSQL: a clean individual
business registration is approved instantly and issued the 个体工商户营业执照 filled from what
validation read (form fields by id, the ticked 组成形式, a constant, the issue date) with an
assigned credit code; the PDF verifies. A service whose section names an unknown template or
leaves a template field unfilled is refused as ``service.invalid``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from elicence_builders import our_office, sample_application  # a sibling module
from jobs_builders import SAMPLES  # a sibling module
from sqlalchemy import select

from api.db import Application, ApplicationState, LicenceRecord
from api.jobs import JobContext, JobOutcome, validate_application
from api.workflow.issuing import check_service_licences
from core import ErrorCode
from elicense import load_trust, verify_licence_pdf
from verify.forms import (
    BUNDLED_SERVICES_DIR,
    ServiceInvalidError,
    load_service_catalog,
    parse_service,
    validate_uscc,
)

CASE = 1  # sample case 1: an individual business registration (孟辉嘉's 服装店)


def _attachment_record(pdf: bytes) -> dict[str, Any]:
    from elicense import licence_attachment  # noqa: PLC0415

    data = licence_attachment(pdf)
    assert data is not None
    return data["licence"]


def test_a_clean_registration_is_issued_its_business_licence(context: JobContext,
                                                             tmp_path: Path) -> None:
    our_office(context.settings, tmp_path / "us")
    app_id, _ = sample_application(context.db, context.store, CASE,
                                   "individual-business-registration")
    assert validate_application(context, app_id) is JobOutcome.APPLIED
    with context.db.transaction(read_only=True) as session:
        application = session.get(Application, app_id)
        assert application is not None
        assert application.state is ApplicationState.ISSUED
        record = session.scalars(select(LicenceRecord).where(
            LicenceRecord.application_id == app_id)).one()
        pdf = context.store.get(record.pdf_sha256)
    assert record.type_code == "111000000000002892901"
    licence = _attachment_record(pdf)
    assert licence["holder"] == "西安市雁塔区博远服装店"
    assert licence["valid_until"] is None  # 长期
    code = licence["number"]
    assert code == licence["holder_code"] and validate_uscc(code).ok
    assert code.startswith("92" + context.settings.jurisdiction_code)
    details = dict(licence["details"])
    form = json.loads((SAMPLES / "0007_form_desk.json").read_text("utf-8"))
    assert details == {
        "类型": "个体工商户", "经营者": "孟辉嘉", "组成形式": "个人经营",
        "注册日期": licence["issue_date"].replace("-", "年", 1).replace("-", "月") + "日",
        "经营场所": "陕西省西安市雁塔区和平中路955号翠苑10栋110号商铺",
        "经营范围": form["fields"]["经营范围"],
    }
    verdict = verify_licence_pdf(pdf, load_trust(context.settings.data_dir / "published"))
    assert verdict.passed, verdict.to_dict()


def test_the_bundled_sections_fit_their_templates() -> None:
    check_service_licences(load_service_catalog())


@pytest.mark.parametrize(("edit", "path", "words"), [
    (lambda s: s["licence"].update(type_code="111000000000002892999"), "licence.type_code",
     "no e-licence template"),
    (lambda s: s["licence"]["details"].pop("经营者"), "licence.details", "also needs: 经营者"),
    (lambda s: s["licence"]["details"].update(颜色={"value": "红"}), "licence.details",
     "no detail: 颜色"),
])
def test_a_section_that_does_not_fit_its_template_is_refused(edit, path: str,
                                                             words: str) -> None:
    import yaml  # noqa: PLC0415

    data = yaml.safe_load((BUNDLED_SERVICES_DIR / "individual-business-registration.yaml")
                          .read_text("utf-8"))
    edit(data)
    service = parse_service(data, "svc.yaml")
    with pytest.raises(ServiceInvalidError) as info:
        check_service_licences([service])
    assert info.value.code is ErrorCode.SERVICE_INVALID
    assert info.value.path == path and words in info.value.problem
    assert "individual-business-registration" in info.value.message_en
