"""The clerk's web pages (Jinja2, Chinese first with an English toggle), signed in through the
session cookie of :mod:`api.web_session`: the review queue (oldest first: the service, the
applicant, since when it waits, in the office's time zone ``ZZ_TIMEZONE``) and one application
side by side (each material's image, small and opening the original, beside its fields: the
value read and, where the applicant corrected it, the corrected value; low-confidence and
flagged fields marked; the findings; for an issued application, the licence issued, each of
its files verified on every view (:mod:`api.workflow.issued_view`) and downloadable), and the
decision — approve, reject or return for correction — which needs an explicit choice and, to
reject or return, a comment; afterwards the queue confirms what was recorded. Every action
calls the clerk API's own route functions (:mod:`api.routes.clerk`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth import Principal
from api.csrf import csrf_protect
from api.db import ReviewDecision
from api.deps import RowId
from api.errors_http import status_for
from api.routes import clerk
from api.routes.applicant import file_response
from api.routes.web_applicant import application_context
from api.schemas.applications import ReviewRequest
from api.schemas.review import ReviewFieldPublic
from api.service_context import ServiceContext, ServiceDep
from api.web_session import WebClerk, page_url, render
from api.workflow.errors import WorkflowInputError
from api.workflow.issued_view import issued_file, issued_licence_view
from api.workflow.review import COMMENT_REQUIRED
from core import ZhengzhaoError
from verify.forms import LicenceFileFormat

__all__ = ["router"]

# Every form post needs our origin and the page's CSRF token (api.csrf).
router = APIRouter(prefix="/clerk", include_in_schema=False, dependencies=[Depends(csrf_protect)])


def _review_page(request: Request, ctx: ServiceContext, user: Principal, application_id: int,
                 error: ZhengzhaoError | None = None, *, decision: str | None = None,
                 comment: str = "") -> Response:
    application = clerk.review_application(application_id, ctx, user)
    by_material: dict[str, list[ReviewFieldPublic]] = {}
    for field in clerk.review_fields(application_id, ctx, user):
        by_material.setdefault(field.material, []).append(field)
    # Verified afresh on every view against this office's trust material (what the public
    # verify routes use), loaded only when there is an issued licence.
    issued = issued_licence_view(ctx.workflow, application_id, request.app.state.trust.get,
                                 now=datetime.now(ctx.settings.zone))
    status = 200 if error is None else status_for(error.code)
    return render(request, "review.html",
                  {**application_context(ctx, application), "error": error,
                   "fields": by_material, "decisions": list(ReviewDecision),
                   "comment_required": [d.value for d in COMMENT_REQUIRED],
                   "chosen": decision, "comment": comment, "issued": issued,
                   "zone": ctx.settings.zone}, status=status)


def _decided(ctx: ServiceContext, user: Principal, value: str | None) -> dict[str, Any] | None:
    """The application just decided (``?decided=<id>`` after a decision) with its service, for
    the queue's confirmation; nothing for a value that names none."""
    if not value or not value.isascii() or not value.isdigit() or len(value) > 12:
        return None
    try:
        application = clerk.review_application(int(value), ctx, user)
        service = ctx.service(application.service_id)
    except ZhengzhaoError:
        return None
    return {"application": application, "service": service,
            "review": application.reviews[-1] if application.reviews else None}


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, ctx: ServiceDep, user: WebClerk,
               decided: str | None = None) -> Response:
    """Applications waiting for a clerk, oldest first; after a decision, what was recorded."""
    return render(request, "queue.html", {
        "queue": clerk.review_queue(ctx, user), "zone": ctx.settings.zone,
        "now": datetime.now(UTC), "decided": _decided(ctx, user, decided)})


@router.get("/review/{application_id}", response_class=HTMLResponse)
def review_page(application_id: RowId, request: Request, ctx: ServiceDep,
                user: WebClerk) -> Response:
    """One application side by side: images, fields, findings, and the decision form."""
    return _review_page(request, ctx, user, application_id)


@router.get("/materials/{material_id}/content")
def material(material_id: RowId, ctx: ServiceDep, user: WebClerk) -> Response:
    """A material's original bytes for the review page (the clerk API's content route)."""
    return clerk.material_content(material_id, ctx, user)


@router.get("/materials/{material_id}/page.png")
def material_page(material_id: RowId, ctx: ServiceDep, user: WebClerk) -> Response:
    """The first page of a PDF material as an image, for the review page."""
    return clerk.material_page(material_id, ctx, user)


@router.get("/review/{application_id}/licence.pdf")
def issued_pdf(application_id: RowId, ctx: ServiceDep, user: WebClerk) -> Response:
    """The licence PDF issued for the application, for the clerk."""
    return _issued_download(ctx, application_id, LicenceFileFormat.PDF)


@router.get("/review/{application_id}/licence.ofd")
def issued_ofd(application_id: RowId, ctx: ServiceDep, user: WebClerk) -> Response:
    """The sealed licence OFD issued for the application, when one was (else a 404)."""
    return _issued_download(ctx, application_id, LicenceFileFormat.OFD)


def _issued_download(ctx: ServiceContext, application_id: int,
                     fmt: LicenceFileFormat) -> Response:
    return file_response(issued_file(ctx.workflow, application_id, fmt))


@router.post("/review/{application_id}/decision")
def decide(application_id: RowId, request: Request, ctx: ServiceDep, user: WebClerk,
           decision: Annotated[ReviewDecision | None, Form()] = None,
           comment: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Record the decision (approval issues the licence), then the queue, which confirms it.
    No choice made, or a reject or return without a comment: the page again, saying so."""
    try:
        if decision is None:
            raise WorkflowInputError("choose a decision: approve, reject or return for "
                                     "correction",
                                     "请选择审核决定：批准、不予批准或退回补正")
        clerk.decide(application_id, ReviewRequest(decision=decision, comment=comment), ctx,
                     user)
    except ZhengzhaoError as exc:
        return _review_page(request, ctx, user, application_id, exc,
                            decision=None if decision is None else decision.value,
                            comment=comment)
    url = page_url(request, "/clerk/queue")
    return RedirectResponse(f"{url}{'&' if '?' in url else '?'}decided={application_id}",
                            status_code=303)
