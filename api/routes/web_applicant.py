"""The applicant's web pages (Jinja2, Chinese first with an English toggle), signed in through
the session cookie of :mod:`api.web_session`: choose a service, read its start page (办理须知,
the materials, what 秒批 requires, the time limit) and start an application, upload each
material (multipart form; uploading to a filled slot replaces it, and a slot can be emptied)
and see its problems right away (the page says "checking…" and its script polls
``status.json`` about once a second, then swaps the changed page in place), correct any field,
take the auto-fixed photo when the photo check failed and a fixed one passes, submit (only once
every required material is there; the page says which are missing) and get a receipt, follow
the status on a step indicator, download the licence, and see it in red when it was revoked or
has expired. Every action calls the applicant API's own route functions
(:mod:`api.routes.applicant` and the modules it mounts), so the business rules live in one
place. ID numbers are shown masked; error codes are not shown to the applicant."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.auth import Principal
from api.csrf import csrf_protect
from api.db import ApplicationState
from api.deps import MaterialType, RowId
from api.errors_http import ApiError, status_for
from api.labels import LABELS
from api.routes import applicant, applicant_photo, applicant_preview
from api.schemas.applications import (
    ApplicationCreate,
    ApplicationPublic,
    FieldCorrection,
    MaterialPublic,
)
from api.schemas.preview import PreviewPublic
from api.service_context import ServiceContext, ServiceDep
from api.web_session import (
    STATE_LABELS,
    WebApplicant,
    WebApplicantPoll,
    page_url,
    render,
)
from api.workflow.applications import (
    EDITABLE,
    acceptance_number,
    missing_materials,
    submitted_at,
)
from api.workflow.errors import MaterialInvalidError
from api.workflow.licence_files import licence_state
from api.workflow.photo_step import photo_offer
from core import ErrorCode, ZhengzhaoError

__all__ = ["application_context", "applicant_page_context", "human_size", "licence_view",
           "mask_id_number", "router", "steps_of"]

# While the jobs work on these, the page keeps polling.
BUSY_STATES = (ApplicationState.SUBMITTED, ApplicationState.PROCESSING)

# Every form post needs our origin and the page's CSRF token (api.csrf).
router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])

# The step indicator: 选择事项 → 上传材料 → 提交 → 审核 → 发证.
STEPS: tuple[tuple[str, str], ...] = (("选择事项", "Choose a service"), ("上传材料", "Upload"),
                                      ("提交", "Submit"), ("审核", "Review"), ("发证", "Licence"))
# The step each state is at, and whether that step is finished.
_STEP_OF: dict[ApplicationState, tuple[int, bool]] = {
    ApplicationState.DRAFT: (1, False),
    ApplicationState.RETURNED_FOR_CORRECTION: (1, False),
    ApplicationState.SUBMITTED: (2, True),
    ApplicationState.PROCESSING: (3, False),
    ApplicationState.NEEDS_REVIEW: (3, False),
    ApplicationState.REJECTED: (3, True),
    ApplicationState.APPROVED: (4, False),
    ApplicationState.ISSUED: (4, True),
}
# What happens next, once submitted (the receipt).
NEXT_STEP: dict[ApplicationState, tuple[str, str]] = {
    ApplicationState.SUBMITTED: ("系统正在检查您的材料，符合秒批条件的将即时办结。",
                                 "Your materials are being checked; an application that meets "
                                 "the instant-approval conditions is decided at once."),
    ApplicationState.PROCESSING: ("系统正在检查您的材料，符合秒批条件的将即时办结。",
                                  "Your materials are being checked; an application that meets "
                                  "the instant-approval conditions is decided at once."),
    ApplicationState.NEEDS_REVIEW: ("已转工作人员审核，结果将在本页显示。",
                                     "A clerk is reviewing it; the decision will show here."),
    ApplicationState.APPROVED: ("已批准，正在签发电子证照。",
                                "Approved; the licence is being issued."),
    ApplicationState.ISSUED: ("已办结，电子证照可在本页下载。",
                              "Done; download the licence on this page."),
    ApplicationState.REJECTED: ("不予批准，理由见审核意见。", "Rejected; see the review below."),
}
_CONTENT_TYPES: dict[str, tuple[str, str]] = {
    "application/pdf": ("PDF 文件", "PDF file"), "image/jpeg": ("JPEG 图片", "JPEG image"),
    "image/png": ("PNG 图片", "PNG image"), "image/webp": ("WebP 图片", "WebP image"),
    "image/tiff": ("TIFF 图片", "TIFF image"), "image/bmp": ("BMP 图片", "BMP image"),
    "application/ofd": ("OFD 电子证照", "OFD e-licence"),
}
# A resident ID number (18 characters, or the old 15 digits), shown masked.
_ID_NUMBER = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")


def mask_id_number(value: str | None) -> str:
    """``value`` with a resident ID number masked (the first 3 and last 4 characters kept, so
    the holder recognises it); any other value unchanged."""
    text = (value or "").strip()
    if not _ID_NUMBER.match(text):
        return value or ""
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def human_size(size: int) -> str:
    """A file size as people read it: ``140 KB``, ``2.3 MB``."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def steps_of(state: ApplicationState | None) -> list[dict[str, Any]]:
    """The step indicator: each step's names and whether it is done, current or to come
    (``None``: still choosing the service, before an application exists)."""
    at, finished = (0, False) if state is None else _STEP_OF[state]
    return [{"zh": zh, "en": en,
             "status": "done" if i < at or (i == at and finished) else
             "current" if i == at else "todo"}
            for i, (zh, en) in enumerate(STEPS)]


