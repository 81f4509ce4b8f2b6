"""The queue from Settings: the embedded SQLite queue in the data dir, Redis for a ``redis://``
jobs_url, a clear error for anything else; and the package's public names."""

from __future__ import annotations

from pathlib import Path

import pytest
from huey import RedisHuey, SqliteHuey

import api.jobs
from api.jobs import JobsConfigError, create_huey
from core import ErrorCode, Settings


def test_no_jobs_url_means_the_embedded_sqlite_queue(tmp_path: Path) -> None:
    huey = create_huey(Settings(_env_file=None, data_dir=tmp_path / "d"))
    assert isinstance(huey, SqliteHuey)
    huey.enqueue  # noqa: B018 - the attribute exists on every huey
    assert (tmp_path / "d" / "jobs.db").is_file()


def test_a_redis_url_means_redis(tmp_path: Path) -> None:
    huey = create_huey(Settings(_env_file=None, data_dir=tmp_path,
                                jobs_url="redis://127.0.0.1:6379/0"), name="zz-test-x")
    assert isinstance(huey, RedisHuey)
    assert huey.name == "zz-test-x"


@pytest.mark.parametrize("url", ["amqp://localhost/", "postgresql://x/y", "jobs.db"])
def test_another_url_is_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(JobsConfigError) as info:
        create_huey(Settings(_env_file=None, data_dir=tmp_path, jobs_url=url))
    assert info.value.code is ErrorCode.CONFIG_INVALID


def test_public_names() -> None:
    assert sorted(api.jobs.__all__) == [
        "DEFAULT_QUEUE_NAME", "DEFAULT_RECOVER_AFTER", "DueJobs", "EmbeddedConsumer",
        "JobContext", "JobOutcome", "Jobs", "JobsConfigError", "JobsError", "create_huey",
        "create_jobs", "process_application", "process_material", "run_worker",
        "stalled_applications", "start_embedded_worker", "validate_application",
    ]
    assert all(hasattr(api.jobs, name) for name in api.jobs.__all__)


def test_the_worker_command_defaults_are_the_jobs_defaults() -> None:
    from api.cli import worker as cli_worker
    from api.jobs import DEFAULT_QUEUE_NAME, DEFAULT_RECOVER_AFTER

    assert cli_worker.DEFAULT_QUEUE_NAME == DEFAULT_QUEUE_NAME
    assert cli_worker.DEFAULT_RECOVER_AFTER_SECONDS == DEFAULT_RECOVER_AFTER.total_seconds()
