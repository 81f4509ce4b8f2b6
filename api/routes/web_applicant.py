"""The applicant's web pages (Jinja2, Chinese first with an English toggle), signed in through
the session cookie of :mod:`api.web_session`: choose a service and start an application, upload
each material (multipart form) and see its problems right away (the page says "checking…" and
polls ``status.json`` about once a second until the OCR or photo result is in, then shows the
pre-submit preview's findings), correct any field, take the auto-fixed photo when the photo
check failed and a fixed one passes, submit, follow the status, download the licence. Every
action calls the applicant API's own route functions (:mod:`api.routes.applicant` and the
modules it mounts), so the business rules live in one place."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.auth import Principal
from api.csrf import csrf_protect
from api.db import ApplicationState
from api.deps import MaterialType, RowId
from api.errors_http import ApiError, status_for
from api.routes import applicant, applicant_photo, applicant_preview
from api.schemas.applications import ApplicationCreate, ApplicationPublic, FieldCorrection
from api.schemas.preview import PreviewPublic
from api.service_context import ServiceContext, ServiceDep
from api.web_session import WebApplicant, WebApplicantPoll, page_url, render
from api.workflow.applications import EDITABLE
from api.workflow.photo_step import photo_offer
from core import ErrorCode, ZhengzhaoError

__all__ = ["application_context", "applicant_page_context", "router"]

# While the jobs work on these, the page keeps polling.
BUSY_STATES = (ApplicationState.SUBMITTED, ApplicationState.PROCESSING)

# Every form post needs our origin and the page's CSRF token (api.csrf).
router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


def _back_to(request: Request, application_id: int) -> RedirectResponse:
    return RedirectResponse(page_url(request, f"/apply/{application_id}"), status_code=303)


def application_context(ctx: ServiceContext, application: ApplicationPublic) -> dict[str, Any]:
    """What the application and review pages show: the service, its materials with what was
    uploaded for each, the findings, and the fields with low-confidence ones marked."""
    service = ctx.service(application.service_id)
    uploaded = {m.material_type: m for m in application.materials}
    threshold = service.min_field_confidence or ctx.settings.min_field_confidence
    validation = application.validation or {}
    return {
        "application": application,
        "service": service,
        "materials": [(spec, uploaded.get(spec.id)) for spec in service.materials],
        "findings": list(validation.get("findings") or []),
        # Why 秒批 did not issue (api.workflow.holders), when it did not: a code and zh/en messages.
        "instant": validation.get("instant") if isinstance(validation.get("instant"), dict)
        else None,
        "threshold": threshold,
        "editable": application.state in EDITABLE,
    }


def _pending(application: ApplicationPublic) -> list[str]:
    return [m.material_type for m in application.materials if not m.processed]


def _version(application: ApplicationPublic) -> str:
    """Changes whenever something the page shows may have changed (state or a result)."""
    done = ",".join(str(m.id) for m in application.materials if m.processed)
    return f"{application.state.value}|{done}|{application.updated_at.isoformat()}"


def applicant_page_context(ctx: ServiceContext, application: ApplicationPublic,
                           preview: PreviewPublic | None) -> dict[str, Any]:
    """The application page's context: :func:`application_context` plus, per material, whether
    it is still being checked, its findings, its photo findings and fix offer, and the fields
    to correct (from the ``preview`` while the application is editable)."""
    context = application_context(ctx, application)
    pending = _pending(application)
    findings: list[dict[str, Any]] = context["findings"]
    if preview is not None:
        findings = [f.model_dump() for f in preview.findings if f.material not in pending]
    by_material: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        by_material.setdefault(str(finding.get("material")), []).append(finding)
    fields: dict[str, list[Any]] = {}
    for field in preview.fields if preview is not None else ():
        fields.setdefault(field.ref.split(".", 1)[0], []).append(field)
    uploaded = {m.material_type: m for m in application.materials}
    return {
        **context,
        "findings": findings,
        "preview": preview,
        "pending": pending,
        "busy": bool(pending) or application.state in BUSY_STATES,
        "version": _version(application),
        "material_findings": by_material,
        "edit_fields": fields,
        "photo": {t: photo_offer(m.photo_check) for t, m in uploaded.items()},
    }


def _application_page(request: Request, ctx: ServiceContext, user: Principal,
                      application_id: int, error: ZhengzhaoError | None = None) -> Response:
    application = applicant.get_application(application_id, ctx, user)
    preview = None
    if application.state in EDITABLE and application.materials:
        preview = applicant_preview.preview_application(application_id, ctx, user)
    status = 200 if error is None else status_for(error.code)
    return render(request, "application.html",
                  {**applicant_page_context(ctx, application, preview), "error": error},
                  status=status)


@router.get("/apply", response_class=HTMLResponse)
def apply_page(request: Request, ctx: ServiceDep, user: WebApplicant) -> Response:
    """The services on offer and the applicant's own applications."""
    return render(request, "apply.html", {
        "services": applicant.list_services(ctx, user),
        "applications": applicant.my_applications(ctx, user)})


