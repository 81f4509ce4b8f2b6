"""CRLs of the SM2 PKI: X.509 v2 certificate revocation lists signed SM3withSM2
(1.2.156.10197.1.501, the GM/T 0009 default distinguishing ID), built with asn1crypto as
``signing.sm2_x509`` builds the certificates (``cryptography`` cannot sign or check SM2); the
check of a CRL's signature with its issuer's key; and the revocation status of one certificate
among a set of CRLs, which the OFD validator (``signing.ofd_validate``) turns into a check.

The same profile as the ECDSA CRLs (``signing.pki.crl``): thisUpdate ``now``, nextUpdate
``now + CRL_LIFETIME``, a CRL number that grows with every CRL, the CA's key identifier, and
per entry the revocation date and a reason code.

Interop note: as for the certificates, OpenSSL 3.0 checks an SM2 signature with an EMPTY ID
unless told otherwise; ``openssl crl -verify`` has no option to pass one (see
``tests/unit/signing/test_sm2_crl.py`` for how the CRLs are checked with the openssl CLI).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from asn1crypto import crl as asn1_crl
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509

from signing import der_walk
from signing.pki.crl import RevokedCertificate
from signing.pki.profiles import CRL_LIFETIME
from signing.sm2 import SM2_DEFAULT_ID, Sm2PrivateKey, sm2_sign, sm2_verify
from signing.sm2_x509 import (
    SM3_WITH_SM2_OID,
    sm2_key_identifier,
    sm2_public_key_of,
    x509_time,
)

_PEM_LABEL = "X509 CRL"
_CACHE_SIZE = 256


def make_sm2_crl(ca_certificate: asn1_x509.Certificate, ca_key: Sm2PrivateKey, *, number: int,
                 now: datetime, revoked: Sequence[RevokedCertificate] = (),
                 uid: bytes = SM2_DEFAULT_ID) -> asn1_crl.CertificateList:
    """A v2 CRL signed SM3withSM2 by the CA: thisUpdate ``now``, nextUpdate
    ``now + CRL_LIFETIME``, the CRL number (RFC 5280 5.2.3) and the CA's key identifier; each
    entry with its revocation date and reason (``x509.ReasonFlags``, the same entries as the
    ECDSA CRLs keep). ValueError if ``ca_key`` is not the certificate's key."""
    if sm2_public_key_of(ca_certificate) != ca_key.public_key():
        raise ValueError("ca_key is not the CA certificate's key")
    if number < 0:
        raise ValueError("a CRL number is not negative")
    entries = [{
        "user_certificate": entry.serial_number,
        "revocation_date": x509_time(entry.revoked_at),
        # asn1crypto names the reasons as cryptography's ReasonFlags members are named.
        "crl_entry_extensions": [{"extn_id": "crl_reason", "critical": False,
                                  "extn_value": entry.reason.name}],
    } for entry in revoked]
    tbs = asn1_crl.TbsCertList({
        "version": "v2",
        "signature": {"algorithm": SM3_WITH_SM2_OID},
        "issuer": ca_certificate.subject,
        "this_update": x509_time(now),
        "next_update": x509_time(now + CRL_LIFETIME),
        "revoked_certificates": entries or None,
        "crl_extensions": [
            {"extn_id": "crl_number", "critical": False, "extn_value": number},
            {"extn_id": "authority_key_identifier", "critical": False,
             "extn_value": {"key_identifier": sm2_key_identifier(ca_key.public_key())}},
        ],
    })
    if not entries:
        # RFC 5280 5.1.2.6: with no revoked certificate the list is absent, not empty.
        del tbs["revoked_certificates"]
    crl = asn1_crl.CertificateList({
        "tbs_cert_list": tbs,
        "signature_algorithm": {"algorithm": SM3_WITH_SM2_OID},
        "signature": sm2_sign(ca_key, tbs.dump(), uid),
    })
    # Re-read from its bytes: a constructed asn1crypto value re-encodes itself on every dump().
    return asn1_crl.CertificateList.load(crl.dump())


def sm2_crl_pem(crl: asn1_crl.CertificateList) -> bytes:
    return asn1_pem.armor(_PEM_LABEL, crl.dump())


def load_sm2_crl(data: bytes) -> asn1_crl.CertificateList:
    """A CRL from PEM (``X509 CRL``) or DER, parsed eagerly: ValueError for anything else."""
    if asn1_pem.detect(data):
        label, _, data = asn1_pem.unarmor(data)
        if label != _PEM_LABEL:
            raise ValueError(f"expected an {_PEM_LABEL} PEM, not {label!r}")
    try:
        crl = asn1_crl.CertificateList.load(data, strict=True)
        crl.native  # noqa: B018 - parses it all
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError("not a DER CRL") from exc
    return crl


def verify_sm2_crl_signature(crl: asn1_crl.CertificateList,
                             issuer_certificate: asn1_x509.Certificate,
                             uid: bytes = SM2_DEFAULT_ID) -> bool:
    """Whether ``crl`` names ``issuer_certificate``'s subject as its issuer, is signed
    SM3withSM2 (both algorithm fields, no parameters) and its signature verifies with the
    issuer's SM2 key over the TBSCertList bytes as received. False, never an exception."""
    return _signed_by(crl.dump(), issuer_certificate.dump(), uid)


