"""Run the Alembic migrations in ``api/db/migrations`` from code (no ``alembic.ini`` needed):
``upgrade(settings)`` at start-up and in ``zhengzhao users add``."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from api.db.engine import Database, create_db
from core import Settings

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at our scripts; ``connection`` is used by ``env.py``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(settings: Settings, *, revision: str = "head", db: Database | None = None) -> None:
    """Bring the database to ``revision`` (default the newest). Idempotent."""
    database = db or create_db(settings)
    try:
        with database.engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
    finally:
        if db is None:
            database.dispose()
    log.info("database migrated to %s", revision)


def downgrade(db: Database, revision: str) -> None:
    """Step the database back to ``revision`` (``"base"``: empty). For tests and operators."""
    with db.engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)
