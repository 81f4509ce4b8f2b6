"""Logging configuration, applied once at an entry point (CLI, service).

Modules only call ``logging.getLogger(__name__)``. Nothing here or anywhere logs personal data,
images, OCR text or key material: log ids, sizes and timings.
"""

from __future__ import annotations

import logging


def configure_logging(level: str = "WARNING") -> None:
    """Configure the root logger once; later calls only change the level."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level.upper())
    # pyHanko logs each failed validation as a warning with certificate subjects and a
    # traceback; the verdict already says what failed, so keep its chatter for debugging.
    quiet = logging.DEBUG if level.upper() == "DEBUG" else logging.ERROR
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(quiet)
