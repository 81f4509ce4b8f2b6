"""Signing in, throttled: the one way both ``POST /api/v1/auth/token`` and the ``/login`` form
check a password.

Failures are counted per account (``account:<login name>``) and per client
(``client:<daily client tag>``, see :class:`api.verification_audit.ClientTagger`), with the
exponential back-off of :mod:`api.db.throttle`. While either key is locked the attempt is
refused with ``auth.throttled`` (429, ``Retry-After``) *before* the password is looked at: a
locked account is no oracle and costs no argon2 run. A success clears the account's failures
(not the client's, or one valid account would reset a guesser's count). Locks, refusals and
clearings are audited with ids and tags only, never a password or a guessed name.

The account check itself runs with no transaction open (:class:`api.users_db.DbUsers`); the
throttle's reads and writes are short transactions of their own.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.orm import Session

from api.auth import Principal, UserSource
from api.db import AuditAction, Database, append_audit, find_account
from api.db.throttle import (
    BackOff,
    FailureRecorded,
    KeyState,
    clear_failures,
    forget_quiet,
    key_states,
    record_failure,
)
from api.errors_http import ApiError
from api.verification_audit import ClientTagger
from core import ErrorCode

__all__ = ["ACCOUNT_BACK_OFF", "CLIENT_BACK_OFF", "LoginGuard", "LoginThrottled",
           "SqlThrottleStore", "ThrottleStore"]

log = logging.getLogger(__name__)

# One person mistyping gets five tries free; a client (an office behind one NAT address may
# sign many people in) gets twenty before its back-off starts.
ACCOUNT_BACK_OFF = BackOff(free_failures=5)
CLIENT_BACK_OFF = BackOff(free_failures=20)
_HOUSEKEEPING_EVERY = 256  # failures between sweeps of keys quiet for a day


class LoginThrottled(ApiError):
    """Too many failed sign-ins: 429 ``auth.throttled`` with ``Retry-After`` (whole seconds)."""

    def __init__(self, wait_seconds: float) -> None:
        self.retry_after = max(1, math.ceil(wait_seconds))
        super().__init__(
            ErrorCode.LOGIN_THROTTLED,
            f"too many failed sign-ins: try again in {self.retry_after} s",
            f"登录失败次数过多，请 {self.retry_after} 秒后再试",
            headers={"Retry-After": str(self.retry_after)})


@dataclass(frozen=True, slots=True)
class ThrottleKeys:
    """The keys one attempt counts against (``client`` is None when the peer is unknown)."""

    username: str
    account: str
    client: str | None
    client_tag: str | None

    @property
    def all(self) -> list[str]:
        return [self.account] if self.client is None else [self.account, self.client]


class ThrottleStore(Protocol):
    """Where failure counts live."""

    def states(self, keys: ThrottleKeys, now: datetime) -> dict[str, KeyState]: ...

    def refused(self, keys: ThrottleKeys, states: dict[str, KeyState], now: datetime) -> None: ...

    def failed(self, keys: ThrottleKeys, now: datetime) -> list[FailureRecorded]: ...

    def succeeded(self, keys: ThrottleKeys, now: datetime) -> None: ...


def _back_off(key: str) -> BackOff:
    return CLIENT_BACK_OFF if key.startswith("client:") else ACCOUNT_BACK_OFF


class SqlThrottleStore:
    """Counts in the ``login_throttle`` table; every event is a row of the audit chain."""

    def __init__(self, db: Callable[[], Database]) -> None:
        self._db = db
        self._failures = 0
        self._lock = threading.Lock()

    def states(self, keys: ThrottleKeys, now: datetime) -> dict[str, KeyState]:
        with self._db().transaction(read_only=True) as session:
            account = key_states(session, [keys.account], now, ACCOUNT_BACK_OFF)
            client = ({} if keys.client is None
                      else key_states(session, [keys.client], now, CLIENT_BACK_OFF))
        return {**account, **client}

    def refused(self, keys: ThrottleKeys, states: dict[str, KeyState], now: datetime) -> None:
        with self._db().transaction() as session:
            for key, state in states.items():
                if state.wait_seconds > 0:
                    self._audit(session, AuditAction.LOGIN_THROTTLED, keys, key, now,
                                failures=state.failures, wait_s=math.ceil(state.wait_seconds))

    def failed(self, keys: ThrottleKeys, now: datetime) -> list[FailureRecorded]:
        with self._lock:
            self._failures += 1
            sweep = self._failures % _HOUSEKEEPING_EVERY == 0
        with self._db().transaction() as session:
            recorded = [record_failure(session, key, now, _back_off(key)) for key in keys.all]
            for event in recorded:
                if event.lock_seconds:
                    self._audit(session, AuditAction.LOGIN_LOCKED, keys, event.key, now,
                                failures=event.failures, lock_s=math.ceil(event.lock_seconds))
            if sweep:
                forget_quiet(session, now, ACCOUNT_BACK_OFF)
        return recorded

    def succeeded(self, keys: ThrottleKeys, now: datetime) -> None:
        with self._db().transaction() as session:
            failures = clear_failures(session, keys.account)
            if failures:
                self._audit(session, AuditAction.LOGIN_UNLOCKED, keys, keys.account, now,
                            failures=failures)

    @staticmethod
    def _audit(session: Session, action: AuditAction, keys: ThrottleKeys, key: str,
               now: datetime, **facts: int) -> None:
        if key == keys.account:
            # The account's id when it exists; a name that is no account is not written down
            # (people type passwords into the name field).
            account = find_account(session, keys.username)
            subject_type, subject_id = "account", "-" if account is None else str(account.id)
            scope = "account"
        else:
            subject_type, subject_id, scope = "client", keys.client_tag or "-", "client"
        details: dict[str, object] = {"scope": scope, **facts}
        if keys.client_tag:
            details["client"] = keys.client_tag
        append_audit(session, action, actor_id=None, subject_type=subject_type,
                     subject_id=subject_id, details=details, at=now)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class LoginGuard:
    """Checks a password against ``users`` unless the account or the client is locked.
    ``clock`` is a public attribute so tests can move time instead of sleeping."""

    def __init__(self, users: UserSource, store: ThrottleStore, tagger: ClientTagger,
                 clock: Callable[[], datetime] = _utcnow) -> None:
        self.users = users
        self.store = store
        self.tagger = tagger
        self.clock = clock

    def keys(self, username: str, client_address: str | None, now: datetime) -> ThrottleKeys:
        tag = self.tagger.tag(client_address, now)
        return ThrottleKeys(username, f"account:{username}",
                            None if tag is None else f"client:{tag}", tag)

    def sign_in(self, username: str, password: str, client_address: str | None
                ) -> Principal | None:
        """The principal, or None for a wrong name or password. Raises
        :class:`LoginThrottled` while the account or the client is locked, without checking
        the password."""
        now = self.clock()
        keys = self.keys(username, client_address, now)
        states = self.store.states(keys, now)
        locked = {key: state for key, state in states.items() if state.wait_seconds > 0}
        if locked:
            self.store.refused(keys, locked, now)
            log.info("sign-in refused: %s locked", ", ".join(k.split(":")[0] for k in locked))
            raise LoginThrottled(max(state.wait_seconds for state in locked.values()))
        principal = self.users.authenticate(username, password)
        now = self.clock()
        if principal is None:
            for event in self.store.failed(keys, now):
                if event.lock_seconds:
                    log.info("sign-in failures: %s locked for %.0f s after %d",
                             event.key.split(":")[0], event.lock_seconds, event.failures)
            return None
        if keys.account in states:
            self.store.succeeded(keys, now)
        return principal

