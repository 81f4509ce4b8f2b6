"""Zero-original with an OFD (issue 15, item 4): an applicant hands in another office's sealed
OFD 营业执照 (GB/T 38540 seal, SM2) as the ``licence`` material of a legal-representative change.
The job verifies it through the bounded OFD reader, never OCRs it, and its facts fill the
fields once the admin has imported that office's trust folder (which carries its SM2 root).
The same OFD with one page byte changed, an OFD from an office nobody imported, and a zip that
is no OFD give no fields; a truncated zip and a zip for a material that is no e-licence are
refused at upload."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import trust_offices as offices  # tests/unit/elicense/trust_offices.py (tests/conftest.py)
from fastapi.testclient import TestClient
from huey import MemoryHuey

from api.app import create_app
from api.db import Role, SqlLicenceRegistry, create_account, create_db, upgrade
from api.jobs import JobContext, create_jobs
from api.service_api import ServiceContext
from api.storage import FileStore
from api.users_db import DbUsers
from core import Settings
from elicense import licence_ofd, load_templates, seal_licence_ofd
from elicense.seal import Seal
from signing import read_ofd, write_ofd

ROOT = Path(__file__).resolve().parents[3]
USCC, COMPANY, REPRESENTATIVE = "91610113MA26Y1127U", "西安德润建筑工程有限公司", "段海"
PASSWORD = "correct horse battery"
USERS = {"alice": Role.APPLICANT, "dave": Role.ADMIN}


def _sealed_ofd(office: Any, now: datetime) -> bytes:
    issued = office.issue_company(now - timedelta(minutes=5), uscc=USCC, holder=COMPANY,
                                  representative=REPRESENTATIVE)
    template = load_templates().get(issued.licence.type_code)
    ofd, placement = licence_ofd(issued, template, photo=None, draw_seal=False)
    return seal_licence_ofd(ofd, placement, Seal(issued.licence.issuer), office.store,
                            now - timedelta(minutes=4))


def _edited(ofd: bytes) -> bytes:
    """The same package with one character of the page's content changed (a digest no longer
    matches its Reference)."""
    files = dict(read_ofd(ofd).files)
    page = next(name for name in files if name.endswith("Content.xml"))
    files[page] = files[page].replace(COMPANY.encode(), "西安德润建筑工程有限分司".encode(), 1)
    assert files[page] != read_ofd(ofd).files[page]
    return write_ofd(files)


@pytest.fixture()
def office_app(tmp_path: Path, reader: Any) -> Any:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data",
                        database_url=f"sqlite:///{tmp_path / 'office.db'}",
                        verify_rate_per_minute=10_000)
    upgrade(settings)
    db = create_db(settings)
    with db.transaction() as session:
        for name, role in USERS.items():
            create_account(session, name, role, PASSWORD)
    jobs = create_jobs(settings, huey=MemoryHuey("elicence-ofd", immediate=True),
                       context=JobContext(settings, db, FileStore(settings.resolved_storage_dir),
                                          reader_factory=lambda _settings: reader))
    app = create_app(settings, users=DbUsers(db), registry=SqlLicenceRegistry(db),
                     service=ServiceContext(settings, db=db, jobs=jobs))
    yield app
    db.dispose()


def _login(client: TestClient, name: str) -> dict[str, str]:
    token = client.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def _licence_material(client: TestClient, headers: dict[str, str], data: bytes,
                      material: str = "licence") -> tuple[int, dict[str, Any]]:
    created = client.post("/api/v1/applications",
                          json={"service_id": "legal-representative-change"}, headers=headers)
    assert created.status_code == 201, created.text
    app_id = created.json()["id"]
    response = client.post(f"/api/v1/applications/{app_id}/materials/{material}",
                           files={"file": ("licence.ofd", data)}, headers=headers)
    if response.status_code != 201:
        return response.status_code, response.json()
    body = client.get(f"/api/v1/applications/{app_id}", headers=headers).json()
    return 201, next(m for m in body["materials"] if m["material_type"] == material)


def test_a_sealed_ofd_licence_is_verified_and_fills_the_fields(office_app: Any,
                                                                tmp_path: Path) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    other = offices.Office(tmp_path / "other", *offices.OTHER, now - timedelta(days=1))
    ofd = _sealed_ofd(other, now)
    assert other.store.has_sm2()
    with TestClient(office_app) as client:
        alice, dave = _login(client, "alice"), _login(client, "dave")
        # Before the import nobody vouches for the seal: no fields.
        status, before = _licence_material(client, alice, ofd)
        assert status == 201 and before["elicence"]["verified"] is False
        assert before["elicence"]["code"] == "licence.untrusted_issuer"
        assert not before["fields"]
        imported = client.post("/api/v1/admin/trust", headers=dave, files={
            "file": ("other.zip", offices.zipped(other.published, "published/"))})
        assert imported.status_code == 201, imported.text

        status, licence = _licence_material(client, alice, ofd)
        assert status == 201
        summary = licence["elicence"]
        assert summary["code"] == "licence.verified" and summary["verified"] is True
        assert summary["issuer_code"] == offices.OTHER[0]
        assert licence["fields"]["uscc"] == {"value": USCC, "confidence": 1.0,
                                             "source": "elicence"}
        assert licence["fields"]["legal_representative"]["value"] == REPRESENTATIVE

        status, edited = _licence_material(client, alice, _edited(ofd))
        assert status == 201 and edited["elicence"]["verified"] is False
        assert edited["elicence"]["code"] == "licence.forged" and not edited["fields"]

        not_ofd = io.BytesIO()
        with zipfile.ZipFile(not_ofd, "w") as archive:
            archive.writestr("readme.txt", "not an OFD")
        status, junk = _licence_material(client, alice, not_ofd.getvalue())
        assert status == 201 and junk["elicence"]["verified"] is False and not junk["fields"]

        status, cut = _licence_material(client, alice, ofd[: len(ofd) // 2])
        assert status == 422 and cut["code"] == "input.truncated"
        # The ID card slot takes images and PDFs only: a zip is no ID card.
        status, wrong = _licence_material(client, alice, ofd, material="id_front")
        assert status == 415 and wrong["code"] == "input.unsupported_type"
