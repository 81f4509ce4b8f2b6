"""The append-only, hash-chained audit log.

Each row carries the hash of the row before it (``prev_hash``; the first row carries
:data:`GENESIS_HASH`) and ``entry_hash`` = SHA-256 over a canonical JSON of all its other fields
(sorted keys, no spaces, UTF-8). Editing a row breaks its own hash; deleting or reordering rows
breaks the next row's ``prev_hash`` or the run of sequence numbers. Deleting the *last* rows is
only visible against a head published elsewhere, which :func:`audit_head` provides and
:func:`verify_chain` accepts.

Rows hold ids, codes and states only: never names, ID numbers, OCR text or images.
Appending takes a lock on PostgreSQL (a transaction-scoped advisory lock) so two writers never
fork the chain; on SQLite the database-wide write lock does the same, and the primary key on
``seq`` refuses a fork in any case.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from api.db.models import AuditEntry

GENESIS_HASH = "0" * 64
_ADVISORY_LOCK_KEY = 0x7A7A_A0D1  # "zz audit"


class AuditAction(StrEnum):
    """What happened. Add members; never rename one (old rows keep the old value)."""

    ACCOUNT_CREATED = "account.created"
    APPLICATION_CREATED = "application.created"
    APPLICATION_STATE_CHANGED = "application.state_changed"
    MATERIAL_ADDED = "material.added"
    REVIEW_RECORDED = "review.recorded"
    LICENCE_ISSUED = "licence.issued"
    LICENCE_REVOKED = "licence.revoked"
    LICENCE_VERIFIED = "licence.verified"
    KEY_ROTATED = "keys.rotated"
    # details: the serial (hex), the reason, ECDSA or SM2, the role; never key material
    CERTIFICATE_REVOKED = "keys.certificate_revoked"
    TRUST_LIST_IMPORTED = "trust.imported"
    TRUST_LIST_REMOVED = "trust.removed"
    FIELD_CORRECTED = "application.field_corrected"  # details: the field id, never the value
    FIXED_PHOTO_USED = "material.fixed_photo_used"  # the applicant took the auto-fixed photo
    # The applicant removed a material or replaced it by a new upload; details: ids and type
    MATERIAL_REMOVED = "material.removed"
    # details: how (admin / e_licence) and the masked ID number, never the number itself
    HOLDER_BOUND = "account.holder_bound"
    HOLDER_UNBOUND = "account.holder_unbound"
    # A password change or a deactivation; details: how many sessions it revoked
    PASSWORD_CHANGED = "account.password_changed"
    ACCOUNT_DEACTIVATED = "account.deactivated"
    # Sign-in throttling (api.login_guard); details: scope (account / client), failures, the
    # lock in seconds and the daily client tag, never a password
    LOGIN_LOCKED = "login.locked"  # a failure started a back-off lock
    LOGIN_THROTTLED = "login.throttled"  # an attempt refused while locked (password not checked)
    LOGIN_UNLOCKED = "login.unlocked"  # a success cleared the account's failures


class ChainProblem(StrEnum):
    """Why a chain is not intact."""

    HASH_MISMATCH = "hash_mismatch"  # a row was edited
    BROKEN_LINK = "broken_link"  # a row was deleted, inserted or moved
    SEQUENCE_GAP = "sequence_gap"  # sequence numbers do not run 1, 2, 3, ...
    HEAD_MISMATCH = "head_mismatch"  # rows at the end were removed or replaced


@dataclass(frozen=True, slots=True)
class ChainVerdict:
    """The result of :func:`verify_chain`: ``intact``, how many rows, and the first bad row."""

    intact: bool
    entries: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: ChainProblem | None = None


def canonical_json(value: Any) -> str:
    """The one JSON spelling that is hashed: sorted keys, no whitespace, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def entry_hash(seq: int, at: str, actor_id: int | None, action: str, subject_type: str,
               subject_id: str, details: str, prev_hash: str) -> str:
    """SHA-256 (hex) over the canonical JSON of one row's fields other than its own hash."""
    row = {"seq": seq, "at": at, "actor_id": actor_id, "action": action,
           "subject_type": subject_type, "subject_id": subject_id, "details": details,
           "prev_hash": prev_hash}
    return hashlib.sha256(canonical_json(row).encode("utf-8")).hexdigest()


