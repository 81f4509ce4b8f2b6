"""The content-addressed local file store: every blob is kept once, under its SHA-256.

Layout: ``<root>/ab/cd/abcd…`` (two levels of fan-out keep directories small). Writes go to a
temporary file in ``<root>/.tmp``, are fsynced and then renamed into place, so a reader sees the
whole blob or none; storing the same bytes twice is a no-op. Keys are checked against
``^[0-9a-f]{64}$`` before any path is built, so a key can never name a file outside the store,
and :meth:`FileStore.get` re-hashes what it read, so a corrupted blob is refused, not served.

Errors live here (not in an ``errors.py``) because this one module is the whole store.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import tempfile
from pathlib import Path

from api.errors import StorageKeyInvalidError, StoredFileCorruptError, StoredFileNotFoundError

log = logging.getLogger(__name__)

_KEY = re.compile(r"[0-9a-f]{64}")


class FileStore:
    """Blobs by SHA-256 under ``root`` (created on first write)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, data: bytes) -> str:
        """Store ``data`` (once) and return its SHA-256 in hex."""
        sha256 = hashlib.sha256(data).hexdigest()
        target = self._path(sha256)
        if target.exists():
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp_dir = self.root / ".tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix="put-", dir=tmp_dir)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o440)
            # Same content, same name: whichever concurrent writer renames last wins harmlessly.
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        _fsync_dir(target.parent)
        log.debug("stored blob %s (%d bytes)", sha256, len(data))
        return sha256

    def get(self, sha256: str) -> bytes:
        """The bytes stored under ``sha256``; raises if absent or damaged."""
        path = self._path(sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise StoredFileNotFoundError(sha256) from None
        if hashlib.sha256(data).hexdigest() != sha256:
            log.error("stored blob %s does not match its hash", sha256)
            raise StoredFileCorruptError(sha256)
        return data

    def delete(self, sha256: str) -> bool:
        """Remove the blob stored under ``sha256`` (whether it was there). The caller makes
        sure no row refers to it any more."""
        try:
            self._path(sha256).unlink()
        except FileNotFoundError:
            return False
        log.debug("deleted blob %s", sha256)
        return True

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).is_file()

    def path_of(self, sha256: str) -> Path:
        """Where the blob lives (for streaming responses); raises if absent."""
        path = self._path(sha256)
        if not path.is_file():
            raise StoredFileNotFoundError(sha256)
        return path

    def _path(self, sha256: str) -> Path:
        if not isinstance(sha256, str) or not _KEY.fullmatch(sha256):
            raise StorageKeyInvalidError()
        return self.root / sha256[:2] / sha256[2:4] / sha256


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable (POSIX); harmless where directories cannot be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
