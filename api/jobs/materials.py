"""``process_material``: OCR a document or check a portrait photo, off the request path.

The slow part (OCR, face models) runs outside any transaction; the result is then stored in one
short transaction that first re-reads the row under a write lock and stores nothing if an
earlier run already did. So a job that runs twice (a worker killed after committing but before
huey forgot the message, or a recovery sweep racing a live worker) applies its effect once.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from sqlalchemy import select

from api.db import Application, Material, PhotoCheck
from api.jobs.context import JobContext
from api.jobs.outcome import JobOutcome
from core import ZhengzhaoError
from verify.forms import MaterialKind, Service

log = logging.getLogger(__name__)

# For crash tests only: seconds to sleep just before a job stores its result, so a test can
# kill -9 the worker at that point. Unset in production.
CRASH_DELAY_ENV = "ZHENGZHAO_JOBS_CRASH_DELAY"


def crash_test_pause(job: str, subject_id: int) -> None:
    """Sleep ``$ZHENGZHAO_JOBS_CRASH_DELAY`` seconds (if set), logging that the job is about to
    apply its effect; the kill -9 test waits for that line."""
    log.info("job %s subject=%s applying", job, subject_id)
    delay = os.environ.get(CRASH_DELAY_ENV)
    if delay:
        time.sleep(float(delay))


def material_done(session: Any, material: Material, service: Service | None) -> bool:
    """Whether ``material`` has its result: a PhotoCheck row for a photo, OCR JSON otherwise."""
    if _photo_profile(material, service) is None:
        return material.ocr_result is not None
    found = session.scalar(select(PhotoCheck.id).where(PhotoCheck.material_id == material.id)
                           .limit(1))
    return found is not None


def process_material(ctx: JobContext, material_id: int) -> JobOutcome:
    """OCR the material (or photo-check it when the service says it is a portrait) and store
    the result once. Unreadable input is a result too (``{"error": {...}}``), not a failure:
    the clerk sees it and the application moves on."""
    with ctx.db.transaction(read_only=True) as session:
        material = session.get(Material, material_id)
        if material is None:
            return JobOutcome.NOT_FOUND
        application = session.get(Application, material.application_id)
        assert application is not None
        service = ctx.service(application.service_id)
        profile = _photo_profile(material, service)
        if material_done(session, material, service):
            return JobOutcome.ALREADY_DONE
        sha256, content_type = material.sha256, material.content_type
    data = ctx.store.get(sha256)
    if profile is None:
        result = _read_document(ctx, data, content_type, material_id)
        passed = None
    else:
        passed, result = _check_photo(ctx, data, profile)
    crash_test_pause("process_material", material_id)
    with ctx.db.transaction() as session:
        material = session.scalars(select(Material).where(Material.id == material_id)
                                   .with_for_update()).one_or_none()
        if material is None:
            return JobOutcome.NOT_FOUND
        if material_done(session, material, service):
            return JobOutcome.ALREADY_DONE
        if profile is None:
            material.ocr_result = result
        else:
            session.add(PhotoCheck(material_id=material_id, profile=profile,
                                   passed=bool(passed), result=result))
    log.info("material %s processed", material_id)
    return JobOutcome.APPLIED


def _photo_profile(material: Material, service: Service | None) -> str | None:
    spec = service.material(material.material_type) if service is not None else None
    if spec is None or spec.kind is not MaterialKind.PHOTO:
        return None
    return spec.profile or "cn-resident-id"


_EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg",
               "image/webp": "webp", "image/tiff": "tif", "image/bmp": "bmp"}


def _read_document(ctx: JobContext, data: bytes, content_type: str,
                   material_id: int) -> dict[str, Any]:
    # The file name only tells the loader the type; it was sniffed at upload.
    name = f"material-{material_id}.{_EXTENSIONS.get(content_type, 'bin')}"
    try:
        return dict(ctx.reader.read_bytes(data, name).to_dict())
    except ZhengzhaoError as exc:
        log.info("material %s unreadable: %s", material_id, exc.code.value)
        return {"error": exc.to_dict()}


def _check_photo(ctx: JobContext, data: bytes, profile_id: str) -> tuple[bool, dict[str, Any]]:
    from verify.photo import check_photo, decode_photo, get_profile  # noqa: PLC0415 - lazy

    try:
        photo = decode_photo(data, max_bytes=ctx.settings.max_upload_bytes,
                             max_pixels=ctx.settings.max_image_pixels)
        profile = get_profile(profile_id, ctx.settings.photo_profiles_dir)
        report = check_photo(photo, profile, ctx.analyzer)
    except ZhengzhaoError as exc:
        return False, {"error": exc.to_dict()}
    return bool(report.passed), dict(report.to_dict())
