"""秒批 (instant approval): a clean application of a service that allows it, by the account bound
to the card's holder, is approved and its licence issued by the validation job, with no clerk;
the audit log says so, and the licence the applicant downloads verifies."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from huey import MemoryHuey
from office_db import BACKENDS, office_database_url  # a sibling module

from api.app import create_app
from api.db import Role, SqlLicenceRegistry, create_account, create_db, upgrade
from api.jobs import JobContext, create_jobs
from api.service_api import ServiceContext
from api.storage import FileStore
from api.users_db import DbUsers
from core import Settings
from elicense import load_trust, verify_licence_pdf

DOCS = Path(__file__).resolve().parents[3] / "samples" / "documents"
MATERIALS = {"id_front": "0000_id_card_front_clean.jpg", "id_back": "0001_id_card_back_clean.jpg",
             "form": "0003_form_clean.pdf"}
SAMPLE_DAY = date(2025, 6, 30)  # the generator's reference date: the sample card is valid
PASSWORD = "correct horse battery"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_clean_application_is_issued_without_a_clerk(backend: str, tmp_path: Path,
                                                       reader: Any) -> None:
    with office_database_url(backend, tmp_path) as url:
        _issue_without_a_clerk(tmp_path, url, reader)


def _issue_without_a_clerk(tmp_path: Path, url: str, reader: Any) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, database_url=url,
                        verify_rate_per_minute=10_000)
    upgrade(settings)
    db = create_db(settings)
    with db.transaction() as session:
        create_account(session, "alice", Role.APPLICANT, PASSWORD)
        create_account(session, "dave", Role.ADMIN, PASSWORD)
    jobs = create_jobs(settings, huey=MemoryHuey("instant", immediate=True),
                       context=JobContext(settings, db, FileStore(settings.resolved_storage_dir),
                                          reader_factory=lambda _settings: reader,
                                          today=lambda: SAMPLE_DAY))
    app = create_app(settings, users=DbUsers(db), registry=SqlLicenceRegistry(db),
                     service=ServiceContext(settings, db=db, jobs=jobs))
    with TestClient(app) as client:
        def login(name: str) -> dict[str, str]:
            token = client.post("/api/v1/auth/token",
                                data={"username": name, "password": PASSWORD})
            return {"Authorization": f"Bearer {token.json()['access_token']}"}

        alice, dave = login("alice"), login("dave")
        # 秒批 issues only to the holder's own account: an admin binds alice to the card's number.
        bound = client.put("/api/v1/admin/accounts/alice/holder",
                           json={"id_number": "320102199108294666"}, headers=dave)
        assert bound.status_code == 200, bound.text
        app_id = client.post("/api/v1/applications", json={"service_id": "id-card-renewal"},
                             headers=alice).json()["id"]
        for material, name in MATERIALS.items():
            response = client.post(f"/api/v1/applications/{app_id}/materials/{material}",
                                   files={"file": (name, (DOCS / name).read_bytes())},
                                   headers=alice)
            assert response.status_code == 201, response.text
        submitted = client.post(f"/api/v1/applications/{app_id}/submit", headers=alice)
        assert submitted.status_code == 200, submitted.text
        assert submitted.json()["state"] == "issued", submitted.json().get("validation")
        pdf = client.get(f"/api/v1/applications/{app_id}/licence.pdf", headers=alice)
        assert pdf.status_code == 200
        assert verify_licence_pdf(pdf.content, load_trust(tmp_path / "published")).passed
        audit = client.get("/api/v1/admin/audit", params={"limit": 1000}, headers=dave).json()
        assert client.get("/api/v1/admin/audit/verify", headers=dave).json()["intact"] is True
    reasons = [str(row) for row in (audit["entries"] if isinstance(audit, dict) else audit)]
    assert any("validation:auto_approved" in r for r in reasons)
    assert any("licence.issued" in r or "licence_issued" in r for r in reasons)
    db.dispose()
