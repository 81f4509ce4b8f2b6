"""Helpers shared by the token, base45 and status list tests: keys, certificates, claims.

Keys are made here with cryptography directly (the PKI of ``signing.pki`` is tested elsewhere).
"""

from __future__ import annotations

import hashlib
import zlib
from datetime import UTC, date, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from signing.base45 import b45encode
from signing.token_claims import LicenceClaims, TokenClaims

KID = bytes.fromhex("0102030405060708")
ISSUED_AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
EXPIRES = datetime(2031, 3, 1, tzinfo=UTC)
IDENTIFIER = "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F"


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def certificate(
    key: ec.EllipticCurvePrivateKey, not_before: datetime, not_after: datetime
) -> x509.Certificate:
    """A self-signed certificate for ``key`` valid from ``not_before`` to ``not_after``."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "token test signer")])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )


def licence(**changes: object) -> LicenceClaims:
    """A realistic licence: a person's business licence with a photo (fictional holder)."""
    values: dict[str, object] = {
        "identifier": IDENTIFIER,
        "holder_name": "欧阳晓明",
        "holder_code": "1****************X",
        "holder_code_type": "111",
        "issuer_name": "吉林省长春市朝阳区市场监督管理局",
        "issued_on": date(2026, 3, 1),
        "valid_from": date(2026, 3, 1),
        "valid_until": date(2031, 2, 28),
        "photo_sha256": hashlib.sha256(b"a portrait photo file").digest(),
        "status_index": 98765,
    }
    values.update(changes)
    return LicenceClaims(**values)  # type: ignore[arg-type]


def claims(**changes: object) -> TokenClaims:
    values: dict[str, object] = {
        "issuer": "11220000013544541J",
        "issued_at": ISSUED_AT,
        "licence": licence(),
        "not_before": ISSUED_AT,
        "expires": EXPIRES,
    }
    values.update(changes)
    return TokenClaims(**values)  # type: ignore[arg-type]


def wrap(cose: bytes) -> str:
    """COSE bytes as a token: zlib, base45, prefix (the steps docs/tokens.md lists)."""
    return "ZZ1:" + b45encode(zlib.compress(cose))


def during_validity() -> datetime:
    return ISSUED_AT + timedelta(days=30)
