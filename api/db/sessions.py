"""Signed-in sessions (``auth_sessions``): each bearer token or web cookie names one by its
``jti``. A session is live while it is neither revoked nor expired and its account is active;
logout revokes one, a password change or a deactivation revokes all of an account's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from api.db.models import Account, AuthSession

# Expired or revoked sessions are deleted this long after they ended (a login prunes them).
KEEP_ENDED_SESSIONS = timedelta(days=1)


def _aware(moment: datetime) -> datetime:
    """SQLite hands ``DateTime(timezone=True)`` back naive (we store UTC): make it UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def open_auth_session(session: Session, account: Account, jti: str, expires_at: datetime,
                      *, now: datetime | None = None) -> AuthSession:
    """Record a new session of ``account`` (flushed in the caller's transaction), and delete
    this account's sessions that ended more than :data:`KEEP_ENDED_SESSIONS` ago."""
    now = now or datetime.now(UTC)
    stale = now - KEEP_ENDED_SESSIONS
    session.execute(delete(AuthSession).where(
        AuthSession.account_id == account.id,
        (AuthSession.expires_at < stale) | (AuthSession.revoked_at < stale)))
    row = AuthSession(jti=jti, account_id=account.id, created_at=now, expires_at=expires_at)
    session.add(row)
    session.flush()
    return row


def live_session_account(session: Session, username: str, jti: str, now: datetime
                         ) -> Account | None:
    """The active account named ``username`` if ``jti`` is one of its live sessions."""
    row = session.get(AuthSession, jti)
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= now:
        return None
    account = session.get(Account, row.account_id)
    if account is None or not account.active or account.username != username:
        return None
    return account


def revoke_auth_session(session: Session, jti: str, now: datetime) -> bool:
    """Revoke one session; False if there is no live session with that ``jti``."""
    result = session.execute(update(AuthSession).where(
        AuthSession.jti == jti, AuthSession.revoked_at.is_(None)).values(revoked_at=now))
    return bool(result.rowcount)


def revoke_account_sessions(session: Session, account_id: int, now: datetime | None = None
                            ) -> int:
    """Revoke every live session of an account; how many there were."""
    result = session.execute(update(AuthSession).where(
        AuthSession.account_id == account_id, AuthSession.revoked_at.is_(None)).values(
        revoked_at=now or datetime.now(UTC)))
    return int(result.rowcount or 0)
