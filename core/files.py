"""Writing a file atomically: a reader sees the old file or the new one, never half of one, and
a failed write leaves no temporary file behind. The one helper for the register and the
published folder (``elicense``), the key store (``signing``), the generated secrets, the
PaddleOCR model folder (``ocr``) and the CLI's published files (``api``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes, *, mode: int = 0o644,
                     exclusive: bool = False) -> bool:
    """Write ``data`` to ``path`` through a temporary file beside it: the file gets ``mode``
    before any byte is written (a secret is never readable by others, even half-written), is
    fsynced, then renamed over ``path``. With ``exclusive`` an existing ``path`` is kept
    (the file is hard-linked into place, so of several processes the first one wins); returns
    whether ``data`` was written (always ``True`` without ``exclusive``)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if not exclusive:
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        Path(tmp).unlink(missing_ok=True)
