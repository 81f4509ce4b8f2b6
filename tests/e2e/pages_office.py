"""A running office for the page tests in a real browser: the app under uvicorn on a free
loopback port (SQLite in a temporary data dir, a worker thread consuming an in-memory huey queue
with the real OCR reader and portrait analyzer), accounts made on demand, and the Playwright
helpers the page tests share (sign in, screenshots at desktop and phone size, waiting for a
material's result, the licence QR read from a rendering).

Used as the session fixture ``pages_office`` (tests/e2e/conftest.py; import this module as
``pages_office``, a sibling); tests that need their own services or clock start one with
:func:`running_office`."""

from __future__ import annotations

import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pypdfium2
import uvicorn
from huey import MemoryHuey
from playwright import sync_api

from api.app import create_app
from api.db import Database, Role, SqlLicenceRegistry, create_account, create_db, upgrade
from api.jobs import JobContext, create_jobs, start_embedded_worker
from api.service_api import ServiceContext
from api.storage import FileStore
from api.users_db import DbUsers
from core import Settings

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "samples" / "documents"
ARTIFACTS = ROOT / "var" / "test-artifacts" / "pages"
CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "correct horse battery"
# The sample ID card, its back and the filled-in form of 居民身份证换领.
ID_CARD_MATERIALS = {"id_front": "0000_id_card_front_clean.jpg",
                     "id_back": "0001_id_card_back_clean.jpg", "form": "0003_form_clean.pdf"}
# Validating before the sample card's validity began (2019-05-08) fails a rule, so an
# application goes to a clerk instead of being approved instantly (秒批).
BEFORE_CARD_VALIDITY = date(2019, 1, 1)
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# How long a page may wait for the worker (OCR, the photo models' first load): generous, since
# the suite runs on 2 busy cores; a test goes on as soon as the result is there.
JOB_WAIT_MS = 120_000

_names = itertools.count(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Office:
    """A running office: its base URL, settings and database."""

    base: str
    settings: Settings
    db: Database
    _made: list[str] = field(default_factory=list)

    def new_user(self, role: Role, prefix: str = "user") -> str:
        """A fresh account of ``role`` (password :data:`PASSWORD`); its name."""
        name = f"{prefix}{next(_names)}"
        with self.db.transaction() as session:
            create_account(session, name, role, PASSWORD)
        self._made.append(name)
        return name


@contextmanager
def running_office(data_dir: Path, reader: Any, *, services: dict[str, str] | None = None,
                   today: Callable[[], date] = lambda: BEFORE_CARD_VALIDITY,
                   **settings_overrides: Any) -> Iterator[Office]:
    """Start an office in ``data_dir`` with the bundled services plus ``services`` (file name
    → YAML), serving until the block ends."""
    (data_dir / "services").mkdir(parents=True, exist_ok=True)
    for name, text in (services or {}).items():
        (data_dir / "services" / name).write_text(text, "utf-8")
    port = free_port()
    # The office's public address is its own: licence QR codes are links a browser opens
    # (issue 13, item 3).
    settings_overrides.setdefault("public_url", f"http://127.0.0.1:{port}")
    settings = Settings(_env_file=None, data_dir=data_dir, services_dir=data_dir / "services",
                        verify_rate_per_minute=10_000, **settings_overrides)
    upgrade(settings)
    db = create_db(settings)
    jobs = create_jobs(settings, huey=MemoryHuey(f"pages-{data_dir.name}"),
                       context=JobContext(settings, db, FileStore(settings.resolved_storage_dir),
                                          reader_factory=lambda _settings: reader, today=today))
    consumer = start_embedded_worker(jobs, workers=2)
    context = ServiceContext(settings, db=db, jobs=jobs)
    app = create_app(settings, users=DbUsers(db), registry=SqlLicenceRegistry(db),
                     service=context)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", ws="none", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield Office(f"http://127.0.0.1:{port}", settings, db)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        consumer.stop(graceful=True)
        jobs.close()


@contextmanager
def browser() -> Iterator[sync_api.Browser]:
    """Debian's chromium under Playwright (``playwright install`` is never run)."""
    assert CHROMIUM.is_file(), "Debian chromium is required: apt-get install chromium"
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=["--no-sandbox"])
        try:
            yield instance
        finally:
            instance.close()


def sign_in(page: sync_api.Page, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login")


def shot(page: sync_api.Page, name: str) -> None:
    """A full-page screenshot into ``var/test-artifacts/pages/`` (git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def shots(page: sync_api.Page, name: str) -> None:
    """Screenshots at desktop and phone size (the viewport is put back afterwards)."""
    size = page.viewport_size
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        shot(page, f"{name}-{label}")
    if size:
        page.set_viewport_size(size)


def wait_until_checked(page: sync_api.Page, material: str) -> None:
    """The material's result is on the page."""
    page.locator(f"[data-processed={material}]").wait_for(state="attached", timeout=JOB_WAIT_MS)


def qr_text(pdf: bytes) -> str:
    """The QR code on the licence's first page, read from a rendering as a phone camera would
    (at a few resolutions, with both of OpenCV's detectors: either may miss at one of them)."""
    page = pypdfium2.PdfDocument(pdf)[0]
    detectors = [cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()]
    for scale in (2, 3, 4, 6):
        image = np.asarray(page.render(scale=scale).to_pil().convert("L"))
        for detector in detectors:
            text, _points, _raw = detector.detectAndDecode(image)
            if text:
                return text
    raise AssertionError("no QR code found on the licence")
