"""``elicense.LicenceRegistry`` in the database, so the service issues and revokes into the same
tables it reviews from. Behaves like ``elicense.FileRegistry``: random status-list indexes that
no licence uses or has reserved, identifiers never reused, revoking twice keeps the first time.
Each call is its own transaction unless a session is passed in.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.db.engine import Database
from api.db.models import LicenceRecord, StatusIndexReservation
from elicense import (
    LicenceExistsError,
    LicenceNotFoundError,
    LicenceStatus,
    RegistryCorruptError,
    RegistryEntry,
)

_RESERVE_ATTEMPTS = 64
_RANDOM_PROBES = 8


class SqlLicenceRegistry:
    """A :class:`elicense.LicenceRegistry` over the ``licences`` table."""

    def __init__(self, db: Database, *, session: Session | None = None) -> None:
        self.db = db
        self._session = session

    @contextmanager
    def _tx(self, *, read_only: bool = False) -> Iterator[Session]:
        if self._session is not None:
            yield self._session
        else:
            with self.db.transaction(read_only=read_only) as session:
                yield session

    def reserve_index(self, size: int) -> int:
        """A random index in ``[0, size)`` that no licence uses and nobody has reserved."""
        for attempt in range(_RESERVE_ATTEMPTS):
            with self._tx() as session:
                taken = self._taken_count(session)
                if taken >= size:
                    raise RegistryCorruptError("licences", "the status list is full")
                if attempt < _RANDOM_PROBES:
                    # Cheap while the list is sparse, which it is for years.
                    index = secrets.randbelow(size)
                    if self._is_taken(session, index):
                        continue
                else:
                    # Nearly full, or unlucky: draw from the free indexes themselves.
                    used = set(session.scalars(select(LicenceRecord.status_index))) | set(
                        session.scalars(select(StatusIndexReservation.status_index)))
                    free = [i for i in range(size) if i not in used]
                    if not free:
                        raise RegistryCorruptError("licences", "the status list is full")
                    index = secrets.choice(free)
                try:
                    with session.begin_nested():
                        session.add(StatusIndexReservation(status_index=index))
                except IntegrityError:
                    continue  # another writer reserved it a moment ago
                return index
        raise RegistryCorruptError("licences", "no free status-list index found")

    @staticmethod
    def _taken_count(session: Session) -> int:
        licences = session.scalar(select(func.count()).select_from(LicenceRecord)) or 0
        reserved = session.scalar(select(func.count()).select_from(StatusIndexReservation)) or 0
        return licences + reserved

    @staticmethod
    def _is_taken(session: Session, index: int) -> bool:
        return (session.get(StatusIndexReservation, index) is not None
                or session.scalar(select(LicenceRecord.identifier)
                                  .where(LicenceRecord.status_index == index)) is not None)

    def add(self, entry: RegistryEntry) -> None:
        with self._tx() as session:
            if session.get(LicenceRecord, entry.identifier) is not None:
                raise LicenceExistsError(entry.identifier)
            try:
                with session.begin_nested():
                    session.add(_record(entry))
            except IntegrityError:
                # Another writer won the race for this identifier (or index).
                raise LicenceExistsError(entry.identifier) from None
            reservation = session.get(StatusIndexReservation, entry.status_index)
            if reservation is not None:
                session.delete(reservation)

    def get(self, identifier: str) -> RegistryEntry | None:
        with self._tx(read_only=True) as session:
            row = session.get(LicenceRecord, identifier)
            return None if row is None else _entry(row)

    def find_by_sha256(self, pdf_sha256: str) -> RegistryEntry | None:
        with self._tx(read_only=True) as session:
            row = session.scalars(select(LicenceRecord)
                                  .where(LicenceRecord.pdf_sha256 == pdf_sha256).limit(1)).first()
            return None if row is None else _entry(row)

    def entries(self) -> list[RegistryEntry]:
        with self._tx(read_only=True) as session:
            rows = session.scalars(select(LicenceRecord).order_by(LicenceRecord.issued_at))
            return [_entry(row) for row in rows]

    def revoke(self, identifier: str, reason: str, at: datetime) -> RegistryEntry:
        """Mark a licence revoked (revoking twice keeps the first time and reason)."""
        with self._tx() as session:
            row = session.scalars(select(LicenceRecord)
                                  .where(LicenceRecord.identifier == identifier)
                                  .with_for_update()).first()
            if row is None:
                raise LicenceNotFoundError(identifier)
            if row.status is LicenceStatus.VALID:
                row.status = LicenceStatus.REVOKED
                row.revoked_at = at.isoformat(timespec="seconds")
                row.reason = reason
                session.flush()
            return _entry(row)

    def revoked_indices(self) -> set[int]:
        with self._tx(read_only=True) as session:
            return set(session.scalars(select(LicenceRecord.status_index)
                                       .where(LicenceRecord.status == LicenceStatus.REVOKED)))


def _record(entry: RegistryEntry) -> LicenceRecord:
    return LicenceRecord(
        identifier=entry.identifier, type_code=entry.type_code,
        holder_code_masked=entry.holder_code_masked, status_index=entry.status_index,
        pdf_sha256=entry.pdf_sha256, kid=entry.kid, issued_at=entry.issued_at,
        valid_until=entry.valid_until, status=entry.status, revoked_at=entry.revoked_at,
        reason=entry.reason)


def _entry(row: LicenceRecord) -> RegistryEntry:
    return RegistryEntry(
        identifier=row.identifier, type_code=row.type_code,
        holder_code_masked=row.holder_code_masked, status_index=row.status_index,
        pdf_sha256=row.pdf_sha256, kid=row.kid, issued_at=row.issued_at,
        valid_until=row.valid_until, status=LicenceStatus(row.status),
        revoked_at=row.revoked_at, reason=row.reason)
