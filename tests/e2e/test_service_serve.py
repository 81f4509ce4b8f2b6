"""``serve`` end to end: the command's parser and runner (``api.cli.serve``) start uvicorn in a
child process with settings from ``ZZ_*``; on the embedded defaults it creates the dev PKI,
answers ``/healthz``, publishes its trust list and stops cleanly on SIGTERM. With
``--workers 2`` both web processes answer and the embedded job consumer runs once, in the
supervising process, so an application's jobs run exactly once."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e

RUNNER = """
import sys
from api.cli import build_parser
from api.cli.serve import run as run_serve
from core import get_settings
parser = build_parser(sys.argv[1:])
sys.exit(run_serve(parser.parse_args(sys.argv[1:]), get_settings()))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_starts_on_embedded_defaults_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "ZZ_DATA_DIR": str(tmp_path / "var"), "PYTHONPATH": str(ROOT)}
    env.pop("ZZ_KEYS_DIR", None)
    proc = subprocess.Popen([sys.executable, "-c", RUNNER, "serve", "--port", str(port)],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "serve did not come up"
            try:
                health = httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert health.json() == {"status": "ok", "trust_loaded": True}
        assert (tmp_path / "var" / "keys").is_dir()
        assert httpx.get(f"{base}/api/v1/trust-list").json()["format"] == "zhengzhao-trust-list"
        problem = httpx.post(f"{base}/api/v1/verify", json={"token": "nope"})
        assert problem.status_code == 422 and problem.json()["code"] == "token.malformed"
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=20)
    # uvicorn shuts down gracefully, then re-raises the signal it caught (its documented habit).
    assert proc.returncode in (0, -signal.SIGTERM)
    assert b"Traceback" not in stderr


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    return found


def _established_sockets(port: int) -> set[str]:
    """Inodes of the established TCP connections whose local port is ``port``."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                inodes.add(fields[9])
    return inodes


def _connections_of(pid: int, port: int) -> int:
    wanted = _established_sockets(port)
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in wanted:
            count += 1
    return count


def _wait_until_up(proc: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline, "serve did not come up"
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)


DOCS = ROOT / "samples" / "documents"
MATERIALS = {"id_front": "0000_id_card_front_clean.jpg", "id_back": "0001_id_card_back_clean.jpg",
             "form": "0003_form_clean.pdf"}


def test_serve_with_two_workers_answers_from_both_and_runs_each_job_once(tmp_path: Path
                                                                         ) -> None:
    from sqlalchemy import select

    from api.db import (
        Application,
        AuditAction,
        AuditEntry,
        Role,
        ValidationResult,
        create_account,
        create_db,
        upgrade,
    )
    from core import Settings

    data = tmp_path / "var"
    settings = Settings(_env_file=None, data_dir=data)
    upgrade(settings)
    db = create_db(settings)
    with db.transaction() as session:
        create_account(session, "alice", Role.APPLICANT, "correct horse battery")
    port, job_metrics = free_port(), free_port()
    env = {**os.environ, "ZZ_DATA_DIR": str(data), "PYTHONPATH": str(ROOT),
           "ZZ_VERIFY_RATE_PER_MINUTE": "100000"}
    env.pop("ZZ_KEYS_DIR", None)
    env.pop("ZZ_JOBS_URL", None)
    proc = subprocess.Popen([sys.executable, "-c", RUNNER, "serve", "--port", str(port),
                             "--workers", "2", "--job-metrics-port", str(job_metrics)],
                            cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(proc, base)
        workers = _children(proc.pid)
        # The supervisor's own children: the two web workers (and perhaps multiprocessing's
        # resource tracker, which holds no socket).
        assert len(workers) >= 2
        # Many connections at once, all kept open: the kernel hands them to whichever worker
        # accepts first, so both end up holding some (checked from /proc, not from the app).
        served: dict[int, int] = {}
        clients = [httpx.Client(base_url=base, timeout=10) for _ in range(24)]
        try:
            for _round in range(10):
                with ThreadPoolExecutor(len(clients)) as pool:
                    answers = list(pool.map(lambda c: c.get("/healthz").json(), clients))
                assert all(a == {"status": "ok", "trust_loaded": True} for a in answers)
                served = {pid: _connections_of(pid, port) for pid in workers}
                if sum(1 for n in served.values() if n) >= 2:
                    break
                for client in clients:  # new connections next round
                    client.close()
                clients = [httpx.Client(base_url=base, timeout=10) for _ in range(24)]
        finally:
            for client in clients:
                client.close()
        assert sum(1 for n in served.values() if n) >= 2, served

        # The application's jobs run in the supervisor's one consumer: each exactly once.
        token = httpx.post(f"{base}/api/v1/auth/token", data={
            "username": "alice", "password": "correct horse battery"}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            created = client.post("/api/v1/applications", json={"service_id": "id-card-renewal"})
            assert created.status_code == 201, created.text
            app_id = created.json()["id"]
            for material, name in MATERIALS.items():
                uploaded = client.post(f"/api/v1/applications/{app_id}/materials/{material}",
                                       files={"file": (name, (DOCS / name).read_bytes())})
                assert uploaded.status_code == 201, uploaded.text
            assert client.post(f"/api/v1/applications/{app_id}/submit").status_code == 200
            deadline = time.monotonic() + 120
            state = "submitted"
            while state in ("submitted", "processing"):
                assert time.monotonic() < deadline, f"still {state}"
                time.sleep(0.3)
                state = client.get(f"/api/v1/applications/{app_id}").json()["state"]
        # The supervisor's consumer ran the jobs: its own metrics endpoint counts them.
        counted = httpx.get(f"http://127.0.0.1:{job_metrics}/metrics").text
        assert re.search(r'^zz_jobs_done_total\{task="validate_application"\} [1-9]', counted,
                         re.MULTILINE), counted
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=30)
    assert proc.returncode in (0, -signal.SIGTERM)
    assert b"Traceback" not in stderr
    with db.transaction(read_only=True) as session:
        results = session.scalars(select(ValidationResult)
                                  .where(ValidationResult.application_id == app_id)).all()
        changes = [json.loads(e.details) for e in session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == AuditAction.APPLICATION_STATE_CHANGED.value,
                AuditEntry.subject_id == str(app_id)).order_by(AuditEntry.seq))]
        final = session.get(Application, app_id)
        assert final is not None
    db.dispose()
    assert len(results) == 1
    moves = [(c["from"], c["to"]) for c in changes]
    assert moves[:2] == [("draft", "submitted"), ("submitted", "processing")]
    assert moves[2][0] == "processing" and moves[2][1] in ("needs_review", "approved")
    assert [m for m in moves if "processing" in m] == moves[1:3]  # no job ran twice
    assert final.state.value == state
