"""Fair jobs (issue 11, finding 7), replayed through the applicant API: one account uploads ten
PDFs of huge pages (200 x 200 inches, ten pages each) while the worker is busy. Before, all ten
were queued and each rendered up to 400 MP, starving the worker for everyone. Now the account's
queued PDF pixels are capped: the uploads past the cap get 429 ``jobs.quota_exceeded`` with
nothing written (no material row, no audit row, no stored file), as do uploads past the cap of
queued jobs; and what the worker renders of such a PDF stays within one pixel budget. Also:
clerks do not see drafts (finding 8)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from fastapi.testclient import TestClient
from huey import MemoryHuey
from sqlalchemy import func, select

from api.app import create_app
from api.db import (
    Application,
    ApplicationState,
    AuditEntry,
    Material,
    Role,
    SqlLicenceRegistry,
    change_state,
    create_account,
    create_db,
    upgrade,
)
from api.jobs import JobContext, create_jobs
from api.service_api import ServiceContext
from api.storage import FileStore
from api.users_db import DbUsers
from core import Settings
from ocr import LoadLimits, load_document, pdf_render_pixels

PASSWORD = "correct horse battery"
MAX_PIXELS = 4_000_000  # one PDF's pixel budget in this office (the default is 40 MP)
QUEUED_PIXELS = 3 * MAX_PIXELS  # three such PDFs may wait, not a fourth
QUEUED_JOBS = 5


def huge_pdf(pages: int = 10, side_pt: float = 14400) -> bytes:
    """``pages`` pages of 200 x 200 inches (1.6 GP each at 200 dpi), blank."""
    document = pdfium.PdfDocument.new()
    try:
        for _ in range(pages):
            document.new_page(side_pt, side_pt).close()
        out = io.BytesIO()
        document.save(out)
    finally:
        document.close()
    return out.getvalue()


@pytest.fixture
def office(tmp_path: Path) -> Iterator[tuple[TestClient, Any, Settings]]:
    settings = Settings(_env_file=None, data_dir=tmp_path, max_image_pixels=MAX_PIXELS,
                        max_queued_pdf_pixels_per_user=QUEUED_PIXELS,
                        max_queued_jobs_per_user=QUEUED_JOBS)
    upgrade(settings)
    db = create_db(settings)
    with db.transaction() as session:
        for name, role in (("mallory", Role.APPLICANT), ("alice", Role.APPLICANT),
                           ("carol", Role.CLERK)):
            create_account(session, name, role, PASSWORD)

    def no_reader(_settings: Settings) -> Any:
        raise AssertionError("the jobs stay queued in this test")

    # The worker is busy: nothing queued runs (MemoryHuey, not immediate).
    jobs = create_jobs(settings, huey=MemoryHuey("fair", immediate=False),
                       context=JobContext(settings, db, FileStore(settings.resolved_storage_dir),
                                          reader_factory=no_reader))
    app = create_app(settings, users=DbUsers(db), registry=SqlLicenceRegistry(db),
                     service=ServiceContext(settings, db=db, jobs=jobs))
    with TestClient(app) as client:
        yield client, db, settings
    jobs.close()
    db.dispose()


def _login(client: TestClient, name: str) -> dict[str, str]:
    token = client.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def _draft(client: TestClient, headers: dict[str, str]) -> int:
    return client.post("/api/v1/applications", json={"service_id": "id-card-renewal"},
                       headers=headers).json()["id"]


def _upload(client: TestClient, headers: dict[str, str], app_id: int, material: str,
            data: bytes, name: str = "form.pdf") -> Any:
    return client.post(f"/api/v1/applications/{app_id}/materials/{material}",
                       files={"file": (name, data)}, headers=headers)


def _counts(db: Any, settings: Settings) -> tuple[int, int, int]:
    with db.transaction(read_only=True) as session:
        materials = session.scalar(select(func.count()).select_from(Material))
        audit = session.scalar(select(func.count()).select_from(AuditEntry))
    files = sum(1 for p in settings.resolved_storage_dir.rglob("*") if p.is_file())
    return int(materials or 0), int(audit or 0), files


def test_ten_huge_pdfs_of_one_user_are_capped(office: tuple[TestClient, Any, Settings]) -> None:
    client, db, settings = office
    mallory, alice = _login(client, "mallory"), _login(client, "alice")
    pdf = huge_pdf()
    limits = LoadLimits.from_settings(settings)
    # Measured from the page boxes: the whole PDF costs one budget, not ten pages of it.
    assert pdf_render_pixels(pdf, limits) <= MAX_PIXELS
    statuses = []
    for _ in range(10):
        app_id = _draft(client, mallory)
        before = _counts(db, settings)
        response = _upload(client, mallory, app_id, "form", pdf)
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert response.json()["code"] == "jobs.quota_exceeded"
            assert response.json()["detail_zh"]
            assert response.headers["retry-after"]
            assert _counts(db, settings) == before  # nothing written, nothing stored
    assert statuses == [201] * 3 + [429] * 7
    # Another account is not held up by mallory's queue.
    assert _upload(client, alice, _draft(client, alice), "form", pdf).status_code == 201
    # What the worker would render of it: within the budget, never 10 x 1.6 GP.
    pages = load_document(pdf, limits=limits)
    assert len(pages) == 10
    assert sum(p.image.shape[0] * p.image.shape[1] for p in pages) <= MAX_PIXELS
    assert sum(p.image.nbytes for p in pages) <= 3 * MAX_PIXELS


def test_the_number_of_queued_jobs_is_capped(office: tuple[TestClient, Any, Settings]) -> None:
    client, db, settings = office
    mallory = _login(client, "mallory")
    small = huge_pdf(pages=1, side_pt=300)
    statuses = [_upload(client, mallory, _draft(client, mallory), "form", small).status_code
                for _ in range(QUEUED_JOBS + 2)]
    assert statuses == [201] * QUEUED_JOBS + [429] * 2


def test_a_clerk_cannot_see_a_draft(office: tuple[TestClient, Any, Settings]) -> None:
    client, db, _settings = office
    alice, carol = _login(client, "alice"), _login(client, "carol")
    app_id = _draft(client, alice)
    assert _upload(client, alice, app_id, "form", huge_pdf(pages=1, side_pt=300)
                   ).status_code == 201
    with db.transaction(read_only=True) as session:
        material_id = session.scalars(select(Material.id)
                                      .where(Material.application_id == app_id)).one()
    # The attack: a clerk reads an applicant's draft by id, and its material.
    for path in (f"/api/v1/review/applications/{app_id}",
                 f"/api/v1/review/materials/{material_id}/content",
                 f"/api/v1/review/materials/{material_id}/page.png"):
        response = client.get(path, headers=carol)
        assert response.status_code == 404, path
        assert response.json()["code"] == "api.not_found"
    decided = client.post(f"/api/v1/review/applications/{app_id}/decision",
                          json={"decision": "approve", "comment": ""}, headers=carol)
    assert decided.status_code == 404
    assert client.get("/api/v1/review/queue", headers=carol).json() == []
    # Once submitted (and processed to needs_review) the clerk sees it.
    with db.transaction() as session:
        application = session.get(Application, app_id)
        assert application is not None
        for state in (ApplicationState.SUBMITTED, ApplicationState.PROCESSING,
                      ApplicationState.NEEDS_REVIEW):
            change_state(session, application, state, actor_id=None)
    assert client.get(f"/api/v1/review/applications/{app_id}", headers=carol).status_code == 200
    assert client.get(f"/api/v1/review/materials/{material_id}/content",
                      headers=carol).status_code == 200
