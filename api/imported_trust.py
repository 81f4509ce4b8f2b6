"""Other offices' trust material for the public verification routes: the issuers an admin
imported (``elicense.TrustStore`` under ``<data dir>/trust``), found by the key id that signed a
licence's token. Read again whenever the imported folders change (an import, a refresh or a
removal, by this process or another), and only looked at when this office's own keys do not know
the key id, so verifying our own licences costs nothing extra. The public routes, the verifier
pages and ``zhengzhao verify`` all fall back to it the same way (:meth:`ImportedTrust.fallback`);
the verdict then binds the licence to the imported issuer (``elicense.check_issuer_binding``)."""

from __future__ import annotations

import base64
import logging
import os
import threading
from typing import Any

from core import Settings
from signing import TokenCode

log = logging.getLogger(__name__)


class ImportedTrust:
    """Key id → the imported issuer's ``elicense.TrustMaterial``."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._stamp: tuple[Any, ...] | None = None
        self._by_kid: dict[bytes, Any] = {}

    @property
    def root(self) -> Any:
        from elicense import TrustStore  # noqa: PLC0415 - heavy import on demand

        return TrustStore.for_settings(self._settings).root

    def fallback(self, verdict: Any) -> Any:
        """The imported issuer's trust material to verify again with, when ``verdict`` (an
        ``elicense.LicenceVerdict`` against our own keys) failed because our keys do not know
        the token's key id; else ``None``."""
        return None if verdict.passed else self.for_kid(unknown_kid(verdict))

    def for_kid(self, kid: bytes | None) -> Any:
        """The trust material of the imported issuer whose signing keys include ``kid``, or
        ``None`` (no such issuer, or ``kid`` unknown)."""
        if not kid:
            return None
        stamp = self._stat()
        with self._lock:
            if stamp != self._stamp:
                self._by_kid = self._load() if stamp else {}
                self._stamp = stamp
            return self._by_kid.get(kid)

    def _load(self) -> dict[bytes, Any]:
        from elicense import TrustStore  # noqa: PLC0415

        store = TrustStore.for_settings(self._settings)
        by_kid: dict[bytes, Any] = {}
        for issuer, material in store.materials():
            for kid in material.trusted_keys:
                if kid in by_kid:  # two issuers claiming one key: trust neither with it
                    log.warning("key id listed by more than one imported issuer (%s)",
                                issuer.code)
                    by_kid[kid] = None
                else:
                    by_kid[kid] = material
        return {kid: material for kid, material in by_kid.items() if material is not None}

    def _stat(self) -> tuple[Any, ...]:
        # Imports and removals rename whole folders (new inodes); a refresh replaces the folder
        # too. The folder names with their inodes and the status lists' stamps tell any change.
        root = self.root
        try:
            with os.scandir(root) as entries:
                folders = sorted((e.name, e.inode()) for e in entries
                                 if e.is_dir() and not e.name.startswith("."))
        except OSError:
            return ()
        stamp: list[Any] = []
        for name, inode in folders:
            try:
                info = os.stat(root / name / "status-list.cose")
                stamp.append((name, inode, info.st_ino, info.st_mtime_ns))
            except OSError:
                stamp.append((name, inode))
        return tuple(stamp)


def unknown_kid(verdict: Any) -> bytes | None:
    """The key id of a token the verifying keys did not know (then an imported issuer may),
    else ``None``."""
    token = verdict.token or {}
    kid = token.get("kid")
    if token.get("code") != TokenCode.UNKNOWN_KID.value or not isinstance(kid, str):
        return None
    try:
        return base64.urlsafe_b64decode(kid + "=" * (-len(kid) % 4))
    except ValueError:
        return None
