"""``append_audit_many``: a batch appended in one statement continues the chain exactly as
single appends do — interleaved with ``append_audit``, across transactions, the chain verifies;
editing a batch row is caught. SQLite and PostgreSQL (``integration``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from api.db import AuditAction, AuditEntry, Database, append_audit, audit_head, verify_chain
from api.db.audit import AuditRecord, append_audit_many

START = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _records(count: int) -> list[AuditRecord]:
    return [AuditRecord(AuditAction.LICENCE_VERIFIED, actor_id=None, subject_type="licence",
                        subject_id=f"L{i}", details={"kind": "token", "n": i},
                        at=START + timedelta(seconds=i)) for i in range(count)]


def test_batches_and_single_appends_make_one_chain(db: Database) -> None:
    with db.transaction() as session:
        assert append_audit_many(session, _records(3)) == 3
    with db.transaction() as session:
        append_audit(session, AuditAction.KEY_ROTATED, actor_id=1, subject_type="key",
                     subject_id="k1")
        assert append_audit_many(session, _records(250)) == 250
        assert append_audit_many(session, []) == 0
    with db.transaction(read_only=True) as session:
        verdict = verify_chain(session)
        assert verdict.intact and verdict.entries == 254
        assert audit_head(session)[0] == 254
        rows = list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    assert [r.subject_id for r in rows[:3]] == ["L0", "L1", "L2"]
    assert rows[3].action == AuditAction.KEY_ROTATED.value
    assert rows[4].at == START.isoformat(timespec="microseconds")


def test_an_edited_batch_row_breaks_the_chain(db: Database) -> None:
    with db.transaction() as session:
        append_audit_many(session, _records(5))
    with db.transaction() as session:
        session.execute(update(AuditEntry).where(AuditEntry.seq == 3)
                        .values(details='{"kind":"pdf","n":2}'))
    with db.transaction(read_only=True) as session:
        verdict = verify_chain(session)
    assert not verdict.intact and verdict.first_bad_seq == 3
