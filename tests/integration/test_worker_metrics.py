"""``zhengzhao worker --metrics-port`` serves its own Prometheus metrics: a worker subprocess on
the SQLite queue and on Redis runs a real application's jobs, and its ``/metrics`` shows them
done by task and the queue empty again."""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from api.db import ApplicationState, create_db, upgrade
from api.jobs import create_huey, create_jobs
from api.storage import FileStore
from core import Settings

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/0"


def _builders() -> ModuleType:
    path = ROOT / "tests" / "unit" / "api" / "jobs" / "jobs_builders.py"
    spec = importlib.util.spec_from_file_location("zz_metrics_jobs_builders", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _scrape(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def _sample(text: str, name: str, labels: str = "") -> float | None:
    found = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else None


@pytest.mark.parametrize("queue", ["sqlite", "redis"])
def test_the_worker_serves_its_job_counts(queue: str, tmp_path: Path) -> None:
    name = f"zz-test-{secrets.token_hex(6)}"
    settings = Settings(_env_file=None, data_dir=tmp_path / "data",
                        jobs_url=REDIS_URL if queue == "redis" else None)
    upgrade(settings)
    db = create_db(settings)
    huey = create_huey(settings, name=name)
    jobs = create_jobs(settings, huey=huey)
    app = _builders().make_application(db, FileStore(settings.resolved_storage_dir),
                                       state=ApplicationState.SUBMITTED)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZZ_")}
    env.update(ZZ_DATA_DIR=str(settings.data_dir), PYTHONPATH=str(ROOT))
    if queue == "redis":
        env["ZZ_JOBS_URL"] = REDIS_URL
    log = tmp_path / "worker.log"
    with log.open("wb") as stderr:
        worker = subprocess.Popen(
            [sys.executable, "-m", "api.cli.worker", "--workers", "1", "--queue", name,
             "--recover-after", "3600", "--metrics-port", str(port)],
            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        _wait_for(lambda: _sample(_scrape(port), "zz_jobs_queued") is not None, 60,
                  "the worker's metrics endpoint")
        jobs.submit(app.id)
        done = '{task="validate_application"}'
        _wait_for(lambda: _sample(_scrape(port), "zz_jobs_done_total", done) == 1.0, 60,
                  "the worker to run the jobs")
        text = _scrape(port)
        assert _sample(text, "zz_jobs_done_total", '{task="process_application"}') == 1.0
        assert _sample(text, "zz_jobs_queued") == 0.0
        assert _sample(text, "zz_jobs_failed_total", '{task="validate_application"}') in (
            None, 0.0)
    finally:
        worker.terminate()
        worker.wait(20)
        huey.flush()
        jobs.close()
        db.dispose()