def _back_to(request: Request, application_id: int, **params: str) -> RedirectResponse:
    url = page_url(request, f"/apply/{application_id}")
    if params:
        url += ("&" if "?" in url else "?") + urlencode(params)
    return RedirectResponse(url, status_code=303)


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


def _file_facts(material: MaterialPublic) -> tuple[str, str]:
    """"（JPEG 图片，140 KB）" in both languages."""
    zh, en = _CONTENT_TYPES.get(material.content_type, ("文件", "file"))
    size = human_size(material.size)
    return f"（{zh}，{size}）", f"({en}, {size})"


def _field_rows(service: Any, material_type: str, refs: list[tuple[str, Any]],
                threshold: float) -> list[dict[str, Any]]:
    """The rows of a material's field table: label pair, value as shown (ID numbers masked),
    the value the input holds, and a word for the reading (no bare confidence)."""
    spec = service.material(material_type)
    rows = []
    for key, f in refs:
        zh = spec.label_of(key) if spec is not None else LABELS.field(key)[0]
        en = LABELS.on_material(key, spec)[1]  # a form's printed label too (api.labels)
        value = f.value or ""
        masked = mask_id_number(value)
        corrected = bool(getattr(f, "corrected", False))
        worst = getattr(f, "worst", None)
        low = (f.confidence is not None and f.confidence < threshold and not corrected) \
            or worst in ("error", "needs_review")
        if corrected:
            note = ("已更正", "corrected")
        elif getattr(f, "source", None) == "elicence":
            note = ("来自电子证照", "from the e-licence")
        elif low:
            note = ("请核对", "please check")
        else:
            note = None
        rows.append({"ref": f"{material_type}.{key}", "key": key, "zh": zh, "en": en,
                     "shown": masked, "masked": masked != value, "input": "" if masked != value
                     else value, "low": low, "note": note, "corrected": corrected})
    return rows


def licence_view(ctx: ServiceContext, application: ApplicationPublic) -> dict[str, Any] | None:
    """The licence as its holder sees it: red when revoked or expired, with the reason."""
    licence = application.licence
    if licence is None:
        return None
    state = licence_state(licence.status, licence.valid_until,
                          datetime.now(ctx.settings.zone).date())
    return {"state": state, "status": LABELS.licence_status(state), "licence": licence,
            "bad": state != "valid", "reason": licence.reason,
            "revoked_at": _local(ctx, licence.revoked_at)}


