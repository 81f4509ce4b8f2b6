"""A ``kill -9`` of a worker loses nothing and applies nothing twice.

``zhengzhao worker`` runs as a subprocess against a SQLite database in tmp_path and a queue
(SqliteHuey in the data dir, or RedisHuey under a unique name). The validation job is slowed
just before it stores its result (``ZHENGZHAO_JOBS_CRASH_DELAY``), the worker is killed there
with SIGKILL, and huey has by then forgotten the job. A second worker's start-up sweep finds the
stalled application in the database and finishes it: one validation result, one state change,
an intact audit chain.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import select

from api.db import (
    Application,
    ApplicationState,
    AuditAction,
    AuditEntry,
    ValidationResult,
    create_db,
    upgrade,
    verify_chain,
)
from api.jobs import create_huey, create_jobs
from api.storage import FileStore
from core import Settings

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/0"


def _sibling(relative: str, name: str) -> ModuleType:
    path = ROOT / "tests" / "unit" / "api" / relative
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _builders() -> ModuleType:
    return _sibling("jobs/jobs_builders.py", "zz_jobs_builders")


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture(params=["sqlite", "redis", "redis-postgresql"])
def queue_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The worker's environment: the embedded default (SQLite database and queue), a Redis
    queue over SQLite, and the several-machines set-up (Redis queue, PostgreSQL database)."""
    env = {"ZZ_DATA_DIR": str(tmp_path / "data"), "ZZ_LOG_LEVEL": "INFO",
           "QUEUE": f"zz-test-{secrets.token_hex(6)}"}
    if request.param.startswith("redis"):
        env["ZZ_JOBS_URL"] = REDIS_URL
    backend = "postgresql" if request.param.endswith("postgresql") else "sqlite"
    office_db = _sibling("office_db.py", "zz_office_db")
    (tmp_path / "data").mkdir()
    with office_db.office_database_url(backend, tmp_path / "data") as url:
        env["ZZ_DATABASE_URL"] = url
        yield env
        settings = Settings(_env_file=None, data_dir=tmp_path / "data",
                            jobs_url=env.get("ZZ_JOBS_URL"))
        create_huey(settings, name=env["QUEUE"]).flush()


def test_a_killed_worker_loses_nothing_and_applies_nothing_twice(
        queue_env: dict[str, str], tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=Path(queue_env["ZZ_DATA_DIR"]),
                        database_url=queue_env["ZZ_DATABASE_URL"],
                        jobs_url=queue_env.get("ZZ_JOBS_URL"))
    upgrade(settings)
    db = create_db(settings)
    huey = create_huey(settings, name=queue_env["QUEUE"])
    jobs = create_jobs(settings, huey=huey)
    builders = _builders()
    app = builders.make_application(db, FileStore(settings.resolved_storage_dir),
                                    state=ApplicationState.SUBMITTED)

    def start_worker(log: Path, recover_after: float, **extra_env: str) -> subprocess.Popen:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZZ_")}
        env.update({k: v for k, v in queue_env.items() if k.startswith("ZZ_")}, **extra_env)
        env["PYTHONPATH"] = str(ROOT)
        with log.open("wb") as stderr:  # the child keeps its own copy of the descriptor
            return subprocess.Popen(
                [sys.executable, "-m", "api.cli.worker", "--workers", "1", "--queue",
                 queue_env["QUEUE"], "--recover-after", str(recover_after)],
                cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=stderr)

    def state() -> ApplicationState:
        with db.transaction(read_only=True) as session:
            application = session.get(Application, app.id)
            assert application is not None
            return application.state

    first_log = tmp_path / "worker1.log"
    first = start_worker(first_log, 3600, ZHENGZHAO_JOBS_CRASH_DELAY="120")
    try:
        jobs.submit(app.id)
        marker = f"job validate_application subject={app.id} applying"
        _wait_for(lambda: marker in first_log.read_text("utf-8", "replace"), 30,
                  "the validation job to reach its crash point")
        first.send_signal(signal.SIGKILL)
        assert first.wait(10) == -signal.SIGKILL
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    # huey dropped the job when the worker took it: nothing to redeliver.
    assert huey.pending_count() == 0
    assert state() is ApplicationState.PROCESSING

    second = start_worker(tmp_path / "worker2.log", 0)
    try:
        # The worker validates as of the real today, so the sample's documents may one day have
        # expired: approved or needs_review are both "finished".
        _wait_for(lambda: state() is not ApplicationState.PROCESSING, 30,
                  "the second worker to finish the application")
        second.send_signal(signal.SIGINT)  # graceful: running jobs finish first
        assert second.wait(15) == 0
    finally:
        if second.poll() is None:
            second.kill()
            second.wait()

    with db.transaction(read_only=True) as session:
        results = session.scalars(select(ValidationResult)
                                  .where(ValidationResult.application_id == app.id)).all()
        changes = [json.loads(e.details) for e in session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == AuditAction.APPLICATION_STATE_CHANGED.value,
                AuditEntry.subject_id == str(app.id)).order_by(AuditEntry.seq))]
        chain = verify_chain(session)
    assert len(results) == 1
    assert state() in (ApplicationState.APPROVED, ApplicationState.NEEDS_REVIEW)
    assert [(c["from"], c["to"]) for c in changes] == [
        ("draft", "submitted"), ("submitted", "processing"), ("processing", state().value)]
    assert chain.intact
    jobs.close()
    db.dispose()