def _row_hash(row: AuditEntry) -> str:
    return entry_hash(row.seq, row.at, row.actor_id, row.action, row.subject_type,
                      row.subject_id, row.details, row.prev_hash)


def append_audit(session: Session, action: AuditAction, *, actor_id: int | None,
                 subject_type: str, subject_id: str, details: dict[str, Any] | None = None,
                 at: datetime | None = None) -> AuditEntry:
    """Append one row in the caller's transaction. ``details`` must hold ids and codes only."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.entry_hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq, prev = (1, GENESIS_HASH) if last is None else (last.seq + 1, last.entry_hash)
    when = (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds")
    body = canonical_json(details or {})
    row = AuditEntry(seq=seq, at=when, actor_id=actor_id, action=action.value,
                     subject_type=subject_type, subject_id=subject_id, details=body,
                     prev_hash=prev)
    row.entry_hash = _row_hash(row)
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One row for :func:`append_audit_many` (the arguments of :func:`append_audit`)."""

    action: AuditAction
    actor_id: int | None
    subject_type: str
    subject_id: str
    details: dict[str, Any] | None = None
    at: datetime | None = None


def append_audit_many(session: Session, records: Sequence[AuditRecord]) -> int:
    """Append ``records`` in order in the caller's transaction, taking the chain's lock and
    reading its head once and inserting them in one statement (many rows from one writer, e.g.
    the buffered verification audit). Returns the number of rows."""
    if not records:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.entry_hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq, prev = (0, GENESIS_HASH) if last is None else (last.seq, last.entry_hash)
    rows: list[dict[str, Any]] = []
    for record in records:
        seq += 1
        when = (record.at or datetime.now(UTC)).astimezone(UTC).isoformat(
            timespec="microseconds")
        row = {"seq": seq, "at": when, "actor_id": record.actor_id,
               "action": record.action.value, "subject_type": record.subject_type,
               "subject_id": record.subject_id, "details": canonical_json(record.details or {}),
               "prev_hash": prev}
        prev = row["entry_hash"] = entry_hash(**row)
        rows.append(row)
    session.execute(insert(AuditEntry.__table__), rows)
    return len(rows)


def audit_head(session: Session) -> tuple[int, str]:
    """``(seq, entry_hash)`` of the last row (``(0, GENESIS_HASH)`` when empty): publish it
    somewhere the database's writers cannot reach to detect truncation later."""
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.entry_hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    return (0, GENESIS_HASH) if last is None else (last.seq, last.entry_hash)


def verify_chain(session: Session, *, expected_head: tuple[int, str] | None = None,
                 batch: int = 1000) -> ChainVerdict:
    """Walk the whole log in ``seq`` order and check every hash and link. Returns a verdict;
    never raises for a broken chain. ``expected_head`` (from :func:`audit_head`, kept
    elsewhere) also catches rows removed from the end."""
    prev, expected_seq, count = GENESIS_HASH, 1, 0
    result = session.execute(
        select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=batch))
    try:
        for row in result.scalars():
            count += 1
            if row.seq != expected_seq:
                return ChainVerdict(False, count, prev, row.seq, ChainProblem.SEQUENCE_GAP)
            if row.prev_hash != prev:
                return ChainVerdict(False, count, prev, row.seq, ChainProblem.BROKEN_LINK)
            if _row_hash(row) != row.entry_hash:
                return ChainVerdict(False, count, prev, row.seq, ChainProblem.HASH_MISMATCH)
            prev, expected_seq = row.entry_hash, expected_seq + 1
    finally:
        # A server-side cursor (PostgreSQL) must be closed when the walk stops early.
        result.close()
    if expected_head is not None:
        head_seq, head_hash = expected_head
        if head_seq > count or not _head_reached(session, head_seq, head_hash):
            return ChainVerdict(False, count, prev, head_seq, ChainProblem.HEAD_MISMATCH)
    return ChainVerdict(True, count, prev)


def _head_reached(session: Session, seq: int, hash_: str) -> bool:
    if seq == 0:
        return hash_ == GENESIS_HASH
    found = session.scalar(select(AuditEntry.entry_hash).where(AuditEntry.seq == seq))
    return found == hash_