def _local(ctx: ServiceContext, moment: str | datetime | None) -> str | None:
    """A stored UTC time as the office's local time, to the minute."""
    if moment is None:
        return None
    try:
        value = moment if isinstance(moment, datetime) else \
            datetime.fromisoformat(moment.replace("Z", "+00:00"))
    except ValueError:
        return str(moment)
    return value.astimezone(ctx.settings.zone).strftime("%Y-%m-%d %H:%M")


def _receipt(ctx: ServiceContext, application: ApplicationPublic, service: Any
             ) -> dict[str, Any] | None:
    """受理回执: the number, when it was submitted, what happens next and the time limit."""
    if application.state in EDITABLE:
        return None
    with ctx.transaction(read_only=True) as session:
        when = submitted_at(session, application.id)
    if when is None:
        return None
    return {"number": acceptance_number(application.id, application.created_at),
            "at": _local(ctx, when), "next": NEXT_STEP.get(application.state),
            "days": service.time_limit_days, "instant": service.auto_approve is not None}


def applicant_page_context(ctx: ServiceContext, application: ApplicationPublic,
                           preview: PreviewPublic | None) -> dict[str, Any]:
    """The application page's context: :func:`application_context` plus, per material, whether
    it is still being checked, its findings (each listed once: under its material when it has
    one uploaded, else in the general list), its photo findings and fix offer, its fields (from
    the ``preview`` while the application is editable), plus the steps, what is still missing
    before submitting, the receipt and the licence's state."""
    context = application_context(ctx, application)
    service = context["service"]
    pending = _pending(application)
    findings: list[dict[str, Any]] = context["findings"]
    if preview is not None:
        findings = [f.model_dump() for f in preview.findings if f.material not in pending]
    uploaded = {m.material_type: m for m in application.materials}
    by_material: dict[str, list[dict[str, Any]]] = {}
    general: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for finding in findings:
        key = (str(finding.get("material")), str(finding.get("message_zh")))
        if key in seen:
            continue
        seen.add(key)
        if finding.get("material") in uploaded:
            by_material.setdefault(str(finding.get("material")), []).append(finding)
        else:
            general.append(finding)
    threshold = context["threshold"]
    fields: dict[str, list[dict[str, Any]]] = {}
    if preview is not None:
        grouped: dict[str, list[tuple[str, Any]]] = {}
        for field in preview.fields:
            material_type, key = field.ref.split(".", 1)
            grouped.setdefault(material_type, []).append((key, field))
        fields = {t: _field_rows(service, t, refs, threshold) for t, refs in grouped.items()}
    read_fields = {t: _field_rows(service, t, list(m.fields.items()), threshold)
                   for t, m in uploaded.items() if m.fields}
    missing = missing_materials(service, uploaded)
    return {
        **context,
        "findings": general,
        "all_findings": findings,
        "preview": preview,
        "pending": pending,
        "busy": bool(pending) or application.state in BUSY_STATES,
        "version": _version(application),
        "material_findings": by_material,
        "edit_fields": fields,
        "read_fields": read_fields,
        "file_facts": {t: _file_facts(m) for t, m in uploaded.items()},
        "photo": {t: photo_offer(m.photo_check) for t, m in uploaded.items()},
        "steps": steps_of(application.state),
        "missing": missing,
        "receipt": _receipt(ctx, application, service),
        "licence_view": licence_view(ctx, application),
        "number": acceptance_number(application.id, application.created_at),
        "decision": LABELS.decision,
    }


def _application_page(request: Request, ctx: ServiceContext, user: Principal,
                      application_id: int, error: ZhengzhaoError | None = None) -> Response:
    application = applicant.get_application(application_id, ctx, user)
    preview = None
    if application.state in EDITABLE and application.materials:
        preview = applicant_preview.preview_application(application_id, ctx, user)
    status = 200 if error is None else status_for(error.code)
    notice = request.query_params.get("notice")
    return render(request, "application.html",
                  {**applicant_page_context(ctx, application, preview), "error": error,
                   "notice": notice if notice in ("submitted", "incomplete", "removed")
                   else None},
                  status=status)


