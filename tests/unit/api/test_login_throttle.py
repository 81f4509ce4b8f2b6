"""Sign-ins under attack (issue 11, finding 4), through the real app on a real SQLite file:
the password is checked with no write transaction open, so 50 concurrent wrong guesses give no
500 and a legitimate write gets through; guesses against one account, or from one client
across many names, are throttled with exponential back-off (429 ``auth.throttled`` with
``Retry-After``) before any password is checked; a success clears the account's count; every
throttle event is audited without the password. Time is moved with an injected clock, never
slept through."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update
from web_forms import csrf_token_of  # a sibling module

from api.app import create_app
from api.db import (
    Account,
    AuditAction,
    AuditEntry,
    Database,
    Role,
    audit_head,
    create_account,
    create_db,
    upgrade,
    verify_chain,
)
from api.db.models import LoginThrottle
from api.db.passwords import needs_rehash
from api.service_api import ServiceContext
from core import Settings

PASSWORD = "correct horse battery"
WRONG = "wrong horse battery!"
USERS = {"alice": Role.APPLICANT, "bob": Role.APPLICANT, "slow": Role.APPLICANT}
T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


class NoJobs:
    """Nothing here submits; the service context only needs a dispatcher to exist."""

    def submit(self, application_id: int) -> None:  # pragma: no cover - never submitted
        raise AssertionError("no submissions in these tests")

    def material_added(self, material_id: int) -> None:  # pragma: no cover
        raise AssertionError("no uploads in these tests")


class Clock:
    """The login guard's clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Office:
    settings: Settings
    db: Database
    db_file: Path
    client: TestClient
    since: int = 0  # audit rows of the running test have a higher seq

    def token(self, name: str, password: str = PASSWORD, client: TestClient | None = None
              ) -> Any:
        return (client or self.client).post("/api/v1/auth/token",
                                            data={"username": name, "password": password})

    def audit(self, *actions: AuditAction) -> list[AuditEntry]:
        """This test's audit rows of ``actions``."""
        with self.db.transaction(read_only=True) as session:
            rows = list(session.scalars(select(AuditEntry).where(
                AuditEntry.action.in_([a.value for a in actions]),
                AuditEntry.seq > self.since).order_by(AuditEntry.seq)))
            session.expunge_all()
            return rows

    def account_id(self, name: str) -> int:
        with self.db.transaction(read_only=True) as session:
            account = session.scalars(select(Account).where(Account.username == name)).one()
            return account.id


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    directory = tmp_path_factory.mktemp("logins")
    db_file = directory / "zhengzhao.db"
    settings = Settings(_env_file=None, data_dir=directory, database_url=f"sqlite:///{db_file}",
                        verify_rate_per_minute=100_000)
    upgrade(settings)
    db = create_db(settings)
    with db.transaction() as session:
        for name, role in USERS.items():
            create_account(session, name, role, PASSWORD)
    app = create_app(settings, service=ServiceContext(settings, db=db, jobs=NoJobs()),
                     refresh_trust_on_startup=False)
    with TestClient(app) as client:
        yield Office(settings, db, db_file, client)
    db.dispose()


@pytest.fixture(autouse=True)
def fresh_counts(office: Office) -> Iterator[None]:
    """Each test starts with no failures on record and the real clock."""
    with office.db.transaction() as session:
        session.execute(delete(LoginThrottle))
        office.since = audit_head(session)[0]
    guard = office.client.app.state.login_guard
    real = guard.clock
    yield
    guard.clock = real


def frozen_clock(office: Office) -> Clock:
    clock = Clock(T0)
    office.client.app.state.login_guard.clock = clock
    return clock


def test_fifty_concurrent_wrong_passwords_give_no_500_and_a_write_gets_through(
        office: Office) -> None:
    alice = {"Authorization": f"Bearer {office.token('alice').json()['access_token']}"}
    start = threading.Barrier(51)

    def guess(i: int) -> int:
        start.wait()
        # Half against one account, half against names that are no account.
        name = "bob" if i % 2 else f"nobody{i}"
        return office.token(name, WRONG).status_code

    def legitimate_write() -> Any:
        start.wait()
        time.sleep(0.05)  # in the middle of the guesses
        return office.client.post("/api/v1/applications", json={"service_id": "id-card-renewal"},
                                  headers=alice)

    with ThreadPoolExecutor(max_workers=51) as pool:
        write = pool.submit(legitimate_write)
        statuses = list(pool.map(guess, range(50)))
        created = write.result(timeout=120)
    assert created.status_code == 201, created.text
    assert set(statuses) <= {401, 429}, statuses
    assert len(statuses) == 50
    with office.db.transaction(read_only=True) as session:
        assert verify_chain(session).intact  # the audit rows of 50 writers form one chain


