"""The admin's API under ``/api/v1/admin``: revoke a licence (the status list is re-published at
once), rotate the licence-signing key (the trust folder is re-published with the new
certificate), bind an account to its holder's ID number (秒批, :mod:`api.workflow.holders`),
read the audit log, verify its hash chain, and manage the other issuers this office trusts
(import a zipped published folder, list, remove: :mod:`api.workflow.trust`)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from api.auth import Principal, Role, require_role
from api.db import (
    Account,
    AuditAction,
    AuditEntry,
    LicenceRecord,
    SqlLicenceRegistry,
    append_audit,
    verify_chain,
)
from api.errors_http import ROUTE_PROBLEMS, ApiError, problem_response
from api.schemas.applications import (
    AuditEntryPublic,
    ChainVerdictPublic,
    HolderBindingPublic,
    HolderBindRequest,
    KeyRotatedPublic,
    LicencePublic,
    RevokeRequest,
    TrustedIssuerPublic,
)
from api.schemas.from_rows import audit_public, aware
from api.service_context import ServiceDep, actor
from api.uploads import read_material_upload
from api.workflow import trust
from api.workflow.errors import WorkflowNotFoundError
from api.workflow.holders import bind_account, unbind_account
from core import ErrorCode
from elicense import (
    LicenceStatus,
    TrustedIssuer,
    TrustImportError,
    publish,
    revoke_licence,
)
from signing import key_id

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1/admin", tags=["admin"], responses=ROUTE_PROBLEMS)
Admin = Annotated[Principal, Depends(require_role(Role.ADMIN))]
IssuerCode = Annotated[str, PathParam(pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$")]
Username = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
# A zipped published folder is a few tens of KB; the trust store caps the unpacked files too.
MAX_TRUST_ZIP = 8 * 1024 * 1024
_TRUST_STATUS = {ErrorCode.TRUST_NOT_FOUND: 404, ErrorCode.TRUST_ROLLBACK: 409,
                 ErrorCode.TRUST_OWN_ISSUER: 409}


@router.post("/licences/{identifier}/revoke", response_model=LicencePublic)
def revoke(identifier: str, body: RevokeRequest, ctx: ServiceDep, user: Admin) -> LicencePublic:
    """Revoke a licence and re-publish the status list (409 if it is revoked already)."""
    with ctx.transaction() as session:
        admin = actor(session, user)
        record = session.scalars(select(LicenceRecord).where(
            LicenceRecord.identifier == identifier).with_for_update()).one_or_none()
        if record is None:
            raise WorkflowNotFoundError("licence", "证照")
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
    # Publish again once committed: a publisher that read the register before this commit (the
    # periodic re-publish, another process) may have written after the in-transaction publish.
    publish(ctx.key_store(), SqlLicenceRegistry(ctx.db), ctx.published_dir,
            ctx.settings.issuer_code, datetime.now(UTC))
    return LicencePublic(identifier=entry.identifier, status=entry.status.value,
                         issued_at=entry.issued_at, valid_until=entry.valid_until,
                         revoked_at=entry.revoked_at)


def _binding_public(account: Account) -> HolderBindingPublic:
    return HolderBindingPublic(username=account.username,
                               holder_id_masked=account.holder_id_masked,
                               bound_via=account.holder_bound_via,
                               bound_at=None if account.holder_bound_at is None
                               else aware(account.holder_bound_at))


@router.put("/accounts/{username}/holder", response_model=HolderBindingPublic)
def bind_holder(username: Username, body: HolderBindRequest, ctx: ServiceDep,
                user: Admin) -> HolderBindingPublic:
    """Bind an account to the person it belongs to, by their resident ID number (checked with
    the GB 11643 check character; only its SHA-256 and masked form are kept, the audit entry
    holds the masked form). 秒批 issues only to a bound account whose number is the ID card's.
    422 ``holder.id_invalid``, 404 for no such account, 409 when another account is bound to
    that holder."""
    with ctx.transaction() as session:
        admin = actor(session, user)
        return _binding_public(bind_account(session, username, body.id_number,
                                            actor_id=admin.id))


@router.delete("/accounts/{username}/holder", response_model=HolderBindingPublic)
def unbind_holder(username: Username, ctx: ServiceDep, user: Admin) -> HolderBindingPublic:
    """Remove an account's binding (audited)."""
    with ctx.transaction() as session:
        admin = actor(session, user)
        return _binding_public(unbind_account(session, username, actor_id=admin.id))


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
              limit: Annotated[int, Query(ge=1, le=1000)] = 100,
              action: Annotated[AuditAction | None, Query()] = None) -> list[AuditEntryPublic]:
    """Audit entries after ``after_seq`` in order (page with the last ``seq`` you got),
    optionally only one ``action`` (e.g. ``licence.verified``)."""
    with ctx.transaction(read_only=True) as session:
        query = select(AuditEntry).where(AuditEntry.seq > after_seq)
        if action is not None:
            query = query.where(AuditEntry.action == action.value)
        rows = session.scalars(query.order_by(AuditEntry.seq).limit(limit))
        return [audit_public(row) for row in rows]


