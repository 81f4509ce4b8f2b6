"""What ``zhengzhao verify FILE`` does with the file, and ``--trust-anchor CERT.pem``.

``verify FILE`` decides by content, not by the file's name: a zip (an OFD package, GB/T 33190)
is verified as an OFD licence (:func:`elicense.verify_licence_ofd`), a file starting ``%PDF-``
as a licence PDF (:func:`elicense.verify_licence_pdf`), and a short text file as a scanned QR
code (the token, or the link holding it). ``--trust-anchor CERT.pem`` (repeatable; a PEM file
may hold several certificates) adds SM2 certificates to trust for OFD seals besides the issuer's
own SM2 root: a third party's sealed OFD then validates to a root the user chose.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Final

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509

from api.cli.errors import InputFileUnreadableError, TrustAnchorError
from elicense import (
    MAX_QR_TEXT_CHARS,
    LicenceVerdict,
    TrustMaterial,
    verify_licence_ofd,
    verify_licence_pdf,
    verify_licence_token,
)

__all__ = ["DocumentKind", "add_trust_anchor_argument", "document_kind",
           "load_trust_anchors", "verify_document"]

PDF_MAGIC: Final = b"%PDF-"
ZIP_MAGIC: Final = b"PK\x03\x04"
MAX_ANCHOR_BYTES: Final = 256 * 1024


class DocumentKind(StrEnum):
    OFD = "ofd"
    PDF = "pdf"
    TOKEN = "token"


def add_trust_anchor_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--trust-anchor", dest="trust_anchors", type=Path, action="append",
                        default=[], metavar="CERT.pem",
                        help="an SM2 certificate to trust for OFD seals besides the issuer's "
                             "own SM2 root (repeatable)")


def document_kind(data: bytes) -> DocumentKind:
    """OFD for a zip, PDF for ``%PDF-``, a token for short text; anything else goes to the PDF
    verifier, which says it is not a licence PDF."""
    if data.startswith(ZIP_MAGIC):
        return DocumentKind.OFD
    if data.startswith(PDF_MAGIC):
        return DocumentKind.PDF
    if len(data) <= MAX_QR_TEXT_CHARS * 4:
        try:
            text = data.decode("utf-8").strip()
        except UnicodeDecodeError:
            return DocumentKind.PDF
        if text and len(text) <= MAX_QR_TEXT_CHARS and text.isprintable():
            return DocumentKind.TOKEN
    return DocumentKind.PDF


def load_trust_anchors(paths: Sequence[Path]) -> tuple[asn1_x509.Certificate, ...]:
    """Every certificate in the files ``paths`` (PEM, several per file allowed, or one DER)."""
    anchors: list[asn1_x509.Certificate] = []
    for path in paths:
        try:
            if path.stat().st_size > MAX_ANCHOR_BYTES:
                raise TrustAnchorError(path.name)
            data = path.read_bytes()
        except OSError:
            raise InputFileUnreadableError(path.name) from None
        try:
            blocks = ([der for kind, _headers, der in pem.unarmor(data, multiple=True)
                       if kind == "CERTIFICATE"] if pem.detect(data) else [data])
            certificates = [asn1_x509.Certificate.load(der, strict=True) for der in blocks]
            for certificate in certificates:
                certificate.native  # noqa: B018 - parse every field now, not in the verifier
        except (ValueError, TypeError, KeyError):
            raise TrustAnchorError(path.name) from None
        if not certificates:
            raise TrustAnchorError(path.name)
        anchors += certificates
    return tuple(anchors)


def verify_document(data: bytes, trust: TrustMaterial, *, now: datetime,
                    anchors: Sequence[asn1_x509.Certificate] = ()) -> LicenceVerdict:
    """The verdict on a file given to ``zhengzhao verify`` (see the module docstring)."""
    kind = document_kind(data)
    if kind is DocumentKind.OFD:
        return verify_licence_ofd(data, trust, now=now, trust_anchors_sm2=anchors)
    if kind is DocumentKind.TOKEN:
        return verify_licence_token(data.decode("utf-8").strip(), trust, now=now)
    return verify_licence_pdf(data, trust, now=now)