@lru_cache(maxsize=_CACHE_SIZE)
def _signed_by(crl_der: bytes, issuer_der: bytes, uid: bytes = SM2_DEFAULT_ID) -> bool:
    # Cached: a validation checks the CA's CRL once for the seal signer and once for the seal
    # maker, and a service checks the same few CRLs for every OFD.
    try:
        tbs_el, _algorithm, value_el = der_walk.load(crl_der).children()
        crl = asn1_crl.CertificateList.load(crl_der)
        issuer = asn1_x509.Certificate.load(issuer_der)
        outer, inner = crl["signature_algorithm"], crl["tbs_cert_list"]["signature"]
        if outer.dump() != inner.dump() or outer["algorithm"].dotted != SM3_WITH_SM2_OID:
            return False
        if outer["parameters"].native is not None:
            return False
        name = crl["tbs_cert_list"]["issuer"]
        if name.dump() != issuer.subject.dump() and name != issuer.subject:
            return False
        key = sm2_public_key_of(issuer)
        if value_el.tag != 0x03 or value_el.content[:1] != b"\x00":
            return False
        signature = value_el.content[1:]
        tbs = tbs_el.der
    except (der_walk.DerError, ValueError, TypeError, KeyError, AttributeError):
        return False
    return sm2_verify(key, tbs, signature, uid)


class Sm2CrlStatus(enum.StrEnum):
    """What the CRLs say of one certificate."""

    GOOD = "good"  # a current CRL of its issuer that verifies, and no CRL that lists it
    REVOKED = "revoked"  # listed by a CRL of its issuer that verifies
    NO_CRL = "no_crl"  # no CRL of its issuer at all
    STALE = "stale"  # only CRLs that are not current (nextUpdate passed, or not yet valid)
    UNVERIFIED = "unverified"  # CRLs naming the issuer, none verifying under its key


@dataclass(frozen=True)
class Sm2Revocation:
    """The status, and for a revoked certificate when and why (the CRL entry's reason name)."""

    status: Sm2CrlStatus
    revoked_at: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True)
class _CrlFacts:
    issuer: bytes
    this_update: datetime
    next_update: datetime | None
    revoked: dict[int, tuple[datetime, str]]
    usable: bool


@lru_cache(maxsize=_CACHE_SIZE)
def _facts(crl_der: bytes) -> _CrlFacts | None:
    try:
        crl = asn1_crl.CertificateList.load(crl_der, strict=True)
        tbs = crl["tbs_cert_list"]
        # A critical extension (a delta CRL, an issuing distribution point scoping the CRL,
        # an indirect CRL's certificate issuer) changes what the CRL covers: not for us.
        usable = all(not e["critical"].native for e in tbs["crl_extensions"])
        revoked: dict[int, tuple[datetime, str]] = {}
        for entry in tbs["revoked_certificates"]:
            reason = "unspecified"
            for extension in entry["crl_entry_extensions"]:
                if extension["critical"].native:
                    usable = False
                if extension["extn_id"].native == "crl_reason":
                    reason = str(extension["extn_value"].native)
            revoked[int(entry["user_certificate"].native)] = (
                entry["revocation_date"].native, reason)
        next_update = tbs["next_update"].native
        return _CrlFacts(tbs["issuer"].dump(), tbs["this_update"].native, next_update,
                         revoked, usable)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _may_sign_crls(issuer: asn1_x509.Certificate) -> bool:
    usage = issuer.key_usage_value
    return usage is None or "crl_sign" in usage.native


def sm2_revocation(certificate: asn1_x509.Certificate, issuer: asn1_x509.Certificate,
                   crls: Sequence[asn1_crl.CertificateList], now: datetime) -> Sm2Revocation:
    """The revocation status of ``certificate`` (issued by ``issuer``) at ``now``.

    Only CRLs that name ``issuer``, verify under its key and cover all its certificates (no
    critical extension) count. REVOKED if any of them lists the serial (whatever its dates: an
    OFD seal carries no timestamp proving it was made before the revocation); else GOOD if one
    is current (thisUpdate <= now < nextUpdate); else STALE, UNVERIFIED or NO_CRL, which the
    validator treats as "unknown" (fail closed)."""
    serial = int(certificate.serial_number)
    subject = issuer.subject.dump()
    named = current = verified = False
    for crl in crls:
        der = crl.dump()
        facts = _facts(der)
        if facts is None or facts.issuer != subject:
            continue
        named = True
        if not (facts.usable and _may_sign_crls(issuer) and _signed_by(der, issuer.dump())):
            continue
        verified = True
        if serial in facts.revoked:
            when, reason = facts.revoked[serial]
            return Sm2Revocation(Sm2CrlStatus.REVOKED, when, reason)
        if facts.this_update <= now and facts.next_update is not None \
                and now < facts.next_update:
            current = True
    if current:
        return Sm2Revocation(Sm2CrlStatus.GOOD)
    if verified:
        return Sm2Revocation(Sm2CrlStatus.STALE)
    return Sm2Revocation(Sm2CrlStatus.UNVERIFIED if named else Sm2CrlStatus.NO_CRL)


def sm2_crl_facts(crl: asn1_crl.CertificateList) -> tuple[datetime, datetime | None, int]:
    """thisUpdate, nextUpdate and the number of entries of a CRL (for listings)."""
    tbs = crl["tbs_cert_list"]
    return tbs["this_update"].native, tbs["next_update"].native, len(tbs["revoked_certificates"])


def sm2_crl_issuer(crl: asn1_crl.CertificateList) -> asn1_x509.Name:
    return crl["tbs_cert_list"]["issuer"]


def clear_sm2_crl_caches() -> None:
    """Empty the caches (tests)."""
    _signed_by.cache_clear()
    _facts.cache_clear()


__all__ = [
    "Sm2CrlStatus",
    "Sm2Revocation",
    "clear_sm2_crl_caches",
    "load_sm2_crl",
    "make_sm2_crl",
    "sm2_crl_facts",
    "sm2_crl_issuer",
    "sm2_crl_pem",
    "sm2_revocation",
    "verify_sm2_crl_signature",
]
