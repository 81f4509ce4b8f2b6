"""What the service's routes depend on, built once per app by ``create_app`` and reached through
``Annotated`` aliases (``SettingsDep``, ``TrustDep``, ...): the settings, this office's trust
material (kept fresh from its published folder), the metrics and the rate limiter."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request

from core import Environment, Settings

log = logging.getLogger(__name__)


def registry_dir(settings: Settings) -> Path:
    """Where this office's licence register lives (the same place the CLI uses)."""
    return settings.data_dir / "licences"


def published_dir(settings: Settings) -> Path:
    """This office's published trust folder (the same place the CLI uses)."""
    return settings.data_dir / "published"


# The status list a verifier reads is valid for a week; a running service re-signs it this often.
REPUBLISH_EVERY_SECONDS = 6 * 3600.0


class TrustCache:
    """This office's trust material, re-read whenever a file of the published folder changes
    (an issue or a revocation re-publishes it), so a revoked licence shows as revoked at once.
    Once refreshed, it re-publishes every :data:`REPUBLISH_EVERY_SECONDS` so the status list
    never goes stale while the service runs. ``registry`` is the ``elicense.LicenceRegistry``
    the status list is built from (default: the file register the CLI uses)."""

    def __init__(self, settings: Settings, registry: Any = None) -> None:
        self._settings = settings
        self._registry = registry
        self._lock = threading.Lock()
        self._stamp: tuple[int, ...] | None = None
        self._trust: Any = None
        self._refreshed_at: float | None = None

    @property
    def loaded(self) -> bool:
        return self._trust is not None

    @property
    def directory(self) -> Path:
        return published_dir(self._settings)

    def refresh(self, now: datetime | None = None) -> Path:
        """Re-sign the status list and CRLs and rewrite the published folder (on startup; the
        status list lasts a week). In dev a missing key store is created (a demo PKI)."""
        from elicense import FileRegistry, publish  # noqa: PLC0415 - heavy imports on demand
        from signing import IssuerIdentity, KeyStore  # noqa: PLC0415

        settings = self._settings
        store = KeyStore(settings.resolved_keys_dir, settings.key_passphrase)
        if not store.exists():
            if settings.environment is not Environment.DEV:
                raise _no_keys()
            store.initialise(IssuerIdentity.from_settings(settings))
            log.warning("created a demo PKI in %s (dev only)", store.directory)
        registry = self._registry or FileRegistry(registry_dir(settings))
        directory = publish(store, registry, self.directory, settings.issuer_code,
                            now or datetime.now(UTC))
        self._refreshed_at = time.monotonic()
        return directory

    def get(self) -> Any:
        """The current :class:`elicense.TrustMaterial` (loading or re-loading it if needed)."""
        from elicense import load_trust  # noqa: PLC0415

        if (self._refreshed_at is not None
                and time.monotonic() - self._refreshed_at > REPUBLISH_EVERY_SECONDS):
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
            return self._trust

    def _stat(self) -> tuple[int, ...]:
        try:
            paths = sorted(p for p in self.directory.rglob("*") if p.is_file())
            return tuple(p.stat().st_mtime_ns for p in paths) if paths else ()
        except OSError:
            return ()


def _no_keys() -> Exception:
    from core import ErrorCode, ZhengzhaoError  # noqa: PLC0415

    return ZhengzhaoError(ErrorCode.KEYS_MISSING, "no signing keys (run `zhengzhao keys init`)",
                          "没有签发密钥（请先运行 `zhengzhao keys init`）")


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_trust(request: Request) -> Any:
    return request.app.state.trust.get()


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
TrustDep = Annotated[Any, Depends(get_trust)]
