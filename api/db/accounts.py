"""Accounts: create one (with its audit entry), find one, check a password.

Login names are ASCII (letters, digits, ``._-``), so they can appear in URLs and logs are still
kept to account ids.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.db.audit import AuditAction, append_audit
from api.db.errors import AccountExistsError, AccountInvalidError
from api.db.models import Account
from api.db.passwords import hash_password, needs_rehash, verify_password
from api.db.sessions import revoke_account_sessions
from api.db.states import Role

log = logging.getLogger(__name__)

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verifying against this keeps a failed login as slow for unknown names as for known."""
    return hash_password("zhengzhao-no-such-account")


def create_account(session: Session, username: str, role: Role, password: str,
                   *, actor_id: int | None = None) -> Account:
    """A new account, flushed (so it has an id) in the caller's transaction."""
    if not USERNAME_PATTERN.fullmatch(username):
        raise AccountInvalidError(
            "a login name is 1-64 ASCII letters, digits, '.', '_' or '-', starting with a "
            "letter or digit", "账号名须为 1–64 个英文字母、数字或 . _ -，以字母或数字开头")
    _check_password(password)
    if find_account(session, username) is not None:
        raise AccountExistsError()
    account = Account(username=username, role=role, password_hash=hash_password(password),
                      active=True)
    try:
        with session.begin_nested():
            session.add(account)
    except IntegrityError:
        raise AccountExistsError() from None
    append_audit(session, AuditAction.ACCOUNT_CREATED, actor_id=actor_id,
                 subject_type="account", subject_id=str(account.id),
                 details={"role": role.value})
    log.info("account %s created with role %s", account.id, role.value)
    return account


def find_account(session: Session, username: str) -> Account | None:
    return session.scalar(select(Account).where(Account.username == username))


def authenticate(session: Session, username: str, password: str) -> Account | None:
    """The active account with that name and password, else None. Upgrades an old hash.

    This checks the password inside the caller's transaction; the service signs in with
    :func:`password_record`, :func:`check_password` and :func:`upgrade_password_hash` instead,
    so that no transaction is open during the (deliberately slow) argon2 check."""
    account = find_account(session, username)
    record = None if account is None else _record_of(account)
    if not check_password(record, password):
        return None
    assert account is not None
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    return account


@dataclass(frozen=True, slots=True)
class PasswordRecord:
    """What signing in needs from an account row, read in a short read-only transaction."""

    account_id: int
    username: str
    role: Role
    active: bool
    password_hash: str


def _record_of(account: Account) -> PasswordRecord:
    return PasswordRecord(account.id, account.username, account.role, account.active,
                          account.password_hash)


def password_record(session: Session, username: str) -> PasswordRecord | None:
    """The account named ``username`` as a detached :class:`PasswordRecord` (None: no such
    name). Check the password after the transaction ends, with :func:`check_password`."""
    account = find_account(session, username)
    return None if account is None else _record_of(account)


def check_password(record: PasswordRecord | None, password: str) -> bool:
    """Whether ``record`` is an active account and ``password`` is its password. Call it with
    no transaction open: argon2 takes tens of milliseconds and 64 MiB on purpose. An unknown
    or inactive account is checked against a dummy hash, so it takes as long."""
    if record is None or not record.active:
        verify_password(_dummy_hash(), password)
        return False
    return verify_password(record.password_hash, password)


def upgrade_password_hash(session: Session, record: PasswordRecord, new_hash: str) -> bool:
    """Store ``new_hash`` (made with :func:`api.db.passwords.hash_password` *before* the
    caller's short writing transaction began: hashing is the slow part) in place of
    ``record``'s weaker hash, only if the stored hash is still the one that was checked (a
    password changed meanwhile is kept). Whether the hash was replaced."""
    result = session.execute(
        update(Account).where(Account.id == record.account_id,
                              Account.password_hash == record.password_hash)
        .values(password_hash=new_hash).execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))


def _check_password(password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise AccountInvalidError(
            f"a password has {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters",
            f"密码长度须为 {MIN_PASSWORD_LENGTH}–{MAX_PASSWORD_LENGTH} 个字符")


def change_password(session: Session, account: Account, password: str,
                    *, actor_id: int | None = None) -> int:
    """Set a new password and revoke every session of the account (a stolen token or cookie
    stops working with the old password). Returns how many sessions were revoked."""
    _check_password(password)
    account.password_hash = hash_password(password)
    revoked = revoke_account_sessions(session, account.id)
    append_audit(session, AuditAction.PASSWORD_CHANGED, actor_id=actor_id,
                 subject_type="account", subject_id=str(account.id),
                 details={"sessions_revoked": revoked})
    log.info("account %s password changed, %d session(s) revoked", account.id, revoked)
    return revoked


def deactivate_account(session: Session, account: Account, *, actor_id: int | None = None
                       ) -> int:
    """Deactivate the account and revoke all its sessions; how many were revoked."""
    account.active = False
    revoked = revoke_account_sessions(session, account.id)
    append_audit(session, AuditAction.ACCOUNT_DEACTIVATED, actor_id=actor_id,
                 subject_type="account", subject_id=str(account.id),
                 details={"sessions_revoked": revoked})
    log.info("account %s deactivated, %d session(s) revoked", account.id, revoked)
    return revoked
