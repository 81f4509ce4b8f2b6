"""Issuing the e-licence of an approved application, as the service definition's ``licence:``
section says (``docs/services.md``): the template (resolved here against the ``elicense``
templates; :func:`check_service_licences` rejects a bad one at startup), the record built from
the application's fields — what was read, then what validation read, then the applicant's
corrections, each layer applied once — and the licence issued in three steps, so that no
signature runs inside a transaction or under the application's row lock:
:func:`reserve_licence` (in the caller's short transaction that approves the application),
:func:`finish_licence` (sign with nothing open, then commit in one short transaction) and, for a
crash or failure in between, :func:`finish_pending_licences` (the recovery sweep). See
``docs/jobs.md``, "Issuing a licence", for what a crash at each step leaves and why a retry
never makes a second licence.

A service whose ``licence.formats`` includes ``ofd`` also gets the licence as an OFD (GB/T
33190, ``elicense.licence_ofd``: the same QR token and ``licence.json`` as the PDF) sealed with
the key store's SM2 electronic seal at the same signing time, in the signing step; the commit
stores it with the PDF and records its SHA-256 (``licences.ofd_sha256``). A store without SM2
keys refuses such a licence before anything is reserved (``zhengzhao keys init --sm2``).

``id-card-renewal`` issues the 居民身份证换领受理凭证 (the card itself is made by the public
security authority and collected with this signed receipt)."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
from dataclasses import dataclass
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
    StatusIndexReservation,
    ValidationResult,
    append_audit,
)
from api.db import change_state as move
from api.workflow.context import WorkflowContext
from api.workflow.errors import WorkflowConflictError
from api.workflow.evidence import values_read
from api.workflow.holders import licence_holder_digest
from core import OPEN_ENDED, CrashPoint, Environment, ZhengzhaoError
from elicense import (
    HolderCodeType,
    IssuedLicence,
    Licence,
    LicenceExistsError,
    LicenceIdentifier,
    LicenceTemplate,
    LicenceTemplateMissingError,
    Seal,
    TemplateCatalog,
    check_issuer_is_ours,
    licence_ofd,
    load_templates,
    parse_licence,
    publish,
    registry_entry,
    seal_licence_ofd,
    sign_licence,
)
from signing import MIN_STATUS_LIST_BITS
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

__all__ = ["CRASH_EXIT_CODE", "LicenceDraft", "Reservation", "SealedOfd",
           "check_service_licences", "draft_licence", "finish_licence",
           "finish_pending_licences", "licence_template", "reserve_licence"]

log = logging.getLogger(__name__)

# The exit status of a process the crash-test hook (``ZZ_CRASH_AT``) killed.
CRASH_EXIT_CODE = 86

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


def _validated_fields(session: Session, application: Application) -> dict[str, str]:
    """The values the newest validation read (form fields by id, checkboxes as ticked)."""
    result = session.scalars(select(ValidationResult.result)
                             .where(ValidationResult.application_id == application.id)
                             .order_by(ValidationResult.id.desc()).limit(1)).one_or_none()
    return {str(f["ref"]): str(f["value"]) for f in (result or {}).get("fields") or []
            if isinstance(f, dict) and f.get("ref") and f.get("value")}


def _issue_fields(session: Session, application: Application) -> dict[str, str]:
    """What a licence is issued from, three layers, each winning over the one before: what
    was read, what the newest validation read, the applicant's corrections. Each layer is
    applied once (the corrections used to be folded into the first layer as well); the
    caller computes this once and draws both the licence and its holder digest from it."""
    corrections = {str(k): str(v) for k, v in (application.corrected_fields or {}).items()}
    return {**values_read(application), **_validated_fields(session, application),
            **corrections}


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


@dataclass(frozen=True)
class LicenceDraft:
    """What will be signed for an application: the licence record, its template and photo,
    and the digest of the person it names (for the register row)."""

    licence: Licence
    template: LicenceTemplate
    photo: bytes | None
    holder_id_sha256: str | None
    ofd: bool = False  # the service's ``licence.formats`` asks for the sealed OFD as well


@dataclass(frozen=True)
class SealedOfd:
    """The licence's OFD, sealed, and its SHA-256 (hex)."""

    data: bytes
    sha256: str


@dataclass(frozen=True)
class Reservation:
    """An application's licence being issued: its identifier, status-list index and the time
    it is signed at (so a retry signs the same licence)."""

    application_id: int
    identifier: str
    status_index: int
    issued_at: datetime


