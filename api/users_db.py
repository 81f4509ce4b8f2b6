"""The database-backed :class:`api.auth.UserSource`: accounts live in ``api.db`` (argon2id
hashes, an ``active`` flag), and every request re-reads the account its token names, so a
deactivated or demoted account loses its access before its token expires.

``api.db.Role`` (what an account row holds) and ``api.auth.Role`` (what a token claims) are two
enums with the same values; :func:`auth_role` and :func:`db_role` map between them by value."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from api.auth import Principal
from api.auth import Role as AuthRole
from api.db import (
    Database,
    find_account,
    live_session_account,
    open_auth_session,
    revoke_auth_session,
)
from api.db import Role as DbRole
from api.db.accounts import check_password, password_record, upgrade_password_hash
from api.db.passwords import hash_password, needs_rehash

__all__ = ["DbUsers", "auth_role", "db_role"]


def auth_role(role: DbRole) -> AuthRole:
    """The token role of an account role (same value)."""
    return AuthRole(role.value)


def db_role(role: AuthRole) -> DbRole:
    """The account role of a token role (same value)."""
    return DbRole(role.value)


class DbUsers:
    """Accounts from the service database. ``authenticate`` reads the account in a short
    read-only transaction, checks the password with no transaction open (argon2 is slow on
    purpose, and SQLite has one write lock), then upgrades an old hash in a separate short
    writing transaction."""

    def __init__(self, db: Database | Callable[[], Database]) -> None:
        # A callable defers opening the database to the first login (an app writes nothing
        # before startup).
        self._get_db: Callable[[], Database] = db if callable(db) else (lambda: db)

    @property
    def _db(self) -> Database:
        return self._get_db()

    def authenticate(self, username: str, password: str) -> Principal | None:
        with self._db.transaction(read_only=True) as session:
            record = password_record(session, username)
        if not check_password(record, password):
            return None
        assert record is not None
        if needs_rehash(record.password_hash):
            new_hash = hash_password(password)  # slow: before the write transaction
            with self._db.transaction() as session:
                upgrade_password_hash(session, record, new_hash)
        return Principal(record.username, auth_role(record.role))

    def lookup(self, username: str) -> Principal | None:
        with self._db.transaction(read_only=True) as session:
            account = find_account(session, username)
            if account is None or not account.active:
                return None
            return Principal(account.username, auth_role(account.role))

    def account_id(self, username: str) -> int | None:
        """The id of the active account with that name (routes record ids, never names)."""
        with self._db.transaction(read_only=True) as session:
            account = find_account(session, username)
            return None if account is None or not account.active else account.id

    def open_session(self, username: str, jti: str, expires_at: datetime) -> None:
        """Record the session a new token names (``auth_sessions``)."""
        with self._db.transaction() as session:
            account = find_account(session, username)
            if account is None or not account.active:
                raise ValueError("no active account to open a session for")
            open_auth_session(session, account, jti, expires_at)

    def session_user(self, username: str, jti: str, now: datetime) -> Principal | None:
        """The account if ``jti`` is one of its live sessions (one read, no write lock)."""
        with self._db.transaction(read_only=True) as session:
            account = live_session_account(session, username, jti, now)
            return None if account is None else Principal(account.username,
                                                          auth_role(account.role))

    def revoke_session(self, jti: str, now: datetime) -> None:
        with self._db.transaction() as session:
            revoke_auth_session(session, jti, now)
