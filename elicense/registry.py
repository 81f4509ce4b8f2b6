"""The issuer's register of e-licences: what was issued (identifier, PDF SHA-256, status-list
index, signing key id), and what was revoked, when and why.

:class:`LicenceRegistry` is the interface; :class:`FileRegistry` keeps it in one JSON file under
the data dir for the CLI (the service keeps the same facts in its database). Every change is made
under an exclusive file lock and written atomically (temporary file, fsync, rename), so two
commands never interleave and a crash leaves the old file or the new one, never half of one.
Nothing personal is stored: the holder code is kept masked.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import secrets
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from core import write_atomically
from elicense.errors import LicenceExistsError, LicenceNotFoundError, RegistryCorruptError

REGISTRY_FILE = "registry.json"
_LOCK_FILE = ".registry.lock"
_FORMAT = 1


class LicenceStatus(StrEnum):
    """Whether an issued licence still stands."""

    VALID = "valid"
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    """One issued licence as the issuer remembers it."""

    identifier: str
    type_code: str
    holder_code_masked: str
    status_index: int
    pdf_sha256: str
    kid: str  # hex of the signing certificate's key id
    issued_at: str  # ISO 8601, UTC
    valid_until: str | None  # ISO date; None: open-ended
    status: LicenceStatus = LicenceStatus.VALID
    revoked_at: str | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status.value}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RegistryEntry:
        return cls(**{**data, "status": LicenceStatus(data.get("status", "valid"))})


class LicenceRegistry(Protocol):
    """What issuing and revoking need from a register (file here, database in the service)."""

    def reserve_index(self, size: int) -> int: ...

    def add(self, entry: RegistryEntry) -> None: ...

    def get(self, identifier: str) -> RegistryEntry | None: ...

    def find_by_sha256(self, pdf_sha256: str) -> RegistryEntry | None: ...

    def revoke(self, identifier: str, reason: str, at: datetime) -> RegistryEntry: ...

    def revoked_indices(self) -> set[int]: ...


class FileRegistry:
    """A :class:`LicenceRegistry` in ``<directory>/registry.json``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @property
    def path(self) -> Path:
        return self.directory / REGISTRY_FILE

    def reserve_index(self, size: int) -> int:
        """A random status-list index no licence uses or has reserved (the W3C spec advises
        random indexes, so neighbours in the list say nothing about each other)."""
        with self._locked() as state:
            taken = set(state["reserved"]) | {e["status_index"] for e in state["licences"].values()}
            if len(taken) >= size:
                raise RegistryCorruptError(self.path.name, "the status list is full")
            while (index := secrets.randbelow(size)) in taken:
                pass
            state["reserved"].append(index)
            return index

    def add(self, entry: RegistryEntry) -> None:
        with self._locked() as state:
            if entry.identifier in state["licences"]:
                raise LicenceExistsError(entry.identifier)
            state["licences"][entry.identifier] = entry.to_dict()
            with contextlib.suppress(ValueError):
                state["reserved"].remove(entry.status_index)

    def get(self, identifier: str) -> RegistryEntry | None:
        data = self._read()["licences"].get(identifier)
        return None if data is None else RegistryEntry.from_dict(data)

    def find_by_sha256(self, pdf_sha256: str) -> RegistryEntry | None:
        for data in self._read()["licences"].values():
            if data["pdf_sha256"] == pdf_sha256:
                return RegistryEntry.from_dict(data)
        return None

    def entries(self) -> list[RegistryEntry]:
        return [RegistryEntry.from_dict(d) for d in self._read()["licences"].values()]

    def revoke(self, identifier: str, reason: str, at: datetime) -> RegistryEntry:
        """Mark a licence revoked (revoking twice keeps the first time and reason)."""
        with self._locked() as state:
            data = state["licences"].get(identifier)
            if data is None:
                raise LicenceNotFoundError(identifier)
            entry = RegistryEntry.from_dict(data)
            if entry.status is LicenceStatus.VALID:
                entry = replace(entry, status=LicenceStatus.REVOKED,
                                revoked_at=at.isoformat(timespec="seconds"), reason=reason)
                state["licences"][identifier] = entry.to_dict()
            return entry

    def revoked_indices(self) -> set[int]:
        return {d["status_index"] for d in self._read()["licences"].values()
                if d.get("status") == LicenceStatus.REVOKED.value}

    # -- storage -------------------------------------------------------------------------------

    def _read(self) -> dict[str, Any]:
        try:
            text = self.path.read_text("utf-8")
        except FileNotFoundError:
            return {"format": _FORMAT, "licences": {}, "reserved": []}
        try:
            state = json.loads(text)
            if (not isinstance(state, dict) or state.get("format") != _FORMAT
                    or not isinstance(state.get("licences"), dict)
                    or not isinstance(state.get("reserved"), list)):
                raise ValueError("unexpected structure")
        except ValueError as exc:
            raise RegistryCorruptError(self.path.name, str(exc)) from None
        return state

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, Any]]:
        """The state, under an exclusive lock; written back atomically if the block succeeds."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / _LOCK_FILE, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                state = self._read()
                yield state
                self._write(state)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _write(self, state: dict[str, Any]) -> None:
        text = json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True)
        write_atomically(self.path, text.encode("utf-8"), mode=0o600)
