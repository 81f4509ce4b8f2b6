"""A process killed between the steps of issuing (reserve, sign, commit) never leaves two
licences for one application, nor a licence record without its PDF (or its OFD), nor a
reservation nobody finishes; the audit chain stays intact.

Three 秒批 applications (sample case 1, an individual business registration) are validated, one
per subprocess, against a real database (a SQLite file, or a PostgreSQL database of its own)
and file store in tmp_path; each subprocess runs with ``ZZ_CRASH_AT`` set to one step and
exits there (``os._exit``, as a killed process would: no clean-up, no rollback handler). A fresh
process then runs what a worker runs on start and every minute — a retried validation job and
the recovery sweep (``Jobs.recover_now``) — and every application ends with exactly one
licence that verifies. A second sweep changes nothing.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import func, select

from api.db import (
    Application,
    ApplicationState,
    AuditAction,
    AuditEntry,
    LicenceRecord,
    StatusIndexReservation,
    create_db,
    upgrade,
    verify_chain,
)
from api.jobs import JobContext
from api.storage import FileStore
from api.workflow.issuing import CRASH_EXIT_CODE, finish_pending_licences
from core import CrashPoint, Settings
from elicense import load_trust, verify_licence_ofd, verify_licence_pdf

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CASE = 1  # sample case 1: a clean individual business registration, issued instantly
SERVICE = "individual-business-registration"

# What a worker does, in a process of its own: validate one application (``validate <id>``),
# or retry the validation jobs and run the start-up recovery sweep (``recover <id>...``).
WORKER = """
import sys
from datetime import date, timedelta

from huey import MemoryHuey

from api.db import create_db
from api.jobs import JobContext, create_jobs, validate_application
from api.storage import FileStore
from core import Settings

settings = Settings()
context = JobContext(settings, create_db(settings), FileStore(settings.resolved_storage_dir),
                     today=lambda: date.fromisoformat(sys.argv[-1]))
command, ids = sys.argv[1], [int(i) for i in sys.argv[2:-1]]
if command == "validate":
    print(validate_application(context, ids[0]).value)
else:
    jobs = create_jobs(settings, huey=MemoryHuey("crash-test", immediate=True), context=context)
    for application_id in ids:  # huey retrying the job the crash interrupted
        print(validate_application(context, application_id).value)
    jobs.recover_now(timedelta(0))
context.close()
"""


def _sibling(relative: str, name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    path = ROOT / "tests" / "unit" / "api" / relative
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    office_db = _sibling("office_db.py", "zz_office_db")
    data = tmp_path / "data"
    data.mkdir()
    with office_db.office_database_url(request.param, data) as url:
        settings = Settings(_env_file=None, data_dir=data, database_url=url)
        upgrade(settings)
        yield settings


def _run(settings: Settings, *args: str, crash_at: CrashPoint | None = None
         ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZZ_")}
    env.update(ZZ_DATA_DIR=str(settings.data_dir), ZZ_DATABASE_URL=settings.resolved_database_url,
               PYTHONPATH=str(ROOT))
    if crash_at is not None:
        env["ZZ_CRASH_AT"] = crash_at.value
    jobs_builders = _sibling("jobs/jobs_builders.py", "jobs_builders")
    return subprocess.run([sys.executable, "-c", WORKER, *args,
                           jobs_builders.SAMPLE_DAY.isoformat()],
                          cwd=settings.data_dir, env=env, capture_output=True, text=True,
                          timeout=60)


def test_a_crash_between_the_steps_never_leaves_two_licences_or_an_orphan(
        settings: Settings) -> None:
    _sibling("jobs/jobs_builders.py", "jobs_builders")  # elicence_builders imports it by name
    builders = _sibling("jobs/elicence_builders.py", "zz_elicence_builders")
    builders.our_office(settings, settings.data_dir.parent / "us")
    db = create_db(settings)
    store = FileStore(settings.resolved_storage_dir)
    crashed: dict[CrashPoint, int] = {}
    stored: dict[CrashPoint, int] = {}  # blobs the crashed run left in the file store
    for point in CrashPoint:
        crashed[point], _ = builders.sample_application(db, store, CASE, SERVICE)
        before = _blobs(store)
        run = _run(settings, "validate", str(crashed[point]), crash_at=point)
        assert run.returncode == CRASH_EXIT_CODE, run.stderr[-2000:]
        stored[point] = len(_blobs(store) - before)

    def pending() -> set[int]:
        with db.transaction(read_only=True) as session:
            return set(session.scalars(select(StatusIndexReservation.application_id).where(
                StatusIndexReservation.application_id.is_not(None))))

    def licences(application_id: int) -> list[LicenceRecord]:
        with db.transaction(read_only=True) as session:
            return list(session.scalars(select(LicenceRecord).where(
                LicenceRecord.application_id == application_id)))

    # Where each crash left things: reserved and approved, or recorded and issued.
    assert pending() == {crashed[CrashPoint.AFTER_RESERVE], crashed[CrashPoint.AFTER_SIGN]}
    assert licences(crashed[CrashPoint.AFTER_SIGN]) == []
    assert len(licences(crashed[CrashPoint.AFTER_COMMIT])) == 1
    # The files are stored in the commit step: a PDF and OFD signed and sealed by a process
    # that died before its commit exist nowhere; the committed ones (the service issues both,
    # licence.formats [pdf, ofd]) are in the store.
    assert stored == {CrashPoint.AFTER_RESERVE: 0, CrashPoint.AFTER_SIGN: 0,
                      CrashPoint.AFTER_COMMIT: 2}

    recovery = _run(settings, "recover", *(str(i) for i in crashed.values()))
    assert recovery.returncode == 0, recovery.stderr[-2000:]
    assert recovery.stdout.split() == ["already_done"] * 3

    trust = load_trust(settings.data_dir / "published")
    with db.transaction(read_only=True) as session:
        for point, application_id in crashed.items():
            application = session.get(Application, application_id)
            assert application is not None
            assert application.state is ApplicationState.ISSUED, point
            rows = session.scalars(select(LicenceRecord).where(
                LicenceRecord.application_id == application_id)).all()
            assert len(rows) == 1, point
            pdf = store.get(rows[0].pdf_sha256)
            verdict = verify_licence_pdf(pdf, trust)
            assert verdict.passed, (point, verdict.to_dict())
            assert rows[0].ofd_sha256 is not None, point
            ofd_verdict = verify_licence_ofd(store.get(rows[0].ofd_sha256), trust)
            assert ofd_verdict.passed, (point, ofd_verdict.to_dict())
            issued = session.scalar(select(func.count()).select_from(AuditEntry).where(
                AuditEntry.action == AuditAction.LICENCE_ISSUED.value,
                AuditEntry.subject_id == rows[0].identifier))
            assert issued == 1, point
        assert session.scalar(select(func.count()).select_from(LicenceRecord)) == 3
        assert verify_chain(session).intact
    assert pending() == set()

    # The sweep again, in this process: nothing left to do, nothing changes.
    assert finish_pending_licences(JobContext(settings, db, store).workflow) == []
    with db.transaction(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(LicenceRecord)) == 3
    db.dispose()


def _blobs(store: FileStore) -> set[Path]:
    return {p for p in store.root.rglob("*") if p.is_file() and ".tmp" not in p.parts}


def test_the_crash_hook_is_refused_in_production() -> None:
    with pytest.raises(ValueError, match="ZZ_CRASH_AT"):
        Settings(_env_file=None, environment="prod", crash_at=CrashPoint.AFTER_SIGN,
                 key_passphrase="p" * 40, secret_key="s" * 40)
