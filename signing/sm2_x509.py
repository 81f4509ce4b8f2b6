"""X.509 certificates of the SM2 PKI (GM/T 0015): built with asn1crypto, signed SM3withSM2
(1.2.156.10197.1.501, no parameters) with the GM/T default distinguishing ID, subject keys
``id-ecPublicKey`` on the SM2 curve (1.2.156.10197.1.301); and the check of one certificate's
signature with its issuer's key. ``cryptography`` cannot load SM2 keys, so these are asn1crypto
``Certificate`` values throughout.

Interop note: OpenSSL 3.0 signs and checks SM2 certificate signatures with an EMPTY ID unless told
otherwise; GM/T 0015 (and GmSSL, Tongsuo, BouncyCastle/ofdrw) use 1234567812345678, as we do. To
check our chains with the openssl CLI pass ``-vfyopt distid:1234567812345678``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509

from signing.sm2 import (
    SM2_DEFAULT_ID,
    Sm2PrivateKey,
    Sm2PublicKey,
    sm2_sign,
    sm2_verify,
)

SM3_WITH_SM2_OID = "1.2.156.10197.1.501"
_UTC_TIME_LIMIT = 2050  # RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050


def x509_time(moment: datetime) -> asn1_x509.Time:
    """UTCTime through 2049, GeneralizedTime from 2050, whole seconds (certificates, CRLs)."""
    if moment.tzinfo is None:
        raise ValueError("certificate and CRL times must be timezone-aware")
    moment = moment.replace(microsecond=0)
    if moment.year < _UTC_TIME_LIMIT:
        return asn1_x509.Time(name="utc_time", value=moment)
    return asn1_x509.Time(name="general_time", value=moment)


def sm2_key_identifier(public: Sm2PublicKey) -> bytes:
    """RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits (the 65-byte point)."""
    return hashlib.sha1(public.raw, usedforsecurity=False).digest()


def sm2_public_key_of(certificate: asn1_x509.Certificate) -> Sm2PublicKey:
    """The certificate's subject key; ValueError if it is not an SM2 key."""
    return Sm2PublicKey.from_der(certificate["tbs_certificate"]["subject_public_key_info"].dump())


def build_sm2_certificate(*, subject: asn1_x509.Name, public_key: Sm2PublicKey,
                          issuer_key: Sm2PrivateKey,
                          issuer: asn1_x509.Certificate | None,
                          serial_number: int, not_before: datetime, not_after: datetime,
                          ca: bool, path_length: int | None = None,
                          key_usage: Iterable[str],
                          extended_key_usage: Iterable[str] = (),
                          crl_url: str | None = None,
                          uid: bytes = SM2_DEFAULT_ID) -> asn1_x509.Certificate:
    """A v3 certificate for ``public_key`` signed SM3withSM2 by ``issuer_key``.

    ``issuer`` None makes a self-signed certificate (``issuer_key`` must then be the subject's
    key). ``key_usage`` takes asn1crypto's names (``digital_signature``, ``non_repudiation``,
    ``key_cert_sign``, ``crl_sign``...), ``extended_key_usage`` names or dotted OIDs. Basic
    constraints and key usage are critical; subject and authority key identifiers are SHA-1 of
    the keys (RFC 5280 method 1). ``crl_url`` becomes the CRL distribution point (where the
    issuer publishes the CRL that would revoke this certificate), as on the ECDSA certificates.
    """
    if serial_number <= 0 or serial_number.bit_length() > 159:
        raise ValueError("a serial number is a positive integer of at most 20 octets")
    if not_after <= not_before:
        raise ValueError("not_after must be after not_before")
    if issuer is None:
        if issuer_key.public_key() != public_key:
            raise ValueError("a self-signed certificate is signed by its own key")
        issuer_name, issuer_public = subject, public_key
    else:
        issuer_name, issuer_public = issuer.subject, sm2_public_key_of(issuer)
        if issuer_public != issuer_key.public_key():
            raise ValueError("issuer_key is not the issuer certificate's key")
    basic: dict[str, object] = {"ca": ca}
    if ca and path_length is not None:
        basic["path_len_constraint"] = path_length
    extensions = [
        {"extn_id": "basic_constraints", "critical": True, "extn_value": basic},
        {"extn_id": "key_usage", "critical": True, "extn_value": set(key_usage)},
        {"extn_id": "key_identifier", "critical": False,
         "extn_value": sm2_key_identifier(public_key)},
        {"extn_id": "authority_key_identifier", "critical": False,
         "extn_value": {"key_identifier": sm2_key_identifier(issuer_public)}},
    ]
    if crl_url is not None:
        extensions.append({"extn_id": "crl_distribution_points", "critical": False,
                           "extn_value": [{"distribution_point": {
                               "full_name": [asn1_x509.GeneralName(
                                   name="uniform_resource_identifier", value=crl_url)]}}]})
    purposes = list(extended_key_usage)
    if purposes:
        extensions.append({"extn_id": "extended_key_usage", "critical": False,
                           "extn_value": purposes})
    tbs = asn1_x509.TbsCertificate({
        "version": "v3",
        "serial_number": serial_number,
        "signature": {"algorithm": SM3_WITH_SM2_OID},
        "issuer": issuer_name,
        "validity": {"not_before": x509_time(not_before), "not_after": x509_time(not_after)},
        "subject": subject,
        "subject_public_key_info": asn1_x509.PublicKeyInfo.load(public_key.to_der()),
        "extensions": extensions,
    })
    signature = sm2_sign(issuer_key, tbs.dump(), uid)
    certificate = asn1_x509.Certificate({
        "tbs_certificate": tbs,
        "signature_algorithm": {"algorithm": SM3_WITH_SM2_OID},
        "signature_value": signature,
    })
    # Re-read from its bytes: a constructed asn1crypto value re-encodes itself on every dump().
    return asn1_x509.Certificate.load(certificate.dump())