@router.get("/audit/verify", response_model=ChainVerdictPublic)
def verify_audit(ctx: ServiceDep, _user: Admin) -> ChainVerdictPublic:
    """Walk the whole hash chain; ``intact`` false names the first bad row and why."""
    with ctx.transaction(read_only=True) as session:
        verdict = verify_chain(session)
    return ChainVerdictPublic(intact=verdict.intact, entries=verdict.entries,
                              head_hash=verdict.head_hash, first_bad_seq=verdict.first_bad_seq,
                              problem=None if verdict.problem is None else verdict.problem.value)


def _issuer_public(issuer: TrustedIssuer) -> TrustedIssuerPublic:
    return TrustedIssuerPublic(**issuer.to_dict())


def _trust_problem(request: Request, exc: TrustImportError) -> JSONResponse:
    # The trust store's own codes, answered as 4xx problem+json (never a 500).
    return problem_response(_TRUST_STATUS.get(exc.code, 422), exc.code.value, exc.message_en,
                            exc.message_zh, instance=request.url.path)


@router.post("/trust", response_model=TrustedIssuerPublic, status_code=201,
             responses={201: {"description": "the issuer whose trust list was imported"}})
async def import_trust(request: Request, ctx: ServiceDep, user: Admin) -> Any:
    """Import (or refresh) another office's published trust folder, sent as a zip in the
    multipart field ``file``. 422 ``trust.invalid`` for anything that is not a published folder
    that chains to its root, 409 ``trust.rollback`` for a status list older than the one held,
    409 ``trust.own_issuer`` for this office's own folder."""
    data = await read_material_upload(request, MAX_TRUST_ZIP)
    try:
        issuer = await run_in_threadpool(trust.import_trust, ctx.settings, ctx.db, data,
                                         admin_username=user.username)
    except TrustImportError as exc:
        return _trust_problem(request, exc)
    return JSONResponse(_issuer_public(issuer).model_dump(mode="json"), status_code=201)


@router.get("/trust", response_model=list[TrustedIssuerPublic])
def list_trust(ctx: ServiceDep, _user: Admin) -> list[TrustedIssuerPublic]:
    """The imported issuers, by code."""
    return [_issuer_public(issuer) for issuer in trust.list_trusted(ctx.settings)]


@router.delete("/trust/{issuer_code}", response_model=TrustedIssuerPublic)
def remove_trust(issuer_code: IssuerCode, request: Request, ctx: ServiceDep,
                 user: Admin) -> Any:
    """Stop trusting an issuer: its licences are untrusted from now on (404 if not imported)."""
    try:
        issuer = trust.remove_trust(ctx.settings, ctx.db, issuer_code,
                                    admin_username=user.username)
    except TrustImportError as exc:
        return _trust_problem(request, exc)
    return _issuer_public(issuer)
