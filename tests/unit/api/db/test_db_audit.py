"""The hash-chained audit log: an intact chain verifies; an edited, deleted, reordered or
truncated one does not, and the verdict names the first bad row."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, update

from api.db import (
    GENESIS_HASH,
    AuditAction,
    AuditEntry,
    ChainProblem,
    append_audit,
    audit_head,
    verify_chain,
)


def _fill(db, n: int = 5) -> None:
    with db.transaction() as session:
        for i in range(1, n + 1):
            append_audit(session, AuditAction.APPLICATION_STATE_CHANGED, actor_id=i,
                         subject_type="application", subject_id=str(100 + i),
                         details={"from": "draft", "to": "submitted", "n": i},
                         at=datetime(2026, 1, 1, 12, 0, i, tzinfo=UTC))


def test_empty_log_is_intact(db) -> None:
    with db.transaction() as session:
        verdict = verify_chain(session)
        assert verdict.intact and verdict.entries == 0 and verdict.head_hash == GENESIS_HASH
        assert audit_head(session) == (0, GENESIS_HASH)


def test_rows_chain_and_hash_as_documented(db) -> None:
    _fill(db, 3)
    with db.transaction() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        assert [r.seq for r in rows] == [1, 2, 3]
        assert rows[0].prev_hash == "0" * 64
        for before, row in zip(rows, rows[1:], strict=False):
            assert row.prev_hash == before.entry_hash
        # Recompute the first row's hash from the documented canonical form (docs/service-data.md).
        first = rows[0]
        canonical = json.dumps(
            {"action": "application.state_changed", "actor_id": 1,
             "at": "2026-01-01T12:00:01.000000+00:00",
             "details": '{"from":"draft","n":1,"to":"submitted"}',
             "prev_hash": "0" * 64, "seq": 1, "subject_id": "101",
             "subject_type": "application"},
            sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert first.entry_hash == hashlib.sha256(canonical.encode()).hexdigest()
        verdict = verify_chain(session)
        assert verdict.intact and verdict.entries == 3 and verdict.head_hash == rows[-1].entry_hash


@pytest.mark.parametrize(("column", "value"), [
    ("actor_id", 99), ("action", "licence.revoked"), ("subject_id", "666"),
    ("details", '{"from":"draft","n":3,"to":"approved"}'), ("at", "2020-01-01T00:00:00+00:00"),
])
def test_an_edited_row_is_detected(db, column: str, value: object) -> None:
    _fill(db)
    with db.transaction() as session:
        session.execute(update(AuditEntry).where(AuditEntry.seq == 3).values({column: value}))
    with db.transaction() as session:
        verdict = verify_chain(session)
    assert not verdict.intact
    assert (verdict.first_bad_seq, verdict.problem) == (3, ChainProblem.HASH_MISMATCH)


def test_an_edited_row_with_a_recomputed_hash_breaks_the_next_link(db) -> None:
    _fill(db)
    with db.transaction() as session:
        session.execute(update(AuditEntry).where(AuditEntry.seq == 2)
                        .values(entry_hash="f" * 64))
    with db.transaction() as session:
        verdict = verify_chain(session)
    assert not verdict.intact and verdict.first_bad_seq == 2


def test_a_deleted_row_is_detected(db) -> None:
    _fill(db)
    with db.transaction() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq == 3))
    with db.transaction() as session:
        verdict = verify_chain(session)
    assert not verdict.intact and verdict.first_bad_seq == 4


def test_a_deleted_and_renumbered_tail_is_detected(db) -> None:
    _fill(db)
    with db.transaction() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq == 2))
        for seq in (3, 4, 5):
            session.execute(update(AuditEntry).where(AuditEntry.seq == seq)
                            .values(seq=seq - 1))
    with db.transaction() as session:
        verdict = verify_chain(session)
    assert not verdict.intact and verdict.first_bad_seq == 2


def test_reordered_rows_are_detected(db) -> None:
    _fill(db)
    with db.transaction() as session:
        session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(seq=1000))
        session.execute(update(AuditEntry).where(AuditEntry.seq == 4).values(seq=2))
        session.execute(update(AuditEntry).where(AuditEntry.seq == 1000).values(seq=4))
    with db.transaction() as session:
        verdict = verify_chain(session)
    assert not verdict.intact
    assert (verdict.first_bad_seq, verdict.problem) == (2, ChainProblem.BROKEN_LINK)


def test_a_truncated_tail_is_caught_by_the_published_head(db) -> None:
    _fill(db)
    with db.transaction() as session:
        head = audit_head(session)
        assert head[0] == 5
        assert verify_chain(session, expected_head=head).intact
    with db.transaction() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.seq >= 4))
    with db.transaction() as session:
        assert verify_chain(session).intact  # the chain alone cannot see a cut-off tail
        verdict = verify_chain(session, expected_head=head)
    assert not verdict.intact and verdict.problem is ChainProblem.HEAD_MISMATCH


def test_appending_continues_the_chain_across_transactions(db) -> None:
    _fill(db, 2)
    _fill(db, 2)
    with db.transaction() as session:
        verdict = verify_chain(session, batch=1)
    assert verdict.intact and verdict.entries == 4