def verify_sm2_cert_signature(certificate: asn1_x509.Certificate,
                              issuer_certificate: asn1_x509.Certificate,
                              uid: bytes = SM2_DEFAULT_ID) -> bool:
    """Whether ``certificate`` names ``issuer_certificate``'s subject as its issuer, is signed
    SM3withSM2 (both algorithm fields, no parameters) and its signature verifies with the issuer's
    SM2 key over the TBSCertificate bytes as received. Only the signature: validity, key usage and
    path rules are the chain validator's. False, never an exception, for anything malformed."""
    try:
        tbs = certificate["tbs_certificate"]
        outer, inner = certificate["signature_algorithm"], tbs["signature"]
        if outer.dump() != inner.dump() or outer["algorithm"].dotted != SM3_WITH_SM2_OID:
            return False
        if outer["parameters"].native is not None:
            return False
        issuer_name = tbs["issuer"]
        # the same bytes (the usual case) or, slower, RFC 5280 name matching
        if (issuer_name.dump() != issuer_certificate.subject.dump()
                and issuer_name != issuer_certificate.subject):
            return False
        issuer_public = sm2_public_key_of(issuer_certificate)
        signature = certificate["signature_value"].native
        tbs_bytes = tbs.dump()
    except (ValueError, TypeError, KeyError, AttributeError):
        return False
    if not isinstance(signature, bytes):
        return False
    return sm2_verify(issuer_public, tbs_bytes, signature, uid)


def sm2_certificate_pem(certificate: asn1_x509.Certificate) -> bytes:
    return asn1_pem.armor("CERTIFICATE", certificate.dump())


def load_sm2_certificate(data: bytes) -> asn1_x509.Certificate:
    """A certificate from PEM or DER (parsed eagerly, so a malformed one fails here with
    ValueError rather than later)."""
    if asn1_pem.detect(data):
        label, _, data = asn1_pem.unarmor(data)
        if label != "CERTIFICATE":
            raise ValueError(f"expected a CERTIFICATE PEM, not {label!r}")
    try:
        certificate = asn1_x509.Certificate.load(data, strict=True)
        certificate.native  # noqa: B018 - parses it all
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError("not a DER certificate") from exc
    return certificate


__all__ = [
    "SM3_WITH_SM2_OID",
    "build_sm2_certificate",
    "load_sm2_certificate",
    "sm2_certificate_pem",
    "sm2_key_identifier",
    "sm2_public_key_of",
    "verify_sm2_cert_signature",
    "x509_time",
]
