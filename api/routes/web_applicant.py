"""The applicant's web pages (Jinja2, Chinese first with an English toggle), signed in through
the session cookie of :mod:`api.web_session`: choose a service and start an application, upload
each material (multipart form), submit and see the findings once processed, follow the status,
download the licence. Every action calls the applicant API's own route functions
(:mod:`api.routes.applicant`), so the business rules live in one place."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth import Principal, Role
from api.errors_http import status_for
from api.routes import applicant
from api.routes.schemas_app import ApplicationCreate, ApplicationPublic
from api.routes.views import RowId
from api.service_context import ServiceContext, ServiceDep
from api.web_session import login_redirect, page_url, render, web_user
from core import ZhengzhaoError

__all__ = ["application_context", "router"]

router = APIRouter(include_in_schema=False)


def _applicant(request: Request) -> Principal | None:
    user = web_user(request)
    return user if user is not None and user.role is Role.APPLICANT else None


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
        "threshold": threshold,
        "editable": application.state in applicant.EDITABLE,
    }


def _application_page(request: Request, ctx: ServiceContext, user: Principal,
                      application_id: int, error: ZhengzhaoError | None = None) -> Response:
    application = applicant.get_application(application_id, ctx, user)
    status = 200 if error is None else status_for(error.code)
    return render(request, "application.html",
                  {**application_context(ctx, application), "error": error}, status=status)


@router.get("/apply", response_class=HTMLResponse)
def apply_page(request: Request, ctx: ServiceDep) -> Response:
    """The services on offer and the applicant's own applications."""
    user = _applicant(request)
    if user is None:
        return login_redirect(request)
    return render(request, "apply.html", {
        "services": applicant.list_services(ctx, user),
        "applications": applicant.my_applications(ctx, user)})


@router.post("/apply")
def start_application(request: Request, service_id: Annotated[str, Form(max_length=64)],
                      ctx: ServiceDep) -> Response:
    """Start a draft application for the chosen service."""
    user = _applicant(request)
    if user is None:
        return login_redirect(request)
    created = applicant.create_application(ApplicationCreate(service_id=service_id), ctx, user)
    return _back_to(request, created.id)


@router.get("/apply/{application_id}", response_class=HTMLResponse)
def application_page(application_id: RowId, request: Request, ctx: ServiceDep) -> Response:
    """One application: materials, upload forms, findings, status, reviews, the licence."""
    user = _applicant(request)
    if user is None:
        return login_redirect(request)
    return _application_page(request, ctx, user, application_id)


@router.post("/apply/{application_id}/materials/{material_type}")
async def upload(application_id: RowId, material_type: applicant.MaterialType,
                 request: Request, ctx: ServiceDep) -> Response:
    """Upload one material (multipart field ``file``) through the applicant API."""
    user = _applicant(request)
    if user is None:
        return login_redirect(request)
    try:
        await applicant.upload_material(application_id, material_type, request, ctx, user)
    except ZhengzhaoError as exc:
        return _application_page(request, ctx, user, application_id, exc)
    return _back_to(request, application_id)


@router.post("/apply/{application_id}/submit")
def submit(application_id: RowId, request: Request, ctx: ServiceDep) -> Response:
    """Submit; the page then shows the state the processing reached and its findings."""
    user = _applicant(request)
    if user is None:
        return login_redirect(request)
    try:
        applicant.submit_application(application_id, ctx, user)
    except ZhengzhaoError as exc:
        return _application_page(request, ctx, user, application_id, exc)
    return _back_to(request, application_id)


@router.get("/apply/{application_id}/licence.pdf")
def licence(application_id: RowId, request: Request, ctx: ServiceDep) -> Response:
    """The issued licence PDF."""
    user = _applicant(request)
    if user is None:
        return login_redirect(request)
    return applicant.download_licence(application_id, ctx, user)
