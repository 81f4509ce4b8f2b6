"""Errors raised by :func:`signing.sign_pdf` (``signing.pades_sign``): a PDF that cannot be
signed. Validation never raises: :func:`signing.validate_pdf` returns a verdict instead.

Messages never contain document content or key material.
"""

from __future__ import annotations

from core import ErrorCode
from signing.errors import SigningError


class PdfSigningError(SigningError):
    """The PDF to sign is unreadable (``INPUT_CORRUPT``) or encrypted (``INPUT_PDF_ENCRYPTED``)."""

    def __init__(self, code: ErrorCode, message_en: str, message_zh: str) -> None:
        super().__init__(code, message_en, message_zh)


__all__ = ["PdfSigningError"]
