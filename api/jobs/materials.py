"""``process_material``: OCR a document or check a portrait photo, off the request path.

A material the service accepts as an e-licence (``elicence:`` in its definition) that arrives as
a PDF carrying our ``licence.json``, or as a sealed OFD licence, is not OCR'd: it is verified
(``elicense``) against this office's own published trust folder and every imported issuer's, and
its result is an :class:`api.workflow.material_result.ElicenceRead`: the mapped facts of the
licence (read from its record as a typed :class:`elicense.Licence`) as fields, and a summary
(outcome code, issuer, identifier, status, holder code masked). A licence that does not verify,
or of a type the material does not accept, contributes no fields. Every result is stored through
:func:`api.workflow.material_result.encode`. A portrait that fails any mechanical rule (file
format, size, dpi, framing, a tilted head, background: ``verify.photo.MECHANICAL_CHECKS``) is
fixed (``verify.photo.fix_photo``) and re-checked, whatever else it fails. The fixed photo is
stored and its hash kept in ``PhotoCheck.fixed_sha256`` when it passes or when only the
applicant's items remain (pose, expression, sharpness, light: no fix can change those, and the
fixed photo still spares the applicant every mechanical item; issue 13, item 4). The re-check's
failed and warning verdicts go into the report's ``fix.checks``, so the page can say what is
left to do; a photo that replaced its original through "use the fixed photo" is marked
``fixed_photo_used`` for the clerk.

The slow part (OCR, face models) runs outside any transaction; the result is then stored in one
short transaction that first re-reads the row under a write lock and stores nothing if an
earlier run already did. So a job that runs twice (a worker killed after committing but before
huey forgot the message, or a recovery sweep racing a live worker) applies its effect once.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from api.db import Application, AuditAction, AuditEntry, Material, PhotoCheck
from api.jobs.context import JobContext
from api.jobs.errors import JobTimeoutError
from api.jobs.outcome import JobOutcome
from api.workflow.holders import holder_id_sha256, normalise_id_number
from api.workflow.material_result import (
    TYPE_NOT_ACCEPTED,
    DocumentRead,
    ElicenceRead,
    ElicenceSummary,
    MaterialResult,
    Unreadable,
    encode,
)
from api.workflow.materials import CONTENT_TYPES
from core import DocType, FileFormat, ZhengzhaoError
from elicense import (
    ElicenceOutcome,
    HolderCodeType,
    Licence,
    TrustedIssuers,
    TrustMaterialError,
    TrustSource,
    TrustStore,
    licence_attachment,
    load_trust,
    verify_elicence,
)
from verify.forms import MaterialKind, Service
from verify.photo import (
    APPLICANT_CHECKS,
    MECHANICAL_CHECKS,
    CheckStatus,
    check_photo,
    decode_photo,
    fix_photo,
    get_profile,
)

log = logging.getLogger(__name__)
OFD_CONTENT_TYPE = CONTENT_TYPES[FileFormat.OFD]

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
    the result once. Unreadable input is a result too (:class:`Unreadable`), not a failure:
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
        spec = service.material(material.material_type) if service is not None else None
        fixed_used = profile is not None and _fixed_photo_used(session, material)
    data = ctx.store.get(sha256)
    fixed_sha256 = None
    started = time.monotonic()
    read: MaterialResult | None = None  # a document's result; a photo's is its check
    photo_report: dict[str, Any] = {}
    passed = False
    if profile is not None:
        passed, photo_report, fixed_sha256 = _check_photo(ctx, data, profile)
        if fixed_used:
            photo_report["fixed_photo_used"] = True
    elif spec is not None and spec.elicence and (
            content_type == OFD_CONTENT_TYPE
            or (content_type == "application/pdf" and _carries_licence(data))):
        # An OFD is only ever an e-licence: verified (through the bounded OFD reader), never
        # OCR'd; one that is not a licence of a trusted issuer gives no fields.
        read = _read_elicence(ctx, data, spec, material_id, ofd=content_type == OFD_CONTENT_TYPE)
    else:
        read = _read_document(ctx, data, content_type, material_id)
    if time.monotonic() - started > ctx.settings.job_deadline_seconds:
        # Past its deadline the job's work is not used: it failed, and says so to the
        # applicant and the clerk. (The pixel budget of the loader bounds how long it can run.)
        log.warning("material %s: job exceeded its deadline", material_id)
        timeout = JobTimeoutError(ctx.settings.job_deadline_seconds)
        read = None if read is None else Unreadable.from_error(timeout)
        photo_report, passed, fixed_sha256 = {"error": timeout.to_dict()}, False, None
    crash_test_pause("process_material", material_id)
    with ctx.db.transaction() as session:
        material = session.scalars(select(Material).where(Material.id == material_id)
                                   .with_for_update()).one_or_none()
        if material is None:
            return JobOutcome.NOT_FOUND
        if material_done(session, material, service):
            return JobOutcome.ALREADY_DONE
        if profile is None:
            assert read is not None  # a material that is not a photo was read above
            material.ocr_result = encode(read)
        else:
            session.add(PhotoCheck(material_id=material_id, profile=profile,
                                   passed=bool(passed), result=photo_report,
                                   fixed_sha256=fixed_sha256))
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
                   material_id: int) -> DocumentRead | Unreadable:
    # The file name only tells the loader the type; it was sniffed at upload.
    name = f"material-{material_id}.{_EXTENSIONS.get(content_type, 'bin')}"
    try:
        return DocumentRead(ctx.reader.read_bytes(data, name))
    except ZhengzhaoError as exc:
        log.info("material %s unreadable: %s", material_id, exc.code.value)
        return Unreadable.from_error(exc)


def _fixed_photo_used(session: Any, material: Material) -> bool:
    """Whether ``material`` is an auto-fixed photo the applicant took in place of their own
    (the audit entry :func:`api.workflow.materials.use_fixed_photo` wrote with it)."""
    entries = session.scalars(select(AuditEntry.details).where(
        AuditEntry.action == AuditAction.FIXED_PHOTO_USED.value,
        AuditEntry.subject_type == "application",
        AuditEntry.subject_id == str(material.application_id)))
    for details in entries:
        try:
            if json.loads(details).get("material_id") == material.id:
                return True
        except (ValueError, AttributeError):
            continue
    return False


def _check_photo(ctx: JobContext, data: bytes, profile_id: str
                 ) -> tuple[bool, dict[str, Any], str | None]:
    """The check's verdict and report, and the stored fixed photo's hash when the photo failed
    a mechanical rule and the fixed one passes or fails only the applicant's rules."""
    try:
        photo = decode_photo(data, max_bytes=ctx.settings.max_upload_bytes,
                             max_pixels=ctx.settings.max_image_pixels)
        profile = get_profile(profile_id, ctx.settings.photo_profiles_dir)
        report = check_photo(photo, profile, ctx.analyzer)
    except ZhengzhaoError as exc:
        return False, {"error": exc.to_dict()}, None
    result = dict(report.to_dict())
    failed = {c.check for c in report.failed()}
    if report.passed or not failed & MECHANICAL_CHECKS:
        return bool(report.passed), result, None
    fixed_sha256, result["fix"] = _fix_photo(ctx, photo, profile)
    return False, result, fixed_sha256


