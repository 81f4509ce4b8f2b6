"""The applicant's own files and the photo auto-fix offer, mounted by :mod:`api.routes.applicant`
under ``/api/v1``: the bytes of a material they uploaded, the auto-fixed photo the photo job
stored (``PhotoCheck.fixed_sha256``, set when the fixed photo passes or fails only the
applicant's own items, see :mod:`api.jobs.materials`), and accepting it —
the fixed photo replaces the material (:func:`api.workflow.materials.use_fixed_photo`) and is
checked again by the jobs. Owner only: anyone else's application is a 404, exactly like one
that does not exist."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from api.auth import Applicant
from api.deps import MaterialType, RowId
from api.schemas.applications import ApplicationPublic
from api.schemas.from_rows import application_public
from api.service_context import ServiceDep, actor
from api.workflow import materials
from api.workflow.applications import find_material, latest_photo_check, load_application
from api.workflow.errors import WorkflowNotFoundError
from api.workflow.materials import sniff_upload

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter()
_IMAGE = {200: {"content": {"image/jpeg": {}, "image/png": {}, "application/pdf": {}},
                "description": "The file's bytes"}}
# The files are personal data: never cached by a shared cache, never sniffed into HTML.
_PRIVATE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


@router.get("/applications/{application_id}/materials/{material_type}/content",
            responses=_IMAGE, response_class=Response)
def material_content(application_id: RowId, material_type: MaterialType, ctx: ServiceDep,
                     user: Applicant) -> Response:
    """The bytes of a material the caller uploaded (their type as sniffed at upload)."""
    with ctx.transaction(read_only=True) as session:
        account = actor(session, user)
        application = load_application(session, application_id, owner_id=account.id)
        material = find_material(session, application, material_type)
        sha256, content_type = material.sha256, material.content_type
    return Response(ctx.store.get(sha256), media_type=content_type, headers=_PRIVATE)


@router.get("/applications/{application_id}/materials/{material_type}/fixed-photo",
            responses=_IMAGE, response_class=Response)
def fixed_photo(application_id: RowId, material_type: MaterialType, ctx: ServiceDep,
                user: Applicant) -> Response:
    """The auto-fixed version of an uploaded photo (cropped, scaled, white background), when
    the photo job made one that meets every mechanical rule of the profile; 404 otherwise."""
    with ctx.transaction(read_only=True) as session:
        account = actor(session, user)
        application = load_application(session, application_id, owner_id=account.id)
        material = find_material(session, application, material_type)
        check = latest_photo_check(session, material)
        fixed = None if check is None else check.fixed_sha256
        if fixed is None:
            raise WorkflowNotFoundError("fixed photo", "自动修正的相片")
    data = ctx.store.get(fixed)
    return Response(data, media_type=sniff_upload(data, image_only=True).content_type,
                    headers=_PRIVATE)


@router.post("/applications/{application_id}/materials/{material_type}/use-fixed",
             response_model=ApplicationPublic)
async def use_fixed_photo(application_id: RowId, material_type: MaterialType, ctx: ServiceDep,
                          user: Applicant) -> ApplicationPublic:
    """Replace an uploaded photo with its auto-fixed version (draft or returned application
    only; 409 when there is no fixed photo). The old photo's check no longer counts: the new
    material is checked again, right away."""
    material_id = await run_in_threadpool(materials.use_fixed_photo, ctx.workflow,
                                          user.username, application_id, material_type)
    await run_in_threadpool(ctx.material_added, material_id)
    with ctx.transaction(read_only=True) as session:
        return application_public(session, load_application(session, application_id))
