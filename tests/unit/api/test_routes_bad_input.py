"""Hostile input the API must refuse with a 4xx problem and nothing written (no material row, no
audit entry, no stored blob): a 200 MB upload (refused after reading little of it), a PNG
decompression bomb (as a material, as a photo, to the public verifier), a 10,000-page PDF (the
processing job stores the refusal and the application still reaches a clerk), expired, foreign
and malformed bearer tokens, JSON bodies that are not objects, unknown services and absurd
material names. TestClient, SQLite, no OCR model: submitted applications are only recorded."""

from __future__ import annotations

import asyncio
import io
import time
import zlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from office_db import BACKENDS, office_database_url  # a sibling module
from PIL import Image
from sqlalchemy import func, select

from api.app import create_app
from api.auth import Principal, create_access_token, issue_access_token
from api.auth import Role as AuthRole
from api.db import (
    Application,
    ApplicationState,
    AuditAction,
    AuditEntry,
    Material,
    Role,
    SqlLicenceRegistry,
    create_account,
    create_db,
    upgrade,
)
from api.jobs import (
    JobContext,
    JobOutcome,
    process_application,
    process_material,
    validate_application,
)
from api.service_api import ServiceContext
from api.storage import FileStore
from api.users_db import DbUsers
from core import Settings
from ocr import DocumentReader

PASSWORD = "correct horse battery"
USERS = {"alice": Role.APPLICANT, "carol": Role.CLERK}
MB = 1024 * 1024
BOUNDARY = "zz-bad-input-boundary"


class RecordingJobs:
    """Stands in for the queue: remembers which applications were submitted."""

    def __init__(self) -> None:
        self.submitted: list[int] = []

    def submit(self, application_id: int) -> None:
        self.submitted.append(application_id)


class NoOcrEngine:
    """An OCR engine that must never be reached: every input in these tests is refused while
    it is loaded, before any text is read."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the OCR engine was used ({name}) for an input it must refuse")


def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit greyscale PNG of ``width`` x ``height`` zero pixels, zlib-compressed to a
    tiny fraction of its decoded size (built row block by row block, never held whole)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (len(body).to_bytes(4, "big") + kind + body
                + zlib.crc32(kind + body).to_bytes(4, "big"))

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte "none" + the packed bits
    compressor = zlib.compressobj(9)
    block = row * 1000
    parts = [compressor.compress(block) for _ in range(height // 1000)]
    parts += [compressor.compress(row * (height % 1000)), compressor.flush()]
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"".join(parts))
            + chunk(b"IEND", b""))


def many_page_pdf(pages: int) -> bytes:
    """A well-formed PDF whose page tree lists the same page object ``pages`` times."""
    kids = " ".join(["3 0 R"] * pages)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n"
            "%%EOF\n").encode()
    return bytes(out)


def tiny_png() -> bytes:
    """A real PNG below the OCR loader's minimum side, so processing refuses it unread."""
    out = io.BytesIO()
    Image.new("L", (16, 16), 255).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module", params=BACKENDS)
