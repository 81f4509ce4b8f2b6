"""An application and its materials as the use cases see them: finding the application a caller
may see (someone else's is "not found", so ids reveal nothing), the states in which it may still
be changed, finding one of its materials and its newest photo check, and the shape a corrected
field value must have. Used by the applicant's and the clerk's routes and pages. And the
applicant's own use cases on it: create one (:func:`create_application`), correct a field
(:func:`correct_field`; saving the value that was read is no correction), submit it
(:func:`submit_application`, refused with the missing materials' names while one is missing,
see :func:`missing_materials`) and when it was submitted (:func:`submitted_at`, the receipt's
time); uploading, replacing and removing a material is :mod:`api.workflow.materials`."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import (
    Account,
    Application,
    ApplicationState,
    AuditAction,
    AuditEntry,
    Material,
    PhotoCheck,
    append_audit,
    change_state,
    find_account,
)
from api.workflow.context import WorkflowContext
from api.workflow.errors import (
    AccountGoneError,
    MaterialInvalidError,
    WorkflowConflictError,
    WorkflowInputError,
    WorkflowNotFoundError,
)
from api.workflow.evidence import gather_evidence
from verify.forms import Service, validate

__all__ = ["CORRECTION_MAX_CHARS", "EDITABLE", "SUBMITTED_REASON", "acceptance_number",
           "account_of", "correct_field",
           "correction_problem", "create_application", "find_material", "latest_photo_check",
           "load_application", "missing_materials", "not_editable", "submit_application",
           "submitted_at"]

EDITABLE = (ApplicationState.DRAFT, ApplicationState.RETURNED_FOR_CORRECTION)
# The audited reason of the applicant's submit (the receipt's time is found by it).
SUBMITTED_REASON = "applicant:submitted"


def account_of(session: Session, username: str) -> Account:
    """The active account of a signed-in caller (:class:`AccountGoneError` if it has gone or
    been deactivated since the token was issued)."""
    account = find_account(session, username)
    if account is None or not account.active:
        raise AccountGoneError()
    return account


def load_application(session: Session, application_id: int, *, owner_id: int | None = None,
                     for_update: bool = False) -> Application:
    """The application (locked for update when asked); :class:`WorkflowNotFoundError` if absent
    or, with ``owner_id``, not that account's."""
    query = select(Application).where(Application.id == application_id)
    if owner_id is not None:
        query = query.where(Application.applicant_id == owner_id)
    if for_update:
        query = query.with_for_update()
    application = session.scalars(query).one_or_none()
    if application is None:
        raise WorkflowNotFoundError()
    return application


def not_editable(state: ApplicationState) -> WorkflowConflictError:
    """``api.conflict``: the application has left draft / returned-for-correction."""
    return WorkflowConflictError(f"an application in state {state.value!r} cannot be changed",
                                 f"办件状态“{state.value}”下不能修改")


def find_material(session: Session, application: Application, material_type: str, *,
                  for_update: bool = False) -> Material:
    """The application's material of that type (locked when asked); not found when none was
    uploaded (or the service has no such material)."""
    query = select(Material).where(Material.application_id == application.id,
                                   Material.material_type == material_type)
    if for_update:
        query = query.with_for_update()
    material = session.scalars(query.order_by(Material.id.desc()).limit(1)).one_or_none()
    if material is None:
        raise WorkflowNotFoundError("material", "材料")
    return material


def latest_photo_check(session: Session, material: Material) -> PhotoCheck | None:
    """The newest photo check of ``material`` (the one the pages and the API show)."""
    return session.scalars(select(PhotoCheck).where(PhotoCheck.material_id == material.id)
                           .order_by(PhotoCheck.id.desc()).limit(1)).one_or_none()


# Long enough for an address or an issuing authority; no form field holds more.
CORRECTION_MAX_CHARS = 200
_SPACES = {" ", "\u3000"}  # ordinary and ideographic spaces are fine in a value


def correction_problem(value: str) -> WorkflowInputError | None:
    """Why ``value`` cannot be a field's corrected value (``api.validation_failed``), or
    ``None``: at most :data:`CORRECTION_MAX_CHARS` characters, and no control, format or
    separator characters other than spaces (no line breaks, no invisible marks that make two
    equal-looking values differ)."""
    if len(value) > CORRECTION_MAX_CHARS:
        return WorkflowInputError(
            f"a corrected value is at most {CORRECTION_MAX_CHARS} characters",
            f"更正的内容不能超过 {CORRECTION_MAX_CHARS} 个字符")
    if any(unicodedata.category(c)[0] in "CZ" and c not in _SPACES for c in value):
        return WorkflowInputError(
            "a corrected value may not contain control characters or line breaks",
            "更正的内容不能包含控制字符或换行")
    return None


