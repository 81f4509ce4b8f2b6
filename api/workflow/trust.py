"""The other issuers this office trusts (their e-licences count as materials and verify on our
public routes): import another office's published folder (a ``.zip`` of it, or the folder
itself), list the imported issuers, remove one — each import and removal audited. The trust
store itself (checks, rollback protection, atomic folders) is ``elicense.TrustStore`` under
``<data dir>/trust``; its refusals are ``elicense.TrustImportError`` (``trust.*`` codes), raised
unchanged. The admin's routes and ``zhengzhao trust`` both call these functions: an admin is
named by ``admin_username``, the command line (an operator at the machine) by ``None``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from api.db import AuditAction, Database, append_audit
from api.workflow.applications import account_of
from core import Settings
from elicense import TrustedIssuer, TrustStore

__all__ = ["import_trust", "list_trusted", "remove_trust", "trust_store"]

log = logging.getLogger(__name__)


def trust_store(settings: Settings) -> TrustStore:
    """The other issuers this office trusts, under ``<data dir>/trust``."""
    return TrustStore.for_settings(settings)


def list_trusted(settings: Settings) -> list[TrustedIssuer]:
    """The imported issuers, by code."""
    return trust_store(settings).list()


def import_trust(settings: Settings, db: Database, source: bytes | Path, *,
                 admin_username: str | None) -> TrustedIssuer:
    """Import (or refresh) another office's published folder: ``source`` is a zip's bytes or a
    path (a folder or a ``.zip``). Then audit it: by the admin (``auth.unauthorized`` if the
    account has gone meanwhile), with the key count and the status list's date, or by the
    command line."""
    store = trust_store(settings)
    issuer = (store.import_zip(source) if isinstance(source, bytes)
              else store.import_path(source))
    with db.transaction() as session:
        actor_id = _actor_id(session, admin_username)
        details: dict[str, Any] = {"via": "cli"} if admin_username is None else {
            "keys": issuer.keys,
            "status_list_issued_at": issuer.to_dict()["status_list_issued_at"]}
        append_audit(session, AuditAction.TRUST_LIST_IMPORTED, actor_id=actor_id,
                     subject_type="issuer", subject_id=issuer.code, details=details)
    log.info("trust list of %s imported", issuer.code)
    return issuer


def remove_trust(settings: Settings, db: Database, code: str, *,
                 admin_username: str | None) -> TrustedIssuer:
    """Stop trusting the issuer ``code`` (``trust.not_found`` if it was never imported): its
    licences are untrusted from now on. Audited in the same transaction."""
    with db.transaction() as session:
        actor_id = _actor_id(session, admin_username)
        issuer = trust_store(settings).remove(code)
        append_audit(session, AuditAction.TRUST_LIST_REMOVED, actor_id=actor_id,
                     subject_type="issuer", subject_id=issuer.code,
                     details={"via": "cli"} if admin_username is None else None)
    log.info("trust list of %s removed", issuer.code)
    return issuer


def _actor_id(session: Session, admin_username: str | None) -> int | None:
    return None if admin_username is None else account_of(session, admin_username).id