def office(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    directory = tmp_path_factory.mktemp("bad-input")
    with office_database_url(request.param, directory) as url:
        yield from _office(directory, url)


def _office(directory: Path, url: str):
    # Default upload limit (20 MB) and pixel / page limits: these tests are about the defaults.
    settings = Settings(_env_file=None, data_dir=directory, database_url=url,
                        verify_rate_per_minute=10_000)
    upgrade(settings)
    db = create_db(settings)
    with db.transaction() as session:
        for name, role in USERS.items():
            create_account(session, name, role, PASSWORD)
    jobs = RecordingJobs()
    context = ServiceContext(settings, db=db, jobs=jobs)
    app = create_app(settings, users=DbUsers(db), registry=SqlLicenceRegistry(db),
                     service=context)
    with TestClient(app) as client:
        yield settings, db, jobs, client
    db.dispose()


@pytest.fixture(scope="module")
def client(office) -> TestClient:
    return office[3]


@pytest.fixture(scope="module")
def alice(client: TestClient) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": "alice", "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = png_bomb(30_000, 30_000)
    assert len(data) < 512 * 1024  # 900 million pixels in a few hundred KB
    return data


def assert_problem(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code


def counts(office: Any) -> tuple[int, int, int]:
    settings, db = office[0], office[1]
    # Public verifications are audited on purpose, refused ones too, by a buffered writer whose
    # rows land up to 200 ms later: they are flushed and left out, so a row of an earlier test
    # cannot arrive between two counts (a flaky +1) and a refused verification's own row is
    # not taken for a half-written record.
    office[3].app.state.verify_audit.flush()
    with db.transaction(read_only=True) as session:
        materials = session.scalar(select(func.count()).select_from(Material)) or 0
        audit = session.scalar(
            select(func.count()).select_from(AuditEntry)
            .where(AuditEntry.action != AuditAction.LICENCE_VERIFIED.value)) or 0
    root = settings.resolved_storage_dir
    blobs = sum(1 for p in root.rglob("*") if p.is_file() and ".tmp" not in p.parts) \
        if root.exists() else 0
    return materials, audit, blobs


def new_application(client: TestClient, headers: dict[str, str]) -> int:
    response = client.post("/api/v1/applications", json={"service_id": "id-card-renewal"},
                           headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def upload(client: TestClient, headers: dict[str, str], app_id: int, material: str,
           data: bytes, name: str = "scan.png") -> Any:
    return client.post(f"/api/v1/applications/{app_id}/materials/{material}",
                       files={"file": (name, data, "image/png")}, headers=headers)


class EndlessUpload:
    """A multipart body that claims to carry a PNG of ``total`` bytes, produced lazily, counting
    how much of it the server pulled."""

    def __init__(self, total: int, chunk: int = MB) -> None:
        self.total, self.chunk, self.sent = total, chunk, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"big.png\"\r\nContent-Type: image/png\r\n\r\n").encode()
        head += b"\x89PNG\r\n\x1a\n"
        self.sent += len(head)
        yield head
        block = bytes(self.chunk)
        while self.sent < self.total:
            self.sent += len(block)
            yield block
        tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.sent += len(tail)
        yield tail


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_200_mb_upload_is_refused_early(office, client, alice, declared: bool) -> None:
    settings = office[0]
    assert settings.max_upload_bytes == 20 * MB
    app_id = new_application(client, alice)
    before = counts(office)
    body = EndlessUpload(200 * MB)
    headers = {**alice, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    if declared:
        headers["Content-Length"] = str(200 * MB)

    async def send() -> httpx.Response:
        # TestClient reads a request body whole before calling the app; httpx's ASGI transport
        # hands it over chunk by chunk, as a server would.
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as raw:
            return await raw.post(f"/api/v1/applications/{app_id}/materials/id_front",
                                  content=body, headers=headers)

    started = time.perf_counter()
    response = asyncio.run(send())
    assert_problem(response, 413, "input.too_large")
    # The server stopped soon after the limit (none of it when the length was declared),
    # nowhere near the 200 MB on offer.
    assert body.sent <= (2 if declared else 22) * MB, body.sent
    assert time.perf_counter() - started < 10
    assert counts(office) == before


@pytest.mark.parametrize("size", [(30_000, 30_000), (8_000, 8_000)], ids=["900MP", "64MP"])
@pytest.mark.parametrize("material", ["id_front", "photo"])
def test_a_png_bomb_is_refused_on_upload(office, client, alice, bomb, material: str,
                                         size: tuple[int, int]) -> None:
    # 64 MP is above the service's limit (40 MP) but below Pillow's own bomb threshold, so it
    # shows the service's limit is the one that applies.
    data = bomb if size == (30_000, 30_000) else png_bomb(*size)
    app_id = new_application(client, alice)
    before = counts(office)
    assert_problem(upload(client, alice, app_id, material, data), 413, "input.too_many_pixels")
    assert counts(office) == before


def test_a_png_bomb_is_not_verified(office, client, bomb) -> None:
    before = counts(office)
    response = client.post("/api/v1/verify", files={"file": ("licence.pdf", bomb,
                                                             "application/pdf")})
    assert_problem(response, 415, "input.unsupported_type")
    assert counts(office) == before


def test_a_10000_page_pdf_is_refused_by_processing(office, client, alice) -> None:
    settings, db, jobs, _ = office
    pdf = many_page_pdf(10_000)
    assert settings.max_pdf_pages == 10
    app_id = new_application(client, alice)
    for material, data in (("id_front", tiny_png()), ("id_back", tiny_png()), ("form", pdf)):
        response = upload(client, alice, app_id, material, data, "doc.bin")
        if response.status_code != 201:  # refusing it at upload is as good
            assert material == "form"
            assert_problem(response, 413, "input.pdf_too_many_pages")
            return
    submitted = client.post(f"/api/v1/applications/{app_id}/submit", headers=alice)
    assert submitted.status_code == 200, submitted.text
    assert jobs.submitted[-1] == app_id
    # What the worker does, in this thread, with a real OCR reader whose engine must stay unused.
    ctx = JobContext(settings=settings, db=db, store=FileStore(settings.resolved_storage_dir),
                     reader_factory=lambda s: DocumentReader(NoOcrEngine(), s))  # type: ignore[arg-type]
    started = time.perf_counter()
    due = process_application(ctx, app_id)
    assert due.outcome is JobOutcome.APPLIED and len(due.material_ids) == 3
    for material_id in due.material_ids:
        assert process_material(ctx, material_id) is JobOutcome.APPLIED
    assert validate_application(ctx, app_id) is JobOutcome.APPLIED
    assert time.perf_counter() - started < 10
    with db.transaction(read_only=True) as session:
        application = session.get(Application, app_id)
        assert application is not None
        results = {m.material_type: m.ocr_result for m in application.materials}
        state = application.state
    assert results["form"]["error"]["code"] == "input.pdf_too_many_pages"
    assert results["id_front"]["error"]["code"] == "input.too_small"
    # Unreadable materials are for a clerk to look at, never an automatic decision.
    assert state is ApplicationState.NEEDS_REVIEW
    seen = client.get(f"/api/v1/applications/{app_id}", headers=alice)
    assert seen.status_code == 200 and seen.json()["state"] == "needs_review"


def _token(settings: Settings, *, now: datetime | None = None) -> str:
    return create_access_token(Principal("alice", AuthRole.APPLICANT), settings, now=now)


def _session_token(client: TestClient, settings: Settings, *, now: datetime | None = None
                   ) -> str:
    """A token with its server-side session, as a login makes it."""
    return issue_access_token(client.app.state.users, Principal("alice", AuthRole.APPLICANT),
                              settings, now=now)


def test_an_expired_token_is_refused(office, client) -> None:
    settings = office[0]
    old = _session_token(client, settings, now=datetime.now(UTC) - timedelta(
        minutes=settings.access_token_minutes, seconds=5))
    response = client.get("/api/v1/applications", headers={"Authorization": f"Bearer {old}"})
    assert_problem(response, 401, "auth.token_expired")
    assert response.headers["www-authenticate"] == "Bearer"
    fresh = _session_token(client, settings)
    assert client.get("/api/v1/applications",
                      headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_a_token_signed_with_another_secret_is_refused(office, client) -> None:
    other = Settings(_env_file=None, data_dir=office[0].data_dir,
                     secret_key="a-different-secret-key-of-another-office")
    assert other.secret_key != office[0].secret_key
    forged = _token(other)
    before = counts(office)
    for method, path, body in (("get", "/api/v1/applications", None),
                               ("post", "/api/v1/applications",
                                {"service_id": "id-card-renewal"})):
        response = getattr(client, method)(path, headers={"Authorization": f"Bearer {forged}"},
                                           **({"json": body} if body else {}))
        assert_problem(response, 401, "auth.unauthorized")
    assert counts(office) == before


@pytest.mark.parametrize("header", [
    "Bearer", "Bearer ", "bearer", "Basic YWxpY2U6cGFzcw==", "Token abc.def.ghi",
    "Bearer abc", "Bearer a.b", "Bearer a.b.c.d", "Bearer !!.??.##", "Bearer ..",
    "Bearer " + "a" * 5000 + ".b.c", "Bearer eyJhbGciOiJub25lIn0.e30.",
], ids=lambda h: h[:20])
def test_a_malformed_authorization_header_is_refused(office, client, header: str) -> None:
    before = counts(office)
    response = client.post("/api/v1/applications", json={"service_id": "id-card-renewal"},
                           headers={"Authorization": header})
    assert_problem(response, 401, "auth.unauthorized")
    assert counts(office) == before


@pytest.mark.parametrize("body", [b"[]", b'["id-card-renewal"]', b"null", b'"id-card-renewal"',
                                  b"42", b"{", b'{"service_id": 7}', b"\xff\xfe"],
                         ids=lambda b: repr(b)[:16])
def test_a_json_body_that_is_not_the_object_is_refused(office, client, alice,
                                                       body: bytes) -> None:
    before = counts(office)
    response = client.post("/api/v1/applications", content=body,
                           headers={**alice, "Content-Type": "application/json"})
    assert_problem(response, 422, "api.validation_failed")
    verify = client.post("/api/v1/verify", content=body,
                         headers={"Content-Type": "application/json"})
    assert_problem(verify, 422, "api.validation_failed")
    assert counts(office) == before


@pytest.mark.parametrize("service_id", ["no-such-service", "../../etc/passwd", "x" * 10_000,
                                        "ID-CARD-RENEWAL", "id-card-renewal\x00"],
                         ids=["unknown", "traversal", "huge", "case", "nul"])
def test_an_unknown_service_is_refused(office, client, alice, service_id: str) -> None:
    before = counts(office)
    response = client.post("/api/v1/applications", json={"service_id": service_id},
                           headers=alice)
    assert response.status_code in (404, 422), response.text
    assert_problem(response, response.status_code,
                   "service.not_found" if response.status_code == 404
                   else "api.validation_failed")
    assert len(response.content) < 8 * 1024  # the refusal does not echo a huge input
    assert counts(office) == before


@pytest.mark.parametrize(("material", "status", "code"), [
    ("m" * 60_000, 422, "api.validation_failed"),  # near the longest URL a client will send
    ("photo" * 2_000, 422, "api.validation_failed"),
    ("m" * 65, 422, "api.validation_failed"),
    ("id_front%00", 422, "material.invalid"),
    ("%E8%BA%AB%E4%BB%BD%E8%AF%81", 422, "material.invalid"),
    ("%2e%2e%2f%2e%2e%2fetc", 404, "api.not_found"),
], ids=["60k", "10k", "65", "nul", "chinese", "dots"])
def test_an_absurd_material_type_is_refused(office, client, alice, material: str, status: int,
                                            code: str) -> None:
    app_id = new_application(client, alice)
    before = counts(office)
    response = upload(client, alice, app_id, material, tiny_png())
    assert_problem(response, status, code)
    # The path comes back once, as the problem's ``instance``; the input is not echoed again
    # in the English and Chinese details.
    assert len(response.content) < len(material) + 2048
    assert counts(office) == before
