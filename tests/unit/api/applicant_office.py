"""An office for the applicant route and page tests of issue 5's "findings right away": the app
over a real database (SQLite or PostgreSQL, see ``office_db``), jobs run inline by an
immediate huey with the real OCR reader (counted, so a test can see what ran when) and the real
portrait analyzer, validating as of a day before the sample card's validity (so nothing is
approved instantly). Besides the bundled services it knows ``visa-photo``: one photo on the
``us-visa`` profile, the profile a real portrait fixture passes once auto-fixed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from huey import MemoryHuey
from sqlalchemy import func, select

from api.app import create_app
from api.db import (
    AuditEntry,
    Database,
    Material,
    PhotoCheck,
    Role,
    SqlLicenceRegistry,
    create_account,
    create_db,
    upgrade,
)
from api.jobs import JobContext, Jobs, create_jobs
from api.service_api import ServiceContext
from api.storage import FileStore
from api.users_db import DbUsers
from core import Settings

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "samples" / "documents"
MATERIALS = {"id_front": "0000_id_card_front_clean.jpg", "id_back": "0001_id_card_back_clean.jpg",
             "form": "0003_form_clean.pdf"}
ID_NUMBER = "320102199108294666"  # what the sample card reads
BEFORE_CARD_VALIDITY = date(2019, 1, 1)
PASSWORD = "correct horse battery"
USERS = {"alice": Role.APPLICANT, "bob": Role.APPLICANT, "carol": Role.CLERK}
VISA_SERVICE = """\
id: visa-photo
name: 签证相片
name_en: Visa photo
materials:
  - {id: photo, kind: photo, name: 签证相片, name_en: Visa photo, profile: us-visa}
"""


class CountingReader:
    """The real OCR reader, counting its reads (a witness, not a stand-in)."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.reads = 0

    def read_bytes(self, data: bytes, name: str) -> Any:
        self.reads += 1
        return self.reader.read_bytes(data, name)


@dataclass
class Office:
    settings: Settings
    db: Database
    store: FileStore
    jobs: Jobs
    reader: CountingReader
    client: TestClient

    def token(self, name: str) -> dict[str, str]:
        response = self.client.post("/api/v1/auth/token",
                                    data={"username": name, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def new_application(self, headers: dict[str, str], service: str = "id-card-renewal") -> int:
        response = self.client.post("/api/v1/applications", json={"service_id": service},
                                    headers=headers)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    def upload(self, headers: dict[str, str], app_id: int, material: str, data: bytes,
               name: str = "scan.jpg") -> Any:
        return self.client.post(f"/api/v1/applications/{app_id}/materials/{material}",
                                files={"file": (name, data)}, headers=headers)

    def audit(self) -> list[AuditEntry]:
        with self.db.transaction(read_only=True) as session:
            rows = list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
            session.expunge_all()
            return rows

    def count(self, model: Any) -> int:
        with self.db.transaction(read_only=True) as session:
            return session.scalar(select(func.count()).select_from(model)) or 0

    def offer_fixed_photo(self, material_id: int) -> bytes:
        """Fix the material's photo with ``verify.photo.fix_photo`` (the real auto-fix, with
        the jobs' analyzer), store it and record it on the material's check, as the photo job
        does when the fixed photo passes; returns the fixed bytes."""
        from verify.photo import decode_photo, fix_photo, get_profile  # noqa: PLC0415

        with self.db.transaction() as session:
            material = session.get(Material, material_id)
            assert material is not None
            check = session.scalars(select(PhotoCheck).where(
                PhotoCheck.material_id == material_id).order_by(PhotoCheck.id.desc())
                .limit(1)).one()
            profile = get_profile(check.profile)
            fixed = fix_photo(decode_photo(self.store.get(material.sha256)), profile,
                              self.jobs.context.analyzer)
            check.fixed_sha256 = self.store.put(fixed.data)
            assert check.fixed_sha256 == hashlib.sha256(fixed.data).hexdigest()
        return fixed.data


def build_office(directory: Path, url: str, reader: Any, name: str, **settings_overrides: Any
                 ) -> Iterator[Office]:
    """The office over the database at ``url`` (migrated here), closed afterwards."""
    services = directory / "services"
    services.mkdir()
    (services / "visa-photo.yaml").write_text(VISA_SERVICE, "utf-8")
    settings = Settings(_env_file=None, data_dir=directory, database_url=url,
                        services_dir=services, verify_rate_per_minute=10_000,
                        **settings_overrides)
    upgrade(settings)
    db = create_db(settings)
    with db.transaction() as session:
        for user, role in USERS.items():
            create_account(session, user, role, PASSWORD)
    counting = CountingReader(reader)
    store = FileStore(settings.resolved_storage_dir)
    jobs = create_jobs(settings, huey=MemoryHuey(name, immediate=True),
                       context=JobContext(settings, db, store,
                                          reader_factory=lambda _settings: counting,
                                          today=lambda: BEFORE_CARD_VALIDITY))
    app = create_app(settings, users=DbUsers(db), registry=SqlLicenceRegistry(db),
                     service=ServiceContext(settings, db=db, store=store, jobs=jobs))
    try:
        with TestClient(app) as client:
            yield Office(settings, db, store, jobs, counting, client)
    finally:
        jobs.close()
