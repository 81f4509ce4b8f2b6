"""The other issuers this office trusts (their e-licences count as materials and verify on our
public routes): import another office's published folder (a ``.zip`` of it, or the folder
itself), list the imported issuers, remove one — each import and removal audited. The trust
store itself (checks, rollback protection, atomic folders) is ``elicense.TrustStore`` under
``<data dir>/trust``; its refusals are ``elicense.TrustImportError`` (``trust.*`` codes), raised
unchanged. The admin's routes and ``zhengzhao trust`` both call these functions: an admin is
named by ``admin_username``, the command line (an operator at the machine) by ``None``.

:class:`ImportedTrust` is what verification asks of the imported issuers: the trust material of
the issuer whose keys include a licence token's key id (``elicense.TrustedIssuers``: a key id
two issuers list picks neither), read again whenever the imported folders change (an import, a
refresh or a removal, by this process or another), and only looked at when this office's own
keys do not know the key id, so verifying our own licences costs nothing extra. The public
routes, the verifier pages and ``zhengzhao verify`` all fall back to it the same way
(:meth:`ImportedTrust.fallback`); the verdict then binds the licence to the imported issuer
(``elicense.check_issuer_binding``)."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from api.db import AuditAction, Database, append_audit
from api.workflow.applications import account_of
from core import Settings
from elicense import LicenceVerdict, TrustedIssuer, TrustedIssuers, TrustMaterial, TrustStore
from signing import TokenCode

__all__ = ["ImportedTrust", "import_trust", "list_trusted", "remove_trust", "trust_store",
           "unknown_kid"]

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


class ImportedTrust:
    """Key id → the imported issuer's ``elicense.TrustMaterial``."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._stamp: tuple[Any, ...] | None = None
        self._issuers = TrustedIssuers()

    @property
    def root(self) -> Path:
        return TrustStore.for_settings(self._settings).root

    def fallback(self, verdict: LicenceVerdict) -> TrustMaterial | None:
        """The imported issuer's trust material to verify again with, when ``verdict`` (an
        ``elicense.LicenceVerdict`` against our own keys) failed because our keys do not know
        the token's key id; else ``None``."""
        return None if verdict.passed else self.for_kid(unknown_kid(verdict))

    def for_kid(self, kid: bytes | None) -> TrustMaterial | None:
        """The trust material of the imported issuer whose signing keys include ``kid``, or
        ``None`` (no such issuer, or ``kid`` unknown)."""
        if not kid:
            return None
        stamp = self._stat()
        with self._lock:
            if stamp != self._stamp:
                self._issuers = (TrustStore.for_settings(self._settings).trusted_issuers()
                                 if stamp else TrustedIssuers())
                self._stamp = stamp
            source = self._issuers.for_kid(kid)
            return None if source is None else source.material

    def _stat(self) -> tuple[Any, ...]:
        # Imports and removals rename whole folders (new inodes); a refresh replaces the folder
        # too. The folder names with their inodes and the status lists' stamps tell any change.
        root = self.root
        try:
            with os.scandir(root) as entries:
                folders = sorted((e.name, e.inode()) for e in entries
                                 if e.is_dir() and not e.name.startswith("."))
        except OSError:
            return ()
        stamp: list[Any] = []
        for name, inode in folders:
            try:
                info = os.stat(root / name / "status-list.cose")
                stamp.append((name, inode, info.st_ino, info.st_mtime_ns))
            except OSError:
                stamp.append((name, inode))
        return tuple(stamp)


def unknown_kid(verdict: LicenceVerdict) -> bytes | None:
    """The key id of a token the verifying keys did not know (then an imported issuer may),
    else ``None``."""
    token = verdict.token
    if token is None or token.code != TokenCode.UNKNOWN_KID.value:
        return None
    return token.kid
