"""The engine and session factory, built from Settings (never at import time).

SQLite (the embedded default) gets WAL journaling, enforced foreign keys and a busy timeout on
every connection; PostgreSQL is used as configured (``postgresql+psycopg://...``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from core import Settings, make_private_dir

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000


_IMMEDIATE = "zz_sqlite_begin_immediate"


@dataclass(frozen=True)
class Database:
    """An engine and its session factories. ``transaction()`` is the usual way in."""

    engine: Engine
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]

    @contextmanager
    def transaction(self, *, read_only: bool = False) -> Iterator[Session]:
        """A session in one transaction: committed if the block succeeds, rolled back if not.

        On SQLite a writing transaction starts with ``BEGIN IMMEDIATE``: writers queue for the
        one write lock (up to the busy timeout) instead of failing when a snapshot they read
        went stale. ``read_only=True`` uses a plain deferred ``BEGIN`` (WAL readers never wait).
        """
        factory = self.read_sessions if read_only else self.sessions
        with factory.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def create_db(settings: Settings, *, url: str | None = None, echo: bool = False) -> Database:
    """The database named by ``settings.resolved_database_url`` (or ``url``), not yet migrated:
    call :func:`api.db.upgrade` once at start-up."""
    return database_for_url(url or settings.resolved_database_url, echo=echo)


def database_for_url(url: str, *, echo: bool = False, **engine_kwargs: Any) -> Database:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        in_memory = not parsed.database or parsed.database == ":memory:"
        if not in_memory:
            create_private_sqlite_file(Path(str(parsed.database)))
        engine = create_engine(url, echo=echo, **engine_kwargs)
        _configure_sqlite(engine, in_memory=in_memory,
                          path=None if in_memory else Path(str(parsed.database)))
    else:
        engine = create_engine(url, echo=echo, pool_pre_ping=True, **engine_kwargs)
    log.debug("database engine for backend %s", parsed.get_backend_name())
    writer = engine.execution_options(**{_IMMEDIATE: True})
    return Database(engine, sessionmaker(writer, expire_on_commit=False),
                    sessionmaker(engine, expire_on_commit=False))


SQLITE_FILE_MODE = 0o600
_SQLITE_SIBLINGS = ("-wal", "-shm", "-journal")


def create_private_sqlite_file(path: Path) -> None:
    """Create an empty SQLite file (a valid empty database) owner-only, whatever the umask, in
    an owner-only directory if that is new: the database holds ID numbers and password hashes,
    and SQLite gives its -wal and -shm files the database file's mode."""
    make_private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, SQLITE_FILE_MODE)
    except FileExistsError:
        return
    os.fchmod(fd, SQLITE_FILE_MODE)
    os.close(fd)


def restrict_sqlite_files(path: Path) -> None:
    """Make the database file and its -wal/-shm/-journal siblings owner-only (0600) if they
    exist and others could read them."""
    for candidate in (path, *(Path(f"{path}{suffix}") for suffix in _SQLITE_SIBLINGS)):
        try:
            if os.stat(candidate).st_mode & 0o077:
                os.chmod(candidate, SQLITE_FILE_MODE)
        except (FileNotFoundError, PermissionError):
            continue


def _configure_sqlite(engine: Engine, *, in_memory: bool, path: Path | None = None) -> None:
    # pysqlite's own transaction handling starts transactions late and lets SAVEPOINT commit
    # behind SQLAlchemy's back; turn it off and emit BEGIN ourselves (SQLAlchemy's documented
    # recipe), so nested transactions and rollbacks behave as on PostgreSQL.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()
        if path is not None:
            restrict_sqlite_files(path)  # -wal and -shm exist now (WAL mode)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
