"""Issuing the e-licence of an approved application, as the service definition's ``licence:``
section says (``docs/services.md``): the template (resolved here against the ``elicense``
templates; :func:`check_service_licences` rejects a bad one at startup), the record built from
the application's fields — what validation read, the applicant's corrections winning — and the
call to ``elicense.issue_licence`` into the SQL register inside the caller's transaction.

``id-card-renewal`` issues the demo 居住证-style personal licence (the bundled templates have no
ID-card template); its section says so in ``stand_in``."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import (
    Application,
    ApplicationState,
    AuditAction,
    LicenceRecord,
    SqlLicenceRegistry,
    ValidationResult,
    append_audit,
)
from api.db import change_state as move
from api.holders import licence_holder_digest
from api.workflow.context import WorkflowContext
from api.workflow.errors import WorkflowConflictError
from api.workflow.evidence import values_read
from core import OPEN_ENDED
from elicense import (
    HolderCodeType,
    IssuedLicence,
    LicenceIdentifier,
    LicenceTemplate,
    LicenceTemplateMissingError,
    TemplateCatalog,
    issue_licence,
    load_templates,
    parse_licence,
)
from verify.forms import (
    Constant,
    HolderKind,
    LicenceFact,
    LicenceSpec,
    NumberScheme,
    Service,
    ServiceInvalidError,
    org_code_check_char,
    uscc_check_char,
)

__all__ = ["application_fields", "check_service_licences", "issue_and_record",
           "issue_for_application", "licence_template"]

_HOLDER_CODE_TYPES = {HolderKind.RESIDENT_ID: HolderCodeType.RESIDENT_ID,
                      HolderKind.USCC: HolderCodeType.USCC}
# The portrait's place on a rectified ID card front (fractions of width and height).
_PORTRAIT_BOX = (0.61, 0.09, 0.93, 0.73)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# Assigned demo credit codes: registration authority 9 (market regulation), category 2
# (individual business), then the division code and an organisation code from the serial.
_ASSIGNED_USCC_PREFIX = "92"


def licence_template(spec: LicenceSpec, templates: TemplateCatalog | None = None
                     ) -> LicenceTemplate:
    """The template a ``licence:`` section names (``LicenceTemplateMissingError`` if none)."""
    return (templates or load_templates()).get(spec.type_code)


def check_service_licences(services: Any, templates: TemplateCatalog | None = None) -> None:
    """Every service's ``licence:`` names a known template, fills exactly its details and has a
    photo source when the template has a photo box. Raises ``ServiceInvalidError`` (code
    ``service.invalid``) naming the service and the path; meant for startup."""
    templates = templates or load_templates()
    for service in services:
        spec = service.licence
        if spec is None:
            continue
        try:
            template = templates.get(spec.type_code)
        except LicenceTemplateMissingError:
            raise ServiceInvalidError(service.id, f"no e-licence template for type code "
                                      f"{spec.type_code} (known: "
                                      f"{', '.join(templates.type_codes())})",
                                      "licence.type_code") from None
        wanted, given = set(template.detail_keys), set(spec.details)
        if wanted - given:
            raise ServiceInvalidError(service.id, "the template also needs: "
                                      + ", ".join(sorted(wanted - given)), "licence.details")
        if given - wanted:
            raise ServiceInvalidError(service.id, "the template has no detail: "
                                      + ", ".join(sorted(given - wanted)), "licence.details")
        if template.photo and spec.photo_material is None and spec.portrait_from is None:
            raise ServiceInvalidError(service.id, "the template has a photo: name "
                                      "photo_material or portrait_from", "licence")


def application_fields(application: Application) -> dict[str, str]:
    """Every extracted field as ``<material id>.<field id>`` → value, corrections applied."""
    fields = values_read(application)
    fields.update({str(k): str(v) for k, v in (application.corrected_fields or {}).items()})
    return fields


def _validated_fields(session: Session, application: Application) -> dict[str, str]:
    """The values the newest validation read (form fields by id, checkboxes as ticked)."""
    result = session.scalars(select(ValidationResult.result)
                             .where(ValidationResult.application_id == application.id)
                             .order_by(ValidationResult.id.desc()).limit(1)).one_or_none()
    return {str(f["ref"]): str(f["value"]) for f in (result or {}).get("fields") or []
            if isinstance(f, dict) and f.get("ref") and f.get("value")}


def _issue_fields(session: Session, application: Application) -> dict[str, str]:
    """What a licence is issued from: read, then validated, then corrected (each wins)."""
    return {**application_fields(application), **_validated_fields(session, application),
            **{str(k): str(v) for k, v in (application.corrected_fields or {}).items()}}


def _missing(field: str) -> WorkflowConflictError:
    return WorkflowConflictError(
                    f"the licence needs the field {field}; return the application for correction",
                    f"证照需要字段 {field}，请退回申请人补正")


def _detail_text(value: str) -> str:
    match = _ISO_DATE.match(value)
    return f"{match[1]}年{match[2]}月{match[3]}日" if match else value


def _years_later(day: date, years: int) -> date:
    try:
        end = day.replace(year=day.year + years)
    except ValueError:  # 29 February
        end = day.replace(year=day.year + years, day=28)
    return end - timedelta(days=1)


def _assigned_uscc(jurisdiction: str, application_id: int) -> str:
    organisation = f"{application_id:08d}"[-8:]
    body = _ASSIGNED_USCC_PREFIX + jurisdiction + organisation + org_code_check_char(organisation)
    return body + uscc_check_char(body)


class _Sources:
    """Resolves a section's sources against the application's fields and the record."""

    def __init__(self, fields: dict[str, str], record: dict[str, Any]) -> None:
        self.fields, self.record = fields, record

    def value(self, source: str | Constant | LicenceFact) -> str:
        if isinstance(source, Constant):
            return source.value
        if isinstance(source, LicenceFact):
            fact = self.record.get(source.licence)
            if fact is None:
                raise _missing(f"licence.{source.licence}")
            return str(fact)
        value = self.fields.get(source, "").strip()
        if not value:
            raise _missing(source)
        return value


def _photo(ctx: WorkflowContext, application: Application, spec: LicenceSpec) -> bytes:
    by_type = {m.material_type: m for m in application.materials}
    photo = by_type.get(spec.photo_material or "")
    if photo is not None:
        # The uploaded photo; whether the applicant took the auto-fixed one instead is the
        # applicant page's business (it replaces the material when they do).
        return ctx.store.get(photo.sha256)
    source = by_type.get(spec.portrait_from or "")
    if source is None or not source.content_type.startswith("image/"):
        raise _missing(spec.photo_material or "photo")
    with Image.open(io.BytesIO(ctx.store.get(source.sha256))) as image:
        width, height = image.size
        left, top, right, bottom = _PORTRAIT_BOX
        crop = image.convert("RGB").crop((int(left * width), int(top * height),
                                          int(right * width), int(bottom * height)))
        out = io.BytesIO()
        crop.save(out, format="JPEG", quality=90)
    return out.getvalue()


def _spec(ctx: WorkflowContext, application: Application) -> tuple[Service, LicenceSpec]:
    service = ctx.service(application.service_id)
    if service.licence is None:
        raise WorkflowConflictError("this service issues no e-licence", "该事项不签发电子证照")
    return service, service.licence


def issue_for_application(ctx: WorkflowContext, session: Session, application: Application,
                          *, now: datetime | None = None) -> IssuedLicence:
    """Issue the application's licence into the SQL register in ``session`` (the caller's
    transaction), store the PDF in the file store and link the register row to the
    application. Raises 409 ``api.conflict`` when the service issues no licence or a needed
    field is missing (nothing is written then), ``service.invalid`` when its section does not
    fit the template."""
    service, spec = _spec(ctx, application)
    templates = load_templates()
    check_service_licences([service], templates)
    template = licence_template(spec, templates)
    now = now or datetime.now(UTC)
    settings = ctx.settings
    fields = _issue_fields(session, application)
    today = now.date()
    serial = f"{today:%Y}{application.id:08d}"
    identifier = LicenceIdentifier.create(spec.type_code, settings.issuer_code, serial)
    number = (serial if spec.number is NumberScheme.SERIAL
              else _assigned_uscc(settings.jurisdiction_code, application.id))
    record: dict[str, Any] = {
        "name": template.name, "type_code": spec.type_code, "number": number,
        "identifier": str(identifier), "holder_code_type": _HOLDER_CODE_TYPES[
            spec.holder_code_type].value,
        "issuer": settings.issuer_name, "issuer_code": settings.issuer_code,
        "issue_date": today.isoformat(), "valid_from": today.isoformat(),
        "valid_until": OPEN_ENDED if spec.valid_years is None
        else _years_later(today, spec.valid_years).isoformat(),
        "jurisdiction_code": settings.jurisdiction_code,
    }
    sources = _Sources(fields, record)
    record["holder"] = sources.value(spec.holder)
    record["holder_code"] = number if spec.holder_code is None \
        else sources.value(spec.holder_code)
    record["details"] = {label: _detail_text(sources.value(source))
                         for label, source in spec.details.items()}
    licence = parse_licence(record, f"application-{application.id}")
    photo = _photo(ctx, application, spec) if template.photo else None
    issued = issue_licence(licence, template, photo=photo, store=ctx.key_store(),
                           registry=SqlLicenceRegistry(ctx.db, session=session),
                           issuer_code=settings.issuer_code, published_dir=ctx.published_dir,
                           now=now)
    ctx.store.put(issued.pdf)
    return issued


def issue_and_record(ctx: WorkflowContext, session: Session, application: Application, *,
                     actor_id: int | None, now: datetime | None = None) -> IssuedLicence:
    """Issue the licence of an ``approved`` application, link it, audit it and move the
    application to ``issued`` — all in ``session`` (the caller's transaction). Used by the
    clerk's approval and by instant approval (秒批) in the validation job."""
    issued = issue_for_application(ctx, session, application, now=now)
    identifier = str(issued.licence.identifier)
    record = session.get(LicenceRecord, identifier)
    if record is None:  # the SQL register writes it in this session; absence is a bug
        raise RuntimeError("the licence register did not record the licence")
    record.application_id = application.id
    # Who it was issued to, as a digest: 秒批 sends a second live one to a clerk.
    record.holder_id_sha256 = licence_holder_digest(ctx.service(application.service_id),
                                                    _issue_fields(session, application))
    append_audit(session, AuditAction.LICENCE_ISSUED, actor_id=actor_id,
                 subject_type="licence", subject_id=identifier,
                 details={"application_id": application.id,
                          "pdf_sha256": issued.pdf_sha256, "kid": issued.kid.hex()})
    move(session, application, ApplicationState.ISSUED, actor_id=actor_id,
         reason="licence:issued")
    return issued