@router.post("/apply")
def start_application(request: Request, service_id: Annotated[str, Form(max_length=64)],
                      ctx: ServiceDep, user: WebApplicant) -> Response:
    """Start a draft application for the chosen service."""
    created = applicant.create_application(ApplicationCreate(service_id=service_id), ctx, user)
    return _back_to(request, created.id)


@router.get("/apply/{application_id}", response_class=HTMLResponse)
def application_page(application_id: RowId, request: Request, ctx: ServiceDep,
                     user: WebApplicant) -> Response:
    """One application: materials, upload forms, findings, status, reviews, the licence."""
    return _application_page(request, ctx, user, application_id)


@router.post("/apply/{application_id}/materials/{material_type}")
async def upload(application_id: RowId, material_type: MaterialType,
                 request: Request, ctx: ServiceDep, user: WebApplicant) -> Response:
    """Upload one material (multipart field ``file``) through the applicant API."""
    try:
        await applicant.upload_material(application_id, material_type, request, ctx, user)
    except ZhengzhaoError as exc:
        return _application_page(request, ctx, user, application_id, exc)
    return _back_to(request, application_id)


@router.get("/apply/{application_id}/status.json")
def status(application_id: RowId, ctx: ServiceDep, user: WebApplicantPoll) -> Response:
    """What the page's script polls: the state, the materials still being checked, and a
    version that changes whenever the page would show something new."""
    application = applicant.get_application(application_id, ctx, user)
    pending = _pending(application)
    return JSONResponse(
        {"state": application.state.value, "pending": pending,
         "busy": bool(pending) or application.state in BUSY_STATES,
         "version": _version(application)},
        headers={"Cache-Control": "no-store"})


@router.post("/apply/{application_id}/fields")
def correct(application_id: RowId, request: Request, ctx: ServiceDep, user: WebApplicant,
            field: Annotated[str, Form(max_length=129)],
            value: Annotated[str, Form(max_length=500)] = "") -> Response:
    """Correct one field (or withdraw the correction with an empty value) through the API."""
    try:
        try:
            body = FieldCorrection(field=field, value=value)
        except ValidationError:
            raise ApiError(ErrorCode.VALIDATION_FAILED, "no such field, or the value is too long",
                           "字段不存在或内容过长") from None
        applicant.correct_field(application_id, body, ctx, user)
    except ZhengzhaoError as exc:
        return _application_page(request, ctx, user, application_id, exc)
    return _back_to(request, application_id)


@router.get("/apply/{application_id}/materials/{material_type}/content")
def material_content(application_id: RowId, material_type: MaterialType,
                     ctx: ServiceDep, user: WebApplicant) -> Response:
    """The applicant's own uploaded file (shown beside the fixed photo)."""
    return applicant_photo.material_content(application_id, material_type, ctx, user)


@router.get("/apply/{application_id}/materials/{material_type}/fixed-photo")
def fixed_photo(application_id: RowId, material_type: MaterialType,
                ctx: ServiceDep, user: WebApplicant) -> Response:
    """The auto-fixed photo on offer."""
    return applicant_photo.fixed_photo(application_id, material_type, ctx, user)


@router.post("/apply/{application_id}/materials/{material_type}/use-fixed")
async def use_fixed(application_id: RowId, material_type: MaterialType,
                    request: Request, ctx: ServiceDep, user: WebApplicant) -> Response:
    """Take the auto-fixed photo instead of the uploaded one; it is checked again."""
    try:
        await applicant_photo.use_fixed_photo(application_id, material_type, ctx, user)
    except ZhengzhaoError as exc:
        return _application_page(request, ctx, user, application_id, exc)
    return _back_to(request, application_id)


@router.post("/apply/{application_id}/submit")
def submit(application_id: RowId, request: Request, ctx: ServiceDep,
           user: WebApplicant) -> Response:
    """Submit; the page then shows the state the processing reached and its findings."""
    try:
        applicant.submit_application(application_id, ctx, user)
    except ZhengzhaoError as exc:
        return _application_page(request, ctx, user, application_id, exc)
    return _back_to(request, application_id)


@router.get("/apply/{application_id}/licence.pdf")
def licence(application_id: RowId, ctx: ServiceDep, user: WebApplicant) -> Response:
    """The issued licence PDF."""
    return applicant.download_licence(application_id, ctx, user)
