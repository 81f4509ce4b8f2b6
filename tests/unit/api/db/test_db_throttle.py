"""The sign-in back-off table (``api.db.throttle``) on SQLite and PostgreSQL: failures count
up under concurrent writers, locks double from the first free failure on and stop at the cap,
a day of quiet forgets a key, a success clears it, and housekeeping removes quiet keys."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from api.db.models import LoginThrottle
from api.db.throttle import (
    BackOff,
    clear_failures,
    forget_quiet,
    key_states,
    record_failure,
)

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
POLICY = BackOff(free_failures=5, first_lock_seconds=1, max_lock_seconds=900)


def test_the_lock_doubles_after_the_free_failures() -> None:
    assert [POLICY.lock_seconds(n) for n in range(1, 8)] == [0, 0, 0, 0, 0, 1, 2]
    assert POLICY.lock_seconds(15) == 512 and POLICY.lock_seconds(16) == 900
    assert POLICY.lock_seconds(10**9) == 900  # no overflow for an absurd count


def test_concurrent_failures_are_all_counted(db) -> None:
    def fail(_: int) -> None:
        with db.transaction() as session:
            record_failure(session, "account:bob", T0, POLICY)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(fail, range(24)))
    with db.transaction(read_only=True) as session:
        state = key_states(session, ["account:bob", "account:nobody"], T0, POLICY)
    assert set(state) == {"account:bob"}
    assert state["account:bob"].failures == 24
    assert state["account:bob"].wait_seconds == POLICY.lock_seconds(24) == 900


def test_a_quiet_day_forgets_and_a_success_clears(db) -> None:
    with db.transaction() as session:
        for _ in range(7):
            last = record_failure(session, "client:abc", T0, POLICY)
    assert last.failures == 7 and last.lock_seconds == 2
    with db.transaction(read_only=True) as session:
        assert key_states(session, ["client:abc"], T0 + timedelta(seconds=1), POLICY)[
            "client:abc"].wait_seconds == 1
        assert key_states(session, ["client:abc"], T0 + timedelta(days=2), POLICY) == {}
    with db.transaction() as session:
        again = record_failure(session, "client:abc", T0 + timedelta(days=2), POLICY)
    assert again.failures == 1 and again.lock_seconds == 0
    with db.transaction() as session:
        assert clear_failures(session, "client:abc") == 1
        assert clear_failures(session, "client:abc") == 0


def test_housekeeping_removes_only_quiet_unlocked_keys(db) -> None:
    brief = BackOff(free_failures=5, first_lock_seconds=1, max_lock_seconds=900,
                    forget_after=timedelta(seconds=100))
    with db.transaction() as session:
        record_failure(session, "account:old", T0, brief)
        for _ in range(20):  # locked for 900 s, longer than it takes to become quiet
            record_failure(session, "account:locked", T0, brief)
        record_failure(session, "account:recent", T0 + timedelta(seconds=150), brief)
    with db.transaction() as session:
        assert forget_quiet(session, T0 + timedelta(seconds=200), brief) == 1
        left = set(session.scalars(select(LoginThrottle.key)))
    assert left == {"account:locked", "account:recent"}
