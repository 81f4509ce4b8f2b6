"""Fixtures for the ``api.jobs`` tests: a migrated database (a SQLite file in tmp_path, or a
fresh schema on the local PostgreSQL, marked ``integration``), a file store in tmp_path, a job
context over them, a queue on each huey backend (SqliteHuey in tmp_path; RedisHuey on
127.0.0.1:6379 under a unique name, flushed afterwards, marked ``integration``) and the jobs
registered on it. Builders of sample applications are in ``jobs_builders.py``."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from huey import Huey
from jobs_builders import REDIS_URL, SAMPLE_DAY  # a sibling module
from sqlalchemy import create_engine, text

from api.db import Database, create_db, upgrade
from api.db.engine import database_for_url
from api.jobs import JobContext, Jobs, create_huey, create_jobs
from api.storage import FileStore
from core import Settings

POSTGRES_URL = os.environ.get(
    "ZZ_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def job_settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data")


@pytest.fixture(params=[pytest.param("sqlite", id="sqlite-db"),
                        pytest.param("postgresql", id="pg-db", marks=pytest.mark.integration)])
def db(request: pytest.FixtureRequest, job_settings: Settings) -> Iterator[Database]:
    """The migrated database: a SQLite file in tmp_path, or a fresh schema (dropped afterwards)
    in the local PostgreSQL server's ``test`` database."""
    if request.param == "sqlite":
        database = create_db(job_settings)
        upgrade(job_settings, db=database)
        yield database
        database.dispose()
        return
    schema = f"zz_jobs_{secrets.token_hex(6)}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    database = database_for_url(POSTGRES_URL,
                                connect_args={"options": f"-csearch_path={schema}"})
    try:
        upgrade(job_settings, db=database)
        yield database
    finally:
        database.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def store(job_settings: Settings) -> FileStore:
    return FileStore(job_settings.resolved_storage_dir)


@pytest.fixture
def context(job_settings: Settings, db: Database, store: FileStore) -> Iterator[JobContext]:
    def no_reader(_settings: Settings) -> Any:
        raise AssertionError("this test must not need the OCR reader")

    ctx = JobContext(job_settings, db, store, reader_factory=no_reader,
                     today=lambda: SAMPLE_DAY)
    yield ctx
    ctx.close()


@pytest.fixture(params=[pytest.param("sqlite", id="sqlite-huey"),
                        pytest.param("redis", id="redis-huey", marks=pytest.mark.integration)])
def huey(request: pytest.FixtureRequest, job_settings: Settings) -> Iterator[Huey]:
    if request.param == "sqlite":
        queue = create_huey(job_settings)
    else:
        redis_settings = job_settings.model_copy(update={"jobs_url": REDIS_URL})
        queue = create_huey(redis_settings, name=f"zz-test-{secrets.token_hex(6)}")
    yield queue
    queue.flush()


@pytest.fixture
def jobs(job_settings: Settings, huey: Huey, context: JobContext) -> Jobs:
    return create_jobs(job_settings, huey=huey, context=context)
