"""The database under an office built by the route tests: every module that builds an app over
a real database runs once on SQLite (a file in the office's data dir) and once on PostgreSQL
(a database of its own on ``$ZZ_TEST_POSTGRES_URL``, default the local trust-auth server,
created for the module and dropped afterwards; those cases are marked ``integration``).

Use :data:`BACKENDS` as the params of the module's office fixture and
:func:`office_database_url` for its ``Settings(database_url=...)``."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get(
    "ZZ_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.integration),
]


@contextmanager
def office_database_url(backend: str, directory: Path) -> Iterator[str]:
    """A URL of an empty database on ``backend`` (not migrated), removed afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'zhengzhao.db'}"
        return
    if backend != "postgresql":
        raise ValueError(f"unknown backend {backend!r}")
    server = make_url(POSTGRES_URL)
    name = f"zz_office_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
