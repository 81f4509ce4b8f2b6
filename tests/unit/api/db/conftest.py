"""Databases for the ``api.db`` tests: every test that takes ``db`` or ``empty_db`` runs once on
SQLite (a file in tmp_path) and once on PostgreSQL (marked ``integration``).

PostgreSQL: one uniquely named database per test session (created here, dropped at the end, so
concurrent runs never collide) and one fresh schema per test inside it. The server is
``$ZZ_TEST_POSTGRES_URL``, default the local trust-auth server's ``test`` database. When it is
unreachable the PostgreSQL cases error; deselect them with ``-m "not integration"``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from api.db import Base, Database
from api.db.engine import database_for_url

POSTGRES_URL = os.environ.get(
    "ZZ_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.integration),
]


@pytest.fixture(scope="session")
def postgres_session_url() -> Iterator[URL]:
    """A PostgreSQL database of its own for this test session."""
    server = make_url(POSTGRES_URL)
    name = f"zz_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def fresh_database(backend: str, tmp_path: Path, request: pytest.FixtureRequest
                   ) -> Iterator[Database]:
    """An empty database (no tables) on ``backend``, removed afterwards."""
    if backend == "sqlite":
        db = database_for_url(f"sqlite:///{tmp_path / 'zhengzhao.db'}")
        try:
            yield db
        finally:
            db.dispose()
        return
    url: URL = request.getfixturevalue("postgres_session_url")
    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    db = database_for_url(url.render_as_string(hide_password=False),
                          connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield db
    finally:
        db.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def empty_db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A database with no tables (for the migration tests)."""
    with fresh_database(backend, tmp_path, request) as db:
        yield db


@pytest.fixture
def db(empty_db: Database) -> Database:
    """A database with every table of ``api.db.Base``, empty."""
    Base.metadata.create_all(empty_db.engine)
    return empty_db
