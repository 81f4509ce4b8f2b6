"""The clerk's web pages (Jinja2, Chinese first with an English toggle), signed in through the
session cookie of :mod:`api.web_session`: the review queue, one application side by side (each
material's image, its extracted fields with low-confidence ones highlighted, the findings), and
the decision — approve, reject or return for correction — with a comment. Every action calls
the clerk API's own route functions (:mod:`api.routes.clerk`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth import Principal
from api.csrf import csrf_protect
from api.db import ReviewDecision
from api.deps import RowId
from api.errors_http import status_for
from api.routes import clerk
from api.routes.web_applicant import application_context
from api.schemas.applications import ReviewRequest
from api.service_context import ServiceContext, ServiceDep
from api.web_session import WebClerk, page_url, render
from core import ZhengzhaoError

__all__ = ["router"]

# Every form post needs our origin and the page's CSRF token (api.csrf).
router = APIRouter(prefix="/clerk", include_in_schema=False, dependencies=[Depends(csrf_protect)])


def _review_page(request: Request, ctx: ServiceContext, user: Principal, application_id: int,
                 error: ZhengzhaoError | None = None) -> Response:
    application = clerk.review_application(application_id, ctx, user)
    status = 200 if error is None else status_for(error.code)
    return render(request, "review.html",
                  {**application_context(ctx, application), "error": error,
                   "decisions": list(ReviewDecision)}, status=status)


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, ctx: ServiceDep, user: WebClerk) -> Response:
    """Applications waiting for a clerk, oldest first."""
    return render(request, "queue.html", {"queue": clerk.review_queue(ctx, user)})


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


@router.post("/review/{application_id}/decision")
def decide(application_id: RowId, request: Request, ctx: ServiceDep, user: WebClerk,
           decision: Annotated[ReviewDecision, Form()],
           comment: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Record the decision (approval issues the licence), then back to the queue."""
    try:
        clerk.decide(application_id, ReviewRequest(decision=decision, comment=comment), ctx,
                     user)
    except ZhengzhaoError as exc:
        return _review_page(request, ctx, user, application_id, exc)
    return RedirectResponse(page_url(request, "/clerk/queue"), status_code=303)
