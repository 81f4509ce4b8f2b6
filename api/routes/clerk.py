"""The clerk's API under ``/api/v1/review``: the queue of applications waiting for a person
(service, applicant, waiting since), one application with its materials (and each material's
bytes), extracted fields and findings (a draft, not yet submitted, is a 404 to a clerk, as are
its materials), its service fields as read beside the applicant's corrections, and the
decision — approve (the licence is reserved in the decision's transaction, then signed and
recorded outside it: approved → issued), reject, or return for correction (these two with a
comment). Every decision and state change is audited."""

from __future__ import annotations

import logging
from typing import Annotated

import cv2
from fastapi import APIRouter, Depends, Query, Response

from api.auth import Principal, Role, require_role
from api.deps import RowId
from api.errors_http import ROUTE_PROBLEMS
from api.schemas.applications import ApplicationPublic, ReviewRequest
from api.schemas.from_rows import application_public
from api.schemas.review import (
    QueueEntryPublic,
    ReviewFieldPublic,
    queue_entry_public,
    review_field_public,
)
from api.service_context import ServiceDep
from api.workflow import review
from api.workflow.errors import WorkflowNotFoundError
from ocr import LoadLimits, load_document

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1/review", tags=["clerk"], responses=ROUTE_PROBLEMS)
Clerk = Annotated[Principal, Depends(require_role(Role.CLERK))]


@router.get("/queue", response_model=list[QueueEntryPublic])
def review_queue(ctx: ServiceDep, _user: Clerk) -> list[QueueEntryPublic]:
    """Applications in ``needs_review``, oldest first, with the service's name, the applicant's
    account, the holder's name as read, and since when each waits."""
    with ctx.transaction(read_only=True) as session:
        return [queue_entry_public(e) for e in review.review_queue(ctx.workflow, session)]


@router.get("/applications/{application_id}", response_model=ApplicationPublic)
def review_application(application_id: RowId, ctx: ServiceDep,
                       _user: Clerk) -> ApplicationPublic:
    """One application with its materials, extracted fields, findings and past reviews."""
    with ctx.transaction(read_only=True) as session:
        return application_public(session, review.submitted_application(session, application_id))


@router.get("/applications/{application_id}/fields", response_model=list[ReviewFieldPublic])
def review_fields(application_id: RowId, ctx: ServiceDep,
                  _user: Clerk) -> list[ReviewFieldPublic]:
    """Every service field of the application's materials: the value read, its confidence, the
    applicant's corrected value (when corrected) and the worst severity found on it."""
    with ctx.transaction(read_only=True) as session:
        return [review_field_public(f)
                for f in review.review_fields(ctx.workflow, session, application_id)]


@router.get("/materials/{material_id}/content",
            responses={200: {"content": {"image/jpeg": {}, "application/pdf": {}}}})
def material_content(material_id: RowId, ctx: ServiceDep, _user: Clerk) -> Response:
    """The material's original bytes, served with the type sniffed at upload."""
    with ctx.transaction(read_only=True) as session:
        material = review.submitted_material(session, material_id)
        sha256, content_type = material.sha256, material.content_type
    return Response(ctx.store.get(sha256), media_type=content_type,
                    headers={"X-Content-Type-Options": "nosniff"})


@router.get("/materials/{material_id}/page.png",
            responses={200: {"content": {"image/png": {}}}})
def material_page(material_id: RowId, ctx: ServiceDep, _user: Clerk,
                  page: Annotated[int, Query(ge=1, le=100)] = 1) -> Response:
    """One page of a material as a PNG (a PDF rendered at 100 dpi), so the review page can show
    a PDF beside its fields. 404 when the material has no such page."""
    with ctx.transaction(read_only=True) as session:
        material = review.submitted_material(session, material_id)
        sha256 = material.sha256
    settings = ctx.settings
    limits = LoadLimits(max_bytes=settings.max_upload_bytes,
                        max_pixels=min(settings.max_image_pixels, 8_000_000),
                        max_pdf_pages=max(settings.max_pdf_pages, 1), pdf_dpi=100)
    pages = load_document(ctx.store.get(sha256), limits=limits)
    if page > len(pages):
        raise WorkflowNotFoundError("page", "页面")
    ok, png = cv2.imencode(".png", pages[page - 1].image)
    if not ok:  # pragma: no cover - OpenCV encodes any BGR uint8 image
        raise RuntimeError("PNG encoding failed")
    return Response(png.tobytes(), media_type="image/png",
                    headers={"X-Content-Type-Options": "nosniff",
                             "Cache-Control": "private, max-age=300"})


@router.post("/applications/{application_id}/decision", response_model=ApplicationPublic)
def decide(application_id: RowId, body: ReviewRequest, ctx: ServiceDep,
           user: Clerk) -> ApplicationPublic:
    """Approve (issues the licence), reject, or return for correction (these two need a
    comment: 422 ``api.validation_failed`` without one). Only an application in
    ``needs_review`` can be decided (409 ``application.invalid_transition`` otherwise)."""
    review.decide(ctx.workflow, user.username, application_id, body.decision, body.comment)
    with ctx.transaction(read_only=True) as session:
        return application_public(session, review.submitted_application(session, application_id))