def _fix_photo(ctx: JobContext, photo: Any, profile: Any) -> tuple[str | None, dict[str, Any]]:
    try:
        fixed = fix_photo(photo, profile, ctx.analyzer)
        again = check_photo(decode_photo(fixed.data), profile, ctx.analyzer)
    except ZhengzhaoError as exc:
        return None, {"passed": False, "error": exc.to_dict()}
    summary: dict[str, Any] = {
        "passed": bool(again.passed), "notes": list(fixed.notes),
        "failed": [c.check.value for c in again.failed()],
        "checks": [c.to_dict() for c in again.checks
                   if c.status in (CheckStatus.FAIL, CheckStatus.WARN)]}
    # Offered when nothing mechanical is left: the rest only a new photo can change.
    offered = {c.check for c in again.failed()} <= APPLICANT_CHECKS
    summary["offered"] = offered
    if not offered:
        return None, summary
    sha256 = ctx.store.put(fixed.data)
    summary["sha256"] = sha256
    return sha256, summary


def _carries_licence(data: bytes) -> bool:
    return licence_attachment(data) is not None


def _trust_sources(ctx: JobContext) -> TrustedIssuers:
    """This office's published trust folder first, then every imported issuer's, by key id."""
    settings = ctx.settings
    own = None
    try:
        own = TrustSource(settings.issuer_code, settings.issuer_name,
                          load_trust(settings.resolved_published_dir))
    except TrustMaterialError:
        log.warning("this office has no published trust folder yet")
    return TrustStore.for_settings(settings).trusted_issuers(own=own)


def _holder_digest(licence: Licence) -> str | None:
    """For a verified licence of a person (a resident ID holder code, which the signed
    ``licence.json`` carries in full): the digest validation may bind the applicant's account
    to. Only the digest is kept, never the number; a company's licence gives none."""
    if licence.holder_code_type is not HolderCodeType.RESIDENT_ID:
        return None
    number = normalise_id_number(licence.holder_code)
    return None if number is None else holder_id_sha256(number)


def _read_elicence(ctx: JobContext, data: bytes, spec: Any, material_id: int, *,
                   ofd: bool = False) -> ElicenceRead:
    verdict = verify_elicence(data, _trust_sources(ctx), now=datetime.now(UTC))
    summary = ElicenceSummary.from_dict(verdict.summary())
    licence = verdict.licence
    fields: dict[str, str] = {}
    if verdict.verified and licence is None:
        # Signed by a trusted issuer, but its facts cannot be read: nothing of it is used.
        summary = replace(summary, code=ElicenceOutcome.UNVERIFIED.value, verified=False,
                          status="invalid")
    elif licence is not None and not spec.accepts_elicence(licence.type_code):
        summary = replace(summary, code=TYPE_NOT_ACCEPTED, verified=False)
    elif licence is not None:
        for field_id, fact in spec.elicence_fields(licence.type_code).items():
            # ``fact`` names a record field or ``details.<label>`` (checked when the service
            # definition loaded); the value is the text the signed record writes.
            value = licence.fact(fact)
            if value is not None:
                fields[field_id] = value
        summary = replace(summary, holder_id_sha256=_holder_digest(licence))
    log.info("material %s is an e-licence: %s", material_id, summary.code)
    return ElicenceRead(summary=summary, doc_type=DocType(spec.kind.value),
                        file=f"material-{material_id}.{'ofd' if ofd else 'pdf'}",
                        fields=fields)
