"""Alembic migrations: they build exactly the schema the models describe, on both backends, are
idempotent, and step back down to nothing. Plus the engine settings SQLite needs."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from api.db import Account, Application, Base, Material, Role, create_db, upgrade
from api.db.migrate import MIGRATIONS_DIR, alembic_config, downgrade
from core import Settings

TABLES = {"accounts", "applications", "materials", "photo_checks", "validation_results",
          "reviews", "licences", "status_index_reservations", "audit_log", "auth_sessions",
          "login_throttle"}


def _diff(db) -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_migrations_match_the_models(empty_db, settings) -> None:
    upgrade(settings, db=empty_db)
    assert set(inspect(empty_db.engine).get_table_names()) == TABLES | {"alembic_version"}
    assert _diff(empty_db) == []


def test_the_comparison_sees_a_difference(empty_db) -> None:
    # The agreement test above is only worth something if a missing table shows up.
    Base.metadata.create_all(empty_db.engine, tables=[Account.__table__])
    assert any(op[0] == "add_table" for op in _diff(empty_db))


def test_upgrade_is_idempotent_and_downgrade_empties(empty_db, settings) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head == sorted(p.name for p in (MIGRATIONS_DIR / "versions").glob("0*.py"))[-1][:4]
    upgrade(settings, db=empty_db)
    upgrade(settings, db=empty_db)
    with empty_db.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() \
            == head
    downgrade(empty_db, "0001")  # step by step: the newest migration's downgrade runs
    assert "ix_audit_log_action" not in {
        index["name"] for index in inspect(empty_db.engine).get_indexes("audit_log")}
    downgrade(empty_db, "base")
    assert set(inspect(empty_db.engine).get_table_names()) <= {"alembic_version"}


def test_upgrade_from_settings_creates_the_sqlite_file(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")
    upgrade(settings)
    assert (tmp_path / "data" / "zhengzhao.db").is_file()
    db = create_db(settings)
    try:
        assert set(inspect(db.engine).get_table_names()) >= TABLES
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        db.dispose()


def test_foreign_keys_are_enforced(db) -> None:
    try:
        with db.transaction() as session:
            session.add(Material(application_id=12345, material_type="id_card", sha256="a" * 64,
                                 content_type="image/png", size=1))
    except IntegrityError:
        pass
    else:
        raise AssertionError("a material pointing at no application was stored")


def test_json_and_enum_columns_round_trip(db) -> None:
    with db.transaction() as session:
        owner = Account(username="u", role=Role.APPLICANT, password_hash="x")
        session.add(owner)
        session.flush()
        app = Application(service_id="svc", applicant_id=owner.id,
                          corrected_fields={"name": "张三", "n": [1, 2]})
        session.add(app)
        session.flush()
        app_id = app.id
    with db.transaction() as session:
        stored = session.get(Application, app_id)
        assert stored.corrected_fields == {"name": "张三", "n": [1, 2]}
        raw = session.execute(text("SELECT state FROM applications")).scalar()
        assert raw == "draft"