def create_application(ctx: WorkflowContext, username: str, service_id: str) -> int:
    """Start a draft application for a service (``service.not_found`` if there is none) and
    return its id."""
    service = ctx.service(service_id)
    with ctx.db.transaction() as session:
        account = account_of(session, username)
        application = Application(service_id=service.id, applicant_id=account.id,
                                  state=ApplicationState.DRAFT, corrected_fields={})
        session.add(application)
        session.flush()
        append_audit(session, AuditAction.APPLICATION_CREATED, actor_id=account.id,
                     subject_type="application", subject_id=str(application.id),
                     details={"service_id": service.id})
        return application.id


def correct_field(ctx: WorkflowContext, username: str, application_id: int, field: str,
                  value: str) -> None:
    """Set ``field`` (``<material id>.<field id>``) to ``value`` by hand, or withdraw the
    correction when ``value`` is blank. The checks, in this order: the value's shape, the
    caller's account, its application (locked), still editable, a field the service has.
    Audited with the field id, never the value."""
    value = value.strip()
    if (problem := correction_problem(value)) is not None:
        raise problem
    with ctx.db.transaction() as session:
        account = account_of(session, username)
        application = load_application(session, application_id, owner_id=account.id,
                                       for_update=True)
        if application.state not in EDITABLE:
            raise not_editable(application.state)
        material_id, field_id = field.split(".", 1)
        spec = ctx.service(application.service_id).material(material_id)
        if spec is None or field_id not in {f.id for f in spec.fields}:
            raise WorkflowInputError(f"no field {field!r} in this service",
                                     f"该事项没有字段“{field}”")
        # Saving the value that was read is no correction: it must not ask a clerk to look,
        # nor rule out 秒批 (issue 13). It withdraws an earlier correction instead.
        unchanged = bool(value) and _value_read(ctx, session, application, field) == value
        if unchanged:
            value = ""
        corrected = {k: v for k, v in (application.corrected_fields or {}).items()
                     if k != field}
        if value:
            corrected[field] = value
        if corrected == (application.corrected_fields or {}):
            return  # nothing changes, nothing to audit
        application.corrected_fields = corrected
        session.flush()
        append_audit(session, AuditAction.FIELD_CORRECTED, actor_id=account.id,
                     subject_type="application", subject_id=str(application.id),
                     details={"field": field, "withdrawn": not value})


def missing_materials(service: Service, present: Iterable[str]) -> list[tuple[str, str]]:
    """The (Chinese, English) names of the required materials not among the uploaded material
    types ``present``, in the service's order."""
    present = set(present)
    return [(m.name, m.name_en or m.name) for m in service.materials
            if m.required and m.id not in present]


def acceptance_number(application_id: int, created_at: datetime) -> str:
    """The application's 受理编号 as people read it (receipt, lists, file names): the day it
    was started (UTC) and its id, e.g. ``ZZ20261207-000123``."""
    return f"ZZ{created_at:%Y%m%d}-{application_id:06d}"


def submitted_at(session: Session, application_id: int) -> datetime | None:
    """When the applicant last submitted the application (from the audit log), or ``None``."""
    rows = session.scalars(select(AuditEntry).where(
        AuditEntry.action == AuditAction.APPLICATION_STATE_CHANGED.value,
        AuditEntry.subject_type == "application", AuditEntry.subject_id == str(application_id))
        .order_by(AuditEntry.seq.desc()))
    for row in rows:
        if json.loads(row.details).get("reason") == SUBMITTED_REASON:
            return datetime.fromisoformat(row.at.replace("Z", "+00:00"))
    return None


def _value_read(ctx: WorkflowContext, session: Session, application: Application,
                field: str) -> str | None:
    """The value of ``field`` as the materials give it, no correction applied: what the
    applicant's page shows in the field before it is corrected (the form rules find a form's
    fields by their printed labels, so this is the rules' reading, not the raw OCR keys)."""
    evidence = gather_evidence(session, application)
    report = validate(ctx.service(application.service_id), evidence.documents,
                      today=date.today(), min_field_confidence=ctx.settings.min_field_confidence,
                      photos=evidence.photos, corrections={}, licences=evidence.licences)
    value = next((f.value for f in report.fields if f.ref == field), None)
    return None if value is None else str(value).strip()


def submit_application(ctx: WorkflowContext, username: str, application_id: int) -> None:
    """Submit (draft or returned → submitted; ``material.invalid`` while a required material is
    missing). The caller enqueues the processing once this returned (committed)."""
    with ctx.db.transaction() as session:
        account = account_of(session, username)
        application = load_application(session, application_id, owner_id=account.id,
                                       for_update=True)
        service = ctx.service(application.service_id)
        missing = missing_materials(service, (m.material_type for m in application.materials))
        if missing and application.state in EDITABLE:
            # By the names the applicant sees, never the slot ids.
            raise MaterialInvalidError(
                "please upload first: " + ", ".join(en for _zh, en in missing),
                "请先上传：" + "、".join(zh for zh, _en in missing))
        change_state(session, application, ApplicationState.SUBMITTED, actor_id=account.id,
                     reason=SUBMITTED_REASON)