def draft_licence(ctx: WorkflowContext, session: Session, application: Application,
                  *, now: datetime) -> LicenceDraft:
    """The licence ``application`` is issued at ``now``, built from its fields (no write).
    Raises 409 ``api.conflict`` when the service issues no licence or a needed field is
    missing, ``service.invalid`` when its section does not fit the template, and
    ``licence.issuer_not_ours`` when the record would name another issuer than our keys."""
    service, spec = _spec(ctx, application)
    templates = load_templates()
    check_service_licences([service], templates)
    template = licence_template(spec, templates)
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
    store = ctx.key_store()
    check_issuer_is_ours(licence, store, settings.issuer_code)
    if spec.issues_ofd and not store.has_sm2():
        raise WorkflowConflictError(
            "this service issues the licence as a sealed OFD as well, and the key store has no "
            "SM2 seal keys: run `zhengzhao keys init --sm2`",
            "该事项同时签发加盖电子签章的 OFD 证照，但密钥库没有 SM2 签章密钥：请运行 "
            "`zhengzhao keys init --sm2`")
    photo = _photo(ctx, application, spec) if template.photo else None
    # Who it is issued to, as a digest: 秒批 sends a second live one to a clerk.
    return LicenceDraft(licence, template, photo, licence_holder_digest(service, fields),
                        ofd=spec.issues_ofd)


def reserve_licence(ctx: WorkflowContext, session: Session, application: Application,
                    *, now: datetime | None = None) -> Reservation:
    """Step 1 of 3, in the caller's (short) transaction that moves ``application`` to
    ``approved`` under its row lock: check that the licence can be built (raising as
    :func:`draft_licence` does, so nothing is written) and reserve its status-list index with
    the issuing marker (application, identifier, signing time). The application is the
    idempotency key: a second call returns the reservation already made."""
    existing = _reservation_of(session, application.id)
    if existing is not None:
        return existing
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    draft = draft_licence(ctx, session, application, now=now)
    identifier = str(draft.licence.identifier)
    registry = SqlLicenceRegistry(ctx.db, session=session)
    if registry.get(identifier) is not None:
        raise LicenceExistsError(draft.licence.identifier)
    index = registry.reserve_index(MIN_STATUS_LIST_BITS)
    row = session.get(StatusIndexReservation, index)
    assert row is not None  # reserve_index wrote it in this session
    row.application_id, row.identifier = application.id, identifier
    row.issued_at = now.isoformat()
    session.flush()
    return Reservation(application.id, identifier, index, now)


def finish_licence(ctx: WorkflowContext, reservation: Reservation, *,
                   actor_id: int | None) -> bool:
    """Steps 2 and 3, after the reserving transaction committed. Sign with no transaction
    open and no row locked (a PAdES B-LTA signature takes a second or more), then commit in
    one short transaction: store the PDF, write the licence row from the reservation, link
    it, audit it and move the application to ``issued`` — only while the application is
    still ``approved`` with this reservation. Returns ``False`` when another run committed
    first (its licence stands; ours was never recorded, so it is garbage). Also the recovery
    path: :func:`finish_pending_licences` calls it for reservations a crash left behind."""
    _crash_point(ctx, CrashPoint.AFTER_RESERVE)
    with ctx.db.transaction(read_only=True) as session:
        application = session.get(Application, reservation.application_id)
        if application is None or application.state is not ApplicationState.APPROVED:
            return False
        draft = draft_licence(ctx, session, application, now=reservation.issued_at)
    if str(draft.licence.identifier) != reservation.identifier:
        raise RuntimeError("the reserved identifier and the licence differ")
    issued = sign_licence(draft.licence, draft.template, photo=draft.photo,
                          store=ctx.key_store(), issuer_code=ctx.settings.issuer_code,
                          status_index=reservation.status_index, now=reservation.issued_at,
                          public_url=ctx.settings.public_url)
    ofd = _sealed_ofd(ctx, issued, draft, reservation.issued_at) if draft.ofd else None
    _crash_point(ctx, CrashPoint.AFTER_SIGN)
    committed = _commit(ctx, reservation, issued, draft, ofd, actor_id=actor_id)
    _crash_point(ctx, CrashPoint.AFTER_COMMIT)
    _publish_if_missing(ctx, reservation.issued_at)
    return committed


def finish_pending_licences(ctx: WorkflowContext, *,
                            older_than: timedelta = timedelta(0)) -> list[int]:
    """The recovery path: finish every application's licence whose reservation is at least
    ``older_than`` old (a process died between reserving and committing, or signing failed).
    Returns the ids of the applications whose licence this call recorded."""
    cutoff = datetime.now(UTC) - older_than
    with ctx.db.transaction(read_only=True) as session:
        rows = session.scalars(select(StatusIndexReservation)
                               .where(StatusIndexReservation.application_id.is_not(None),
                                      StatusIndexReservation.reserved_at <= cutoff)
                               .order_by(StatusIndexReservation.status_index)).all()
        pending = [_as_reservation(row) for row in rows]
    done = []
    for reservation in pending:
        try:
            if finish_licence(ctx, reservation, actor_id=None):
                done.append(reservation.application_id)
        except ZhengzhaoError as exc:  # the keys or the data: the next sweep tries again
            log.warning("issuing the licence of application %s failed again: %s",
                        reservation.application_id, exc.code.value)
    _publish_if_missing(ctx, datetime.now(UTC))
    return done


