"""Bounded per-process caches for the PAdES fast path (:mod:`signing.pades_fast`).

They hold only facts that do not depend on the time of a validation: a parsed certificate and
its static properties, "this certificate's DER is signed by that certificate's DER", a parsed
CRL and "this CRL's DER is signed by that certificate's DER". Validity periods, ``thisUpdate``
/ ``nextUpdate`` and revocation are checked on every call by the caller. Every cache is an LRU
keyed by the exact DER bytes, so a file an attacker crafts can only ever hit an entry made from
the same bytes, and many distinct files only push old entries out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID

CERT_CACHE_SIZE = 256
SIGNED_BY_CACHE_SIZE = 1024
CRL_CACHE_SIZE = 64
# The only extensions the fast path accepts as critical; any other critical extension sends
# the file to the full validator.
_KNOWN_CRITICAL = frozenset({ExtensionOID.BASIC_CONSTRAINTS, ExtensionOID.KEY_USAGE,
                             ExtensionOID.EXTENDED_KEY_USAGE})
# CRL extensions that narrow or change a CRL's scope: the fast path does not interpret them.
_SCOPED_CRL = frozenset({ExtensionOID.ISSUING_DISTRIBUTION_POINT, ExtensionOID.DELTA_CRL_INDICATOR,
                         ExtensionOID.FRESHEST_CRL})


@dataclass(frozen=True)
class CertFacts:
    """A certificate parsed once, with the static facts the fast path needs."""

    der: bytes
    cert: x509.Certificate
    subject: bytes  # DER of the subject name
    issuer: bytes  # DER of the issuer name
    serial: int
    not_before: datetime
    not_after: datetime
    p256_ecdsa_sha256: bool  # a P-256 key, signed with ecdsa-with-SHA256
    only_known_critical: bool  # no critical extension outside basicConstraints/KU/EKU
    is_ca: bool  # basicConstraints cA, keyUsage keyCertSign
    crl_signer: bool  # keyUsage cRLSign
    timestamping: bool  # extendedKeyUsage is exactly id-kp-timeStamping, critical; not a CA


@lru_cache(maxsize=CERT_CACHE_SIZE)
def cert_facts(der: bytes) -> CertFacts:
    """The facts of the certificate ``der`` (raises for a certificate that cannot be parsed)."""
    cert = x509.load_der_x509_certificate(der)
    key = cert.public_key()
    p256 = (isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1)
            and cert.signature_algorithm_oid == x509.SignatureAlgorithmOID.ECDSA_WITH_SHA256)
    extensions = cert.extensions
    known = all(not e.critical or e.oid in _KNOWN_CRITICAL for e in extensions)
    try:
        ca = extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        ca = False
    try:
        usage = extensions.get_extension_for_class(x509.KeyUsage).value
        cert_sign, crl_sign = usage.key_cert_sign, usage.crl_sign
    except x509.ExtensionNotFound:
        cert_sign = crl_sign = False
    try:
        eku = extensions.get_extension_for_class(x509.ExtendedKeyUsage)
        timestamping = eku.critical and list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    except x509.ExtensionNotFound:
        timestamping = False
    return CertFacts(der, cert, cert.subject.public_bytes(), cert.issuer.public_bytes(),
                     cert.serial_number, cert.not_valid_before_utc, cert.not_valid_after_utc,
                     p256, known, ca and cert_sign, crl_sign, timestamping and not ca)


@lru_cache(maxsize=SIGNED_BY_CACHE_SIZE)
def signed_by(child_der: bytes, parent_der: bytes) -> bool:
    """Whether ``child_der`` names ``parent_der``'s subject as its issuer and carries a valid
    ECDSA P-256 / SHA-256 signature by its key."""
    child, parent = cert_facts(child_der), cert_facts(parent_der)
    if child.issuer != parent.subject or not parent.p256_ecdsa_sha256:
        return False
    if child.cert.signature_algorithm_oid != x509.SignatureAlgorithmOID.ECDSA_WITH_SHA256:
        return False
    try:
        parent.cert.public_key().verify(child.cert.signature, child.cert.tbs_certificate_bytes,
                                        ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


@dataclass(frozen=True)
class CrlFacts:
    """A CRL parsed once: issuer, times, the serials it lists, whether the fast path may use
    it at all (a complete, unscoped CRL signed with ecdsa-with-SHA256, no critical
    extension)."""

    der: bytes
    crl: x509.CertificateRevocationList
    issuer: bytes
    this_update: datetime
    next_update: datetime | None
    revoked: frozenset[int]
    usable: bool


@lru_cache(maxsize=CRL_CACHE_SIZE)
def crl_facts(der: bytes) -> CrlFacts:
    crl = x509.load_der_x509_crl(der)
    usable = (crl.signature_algorithm_oid == x509.SignatureAlgorithmOID.ECDSA_WITH_SHA256
              and all(not e.critical and e.oid not in _SCOPED_CRL for e in crl.extensions))
    revoked = frozenset(entry.serial_number for entry in crl)
    return CrlFacts(der, crl, crl.issuer.public_bytes(), crl.last_update_utc,
                    crl.next_update_utc, revoked, usable)


@lru_cache(maxsize=CRL_CACHE_SIZE)
def crl_signed_by(crl_der: bytes, issuer_der: bytes) -> bool:
    """Whether the CRL ``crl_der`` names ``issuer_der``'s subject and verifies under its key."""
    crl, issuer = crl_facts(crl_der), cert_facts(issuer_der)
    if crl.issuer != issuer.subject or not issuer.p256_ecdsa_sha256:
        return False
    return crl.crl.is_signature_valid(issuer.cert.public_key())


def clear() -> None:
    """Empty every cache (tests)."""
    for cached in (cert_facts, signed_by, crl_facts, crl_signed_by):
        cached.cache_clear()
