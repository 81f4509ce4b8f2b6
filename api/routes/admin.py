"""The admin's API under ``/api/v1/admin``: revoke a licence (the status list is re-published at
once), rotate the licence-signing key (the trust folder is re-published with the new
certificate), read the audit log, and verify its hash chain."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from api.auth import Principal, Role, require_role
from api.db import (
    AuditAction,
    AuditEntry,
    LicenceRecord,
    SqlLicenceRegistry,
    append_audit,
    verify_chain,
)
from api.errors_http import ApiError
from api.routes.schemas_app import (
    AuditEntryPublic,
    ChainVerdictPublic,
    KeyRotatedPublic,
    LicencePublic,
    RevokeRequest,
)
from api.routes.views import ROUTE_PROBLEMS, audit_public, not_found
from api.service_context import ServiceDep, actor
from core import ErrorCode
from elicense import LicenceStatus, publish, revoke_licence
from signing import key_id

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1/admin", tags=["admin"], responses=ROUTE_PROBLEMS)
Admin = Annotated[Principal, Depends(require_role(Role.ADMIN))]


@router.post("/licences/{identifier}/revoke", response_model=LicencePublic)
def revoke(identifier: str, body: RevokeRequest, ctx: ServiceDep, user: Admin) -> LicencePublic:
    """Revoke a licence and re-publish the status list (409 if it is revoked already)."""
    with ctx.transaction() as session:
        admin = actor(session, user)
        record = session.scalars(select(LicenceRecord).where(
            LicenceRecord.identifier == identifier).with_for_update()).one_or_none()
        if record is None:
            raise not_found("licence", "证照")
        if record.status is LicenceStatus.REVOKED:
            raise ApiError(ErrorCode.CONFLICT, "the licence is revoked already", "该证照已被吊销")
        entry = revoke_licence(identifier, body.reason, store=ctx.key_store(),
                               registry=SqlLicenceRegistry(ctx.db, session=session),
                               issuer_code=ctx.settings.issuer_code,
                               published_dir=ctx.published_dir)
        append_audit(session, AuditAction.LICENCE_REVOKED, actor_id=admin.id,
                     subject_type="licence", subject_id=identifier,
                     details={"application_id": record.application_id})
        log.info("licence revoked by account %s", admin.id)
        return LicencePublic(identifier=entry.identifier, status=entry.status.value,
                             issued_at=entry.issued_at, valid_until=entry.valid_until,
                             revoked_at=entry.revoked_at)


@router.post("/keys/rotate", response_model=KeyRotatedPublic)
def rotate_key(ctx: ServiceDep, user: Admin) -> KeyRotatedPublic:
    """A new licence-signing key from now on; earlier licences stay valid (their certificates
    stay in the trust list)."""
    store = ctx.key_store()
    with ctx.transaction() as session:
        admin = actor(session, user)
        kid = key_id(store.rotate()).hex()
        publish(store, SqlLicenceRegistry(ctx.db, session=session), ctx.published_dir,
                ctx.settings.issuer_code, datetime.now(UTC))
        append_audit(session, AuditAction.KEY_ROTATED, actor_id=admin.id,
                     subject_type="key", subject_id=kid)
    return KeyRotatedPublic(kid=kid)


@router.get("/audit", response_model=list[AuditEntryPublic])
def audit_log(ctx: ServiceDep, _user: Admin,
              after_seq: Annotated[int, Query(ge=0, le=2_147_483_647)] = 0,
              limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[AuditEntryPublic]:
    """Audit entries after ``after_seq`` in order (page with the last ``seq`` you got)."""
    with ctx.transaction(read_only=True) as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.seq > after_seq)
                               .order_by(AuditEntry.seq).limit(limit))
        return [audit_public(row) for row in rows]


@router.get("/audit/verify", response_model=ChainVerdictPublic)
def verify_audit(ctx: ServiceDep, _user: Admin) -> ChainVerdictPublic:
    """Walk the whole hash chain; ``intact`` false names the first bad row and why."""
    with ctx.transaction(read_only=True) as session:
        verdict = verify_chain(session)
    return ChainVerdictPublic(intact=verdict.intact, entries=verdict.entries,
                              head_hash=verdict.head_hash, first_bad_seq=verdict.first_bad_seq,
                              problem=None if verdict.problem is None else verdict.problem.value)
