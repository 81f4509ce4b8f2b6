"""The public schemas built from database rows: a service, a material (with its result decoded
through :mod:`api.workflow.material_result`), an application with its validation, reviews and
licence, a queue summary and an audit entry. No queries beyond the rows' own details."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import Application, LicenceRecord, Material, PhotoCheck, ValidationResult
from api.schemas.applications import (
    ApplicationPublic,
    ApplicationSummary,
    AuditEntryPublic,
    ElicencePublic,
    FieldPublic,
    LicencePublic,
    MaterialPublic,
    MaterialSpecPublic,
    ReviewPublic,
    ServicePublic,
)
from api.workflow.evidence import material_result
from api.workflow.material_result import (
    ELICENCE_CONFIDENCE,
    ELICENCE_SOURCE,
    DocumentRead,
    ElicenceRead,
    Unreadable,
)
from verify.forms import Service


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored one is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def service_public(service: Service) -> ServicePublic:
    return ServicePublic(
        id=service.id, name=service.name, name_en=service.name_en,
        description=service.description, time_limit_days=service.time_limit_days,
        auto_approve=service.auto_approve is not None,
        materials=[MaterialSpecPublic(id=m.id, kind=m.kind.value, name=m.name,
                                      name_en=getattr(m, "name_en", None), required=m.required)
                   for m in service.materials])


def material_public(session: Session, material: Material) -> MaterialPublic:
    check = session.scalars(select(PhotoCheck).where(PhotoCheck.material_id == material.id)
                            .order_by(PhotoCheck.id.desc()).limit(1)).one_or_none()
    result = material_result(material)
    fields: dict[str, FieldPublic] = {}
    elicence: ElicencePublic | None = None
    error: dict[str, str] | None = None
    if isinstance(result, DocumentRead):
        fields = {key: FieldPublic(value=value.value, confidence=value.confidence)
                  for key, value in result.document.fields.items()}
    elif isinstance(result, ElicenceRead):
        fields = {key: FieldPublic(value=value, confidence=ELICENCE_CONFIDENCE,
                                   source=ELICENCE_SOURCE)
                  for key, value in result.fields.items()}
        elicence = ElicencePublic.model_validate(result.summary.to_dict())
    elif isinstance(result, Unreadable):
        error = result.to_dict()
    photo = None if check is None else {"profile": check.profile, "passed": check.passed,
                                        "result": check.result,
                                        "fixed_sha256": check.fixed_sha256}
    return MaterialPublic(id=material.id, material_type=material.material_type,
                          content_type=material.content_type, size=material.size,
                          sha256=material.sha256,
                          processed=check is not None or material.ocr_result is not None,
                          fields=fields, error=error, photo_check=photo, elicence=elicence)


def application_public(session: Session, application: Application) -> ApplicationPublic:
    validation = session.scalars(
        select(ValidationResult).where(ValidationResult.application_id == application.id)
        .order_by(ValidationResult.id.desc()).limit(1)).one_or_none()
    licence = session.scalars(
        select(LicenceRecord).where(LicenceRecord.application_id == application.id)
        .limit(1)).one_or_none()
    return ApplicationPublic(
        id=application.id, service_id=application.service_id, state=application.state,
        created_at=aware(application.created_at),
        updated_at=aware(application.updated_at),
        materials=[material_public(session, m) for m in application.materials],
        corrected_fields={str(k): str(v) for k, v in (application.corrected_fields or {}).items()},
        validation=None if validation is None else validation.result,
        validation_passed=None if validation is None else validation.passed,
        reviews=[ReviewPublic(decision=r.decision, comment=r.comment,
                                created_at=aware(r.created_at))
                 for r in application.reviews],
        licence=None if licence is None else LicencePublic(
            identifier=licence.identifier, status=licence.status.value,
            issued_at=licence.issued_at, valid_until=licence.valid_until,
            revoked_at=licence.revoked_at, reason=licence.reason,
            formats=["pdf", "ofd"] if licence.ofd_sha256 else ["pdf"]))


def summary(application: Application) -> ApplicationSummary:
    return ApplicationSummary(id=application.id, service_id=application.service_id,
                              state=application.state, updated_at=aware(application.updated_at))


def audit_public(entry: Any) -> AuditEntryPublic:
    return AuditEntryPublic(seq=entry.seq, at=entry.at, actor_id=entry.actor_id,
                            action=entry.action, subject_type=entry.subject_type,
                            subject_id=entry.subject_id, details=json.loads(entry.details),
                            entry_hash=entry.entry_hash)
