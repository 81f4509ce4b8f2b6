"""The applicant's API under ``/api/v1``: the services on offer, their own applications —
create, upload materials (sniffed, size-limited, stored once by SHA-256; each is processed
right away, after the commit, so its findings show before submitting), correct a field
(audited, the value's shape checked), submit (processing is enqueued after the commit), follow
status and findings, download the licence. The files, the photo auto-fix offer
(:mod:`api.routes.applicant_photo`) and the pre-submit preview
(:mod:`api.routes.applicant_preview`) are mounted on the same router. An application of
someone else is a 404, exactly like one that does not exist."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from api.auth import Applicant, Principal
from api.db import (
    Application,
    ApplicationState,
    AuditAction,
    LicenceRecord,
    add_material,
    append_audit,
    change_state,
)
from api.deps import MaterialType, RowId
from api.errors_http import ROUTE_PROBLEMS, ApiError
from api.job_quota import check_job_quota, lock_account
from api.routes import applicant_photo, applicant_preview
from api.schemas.applications import (
    ApplicationCreate,
    ApplicationPublic,
    ApplicationSummary,
    FieldCorrection,
    ServicePublic,
)
from api.schemas.from_rows import application_public, service_public, summary
from api.service_context import ServiceContext, ServiceDep, actor
from api.uploads import read_material_upload, sniff_upload
from api.workflow.applications import EDITABLE, correction_problem, load_application, not_editable
from api.workflow.errors import WorkflowNotFoundError
from core import ErrorCode
from verify.forms import MaterialKind

log = logging.getLogger(__name__)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["applicant"], responses=ROUTE_PROBLEMS)
_UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary"}}}}}}}


@router.get("/services", response_model=list[ServicePublic])
def list_services(ctx: ServiceDep, _user: Applicant) -> list[ServicePublic]:
    """The services one can apply for, with the materials each needs."""
    return [service_public(s) for s in ctx.catalog]


@router.post("/applications", response_model=ApplicationPublic, status_code=201)
def create_application(body: ApplicationCreate, ctx: ServiceDep,
                       user: Applicant) -> ApplicationPublic:
    """Start a draft application for a service."""
    service = ctx.service(body.service_id)
    with ctx.transaction() as session:
        account = actor(session, user)
        application = Application(service_id=service.id, applicant_id=account.id,
                                  state=ApplicationState.DRAFT, corrected_fields={})
        session.add(application)
        session.flush()
        append_audit(session, AuditAction.APPLICATION_CREATED, actor_id=account.id,
                     subject_type="application", subject_id=str(application.id),
                     details={"service_id": service.id})
        return application_public(session, application)


@router.get("/applications", response_model=list[ApplicationSummary])
def my_applications(ctx: ServiceDep, user: Applicant) -> list[ApplicationSummary]:
    """The caller's own applications, newest first."""
    with ctx.transaction(read_only=True) as session:
        account = actor(session, user)
        rows = session.scalars(select(Application).where(Application.applicant_id == account.id)
                               .order_by(Application.id.desc()))
        return [summary(a) for a in rows]


@router.get("/applications/{application_id}", response_model=ApplicationPublic)
def get_application(application_id: RowId, ctx: ServiceDep, user: Applicant) -> ApplicationPublic:
    """Status, materials with their extracted fields and photo findings, validation findings,
    the clerk's reviews and the licence once issued."""
    with ctx.transaction(read_only=True) as session:
        account = actor(session, user)
        application = load_application(session, application_id, owner_id=account.id)
        return application_public(session, application)


@router.post("/applications/{application_id}/materials/{material_type}",
             response_model=ApplicationPublic, status_code=201, openapi_extra=_UPLOAD_BODY)
async def upload_material(application_id: RowId, material_type: MaterialType, request: Request,
                          ctx: ServiceDep, user: Applicant) -> ApplicationPublic:
    """Upload one material (multipart field ``file``): an image or PDF, its type judged by its
    content. The file name is ignored. One file per material type. Its processing (OCR or the
    photo check) is enqueued at once; ``processed`` turns true when the result is in."""
    data = await read_material_upload(request, ctx.settings.max_upload_bytes)
    material_id = await run_in_threadpool(_store_upload, ctx, user, application_id,
                                          material_type, data)
    # After the commit: the job must see the row. Submitting processes it if this is lost.
    await run_in_threadpool(ctx.material_added, material_id)
    with ctx.transaction(read_only=True) as session:
        return application_public(session, load_application(session, application_id))


