"""Alembic environment for SQLite and PostgreSQL. The connection comes from
``api.db.migrate`` (``config.attributes["connection"]``); SQLite uses batch mode so that
column changes work despite its limited ALTER TABLE."""

from __future__ import annotations

from alembic import context

from api.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through api.db.upgrade(settings)")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported")
run_migrations_online()