@router.get("/apply", response_class=HTMLResponse)
def apply_page(request: Request, ctx: ServiceDep, user: WebApplicant) -> Response:
    """The services on offer (each leads to its start page) and the applicant's own
    applications, with the service's name and, for an issued one, the licence's state."""
    services = applicant.list_services(ctx, user)
    names = {s.id: (s.name, s.name_en or s.name) for s in services}
    rows = []
    for a in applicant.my_applications(ctx, user):
        bad = a.licence_status in ("revoked", "expired")
        state = LABELS.licence_status(str(a.licence_status)) if bad else render_state(a.state)
        rows.append({"summary": a, "number": acceptance_number(a.id, a.created_at or a.updated_at),
                     "name": names.get(a.service_id, (a.service_id, a.service_id)),
                     "state": state, "bad": bad,
                     "updated": _local(ctx, a.updated_at)})
    return render(request, "apply.html", {"services": services, "applications": rows})


def render_state(state: ApplicationState) -> tuple[str, str]:
    """The (Chinese, English) name of an application state."""
    pair = STATE_LABELS.get(state)
    return (pair[0], pair[1]) if pair else (state.value, state.value)


@router.get("/apply/services/{service_id}", response_class=HTMLResponse)
def service_page(service_id: str, request: Request, ctx: ServiceDep,
                 user: WebApplicant) -> Response:
    """A service's start page, before anything is created: 办理须知, the materials, what 秒批
    requires and the time limit; its button starts the application."""
    service = ctx.service(service_id)
    auto = service.auto_approve
    return render(request, "service.html", {
        "service": service,
        "auto": auto,
        "min_confidence": None if auto is None else round(auto.min_confidence * 100),
        "steps": steps_of(None)})


@router.post("/apply")
def start_application(request: Request, service_id: Annotated[str, Form(max_length=64)],
                      ctx: ServiceDep, user: WebApplicant) -> Response:
    """Start a draft application for the chosen service."""
    created = applicant.create_application(ApplicationCreate(service_id=service_id), ctx, user)
    return _back_to(request, created.id)


@router.get("/apply/{application_id}", response_class=HTMLResponse)
def application_page(application_id: RowId, request: Request, ctx: ServiceDep,
                     user: WebApplicant) -> Response:
    """One application: steps, materials, upload forms, findings, status, reviews, receipt,
    the licence."""
    return _application_page(request, ctx, user, application_id)


@router.post("/apply/{application_id}/materials/{material_type}")
async def upload(application_id: RowId, material_type: MaterialType,
                 request: Request, ctx: ServiceDep, user: WebApplicant) -> Response:
    """Upload one material (multipart field ``file``) through the applicant API; a filled
    slot is replaced."""
    try:
        await applicant.upload_material(application_id, material_type, request, ctx, user)
    except ZhengzhaoError as exc:
        return _application_page(request, ctx, user, application_id, exc)
    return _back_to(request, application_id)


@router.post("/apply/{application_id}/materials/{material_type}/delete")
def remove(application_id: RowId, material_type: MaterialType, request: Request,
           ctx: ServiceDep, user: WebApplicant) -> Response:
    """Empty one slot (删除) through the applicant API."""
    try:
        applicant.remove_material(application_id, material_type, ctx, user)
    except ZhengzhaoError as exc:
        return _application_page(request, ctx, user, application_id, exc)
    return _back_to(request, application_id, notice="removed")


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
    """Submit; back on the application page with the receipt, or, when a required material is
    missing, with what is missing (the URL never stays at ``/submit``)."""
    try:
        applicant.submit_application(application_id, ctx, user)
    except MaterialInvalidError:
        return _back_to(request, application_id, notice="incomplete")
    except ZhengzhaoError as exc:
        return _application_page(request, ctx, user, application_id, exc)
    return _back_to(request, application_id, notice="submitted")


@router.get("/apply/{application_id}/licence.pdf")
def licence(application_id: RowId, ctx: ServiceDep, user: WebApplicant) -> Response:
    """The issued licence PDF."""
    return applicant.download_licence(application_id, ctx, user)


@router.get("/apply/{application_id}/licence.ofd")
def licence_ofd(application_id: RowId, ctx: ServiceDep, user: WebApplicant) -> Response:
    """The issued licence as a sealed OFD, when the service issues it."""
    return applicant.licence_file(application_id, ctx, user, ofd=True)
