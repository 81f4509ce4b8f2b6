"""``process_material`` with the real OCR reader and portrait models: a document's fields are
stored as its OCR result, a photo gets a PhotoCheck row, unreadable bytes are a stored error,
and a second run stores nothing more."""

from __future__ import annotations

import json

import pytest
from jobs_builders import SAMPLES, drain, make_application  # a sibling module
from sqlalchemy import func, select

from api.db import (
    Application,
    ApplicationState,
    Material,
    PhotoCheck,
    ValidationResult,
    add_material,
)
from api.jobs import JobContext, JobOutcome, create_huey, create_jobs, process_material


@pytest.fixture
def ocr_context(context: JobContext, reader) -> JobContext:
    context.reader_factory = lambda _settings: reader
    return context


def _material(ctx: JobContext, material_id: int) -> Material:
    with ctx.db.transaction(read_only=True) as session:
        material = session.get(Material, material_id)
        assert material is not None
        return material


def test_a_document_is_read_once(ocr_context: JobContext) -> None:
    app = make_application(ocr_context.db, ocr_context.store, case=0,
                           service_id="id-card-renewal", confidence=None)
    front = app.material_ids[0]
    truth = json.loads((SAMPLES / "0000_id_card_front_clean.json").read_text("utf-8"))
    assert process_material(ocr_context, front) is JobOutcome.APPLIED
    result = _material(ocr_context, front).ocr_result
    assert result is not None
    assert result["doc_type"] == "id_card_front"
    assert result["fields"]["id_number"]["value"] == truth["fields"]["id_number"]
    assert process_material(ocr_context, front) is JobOutcome.ALREADY_DONE
    assert _material(ocr_context, front).ocr_result == result


def test_unreadable_bytes_are_a_stored_error(ocr_context: JobContext) -> None:
    app = make_application(ocr_context.db, ocr_context.store, confidence=None)
    with ocr_context.db.transaction() as session:
        application = session.get(Application, app.id)
        bad = add_material(session, ocr_context.store, application, "form",
                           b"\x89PNG\r\n\x1a\n truncated", "image/png", actor_id=None)
        bad_id = bad.id
    assert process_material(ocr_context, bad_id) is JobOutcome.APPLIED
    result = _material(ocr_context, bad_id).ocr_result
    assert result is not None and result["error"]["code"].startswith("input.")
    assert process_material(ocr_context, 10_000) is JobOutcome.NOT_FOUND


def test_a_portrait_is_checked_once(context: JobContext, portrait_photo: bytes) -> None:
    app = make_application(context.db, context.store, case=0, service_id="id-card-renewal",
                           state=ApplicationState.SUBMITTED)
    with context.db.transaction() as session:
        application = session.get(Application, app.id)
        # "photo" is the id-card-renewal service's portrait material (profile cn-resident-id).
        photo_id = add_material(session, context.store, application, "photo", portrait_photo,
                                "image/jpeg", actor_id=None).id
    assert process_material(context, photo_id) is JobOutcome.APPLIED
    assert process_material(context, photo_id) is JobOutcome.ALREADY_DONE
    with context.db.transaction(read_only=True) as session:
        [check] = session.scalars(select(PhotoCheck)).all()
        assert session.scalar(select(func.count()).select_from(PhotoCheck)) == 1
    assert check.material_id == photo_id and check.profile == "cn-resident-id"
    # An office portrait: not the white background the ID-card profile asks for.
    assert check.passed is False
    assert any(c["status"] == "fail" for c in check.result["checks"])
    assert _material(context, photo_id).ocr_result is None


def test_a_submitted_application_is_read_and_validated_through_the_queue(
        ocr_context: JobContext, job_settings) -> None:
    jobs = create_jobs(job_settings, huey=create_huey(job_settings), context=ocr_context)
    try:
        app = make_application(ocr_context.db, ocr_context.store, case=0,
                               service_id="id-card-renewal", confidence=None,
                               state=ApplicationState.SUBMITTED)
        jobs.submit(app.id)
        # process_application, four process_material, and one validation: the last material
        # enqueues it (an earlier one may too; the duplicate finds the work done).
        assert drain(jobs.huey) >= 6
        for material_id in app.material_ids:
            result = _material(ocr_context, material_id).ocr_result
            assert result is not None and "error" not in result
        with ocr_context.db.transaction(read_only=True) as session:
            application = session.get(Application, app.id)
            assert application is not None
            assert application.state in (ApplicationState.NEEDS_REVIEW,
                                          ApplicationState.APPROVED)
            assert session.scalar(select(func.count()).select_from(ValidationResult)) == 1
    finally:
        jobs.huey.flush()
