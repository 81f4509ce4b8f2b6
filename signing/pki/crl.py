"""Certificate revocation lists: each CA signs one CRL naming the certificates it revoked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from signing.pki.profiles import CRL_LIFETIME


@dataclass(frozen=True)
class RevokedCertificate:
    """A certificate the CA revoked: its serial number, when, and why."""

    serial_number: int
    revoked_at: datetime
    reason: x509.ReasonFlags = x509.ReasonFlags.unspecified


def make_crl(
    ca_certificate: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    *,
    number: int,
    now: datetime,
    revoked: Sequence[RevokedCertificate] = (),
) -> x509.CertificateRevocationList:
    """A CRL signed by the CA: thisUpdate ``now``, nextUpdate ``now + CRL_LIFETIME``, the CRL
    number (RFC 5280 §5.2.3, increases with every CRL) and the CA's key identifier."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_certificate.subject)
        .last_update(now)
        .next_update(now + CRL_LIFETIME)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
    )
    for entry in revoked:
        revoked_cert = (
            x509.RevokedCertificateBuilder()
            .serial_number(entry.serial_number)
            .revocation_date(entry.revoked_at)
            .add_extension(x509.CRLReason(entry.reason), critical=False)
            .build()
        )
        builder = builder.add_revoked_certificate(revoked_cert)
    return builder.sign(ca_key, hashes.SHA256())
