"""秒批 binds an identity (issue 11, finding 6), replayed through the API with the real OCR
reader: two accounts upload the same person's ID card and form for 居民身份证换领 (a service that
approves instantly). Before the fix both were issued that person's licence. Now neither, unbound,
is approved instantly: both go to a clerk with ``instant.holder_unbound``. An admin binds the
first to the holder (the number checked, only its masked form audited) and its next application
is issued; the second, bound to someone else, gets ``instant.holder_mismatch``; the first
applying again while its licence is live gets ``instant.duplicate_licence``. One licence for
the holder in the end."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from huey import MemoryHuey
from office_db import BACKENDS, office_database_url  # a sibling module
from sqlalchemy import select

from api.app import create_app
from api.db import (
    Account,
    AuditAction,
    AuditEntry,
    LicenceRecord,
    Role,
    SqlLicenceRegistry,
    create_account,
    create_db,
    upgrade,
)
from api.jobs import JobContext, create_jobs
from api.service_api import ServiceContext
from api.storage import FileStore
from api.users_db import DbUsers
from core import Settings

DOCS = Path(__file__).resolve().parents[3] / "samples" / "documents"
MATERIALS = {"id_front": "0000_id_card_front_clean.jpg", "id_back": "0001_id_card_back_clean.jpg",
             "form": "0003_form_clean.pdf"}
HOLDER = "320102199108294666"  # the sample card's number (0000_id_card_front_clean.json)
SOMEONE_ELSE = "11010519491231002X"  # a valid number of another person
SAMPLE_DAY = date(2025, 6, 30)
PASSWORD = "correct horse battery"
USERS = {"alice": Role.APPLICANT, "bob": Role.APPLICANT, "carol": Role.CLERK, "dave": Role.ADMIN}


class _SameReadingOnce:
    """The real reader, asked once per distinct file: the same bytes read the same, and the
    test uploads the same three files many times (identity is what is tested, not OCR)."""

    def __init__(self, reader: Any) -> None:
        self.reader, self.seen = reader, {}

    def read_bytes(self, data: bytes, filename: str, *args: Any, **kwargs: Any) -> Any:
        key = hashlib.sha256(data).hexdigest()
        if key not in self.seen:
            self.seen[key] = self.reader.read_bytes(data, filename, *args, **kwargs)
        return self.seen[key]


@pytest.fixture(params=BACKENDS)
def office(request: pytest.FixtureRequest, tmp_path: Path, reader: Any
           ) -> Iterator[tuple[TestClient, Any]]:
    with office_database_url(request.param, tmp_path) as url:
        settings = Settings(_env_file=None, data_dir=tmp_path, database_url=url,
                            verify_rate_per_minute=10_000)
        upgrade(settings)
        db = create_db(settings)
        with db.transaction() as session:
            for name, role in USERS.items():
                create_account(session, name, role, PASSWORD)
        once = _SameReadingOnce(reader)
        jobs = create_jobs(settings, huey=MemoryHuey("identity", immediate=True),
                           context=JobContext(settings, db,
                                              FileStore(settings.resolved_storage_dir),
                                              reader_factory=lambda _settings: once,
                                              today=lambda: SAMPLE_DAY))
        app = create_app(settings, users=DbUsers(db), registry=SqlLicenceRegistry(db),
                         service=ServiceContext(settings, db=db, jobs=jobs))
        with TestClient(app) as client:
            yield client, db
        jobs.close()
        db.dispose()


def _login(client: TestClient) -> Callable[[str], dict[str, str]]:
    def login(name: str) -> dict[str, str]:
        token = client.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD})
        assert token.status_code == 200, token.text
        return {"Authorization": f"Bearer {token.json()['access_token']}"}
    return login


def _apply(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    """Apply for 居民身份证换领 with the sample card and form; the jobs run at once."""
    app_id = client.post("/api/v1/applications", json={"service_id": "id-card-renewal"},
                         headers=headers).json()["id"]
    for material, name in MATERIALS.items():
        response = client.post(f"/api/v1/applications/{app_id}/materials/{material}",
                               files={"file": (name, (DOCS / name).read_bytes())},
                               headers=headers)
        assert response.status_code == 201, response.text
    submitted = client.post(f"/api/v1/applications/{app_id}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.text
    return submitted.json()


def _instant_code(application: dict[str, Any]) -> str | None:
    instant = (application.get("validation") or {}).get("instant")
    return None if instant is None else instant["code"]


def test_instant_approval_issues_only_to_the_bound_holder_once(
        office: tuple[TestClient, Any]) -> None:
    client, db = office
    login = _login(client)
    alice, bob, carol, dave = (login(n) for n in USERS)

    # The attack: both accounts hand in the same person's card and form. Neither is bound.
    for who in (alice, bob):
        application = _apply(client, who)
        assert application["state"] == "needs_review", application["state"]
        assert application["validation"]["auto_approvable"] is True  # the rules all pass
        assert _instant_code(application) == "instant.holder_unbound"
        instant = application["validation"]["instant"]
        assert instant["message_zh"] and instant["message_en"]
        # The clerk sees why too.
        seen = client.get(f"/api/v1/review/applications/{application['id']}", headers=carol)
        assert seen.status_code == 200
        assert _instant_code(seen.json()) == "instant.holder_unbound"
    queue = client.get("/api/v1/review/queue", headers=carol).json()
    assert len(queue) == 2

    # An admin binds alice; a number that fails its check character is refused.
    bad = client.put("/api/v1/admin/accounts/alice/holder",
                     json={"id_number": HOLDER[:-1] + "7"}, headers=dave)
    assert bad.status_code == 422 and bad.json()["code"] == "holder.id_invalid"
    bound = client.put("/api/v1/admin/accounts/alice/holder",
                       json={"id_number": HOLDER}, headers=dave)
    assert bound.status_code == 200, bound.text
    assert bound.json()["holder_id_masked"] == "3****************6"
    assert bound.json()["bound_via"] == "admin"
    # The same holder cannot be bound to bob as well; bob is bound to his own number.
    twice = client.put("/api/v1/admin/accounts/bob/holder", json={"id_number": HOLDER},
                       headers=dave)
    assert twice.status_code == 409
    assert client.put("/api/v1/admin/accounts/bob/holder", json={"id_number": SOMEONE_ELSE},
                      headers=dave).status_code == 200
    assert client.put("/api/v1/admin/accounts/nobody/holder", json={"id_number": HOLDER},
                      headers=dave).status_code == 404

    issued = _apply(client, alice)
    assert issued["state"] == "issued", issued.get("validation")
    assert _instant_code(issued) is None
    mismatch = _apply(client, bob)
    assert mismatch["state"] == "needs_review"
    assert _instant_code(mismatch) == "instant.holder_mismatch"
    duplicate = _apply(client, alice)
    assert duplicate["state"] == "needs_review"
    assert _instant_code(duplicate) == "instant.duplicate_licence"

    with db.transaction(read_only=True) as session:
        licences = session.scalars(select(LicenceRecord)).all()
        assert len(licences) == 1
        assert licences[0].holder_id_sha256 == hashlib.sha256(HOLDER.encode()).hexdigest()
        account = session.scalars(select(Account).where(Account.username == "alice")).one()
        assert account.holder_id_sha256 == licences[0].holder_id_sha256
        bindings = session.scalars(select(AuditEntry).where(
            AuditEntry.action == AuditAction.HOLDER_BOUND.value)).all()
        assert len(bindings) == 2
        # The audit log keeps the masked number only, never the number.
        everything = " ".join(row.details for row in session.scalars(select(AuditEntry)))
        assert HOLDER not in everything and SOMEONE_ELSE not in everything
        assert "3****************6" in everything
