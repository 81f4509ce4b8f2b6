"""The applicant's API under ``/api/v1``: the services on offer, their own applications —
create, upload materials (sniffed, size-limited, stored once by SHA-256; each is processed
right away, after the commit, so its findings show before submitting; uploading to a filled
slot replaces its material, and DELETE empties a slot), correct a field
(audited, the value's shape checked), submit (processing is enqueued after the commit), follow
status and findings, download the licence (named 证照名称-受理编号.pdf, and .ofd when the
service issues the sealed OFD as well). The files, the photo
auto-fix offer (:mod:`api.routes.applicant_photo`) and the pre-submit preview
(:mod:`api.routes.applicant_preview`) are mounted on the same router. An application of
someone else is a 404, exactly like one that does not exist."""

from __future__ import annotations

import logging
from datetime import datetime
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from api.auth import Applicant, Principal
from api.db import Application, LicenceRecord
from api.deps import MaterialType, RowId
from api.errors_http import ROUTE_PROBLEMS
from api.routes import applicant_photo, applicant_preview
from api.schemas.applications import (
    ApplicationCreate,
    ApplicationPublic,
    ApplicationSummary,
    FieldCorrection,
    ServicePublic,
)
from api.schemas.from_rows import application_public, aware, service_public, summary
from api.service_context import ServiceContext, ServiceDep, actor
from api.uploads import read_material_upload
from api.workflow import applications, materials
from api.workflow.applications import load_application
from api.workflow.errors import WorkflowNotFoundError
from api.workflow.licence_files import (
    LICENCE_MEDIA_TYPES,
    IssuedFile,
    licence_download,
    licence_state,
    recorded_files,
)
from verify.forms import LicenceFileFormat

log = logging.getLogger(__name__)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["applicant"], responses=ROUTE_PROBLEMS)
# The OFD licence's media type (as OFD readers register it).
OFD_MEDIA_TYPE = LICENCE_MEDIA_TYPES[LicenceFileFormat.OFD]
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
    application_id = applications.create_application(ctx.workflow, user.username,
                                                     body.service_id)
    return _public(ctx, application_id)


@router.get("/applications", response_model=list[ApplicationSummary])
def my_applications(ctx: ServiceDep, user: Applicant) -> list[ApplicationSummary]:
    """The caller's own applications, newest first; an issued one with its licence's state
    (``valid``, ``revoked`` or ``expired``)."""
    with ctx.transaction(read_only=True) as session:
        account = actor(session, user)
        rows = list(session.scalars(select(Application)
                                    .where(Application.applicant_id == account.id)
                                    .order_by(Application.id.desc())))
        today = datetime.now(ctx.settings.zone).date()
        statuses = {application_id: licence_state(status.value, valid_until, today)
                    for application_id, status, valid_until in session.execute(
                        select(LicenceRecord.application_id, LicenceRecord.status,
                               LicenceRecord.valid_until)
                        .where(LicenceRecord.application_id.in_([a.id for a in rows])))}
        return [summary(a).model_copy(update={"created_at": aware(a.created_at),
                                              "licence_status": statuses.get(a.id)})
                for a in rows]


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
    material_id = await run_in_threadpool(materials.upload_material, ctx.workflow,
                                          user.username, application_id, material_type, data)
    # After the commit: the job must see the row. Submitting processes it if this is lost.
    await run_in_threadpool(ctx.material_added, material_id)
    return _public(ctx, application_id)


@router.delete("/applications/{application_id}/materials/{material_type}",
               response_model=ApplicationPublic)
def remove_material(application_id: RowId, material_type: MaterialType, ctx: ServiceDep,
                    user: Applicant) -> ApplicationPublic:
    """Remove the material in that slot (the application a draft or returned for correction):
    its file, its results and the corrections of its fields go. Uploading to a slot that holds
    a material replaces it the same way."""
    materials.remove_material(ctx.workflow, user.username, application_id, material_type)
    return _public(ctx, application_id)