def _store_upload(ctx: ServiceContext, user: Principal, application_id: int,
                  material_type: str, data: bytes) -> int:
    with ctx.transaction() as session:
        account = actor(session, user)
        application = load_application(session, application_id, owner_id=account.id,
                                       for_update=True)
        spec = ctx.service(application.service_id).material(material_type)
        if spec is None:
            raise ApiError(ErrorCode.MATERIAL_INVALID,
                           f"this service has no material {material_type!r}",
                           f"该事项没有材料“{material_type}”")
        upload = sniff_upload(data, image_only=spec.kind is MaterialKind.PHOTO,
                              max_pixels=ctx.settings.max_image_pixels)
        if application.state not in EDITABLE:
            raise not_editable(application.state)
        if any(m.material_type == material_type for m in application.materials):
            raise ApiError(ErrorCode.CONFLICT, f"material {material_type!r} is already uploaded",
                           f"材料“{material_type}”已上传")
        # Fair jobs: refused (429) before anything is stored, under the account's lock.
        lock_account(session, account)
        check_job_quota(session, ctx.settings, ctx.store, account.id, upload.data,
                        upload.content_type)
        material = add_material(session, ctx.store, application, material_type, upload.data,
                                upload.content_type, actor_id=account.id)
        log.info("application %s: material %s uploaded", application.id, material_type)
        return material.id


@router.patch("/applications/{application_id}/fields", response_model=ApplicationPublic)
def correct_field(application_id: RowId, body: FieldCorrection, ctx: ServiceDep,
                  user: Applicant) -> ApplicationPublic:
    """Set a field's value by hand (``<material id>.<field id>``); it wins over OCR and the
    form rules check it when the application is processed. At most 200 characters, no control
    characters or line breaks; an empty value withdraws the correction. Audited (the field id,
    never the value)."""
    value = body.value.strip()
    if (problem := correction_problem(value)) is not None:
        raise problem
    with ctx.transaction() as session:
        account = actor(session, user)
        application = load_application(session, application_id, owner_id=account.id,
                                       for_update=True)
        if application.state not in EDITABLE:
            raise not_editable(application.state)
        material_id, field_id = body.field.split(".", 1)
        spec = ctx.service(application.service_id).material(material_id)
        if spec is None or field_id not in {f.id for f in spec.fields}:
            raise ApiError(ErrorCode.VALIDATION_FAILED, f"no field {body.field!r} in this "
                           "service", f"该事项没有字段“{body.field}”")
        corrected = {k: v for k, v in (application.corrected_fields or {}).items()
                     if k != body.field}
        if value:
            corrected[body.field] = value
        application.corrected_fields = corrected
        session.flush()
        append_audit(session, AuditAction.FIELD_CORRECTED, actor_id=account.id,
                     subject_type="application", subject_id=str(application.id),
                     details={"field": body.field, "withdrawn": not value})
        return application_public(session, application)


@router.post("/applications/{application_id}/submit", response_model=ApplicationPublic)
def submit_application(application_id: RowId, ctx: ServiceDep,
                       user: Applicant) -> ApplicationPublic:
    """Submit (draft or returned → submitted); processing is enqueued once this commits."""
    with ctx.transaction() as session:
        account = actor(session, user)
        application = load_application(session, application_id, owner_id=account.id,
                                       for_update=True)
        service = ctx.service(application.service_id)
        present = {m.material_type for m in application.materials}
        missing = [m.id for m in service.materials if m.required and m.id not in present]
        if missing and application.state in EDITABLE:
            raise ApiError(ErrorCode.MATERIAL_INVALID,
                           f"required materials missing: {', '.join(missing)}",
                           f"缺少必需材料：{', '.join(missing)}")
        change_state(session, application, ApplicationState.SUBMITTED, actor_id=account.id,
                     reason="applicant:submitted")
    # After the commit: the job must see the submitted row. A lost enqueue is recovered by
    # the jobs' sweep of stalled ``submitted`` applications.
    ctx.jobs.submit(application_id)
    with ctx.transaction(read_only=True) as session:
        return application_public(session, load_application(session, application_id))


@router.get("/applications/{application_id}/licence.pdf",
            responses={200: {"content": {"application/pdf": {}}}})
def download_licence(application_id: RowId, ctx: ServiceDep, user: Applicant) -> Response:
    """The issued licence PDF (signed, PAdES B-LTA)."""
    with ctx.transaction(read_only=True) as session:
        account = actor(session, user)
        application = load_application(session, application_id, owner_id=account.id)
        record = session.scalars(select(LicenceRecord).where(
            LicenceRecord.application_id == application.id).limit(1)).one_or_none()
        if record is None:
            raise WorkflowNotFoundError("licence", "证照")
        sha256, identifier = record.pdf_sha256, record.identifier
    return Response(ctx.store.get(sha256), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{identifier}.pdf"'})


# Mounted last: their paths sit under this router's prefix and share its error responses.
router.include_router(applicant_photo.router)
router.include_router(applicant_preview.router)
