"""Helpers and fixtures for the PAdES tests: a simple one-page PDF made with reportlab, signing
and validating with a key store at fixed moments, and byte-level tampering helpers.

The key stores come from ``conftest.py``; signatures are made a day after the store was created
(:func:`sign_time`, also the timestamp authority's frozen clock) and checked a day after that
(:func:`check_time`), while the key store's CRLs are fresh.
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import pytest
from asn1crypto import cms
from cryptography import x509
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from signing import CertRole, KeyStore, pyhanko_timestamper
from signing.pades_sign import sign_pdf
from signing.pades_validate import validate_pdf
from signing.pades_verdict import PadesLevel, PdfSignatureVerdict

HOLDER = "Zhang San"


def sign_time(store: KeyStore) -> datetime:
    return store.info().created_at + timedelta(days=1)


def check_time(store: KeyStore) -> datetime:
    return store.info().created_at + timedelta(days=2)


def simple_pdf(holder: str = HOLDER) -> bytes:
    """A one-page A4 licence-like PDF, uncompressed so its text can be found and tampered."""
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=1, pageCompression=0)
    page.setFont("Helvetica-Bold", 20)
    page.drawString(72, 760, "Business licence (test)")
    page.setFont("Helvetica", 12)
    page.drawString(72, 720, f"Holder: {holder}")
    page.drawString(72, 700, "Identifier: 1.2.156.3005.2.TEST.0001.001.X")
    page.showPage()
    page.save()
    return out.getvalue()


def sign_with(store: KeyStore, pdf: bytes | None = None, *, at: datetime | None = None,
              level: PadesLevel = PadesLevel.B_LTA, signer: object | None = None,
              crls: list[x509.CertificateRevocationList] | None = None) -> bytes:
    at = at or sign_time(store)
    stamper = pyhanko_timestamper(store.timestamp_signer(), fixed_time=at)
    return sign_pdf(pdf if pdf is not None else simple_pdf(), signer or store.signer(), stamper,
                    crls=store.crls() if crls is None else crls, level=level, signing_time=at,
                    reason="licence issued", location="Test City")


def validate_with(store: KeyStore, pdf: bytes, *, now: datetime | None = None,
                  root: x509.Certificate | None = None,
                  crls: list[x509.CertificateRevocationList] | None = None,
                  required_level: PadesLevel = PadesLevel.B_LTA, fast: bool = True
                  ) -> PdfSignatureVerdict:
    return validate_pdf(pdf, trust_roots=[root or store.certificate(CertRole.ROOT)],
                        crls=store.crls() if crls is None else crls,
                        now=now or check_time(store),
                        required_level=required_level, fast=fast)


def flip(data: bytes, index: int) -> bytes:
    out = bytearray(data)
    out[index] ^= 0x01
    return bytes(out)


def change_hex_digit(data: bytes, index: int) -> bytes:
    """Replace the hex digit at ``index`` by another hex digit (the string stays valid hex)."""
    out = bytearray(data)
    out[index] = ord("1") if out[index] != ord("1") else ord("2")
    return bytes(out)


def first_revision(pdf: bytes) -> bytes:
    """The file up to the end of the first signed revision (the signature's ByteRange)."""
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert match is not None
    start2, length2 = int(match.group(3)), int(match.group(4))
    return pdf[:start2 + length2]


def signature_cms(pdf: bytes) -> tuple[bytes, bytes, tuple[int, int]]:
    """The first signature's DER CMS, the bytes its ByteRange covers, and the span of its
    ``/Contents`` hex string in the file. Parsed with a regex, independently of pyHanko."""
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert match is not None
    a, b, c, d = (int(match.group(i)) for i in range(1, 5))
    hex_start, hex_end = a + b + 1, c - 1  # inside the < > of /Contents
    der = bytes.fromhex(pdf[hex_start:hex_end].decode("ascii"))
    content = cms.ContentInfo.load(der)  # strips the zero padding after the DER
    return content.dump(), pdf[a:a + b] + pdf[c:c + d], (hex_start, hex_end)


def signature_value_offset(pdf: bytes) -> int:
    """Offset in the file of a hex digit inside the ECDSA signature value of the signature."""
    der, _, (hex_start, _) = signature_cms(pdf)
    value = cms.ContentInfo.load(der)["content"]["signer_infos"][0]["signature"].contents
    position = der.find(value)
    assert position > 0
    return hex_start + 2 * (position + len(value) // 2)


@pytest.fixture(scope="session")
def signed_licence(pki_store: KeyStore) -> bytes:
    """A B-LTA signed :func:`simple_pdf` by the session key store."""
    return sign_with(pki_store)
