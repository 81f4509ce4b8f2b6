"""Issuing an application's licence in three steps (``api.workflow.issuing``), on SQLite and
PostgreSQL, the way a clerk's approval does it: the licence is drawn from three layers of
fields — read, validated, corrected — each applied once, the corrections last; reserving twice
gives one reservation and finishing twice records one licence. (The crash between the steps:
``tests/integration/test_issuing_crash.py``.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from elicence_builders import our_office, sample_application  # a sibling module
from sqlalchemy import func, select

from api.db import (
    Account,
    Application,
    ApplicationState,
    LicenceRecord,
    ReviewDecision,
    Role,
    StatusIndexReservation,
    ValidationResult,
    record_review,
)
from api.jobs import JobContext, JobOutcome, validate_application
from api.workflow.holders import holder_id_sha256
from api.workflow.issuing import finish_licence, reserve_licence
from elicense import licence_attachment
from verify.forms import id_check_char

CASE = 1  # sample case 1: 孟辉嘉's 服装店, an individual business registration
SERVICE = "individual-business-registration"
CORRECTED_NAME = "西安市雁塔区博远服装二店"
# Another valid resident ID number than the card's (320102198504128999).
CORRECTED_ID = "32010219850412800" + id_check_char("32010219850412800")
VALIDATED_OPERATOR = "孟辉佳"


def _waiting_for_a_clerk(context: JobContext, tmp_path: Path) -> tuple[int, int]:
    """An application with two corrections, validated (so at a clerk), its stored validation
    reading one value differently from the OCR; returns it and a clerk's account id."""
    our_office(context.settings, tmp_path / "us")
    app_id, _ = sample_application(context.db, context.store, CASE, SERVICE, corrections={
        "form.business_name": CORRECTED_NAME, "id_front.id_number": CORRECTED_ID})
    assert validate_application(context, app_id) is JobOutcome.APPLIED
    with context.db.transaction() as session:
        application = session.get(Application, app_id)
        assert application is not None
        assert application.state is ApplicationState.NEEDS_REVIEW  # corrections rule out 秒批
        row = session.scalars(select(ValidationResult)
                              .where(ValidationResult.application_id == app_id)).one()
        fields = [dict(f) for f in row.result["fields"]]
        refs = {f["ref"]: f for f in fields}
        # Validation already applied the corrections it was given (so they are in this layer
        # too); it read the operator's name its own way.
        assert refs["form.business_name"]["value"] == CORRECTED_NAME
        refs["form.operator_name"]["value"] = VALIDATED_OPERATOR
        refs["form.business_name"]["value"] = "validation's reading"
        row.result = {**row.result, "fields": fields}
        clerk = Account(username="clerk", role=Role.CLERK, password_hash="unused")
        session.add(clerk)
        session.flush()
        return app_id, clerk.id


def _approve(context: JobContext, app_id: int, clerk_id: int) -> Any:
    with context.db.transaction() as session:
        application = session.get(Application, app_id)
        assert application is not None
        record_review(session, application, clerk_id, ReviewDecision.APPROVE)
        first = reserve_licence(context.workflow, session, application)
        # The application is the idempotency key: reserving again changes nothing.
        assert reserve_licence(context.workflow, session, application) == first
    return first


def test_the_licence_takes_read_then_validated_then_corrected_each_once(
        context: JobContext, tmp_path: Path) -> None:
    app_id, clerk_id = _waiting_for_a_clerk(context, tmp_path)
    reservation = _approve(context, app_id, clerk_id)
    assert finish_licence(context.workflow, reservation, actor_id=clerk_id)
    with context.db.transaction(read_only=True) as session:
        record = session.scalars(select(LicenceRecord)
                                 .where(LicenceRecord.application_id == app_id)).one()
        pdf = context.store.get(record.pdf_sha256)
        digest = record.holder_id_sha256
    data = licence_attachment(pdf)
    assert data is not None
    licence = data["licence"]
    # The correction wins over both readings (validation's differs here on purpose).
    assert licence["holder"] == CORRECTED_NAME
    # No correction: validation's reading wins over the OCR's.
    assert dict(licence["details"])["经营者"] == VALIDATED_OPERATOR
    # The register's holder digest is drawn from the same, corrected, fields as the licence.
    assert digest == holder_id_sha256(CORRECTED_ID)


def test_finishing_twice_records_one_licence(context: JobContext, tmp_path: Path) -> None:
    app_id, clerk_id = _waiting_for_a_clerk(context, tmp_path)
    reservation = _approve(context, app_id, clerk_id)
    workflow = context.workflow
    assert finish_licence(workflow, reservation, actor_id=clerk_id) is True
    assert finish_licence(workflow, reservation, actor_id=clerk_id) is False
    with context.db.transaction(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(LicenceRecord)) == 1
        assert session.scalar(select(func.count()).select_from(StatusIndexReservation)) == 0
        application = session.get(Application, app_id)
        assert application is not None and application.state is ApplicationState.ISSUED