@router.patch("/applications/{application_id}/fields", response_model=ApplicationPublic)
def correct_field(application_id: RowId, body: FieldCorrection, ctx: ServiceDep,
                  user: Applicant) -> ApplicationPublic:
    """Set a field's value by hand (``<material id>.<field id>``); it wins over OCR and the
    form rules check it when the application is processed. At most 200 characters, no control
    characters or line breaks; an empty value withdraws the correction. Audited (the field id,
    never the value)."""
    applications.correct_field(ctx.workflow, user.username, application_id, body.field,
                               body.value)
    return _public(ctx, application_id)


@router.post("/applications/{application_id}/submit", response_model=ApplicationPublic)
def submit_application(application_id: RowId, ctx: ServiceDep,
                       user: Applicant) -> ApplicationPublic:
    """Submit (draft or returned → submitted); processing is enqueued once this commits."""
    applications.submit_application(ctx.workflow, user.username, application_id)
    # After the commit: the job must see the submitted row. A lost enqueue is recovered by
    # the jobs' sweep of stalled ``submitted`` applications.
    ctx.jobs.submit(application_id)
    return _public(ctx, application_id)


def _public(ctx: ServiceContext, application_id: int) -> ApplicationPublic:
    """The application as the API shows it, read after the use case committed."""
    with ctx.transaction(read_only=True) as session:
        return application_public(session, load_application(session, application_id))


@router.get("/applications/{application_id}/licence.pdf",
            responses={200: {"content": {"application/pdf": {}}}})
def download_licence(application_id: RowId, ctx: ServiceDep, user: Applicant) -> Response:
    """The issued licence PDF (signed, PAdES B-LTA)."""
    return licence_file(application_id, ctx, user, ofd=False)


@router.get("/applications/{application_id}/licence.ofd",
            responses={200: {"content": {OFD_MEDIA_TYPE: {}}}})
def download_licence_ofd(application_id: RowId, ctx: ServiceDep, user: Applicant) -> Response:
    """The issued licence as OFD (GB/T 33190, sealed with the office's SM2 electronic seal),
    when the service issues it (``licence.formats``); a 404 ``licence`` otherwise."""
    return licence_file(application_id, ctx, user, ofd=True)


def licence_file(application_id: int, ctx: ServiceContext, user: Principal, *,
                 ofd: bool) -> Response:
    """The owner's issued licence file (PDF, or the OFD when ``ofd``), named
    证照名称-受理编号.pdf/.ofd; someone else's application is a 404."""
    fmt = LicenceFileFormat.OFD if ofd else LicenceFileFormat.PDF
    with ctx.transaction(read_only=True) as session:
        account = actor(session, user)
        application = load_application(session, application_id, owner_id=account.id)
        record = session.scalars(select(LicenceRecord).where(
            LicenceRecord.application_id == application.id).limit(1)).one_or_none()
        sha256 = None if record is None else dict(recorded_files(record)).get(fmt)
        if record is None or sha256 is None:
            raise WorkflowNotFoundError("licence", "证照")
        type_code = record.type_code
        number = applications.acceptance_number(application.id, aware(application.created_at))
        service_name = ctx.service(application.service_id).name
    file = licence_download(ctx.store, sha256, fmt, type_code=type_code,
                            service_name=service_name, number=number)
    return file_response(file)


def file_response(file: IssuedFile) -> Response:
    """``file`` as a download (its media type, an attachment with its names)."""
    return Response(file.data, media_type=file.media_type,
                    headers={"Content-Disposition": content_disposition(
                        file.filename, file.ascii_filename),
                             "X-Content-Type-Options": "nosniff"})


def content_disposition(name: str, ascii_name: str) -> str:
    """An attachment named ``name`` (RFC 6266: ``filename*`` in UTF-8 for browsers, and the
    plain ``ascii_name`` for clients that do not read it)."""
    safe = "".join(c for c in name if c not in '\\/"\r\n;')
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(safe, safe='')}"


# Mounted last: their paths sit under this router's prefix and share its error responses.
router.include_router(applicant_photo.router)
router.include_router(applicant_preview.router)
