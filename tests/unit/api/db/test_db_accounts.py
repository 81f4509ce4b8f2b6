"""Accounts: argon2id hashes, unique names, authentication, and the audit entry."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.db import (
    Account,
    AccountExistsError,
    AccountInvalidError,
    AuditEntry,
    Role,
    authenticate,
    create_account,
    hash_password,
    verify_password,
)
from core import ErrorCode


def test_password_hashes_are_salted_argon2id() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first.startswith("$argon2id$") and first != second
    assert verify_password(first, "correct horse")
    assert not verify_password(first, "correct horsE")
    assert not verify_password("not a hash", "correct horse")


def test_create_and_authenticate(db) -> None:
    with db.transaction() as session:
        account = create_account(session, "clerk.wang", Role.CLERK, "s3cret-pass")
        account_id = account.id
    with db.transaction() as session:
        stored = session.get(Account, account_id)
        assert stored.role is Role.CLERK and stored.active
        assert "s3cret-pass" not in stored.password_hash
        assert authenticate(session, "clerk.wang", "s3cret-pass").id == account_id
        assert authenticate(session, "clerk.wang", "wrong-pass") is None
        assert authenticate(session, "nobody", "s3cret-pass") is None
        stored.active = False
    with db.transaction() as session:
        assert authenticate(session, "clerk.wang", "s3cret-pass") is None


def test_a_duplicate_name_is_a_conflict(db) -> None:
    with db.transaction() as session:
        create_account(session, "a", Role.APPLICANT, "password-1")
    with db.transaction() as session, pytest.raises(AccountExistsError) as caught:
        create_account(session, "a", Role.ADMIN, "password-2")
    assert caught.value.code is ErrorCode.CONFLICT
    with db.transaction() as session:
        assert len(session.scalars(select(Account)).all()) == 1


@pytest.mark.parametrize(("name", "password"), [
    ("", "password-1"), ("../etc", "password-1"), ("a b", "password-1"), ("x" * 65, "password-1"),
    ("张三", "password-1"), ("ok", "short"),
])
def test_unusable_names_and_passwords_are_refused(db, name: str, password: str) -> None:
    with db.transaction() as session, pytest.raises(AccountInvalidError) as caught:
        create_account(session, name, Role.APPLICANT, password)
    assert caught.value.code is ErrorCode.VALIDATION_FAILED


def test_account_creation_is_audited_without_the_name(db) -> None:
    with db.transaction() as session:
        account = create_account(session, "admin.li", Role.ADMIN, "password-1", actor_id=None)
        account_id = account.id
    with db.transaction() as session:
        (row,) = session.scalars(select(AuditEntry)).all()
        assert (row.action, row.subject_id) == ("account.created", str(account_id))
        assert "admin.li" not in row.details and "admin" in row.details
