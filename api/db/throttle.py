"""Failed sign-ins and their exponential back-off, in the ``login_throttle`` table.

A key (``account:<login name>`` or ``client:<daily client tag>``) counts consecutive failures.
The first :attr:`BackOff.free_failures` cost nothing; each one after that locks the key for
twice as long as the one before, from :attr:`BackOff.first_lock_seconds` up to
:attr:`BackOff.max_lock_seconds`. A key that has been quiet for :attr:`BackOff.forget_after`
starts again from zero. Every function works in the caller's (short) transaction; none checks
a password.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.db.models import LoginThrottle

__all__ = ["BackOff", "FailureRecorded", "KeyState", "clear_failures", "forget_quiet",
           "key_states", "record_failure"]


@dataclass(frozen=True, slots=True)
class BackOff:
    """How failures turn into locks."""

    free_failures: int = 5
    first_lock_seconds: float = 1.0
    max_lock_seconds: float = 15 * 60.0
    forget_after: timedelta = timedelta(days=1)

    def lock_seconds(self, failures: int) -> float:
        """The lock after the ``failures``-th consecutive failure (0: none)."""
        beyond = failures - self.free_failures
        if beyond <= 0:
            return 0.0
        # Capped before the power so a huge count cannot overflow.
        return min(self.max_lock_seconds, self.first_lock_seconds * 2.0 ** min(beyond - 1, 40))


@dataclass(frozen=True, slots=True)
class FailureRecorded:
    """A key's state after one more failure."""

    key: str
    failures: int
    lock_seconds: float


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes for DateTime(timezone=True); they were written in UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class KeyState:
    """A key's consecutive failures and the seconds it must still wait (0: not locked)."""

    failures: int
    wait_seconds: float


def key_states(session: Session, keys: Iterable[str], now: datetime, back_off: BackOff
               ) -> dict[str, KeyState]:
    """The state of each key in ``keys`` that has failures on record (others are left out)."""
    rows = session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(list(keys))))
    states: dict[str, KeyState] = {}
    for row in rows:
        until, last = _aware(row.locked_until), _aware(row.updated_at)
        wait = (until - now).total_seconds() if until is not None and until > now else 0.0
        quiet = last is not None and now - last > back_off.forget_after
        if row.failures and not (quiet and not wait):
            states[row.key] = KeyState(row.failures, wait)
    return states


def record_failure(session: Session, key: str, now: datetime, back_off: BackOff
                   ) -> FailureRecorded:
    """Count one more failure of ``key`` and lock it as :class:`BackOff` says. The row is read
    for update (SQLite's writers are serialised by ``BEGIN IMMEDIATE`` anyway), so concurrent
    failures are all counted."""
    row = session.get(LoginThrottle, key, with_for_update=True)
    if row is None:
        try:
            with session.begin_nested():
                row = LoginThrottle(key=key, failures=0, locked_until=None, updated_at=now)
                session.add(row)
        except IntegrityError:  # another writer inserted it first (PostgreSQL)
            row = session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
            assert row is not None
    last = _aware(row.updated_at)
    failures = 0 if last is not None and now - last > back_off.forget_after else row.failures
    row.failures = failures + 1
    seconds = back_off.lock_seconds(row.failures)
    row.locked_until = now + timedelta(seconds=seconds) if seconds else None
    row.updated_at = now
    return FailureRecorded(key, row.failures, seconds)


def clear_failures(session: Session, key: str) -> int:
    """Forget ``key``'s failures (a successful sign-in); the number of failures it had."""
    row = session.get(LoginThrottle, key, with_for_update=True)
    if row is None:
        return 0
    failures = row.failures
    session.delete(row)
    return failures


def forget_quiet(session: Session, now: datetime, back_off: BackOff) -> int:
    """Delete keys quiet for longer than ``forget_after`` and no longer locked (housekeeping:
    names that were only ever guessed would otherwise stay)."""
    horizon = now - back_off.forget_after
    result = session.execute(delete(LoginThrottle).where(
        LoginThrottle.updated_at < horizon,
        (LoginThrottle.locked_until.is_(None)) | (LoginThrottle.locked_until < now)))
    return int(getattr(result, "rowcount", 0) or 0)
