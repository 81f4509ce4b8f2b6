"""Other offices' trust material for the public verification routes: the issuers an admin imported
(``elicense.TrustStore`` under ``<data dir>/trust``), found by the key id that signed a
licence's token (``elicense.TrustedIssuers``: a key id two issuers list picks neither). Read
again whenever the imported folders change (an import, a refresh or a removal, by this process
or another), and only looked at when this office's own keys do not know the key id, so verifying
our own licences costs nothing extra. The public routes, the verifier pages and ``zhengzhao
verify`` all fall back to it the same way (:meth:`ImportedTrust.fallback`); the verdict then
binds the licence to the imported issuer (``elicense.check_issuer_binding``)."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

from core import Settings
from elicense import LicenceVerdict, TrustedIssuers, TrustMaterial, TrustStore
from signing import TokenCode

log = logging.getLogger(__name__)


class ImportedTrust:
    """Key id → the imported issuer's ``elicense.TrustMaterial``."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._stamp: tuple[Any, ...] | None = None
        self._issuers = TrustedIssuers()

    @property
    def root(self) -> Path:
        return TrustStore.for_settings(self._settings).root

    def fallback(self, verdict: LicenceVerdict) -> TrustMaterial | None:
        """The imported issuer's trust material to verify again with, when ``verdict`` (an
        ``elicense.LicenceVerdict`` against our own keys) failed because our keys do not know
        the token's key id; else ``None``."""
        return None if verdict.passed else self.for_kid(unknown_kid(verdict))

    def for_kid(self, kid: bytes | None) -> TrustMaterial | None:
        """The trust material of the imported issuer whose signing keys include ``kid``, or
        ``None`` (no such issuer, or ``kid`` unknown)."""
        if not kid:
            return None
        stamp = self._stat()
        with self._lock:
            if stamp != self._stamp:
                self._issuers = (TrustStore.for_settings(self._settings).trusted_issuers()
                                 if stamp else TrustedIssuers())
                self._stamp = stamp
            source = self._issuers.for_kid(kid)
            return None if source is None else source.material

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


def unknown_kid(verdict: LicenceVerdict) -> bytes | None:
    """The key id of a token the verifying keys did not know (then an imported issuer may),
    else ``None``."""
    token = verdict.token
    if token is None or token.code != TokenCode.UNKNOWN_KID.value:
        return None
    return token.kid
