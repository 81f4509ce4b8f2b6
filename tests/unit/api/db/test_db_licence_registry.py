"""The SQL licence register behaves like elicense.FileRegistry: the same tests run against the
file register, the SQL register on SQLite, and the SQL register on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import fresh_database

from api.db import Base, SqlLicenceRegistry
from elicense import (
    FileRegistry,
    LicenceExistsError,
    LicenceNotFoundError,
    LicenceRegistry,
    LicenceStatus,
    RegistryCorruptError,
    RegistryEntry,
)


@pytest.fixture(params=[
    pytest.param("file", id="file"),
    pytest.param("sqlite", id="sql-sqlite"),
    pytest.param("postgresql", id="sql-postgresql", marks=pytest.mark.integration),
])
def registry(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LicenceRegistry]:
    if request.param == "file":
        yield FileRegistry(tmp_path / "licences")
        return
    with fresh_database(request.param, tmp_path, request) as db:
        Base.metadata.create_all(db.engine)
        yield SqlLicenceRegistry(db)


def _entry(identifier: str, index: int, sha: str = "a" * 64) -> RegistryEntry:
    return RegistryEntry(identifier=identifier, type_code="11100000000000001X",
                         holder_code_masked="1101**********0011", status_index=index,
                         pdf_sha256=sha, kid="ab" * 20, issued_at="2026-01-02T03:04:05+00:00",
                         valid_until="2031-01-01")


def test_add_then_get_and_find_by_sha256(registry) -> None:
    assert registry.get("ID-1") is None
    entry = _entry("ID-1", 5, sha="b" * 64)
    registry.add(entry)
    assert registry.get("ID-1") == entry
    assert registry.find_by_sha256("b" * 64) == entry
    assert registry.find_by_sha256("c" * 64) is None


def test_a_duplicate_identifier_is_refused(registry) -> None:
    registry.add(_entry("ID-1", 1))
    with pytest.raises(LicenceExistsError):
        registry.add(_entry("ID-1", 2))
    assert registry.get("ID-1").status_index == 1


def test_reserved_indexes_are_distinct_in_range_and_avoid_used_ones(registry) -> None:
    registry.add(_entry("ID-1", 3))
    seen = {registry.reserve_index(8) for _ in range(7)}
    assert seen == {0, 1, 2, 4, 5, 6, 7}
    with pytest.raises(RegistryCorruptError):
        registry.reserve_index(8)


def test_adding_a_licence_consumes_its_reservation(registry) -> None:
    index = registry.reserve_index(2)
    registry.add(_entry("ID-1", index))
    other = registry.reserve_index(2)
    assert {index, other} == {0, 1}
    registry.add(_entry("ID-2", other))
    with pytest.raises(RegistryCorruptError):
        registry.reserve_index(2)


def test_revoke_records_time_and_reason_once(registry) -> None:
    registry.add(_entry("ID-1", 10))
    registry.add(_entry("ID-2", 11))
    first = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    revoked = registry.revoke("ID-1", "superseded", first)
    assert revoked.status is LicenceStatus.REVOKED
    assert (revoked.revoked_at, revoked.reason) == ("2026-03-01T08:00:00+00:00", "superseded")
    again = registry.revoke("ID-1", "other", datetime(2026, 4, 1, tzinfo=UTC))
    assert (again.revoked_at, again.reason) == (revoked.revoked_at, "superseded")
    assert registry.get("ID-1") == revoked
    assert registry.get("ID-2").status is LicenceStatus.VALID
    assert registry.revoked_indices() == {10}


def test_revoking_an_unknown_licence_raises(registry) -> None:
    with pytest.raises(LicenceNotFoundError):
        registry.revoke("NOPE", "x", datetime(2026, 1, 1, tzinfo=UTC))
    assert registry.revoked_indices() == set()


def test_sql_registry_is_a_licence_registry(db) -> None:
    registry: LicenceRegistry = SqlLicenceRegistry(db)
    assert isinstance(registry, SqlLicenceRegistry)
    for name in ("reserve_index", "add", "get", "find_by_sha256", "revoke", "revoked_indices"):
        assert callable(getattr(registry, name))


def test_sql_registry_can_join_the_callers_transaction(db) -> None:
    with db.transaction() as session:
        SqlLicenceRegistry(db, session=session).add(_entry("ID-9", 9))
        session.rollback()
    assert SqlLicenceRegistry(db).get("ID-9") is None


def test_real_identifiers_and_type_codes_fit(registry) -> None:
    # A GB/T 36904 identifier is about 80 characters; PostgreSQL refuses what does not fit.
    identifier = "1.2.156.3005.2.111000000000002892902.11110000000000019K.20240000042.001.P"
    entry = RegistryEntry(identifier=identifier, type_code="111000000000002892902",
                          holder_code_masked="91110105MA0000F292", status_index=16436,
                          pdf_sha256="d" * 64, kid="1a202a33e966616d",
                          issued_at="2026-06-01T10:00:00+00:00", valid_until=None)
    registry.add(entry)
    assert registry.get(identifier) == entry