def _sealed_ofd(ctx: WorkflowContext, issued: IssuedLicence, draft: LicenceDraft,
                now: datetime) -> SealedOfd:
    """The OFD of the signed licence (its QR and ``licence.json`` taken from the PDF), drawn
    without a seal and sealed with the store's SM2 seal at the PDF's signing time."""
    ofd, placement = licence_ofd(issued, draft.template, photo=draft.photo,
                                 public_url=ctx.settings.public_url, draw_seal=False)
    seal = Seal(draft.licence.issuer, colour=draft.template.colours.seal)
    sealed = seal_licence_ofd(ofd, placement, seal, ctx.key_store(), now)
    return SealedOfd(sealed, hashlib.sha256(sealed).hexdigest())


def _commit(ctx: WorkflowContext, reservation: Reservation, issued: IssuedLicence,
            draft: LicenceDraft, ofd: SealedOfd | None, *, actor_id: int | None) -> bool:
    with ctx.db.transaction() as session:
        application = session.scalars(select(Application)
                                      .where(Application.id == reservation.application_id)
                                      .with_for_update()).one_or_none()
        row = session.get(StatusIndexReservation, reservation.status_index)
        if (application is None or application.state is not ApplicationState.APPROVED
                or row is None or row.application_id != application.id
                or row.identifier != reservation.identifier):
            return False  # issued (or withdrawn) meanwhile: nothing to record
        # The files first (the PDF, and the OFD when the service issues it): a licence row
        # always has them; a file whose row never commits is an unreferenced blob
        # (docs/jobs.md, "Issuing a licence").
        ctx.store.put(issued.pdf)
        if ofd is not None:
            ctx.store.put(ofd.data)
        SqlLicenceRegistry(ctx.db, session=session).add(
            registry_entry(issued, reservation.issued_at))  # deletes the reservation
        record = session.get(LicenceRecord, reservation.identifier)
        assert record is not None  # written just now in this session
        record.application_id = application.id
        record.holder_id_sha256 = draft.holder_id_sha256
        record.ofd_sha256 = None if ofd is None else ofd.sha256
        details = {"application_id": application.id, "pdf_sha256": issued.pdf_sha256,
                   "kid": issued.kid.hex()}
        if ofd is not None:
            details["ofd_sha256"] = ofd.sha256
        append_audit(session, AuditAction.LICENCE_ISSUED, actor_id=actor_id,
                     subject_type="licence", subject_id=reservation.identifier,
                     details=details)
        move(session, application, ApplicationState.ISSUED, actor_id=actor_id,
             reason="licence:issued")
    log.info("application %s issued its licence (index %d)", reservation.application_id,
             reservation.status_index)
    return True


def _reservation_of(session: Session, application_id: int) -> Reservation | None:
    row = session.scalars(select(StatusIndexReservation).where(
        StatusIndexReservation.application_id == application_id)).one_or_none()
    return None if row is None else _as_reservation(row)


def _as_reservation(row: StatusIndexReservation) -> Reservation:
    assert row.application_id is not None and row.identifier and row.issued_at
    return Reservation(row.application_id, row.identifier, row.status_index,
                       datetime.fromisoformat(row.issued_at))


def _publish_if_missing(ctx: WorkflowContext, now: datetime) -> None:
    """The first licence publishes the status list (later ones change no bit). Also run by
    the sweep, for a process that died between recording the first licence and publishing."""
    if (ctx.published_dir / "status-list.cose").exists():
        return
    with ctx.db.transaction(read_only=True) as session:
        if session.scalar(select(LicenceRecord.identifier).limit(1)) is None:
            return
    publish(ctx.key_store(), SqlLicenceRegistry(ctx.db), ctx.published_dir,
            ctx.settings.issuer_code, now)


def _crash_point(ctx: WorkflowContext, point: CrashPoint) -> None:
    """TEST ONLY (``ZZ_CRASH_AT``): die here, as a killed process would. Settings refuse the
    hook in production; it is ignored there too, should a Settings be built around that."""
    if ctx.settings.crash_at is point and ctx.settings.environment is not Environment.PROD:
        log.warning("crash test: exiting %s", point.value)
        logging.shutdown()
        os._exit(CRASH_EXIT_CODE)