def test_no_write_lock_is_held_while_a_password_is_checked(office: Office) -> None:
    # A deliberately slow (and, by today's parameters, outdated) hash: its check takes about
    # a second, long enough to look at the database's write lock meanwhile.
    slow_hash = PasswordHasher(time_cost=30, memory_cost=65536, parallelism=1).hash(PASSWORD)
    with office.db.transaction() as session:
        session.execute(update(Account).where(Account.username == "slow")
                        .values(password_hash=slow_hash))
    for password, expected in ((WRONG, 401), (PASSWORD, 200)):
        result: dict[str, int] = {}
        login = threading.Thread(target=lambda p=password, r=result: r.update(
            status=office.token("slow", p).status_code))
        login.start()
        time.sleep(0.3)
        assert login.is_alive(), "the slow hash was checked too fast to observe the lock"
        # Another writer, not willing to wait at all: before the fix the login's transaction
        # held SQLite's write lock for the whole argon2 run ("database is locked").
        other = sqlite3.connect(office.db_file, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        finally:
            other.close()
        still_checking = login.is_alive()
        login.join(timeout=60)
        assert still_checking, "the lock was tested after the check had ended"
        assert result["status"] == expected
    with office.db.transaction(read_only=True) as session:
        stored = session.scalars(select(Account.password_hash)
                                 .where(Account.username == "slow")).one()
    # The outdated hash was upgraded after the successful sign-in, in a transaction of its own.
    assert stored != slow_hash and not needs_rehash(stored)


def test_guessing_one_account_is_throttled_before_the_password_is_checked(
        office: Office) -> None:
    clock = frozen_clock(office)
    statuses, retry_after, codes = [], set(), set()
    for _ in range(130):
        response = office.token("bob", WRONG)
        statuses.append(response.status_code)
        if response.status_code == 429:
            retry_after.add(response.headers["retry-after"])
            codes.add(response.json()["code"])
    # Five failures are free, the sixth locks the account for a second; the clock stands
    # still, so every later guess is refused unchecked.
    assert statuses[:6] == [401] * 6
    assert statuses[6:] == [429] * 124
    assert codes == {"auth.throttled"} and retry_after == {"1"}
    # The right password is refused while locked, and taken once the lock has passed.
    locked = office.token("bob", PASSWORD)
    assert locked.status_code == 429 and locked.headers["retry-after"] == "1"
    assert "access_token" not in locked.text
    clock.advance(1)
    assert office.token("bob", PASSWORD).status_code == 200
    # The success cleared the account's count: a mistake now is an ordinary 401.
    assert office.token("bob", WRONG).status_code == 401

    bob = office.account_id("bob")
    locks = office.audit(AuditAction.LOGIN_LOCKED)
    refusals = office.audit(AuditAction.LOGIN_THROTTLED)
    cleared = office.audit(AuditAction.LOGIN_UNLOCKED)
    assert [(r.subject_type, r.subject_id) for r in locks] == [("account", str(bob))]
    assert len(refusals) == 125 and {r.subject_id for r in refusals} == {str(bob)}
    assert [r.subject_id for r in cleared] == [str(bob)]
    for row in locks + refusals + cleared:
        assert PASSWORD not in row.details and WRONG not in row.details
        assert '"scope":"account"' in row.details and '"client":' in row.details


def test_the_lock_doubles_up_to_fifteen_minutes(office: Office) -> None:
    clock = frozen_clock(office)
    for _ in range(5):
        assert office.token("bob", WRONG).status_code == 401
    waits = []
    for _ in range(12):
        assert office.token("bob", WRONG).status_code == 401  # this failure sets the lock
        refused = office.token("bob", WRONG)
        assert refused.status_code == 429
        waits.append(int(refused.headers["retry-after"]))
        clock.advance(waits[-1])
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]


def test_an_unknown_name_is_throttled_like_an_account(office: Office) -> None:
    frozen_clock(office)
    statuses = [office.token("no-such-person", WRONG).status_code for _ in range(8)]
    assert statuses == [401] * 6 + [429] * 2  # no way to tell names that exist from others
    locks = office.audit(AuditAction.LOGIN_LOCKED)
    assert locks[-1].subject_id == "-" and "no-such-person" not in locks[-1].details


def test_one_client_guessing_across_many_names_is_throttled(office: Office) -> None:
    clock = frozen_clock(office)
    guesser = TestClient(office.client.app, client=("198.51.100.7", 40000))
    statuses = [office.token(f"user{i}", WRONG, guesser).status_code for i in range(25)]
    # Each name failed once, but the client failed 21 times: past its 20 free failures.
    assert statuses == [401] * 21 + [429] * 4
    # Even a right password from that client waits (nothing is checked while it is locked) ...
    refused = office.token("alice", PASSWORD, guesser)
    assert refused.status_code == 429 and refused.json()["code"] == "auth.throttled"
    # ... while another client signs alice in at once.
    assert office.token("alice", PASSWORD).status_code == 200
    clock.advance(int(refused.headers["retry-after"]))
    assert office.token("alice", PASSWORD, guesser).status_code == 200
    locks = [r for r in office.audit(AuditAction.LOGIN_LOCKED) if r.subject_type == "client"]
    assert locks and '"scope":"client"' in locks[-1].details


def test_the_login_form_is_throttled_too(office: Office) -> None:
    clock = frozen_clock(office)
    browser = TestClient(office.client.app)

    def post(password: str) -> Any:
        return browser.post("/login", data={"username": "bob", "password": password,
                                            "csrf_token": csrf_token_of(browser)},
                            follow_redirects=False)

    assert [post(WRONG).status_code for _ in range(6)] == [401] * 6
    page = post(PASSWORD)
    assert page.status_code == 429 and page.headers["retry-after"] == "1"
    assert 'data-code="auth.throttled"' in page.text and "登录失败次数过多" in page.text
    assert "zz_session" not in page.headers.get("set-cookie", "")
    clock.advance(1)
    signed_in = post(PASSWORD)
    assert signed_in.status_code == 303 and "zz_session=" in signed_in.headers["set-cookie"]
