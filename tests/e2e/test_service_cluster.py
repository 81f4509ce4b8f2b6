"""The several-machines set-up end to end, over real HTTP: ``zhengzhao serve --workers 2`` on
PostgreSQL (a database of its own) with the Redis queue (a queue name of its own), and a
separate ``zhengzhao worker`` process doing the jobs. An applicant applies with the sample ID card
and form, the worker processes it (no embedded worker runs when ``ZZ_JOBS_URL`` is set), a clerk
approves if it needs one, the downloaded licence verifies through the public API, an admin
revokes it and it no longer does; the audit chain is intact."""

from __future__ import annotations

import importlib.util
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "samples" / "documents"
MATERIALS = {"id_front": "0000_id_card_front_clean.jpg", "id_back": "0001_id_card_back_clean.jpg",
             "form": "0003_form_clean.pdf"}
USERS = {"alice": "applicant", "carol": "clerk", "dave": "admin"}
PASSWORD = "correct horse battery"
REDIS_URL = "redis://127.0.0.1:6379/0"

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def _office_db() -> ModuleType:
    path = ROOT / "tests" / "unit" / "api" / "office_db.py"
    spec = importlib.util.spec_from_file_location("zz_office_db_cluster", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    with _office_db().office_database_url("postgresql", tmp_path) as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZZ_")}
        env.update({"ZZ_DATA_DIR": str(tmp_path / "var"), "ZZ_DATABASE_URL": url,
                    "ZZ_JOBS_URL": REDIS_URL, "ZZ_JOBS_QUEUE": f"zz-e2e-{secrets.token_hex(6)}",
                    "ZZ_VERIFY_RATE_PER_MINUTE": "100000", "PYTHONPATH": str(ROOT)})
        for name, role in USERS.items():
            subprocess.run([sys.executable, "-m", "api.cli", "users", "add", name, "--role", role],
                           input=f"{PASSWORD}\n", text=True, env=env, cwd=tmp_path, check=True,
                           capture_output=True)
        port = free_port()
        serve_log = (tmp_path / "serve.log").open("wb")
        worker_log = (tmp_path / "worker.log").open("wb")
        serve = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port),
                                  "--workers", "2"], cwd=tmp_path, env=env,
                                 stdout=subprocess.DEVNULL, stderr=serve_log)
        worker = subprocess.Popen([sys.executable, "-m", "api.cli.worker", "--workers", "1"],
                                  cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                                  stderr=worker_log)
        base = f"http://127.0.0.1:{port}"
        try:
            def healthy() -> bool:
                assert serve.poll() is None, (tmp_path / "serve.log").read_text()
                try:
                    return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
                except httpx.TransportError:
                    return False

            wait_for(healthy, 60, "serve to answer")
            yield base, env
        finally:
            for process in (worker, serve):
                process.send_signal(signal.SIGINT if process is worker else signal.SIGTERM)
            for process in (worker, serve):
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            serve_log.close()
            worker_log.close()
        assert b"Traceback" not in (tmp_path / "serve.log").read_bytes()
        assert b"Traceback" not in (tmp_path / "worker.log").read_bytes()


def test_serve_workers_postgresql_redis_and_a_separate_worker(cluster) -> None:
    base, _env = cluster
    with httpx.Client(base_url=base, timeout=60) as client:
        def login(name: str) -> dict[str, str]:
            token = client.post("/api/v1/auth/token",
                                data={"username": name, "password": PASSWORD})
            assert token.status_code == 200, token.text
            return {"Authorization": f"Bearer {token.json()['access_token']}"}

        alice, carol, dave = login("alice"), login("carol"), login("dave")
        created = client.post("/api/v1/applications", json={"service_id": "id-card-renewal"},
                              headers=alice)
        assert created.status_code == 201, created.text
        app_id = created.json()["id"]
        for material, name in MATERIALS.items():
            upload = client.post(f"/api/v1/applications/{app_id}/materials/{material}",
                                 files={"file": (name, (DOCS / name).read_bytes())},
                                 headers=alice)
            assert upload.status_code == 201, upload.text
        submitted = client.post(f"/api/v1/applications/{app_id}/submit", headers=alice)
        assert submitted.status_code == 200, submitted.text

        def finished() -> dict[str, Any] | None:
            body = client.get(f"/api/v1/applications/{app_id}", headers=alice).json()
            return body if body["state"] not in ("submitted", "processing") else None

        # The worker validates as of the real today: the clean sample may be approved instantly
        # (秒批, issued) or need a clerk; both are the worker's doing.
        body = wait_for(finished, 120, "the separate worker to process the application")
        assert body["state"] in ("needs_review", "issued"), body["state"]
        assert all(m["processed"] for m in body["materials"])
        if body["state"] == "needs_review":
            decided = client.post(f"/api/v1/review/applications/{app_id}/decision",
                                  json={"decision": "approve"}, headers=carol)
            assert decided.status_code == 200, decided.text
            assert decided.json()["state"] == "issued"
        pdf = client.get(f"/api/v1/applications/{app_id}/licence.pdf", headers=alice)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")

        def verdict() -> str:
            return client.post("/api/v1/verify", files={
                "file": ("l.pdf", pdf.content, "application/pdf")}).json()["indication"]

        # Two web processes: each must see the licence (and, below, its revocation).
        assert {verdict() for _ in range(6)} == {"PASSED"}
        identifier = client.get(f"/api/v1/applications/{app_id}",
                                headers=alice).json()["licence"]["identifier"]
        revoked = client.post(f"/api/v1/admin/licences/{identifier}/revoke",
                              json={"reason": "测试吊销"}, headers=dave)
        assert revoked.status_code == 200, revoked.text
        assert {verdict() for _ in range(6)} == {"FAILED"}
        chain = client.get("/api/v1/admin/audit/verify", headers=dave).json()
        assert chain["intact"] is True and chain["entries"] > 10
