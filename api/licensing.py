"""Issuing the e-licence of an approved application: which licence a service issues and which
application fields fill it (:data:`SERVICE_LICENCES`), the record built from the materials'
extracted fields with the applicant's corrections winning, and the call to
``elicense.issue_licence`` into the SQL register inside the caller's transaction.

The service definitions (``verify.forms``) do not yet say which licence they issue, so the
mapping lives here; ``id-card-renewal`` issues the demo 居住证-style personal licence (the
bundled templates have no ID-card template) — a stand-in, labelled as such, until service files
carry a ``licence:`` section."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from PIL import Image
from sqlalchemy.orm import Session

from api.db import Application, SqlLicenceRegistry
from api.errors_http import ApiError
from api.service_context import ServiceContext
from core import ErrorCode
from elicense import (
    HolderCodeType,
    IssuedLicence,
    LicenceIdentifier,
    issue_licence,
    load_templates,
    parse_licence,
)

__all__ = ["SERVICE_LICENCES", "LicenceMapping", "application_fields", "issue_for_application"]


@dataclass(frozen=True)
class LicenceMapping:
    """Which template a service's licence uses and where each of its fields comes from
    (``<material id>.<field id>``). ``portrait_from`` names the material whose portrait region
    is the licence photo when no photo material was uploaded."""

    type_code: str
    holder: str
    holder_code: str
    holder_code_type: HolderCodeType
    details: tuple[tuple[str, str], ...]
    valid_years: int
    photo_material: str | None = None
    portrait_from: str | None = None


SERVICE_LICENCES: dict[str, LicenceMapping] = {
    "id-card-renewal": LicenceMapping(
        type_code="111000000000002892903", holder="id_front.name",
        holder_code="id_front.id_number", holder_code_type=HolderCodeType.RESIDENT_ID,
        details=(("性别", "id_front.sex"), ("民族", "id_front.ethnicity"),
                 ("出生日期", "id_front.birth_date"), ("居住地址", "id_front.address")),
        valid_years=10, photo_material="photo", portrait_from="id_front"),
}

# The portrait's place on a rectified ID card front (fractions of width and height).
_PORTRAIT_BOX = (0.61, 0.09, 0.93, 0.73)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def application_fields(application: Application) -> dict[str, str]:
    """Every extracted field as ``<material id>.<field id>`` → value, corrections applied."""
    fields: dict[str, str] = {}
    for material in application.materials:
        for key, value in ((material.ocr_result or {}).get("fields") or {}).items():
            if isinstance(value, dict) and value.get("value"):
                fields[f"{material.material_type}.{key}"] = str(value["value"])
    fields.update({str(k): str(v) for k, v in (application.corrected_fields or {}).items()})
    return fields


def _missing(field: str) -> ApiError:
    return ApiError(ErrorCode.CONFLICT,
                    f"the licence needs the field {field}; return the application for correction",
                    f"证照需要字段 {field}，请退回申请人补正")


def _value(fields: dict[str, str], key: str) -> str:
    value = fields.get(key, "").strip()
    if not value:
        raise _missing(key)
    return value


def _detail_text(value: str) -> str:
    match = _ISO_DATE.match(value)
    return f"{match[1]}年{match[2]}月{match[3]}日" if match else value


def _years_later(day: date, years: int) -> date:
    try:
        end = day.replace(year=day.year + years)
    except ValueError:  # 29 February
        end = day.replace(year=day.year + years, day=28)
    return end - timedelta(days=1)


def _photo(ctx: ServiceContext, application: Application, mapping: LicenceMapping) -> bytes:
    by_type = {m.material_type: m for m in application.materials}
    photo = by_type.get(mapping.photo_material or "")
    if photo is not None:
        return ctx.store.get(photo.sha256)
    source = by_type.get(mapping.portrait_from or "")
    if source is None or not source.content_type.startswith("image/"):
        raise _missing(mapping.photo_material or "photo")
    with Image.open(io.BytesIO(ctx.store.get(source.sha256))) as image:
        width, height = image.size
        left, top, right, bottom = _PORTRAIT_BOX
        crop = image.convert("RGB").crop((int(left * width), int(top * height),
                                          int(right * width), int(bottom * height)))
        out = io.BytesIO()
        crop.save(out, format="JPEG", quality=90)
    return out.getvalue()


def issue_for_application(ctx: ServiceContext, session: Session, application: Application,
                          *, now: datetime | None = None) -> IssuedLicence:
    """Issue the application's licence into the SQL register in ``session`` (the caller's
    transaction), store the PDF in the file store and link the register row to the
    application. Raises 409 ``api.conflict`` when the service issues no licence or a needed
    field is missing (nothing is written then)."""
    mapping = SERVICE_LICENCES.get(application.service_id)
    if mapping is None:
        raise ApiError(ErrorCode.CONFLICT, "this service issues no e-licence",
                       "该事项不签发电子证照")
    now = now or datetime.now(UTC)
    settings = ctx.settings
    fields = application_fields(application)
    today = now.date()
    serial = f"{today:%Y}{application.id:08d}"
    identifier = LicenceIdentifier.create(mapping.type_code, settings.issuer_code, serial)
    template = load_templates().get(mapping.type_code)
    record: dict[str, Any] = {
        "name": template.name, "type_code": mapping.type_code, "number": serial,
        "identifier": str(identifier), "holder": _value(fields, mapping.holder),
        "holder_code": _value(fields, mapping.holder_code),
        "holder_code_type": mapping.holder_code_type.value,
        "issuer": settings.issuer_name, "issuer_code": settings.issuer_code,
        "issue_date": today.isoformat(), "valid_from": today.isoformat(),
        "valid_until": _years_later(today, mapping.valid_years).isoformat(),
        "jurisdiction_code": settings.jurisdiction_code,
        "details": {label: _detail_text(_value(fields, key)) for label, key in mapping.details},
    }
    licence = parse_licence(record, f"application-{application.id}")
    photo = _photo(ctx, application, mapping) if template.photo else None
    issued = issue_licence(licence, template, photo=photo, store=ctx.key_store(),
                           registry=SqlLicenceRegistry(ctx.db, session=session),
                           issuer_code=settings.issuer_code, published_dir=ctx.published_dir,
                           now=now)
    ctx.store.put(issued.pdf)
    return issued


def issue_and_record(ctx: ServiceContext, session: Session, application: Application, *,
                     actor_id: int | None, now: datetime | None = None) -> IssuedLicence:
    """Issue the licence of an ``approved`` application, link it, audit it and move the
    application to ``issued`` — all in ``session`` (the caller's transaction). Used by the
    clerk's approval and by instant approval (秒批) in the validation job."""
    from api.db import ApplicationState, AuditAction, LicenceRecord, append_audit  # noqa: PLC0415
    from api.db import change_state as move  # noqa: PLC0415

    issued = issue_for_application(ctx, session, application, now=now)
    identifier = str(issued.licence.identifier)
    record = session.get(LicenceRecord, identifier)
    if record is None:  # the SQL register writes it in this session; absence is a bug
        raise RuntimeError("the licence register did not record the licence")
    record.application_id = application.id
    append_audit(session, AuditAction.LICENCE_ISSUED, actor_id=actor_id,
                 subject_type="licence", subject_id=identifier,
                 details={"application_id": application.id,
                          "pdf_sha256": issued.pdf_sha256, "kid": issued.kid.hex()})
    move(session, application, ApplicationState.ISSUED, actor_id=actor_id,
         reason="licence:issued")
    return issued
