"""The applicant's API under ``/api/v1``: the services on offer, their own applications —
create, upload materials (sniffed, size-limited, stored once by SHA-256), correct a field,
submit (processing is enqueued after the commit), follow status and findings, download the
licence. An application of someone else is a 404, exactly like one that does not exist."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from sqlalchemy import select

from api.auth import Principal, Role, require_role
from api.db import (
    Application,
    ApplicationState,
    AuditAction,
    LicenceRecord,
    add_material,
    append_audit,
    change_state,
)
from api.errors_http import ApiError
from api.routes.schemas_app import (
    ApplicationCreate,
    ApplicationPublic,
    ApplicationSummary,
    FieldCorrection,
    ServicePublic,
)
from api.routes.views import (
    ROUTE_PROBLEMS,
    RowId,
    application_public,
    load_application,
    not_found,
    service_public,
    summary,
)
from api.service_context import ServiceDep, actor
from api.uploads import read_material_upload, sniff_upload
from core import ErrorCode
from verify.forms import MaterialKind

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1", tags=["applicant"], responses=ROUTE_PROBLEMS)
Applicant = Annotated[Principal, Depends(require_role(Role.APPLICANT))]
EDITABLE = (ApplicationState.DRAFT, ApplicationState.RETURNED_FOR_CORRECTION)
# Material ids are short names from the service definition; a longer one cannot exist, and
# refusing it before use keeps a huge one from being echoed back in the error.
MaterialType = Annotated[str, Path(min_length=1, max_length=64)]
_UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary"}}}}}}}


def _not_editable(state: ApplicationState) -> ApiError:
    return ApiError(ErrorCode.CONFLICT,
                    f"an application in state {state.value!r} cannot be changed",
                    f"办件状态“{state.value}”下不能修改")


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
    content. The file name is ignored. One file per material type."""
    data = await read_material_upload(request, ctx.settings.max_upload_bytes)
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
            raise _not_editable(application.state)
        if any(m.material_type == material_type for m in application.materials):
            raise ApiError(ErrorCode.CONFLICT, f"material {material_type!r} is already uploaded",
                           f"材料“{material_type}”已上传")
        add_material(session, ctx.store, application, material_type, upload.data,
                     upload.content_type, actor_id=account.id)
        session.refresh(application)
        log.info("application %s: material %s uploaded", application.id, material_type)
        return application_public(session, application)


@router.patch("/applications/{application_id}/fields", response_model=ApplicationPublic)
def correct_field(application_id: RowId, body: FieldCorrection, ctx: ServiceDep,
                  user: Applicant) -> ApplicationPublic:
    """Set a field's value by hand (``<material id>.<field id>``); it wins over OCR."""
    with ctx.transaction() as session:
        account = actor(session, user)
        application = load_application(session, application_id, owner_id=account.id,
                                       for_update=True)
        if application.state not in EDITABLE:
            raise _not_editable(application.state)
        material_id, field_id = body.field.split(".", 1)
        spec = ctx.service(application.service_id).material(material_id)
        if spec is None or field_id not in {f.id for f in spec.fields}:
            raise ApiError(ErrorCode.VALIDATION_FAILED, f"no field {body.field!r} in this "
                           "service", f"该事项没有字段“{body.field}”")
        application.corrected_fields = {**(application.corrected_fields or {}),
                                        body.field: body.value}
        session.flush()
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
            raise not_found("licence", "证照")
        sha256, identifier = record.pdf_sha256, record.identifier
    return Response(ctx.store.get(sha256), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{identifier}.pdf"'})
