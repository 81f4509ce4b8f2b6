"""Make the keys and certificates of the issuing office's PKI with pyca/cryptography.

Every key is ECDSA P-256 and every signature ECDSA with SHA-256. The chain is
root CA → issuing CA → {licence-signing certificate, timestamp-authority certificate}.
"""

from __future__ import annotations

from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from signing.pki.profiles import BACKDATE, VALIDITY, CertRole, IssuerIdentity, subject_for

CURVE = ec.SECP256R1


def new_key() -> ec.EllipticCurvePrivateKey:
    """A fresh ECDSA P-256 private key."""
    return ec.generate_private_key(CURVE())


def _key_usage(role: CertRole) -> x509.KeyUsage:
    is_ca = role in (CertRole.ROOT, CertRole.ISSUING_CA)
    return x509.KeyUsage(
        digital_signature=role in (CertRole.LICENCE_SIGNING, CertRole.TIMESTAMP),
        # nonRepudiation (X.509's "contentCommitment"): the signer stands by the licence.
        content_commitment=role is CertRole.LICENCE_SIGNING,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=is_ca,
        crl_sign=is_ca,
        encipher_only=False,
        decipher_only=False,
    )


def _basic_constraints(role: CertRole) -> x509.BasicConstraints:
    if role is CertRole.ROOT:
        return x509.BasicConstraints(ca=True, path_length=1)
    if role is CertRole.ISSUING_CA:
        return x509.BasicConstraints(ca=True, path_length=0)
    return x509.BasicConstraints(ca=False, path_length=None)


def issue_certificate(
    role: CertRole,
    public_key: ec.EllipticCurvePublicKey,
    identity: IssuerIdentity,
    *,
    now: datetime,
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None = None,
    issuer_key: ec.EllipticCurvePrivateKey | None = None,
    crl_url: str | None = None,
) -> x509.Certificate:
    """A certificate of ``role`` for ``public_key``.

    ``issuer`` is the issuing CA's certificate and key; ``None`` makes a self-signed root, which
    needs ``issuer_key`` (its own private key). ``crl_url`` becomes the CRL distribution point
    (where the issuer publishes the CRL that would revoke this certificate). The validity never
    outlasts the issuer's.

    The licence-signing certificate has keyUsage digitalSignature + nonRepudiation and **no**
    extendedKeyUsage: with documentSigning alone, poppler's ``pdfsig`` reports "Unknown issue with
    Certificate". The timestamp certificate has the critical EKU timeStamping (RFC 3161 §2.3).
    """
    not_before = now - BACKDATE
    not_after = now + VALIDITY[role]
    subject = subject_for(role, identity)
    if issuer is None:
        if issuer_key is None:
            raise ValueError("a self-signed root needs its own private key")
        issuer_name, signing_key = subject, issuer_key
        issuer_public = public_key
    else:
        issuer_cert, signing_key = issuer
        issuer_name, issuer_public = issuer_cert.subject, issuer_cert.public_key()
        not_after = min(not_after, issuer_cert.not_valid_after_utc)
        assert isinstance(issuer_public, ec.EllipticCurvePublicKey)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(_basic_constraints(role), critical=True)
        .add_extension(_key_usage(role), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public), critical=False)
    )
    if role is CertRole.TIMESTAMP:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    if crl_url is not None:
        point = x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(crl_url)],
            relative_name=None, reasons=None, crl_issuer=None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    return builder.sign(signing_key, hashes.SHA256())


def is_issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether ``issuer``'s key signed ``certificate`` (and the names chain). A matching issuer
    name is not enough: every demo key store uses the same names."""
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True
