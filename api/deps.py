"""What the service's routes depend on, built once per app by ``create_app`` and reached through
``Annotated`` aliases (``SettingsDep``, ``TrustDep``, ...): the settings, this office's trust
material (kept fresh from its published folder), the metrics and the rate limiter; and the
path parameters every route shares (``RowId``, ``MaterialType``)."""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import fastapi
from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from api.errors import NoSigningKeysError
from core import Environment, Settings
from elicense import FileRegistry, LicenceRegistry, TrustMaterial, load_trust, publish
from signing import IssuerIdentity, KeysExistError, KeyStore

log = logging.getLogger(__name__)

# The status list a verifier reads is valid for a week; a running service re-signs it this often.
REPUBLISH_EVERY_SECONDS = 6 * 3600.0


class TrustCache:
    """This office's trust material, re-read whenever a file of the published folder changes
    (an issue or a revocation re-publishes it, status list last), so a revoked licence shows as
    revoked at once — in every process serving the folder: each request stats the status list,
    and the whole folder at most every :data:`FULL_CHECK_SECONDS`.
    Once refreshed, it re-publishes every :data:`REPUBLISH_EVERY_SECONDS` so the status list
    never goes stale while the service runs. ``registry`` gives the ``elicense.LicenceRegistry``
    the status list is built from, called only when publishing, so an app can hand over its
    database's register before the database is open (default: the file register under
    ``Settings.resolved_registry_dir``)."""

    def __init__(self, settings: Settings,
                 registry: Callable[[], LicenceRegistry] | None = None) -> None:
        self._settings = settings
        self._registry = registry
        self._lock = threading.Lock()
        self._stamp: tuple[int, ...] | None = None
        self._trust: TrustMaterial | None = None
        self._current: _Loaded | None = None
        self._refreshed_at: float | None = None

    @property
    def loaded(self) -> bool:
        return self._trust is not None

    @property
    def directory(self) -> Path:
        return self._settings.resolved_published_dir

    def refresh(self, now: datetime | None = None) -> Path:
        """Re-sign the status list and CRLs and rewrite the published folder (on startup; the
        status list lasts a week). In dev a missing key store is created (a demo PKI), and one
        made before the SM2 keys gets them."""
        settings = self._settings
        store = KeyStore.from_settings(settings)
        if not store.exists():
            if settings.environment is not Environment.DEV:
                raise NoSigningKeysError()
            store.initialise(IssuerIdentity.from_settings(settings))
            log.warning("created a demo PKI in %s (dev only)", store.directory)
        elif not store.has_sm2() and settings.environment is Environment.DEV:
            # A demo PKI made before the SM2 keys: add them, so services issuing sealed OFDs
            # work (elsewhere approving such a licence says to run `keys init --sm2`).
            try:
                store.initialise_sm2()
                log.warning("added the SM2 seal keys to the demo PKI in %s (dev only)",
                            store.directory)
            except KeysExistError:  # another process of this service added them first
                pass
        registry = (self._registry() if self._registry is not None
                    else FileRegistry(settings.resolved_registry_dir))
        directory = publish(store, registry, self.directory, settings.issuer_code,
                            now or datetime.now(UTC))
        self._refreshed_at = time.monotonic()
        return directory

    def current(self) -> TrustMaterial | None:
        """The trust material already in memory if it is still current (nothing to re-read or
        re-publish), else ``None``: then call :meth:`get`. Cheap, never blocks for long."""
        loaded = self._current  # one read: the material and the stamps it was loaded at
        if loaded is None or not loaded.stamp or self._republish_due():
            return None
        # Every publish rewrites the status list last (a new inode): one stat sees it at once.
        # The whole folder is compared at most every FULL_CHECK_SECONDS, for hand edits.
        if self._status_stamp() != loaded.stamp[_STATUS_SLICE]:
            return None
        now = time.monotonic()
        if now - loaded.checked_at > FULL_CHECK_SECONDS:
            if self._stat() != loaded.stamp:
                return None
            self._current = dataclasses.replace(loaded, checked_at=now)
        return loaded.trust

    def _republish_due(self) -> bool:
        return (self._refreshed_at is not None
                and time.monotonic() - self._refreshed_at > REPUBLISH_EVERY_SECONDS)

    def get(self) -> TrustMaterial:
        """The current :class:`elicense.TrustMaterial` (loading or re-loading it if needed)."""
        if self._republish_due():
            with self._lock:
                if time.monotonic() - self._refreshed_at > REPUBLISH_EVERY_SECONDS:
                    self.refresh()
        stamp = self._stat()
        if self._trust is not None and stamp == self._stamp:
            return self._trust
        with self._lock:
            if not stamp:
                self.refresh()
                stamp = self._stat()
            if self._trust is None or stamp != self._stamp:
                self._trust = load_trust(self.directory)
                self._stamp = stamp
                self._current = _Loaded(self._trust, stamp, time.monotonic())
            return self._trust

    def _status_stamp(self) -> tuple[int, ...]:
        try:
            info = os.stat(self.directory / _PUBLISHED_FILES[2])
        except OSError:
            return ()
        return (info.st_ino, info.st_mtime_ns, info.st_size)

    def _stat(self) -> tuple[int, ...]:
        """A fingerprint of the published files (inode, mtime, size of each): cheap enough for
        every request — a few ``stat`` calls and one short directory listing — and changed by
        every atomic re-publish, since a replaced file has a new inode even within one clock
        tick. Empty when the folder has not been published yet."""
        directory = self.directory
        stamp: list[int] = []
        try:
            for name in _PUBLISHED_FILES:
                info = os.stat(directory / name)
                stamp += (info.st_ino, info.st_mtime_ns, info.st_size)
            with os.scandir(directory / _CRL_DIR) as entries:
                crls = sorted((e.name, e.stat()) for e in entries
                              if e.name.endswith(".pem") and not e.name.startswith("."))
        except OSError:
            return ()
        for _name, info in crls:
            stamp += (info.st_ino, info.st_mtime_ns, info.st_size)
        return tuple(stamp)


# The published folder's files (``elicense.publish`` writes them; temporary files start with
# a dot and are ignored).
_PUBLISHED_FILES = ("trust-list.json", "root.pem", "status-list.cose")
_STATUS_SLICE = slice(6, 9)  # the status list's (inode, mtime, size) in a stamp
_CRL_DIR = "crls"
# How often a request compares the whole published folder rather than the status list alone.
FULL_CHECK_SECONDS = 1.0


@dataclass(frozen=True)
class _Loaded:
    trust: TrustMaterial
    stamp: tuple[int, ...]
    checked_at: float


# The dependencies are ``async``: FastAPI runs a plain ``def`` dependency in its thread pool,
# and two such hand-offs cost a token verification more than the verification itself.


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


async def get_trust(request: Request) -> TrustMaterial:
    """The current trust material: from memory while the published folder is unchanged (one
    ``stat`` per request), else re-read or re-published in the thread pool."""
    trust: TrustCache = request.app.state.trust
    current = trust.current()
    return current if current is not None else await run_in_threadpool(trust.get)


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
TrustDep = Annotated[TrustMaterial, Depends(get_trust)]

# Row ids are 32-bit integers on PostgreSQL; larger ones cannot exist (422, not a 500).
RowId = Annotated[int, fastapi.Path(ge=1, le=2_147_483_647)]
# Material ids are short names from the service definition; a longer one cannot exist, and
# refusing it before use keeps a huge one from being echoed back in the error.
MaterialType = Annotated[str, fastapi.Path(min_length=1, max_length=64)]
