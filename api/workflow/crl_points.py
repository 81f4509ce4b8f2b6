"""The CRLs this office answers at its certificates' CRL distribution points
(``<crl base>/<name>``, served by ``GET /pki/{name}.crl``, api.routes.pki).

The names are exactly the ones the key store writes into certificates: ``signing.crl_file_name``
of the two ECDSA CAs and ``signing.sm2_crl_file_name`` of the two SM2 CAs
(``root-ca.crl``, ``issuing-ca.crl``, ``sm2-root-ca.crl``, ``sm2-issuing-ca.crl``). What is
served is the published folder as ``elicense.load_trust`` read it (``TrustMaterial.crls`` and
``TrustMaterial.sm2_crls``): each CRL goes to the CA whose subject it names as its issuer and
whose key signed it, so a file that is not one of this office's CRLs is never answered. Nothing
here signs or re-issues a CRL: publishing does (``elicense.publish``, on startup, every issue and
revocation, and every few hours)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from elicense import TrustMaterial
from signing import (
    CertRole,
    Sm2Role,
    crl_file_name,
    sm2_crl_facts,
    sm2_crl_file_name,
    sm2_crl_issuer,
    verify_sm2_crl_signature,
)

__all__ = ["MAX_CACHE_AGE", "PublishedCrl", "crl_names", "published_crl"]

# A verifier may keep a CRL this long at most (the CRLs are re-issued daily; a revocation
# re-issues one at once, so a shorter cache would only be wrong later).
MAX_CACHE_AGE = timedelta(days=1)
_ECDSA_CAS = (CertRole.ROOT, CertRole.ISSUING_CA)


@dataclass(frozen=True)
class PublishedCrl:
    """One CA's current CRL as served: DER, its dates and an entity tag."""

    name: str
    der: bytes
    this_update: datetime
    next_update: datetime | None

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.der).hexdigest()[:32] + '"'

    def max_age(self, now: datetime) -> int:
        """Seconds a cache may keep it: until nextUpdate, at most :data:`MAX_CACHE_AGE`,
        never below 0."""
        if self.next_update is None:
            return 0
        left = min(self.next_update - now, MAX_CACHE_AGE).total_seconds()
        return max(0, int(left))


def crl_names() -> tuple[str, ...]:
    """Every name a certificate of this office may carry as its CRL distribution point."""
    return (*(crl_file_name(ca) for ca in _ECDSA_CAS),
            *(sm2_crl_file_name(ca) for ca in (Sm2Role.ROOT, Sm2Role.CA)))


def published_crl(trust: TrustMaterial, name: str) -> PublishedCrl | None:
    """The current CRL answered at ``name`` (e.g. ``issuing-ca.crl``), or ``None``: not one of
    :func:`crl_names`, or no CRL of that CA in the published folder (an office without the SM2
    PKI has no ``sm2-*.crl``)."""
    for ca in _ECDSA_CAS:
        if name == crl_file_name(ca):
            issuer = trust.root if ca is CertRole.ROOT else _issuing_ca(trust)
            return None if issuer is None else _newest(name, _ecdsa(trust, issuer))
    for sm2_ca in (Sm2Role.ROOT, Sm2Role.CA):
        if name == sm2_crl_file_name(sm2_ca):
            sm2_issuer = (trust.sm2_root if sm2_ca is Sm2Role.ROOT
                          else next(iter(trust.sm2_cas), None))
            return None if sm2_issuer is None else _newest(name, _sm2(trust, sm2_issuer))
    return None


def _issuing_ca(trust: TrustMaterial) -> x509.Certificate | None:
    # The trust list's CA that is not the root (load_trust checked each is issued by it).
    return next((ca for ca in trust.cas if ca != trust.root), None)


def _ecdsa(trust: TrustMaterial, issuer: x509.Certificate
           ) -> Iterable[tuple[bytes, datetime, datetime | None]]:
    key = issuer.public_key()
    for crl in trust.crls:
        if crl.issuer == issuer.subject and crl.is_signature_valid(key):
            yield (crl.public_bytes(serialization.Encoding.DER), crl.last_update_utc,
                   crl.next_update_utc)


def _sm2(trust: TrustMaterial, issuer: asn1_x509.Certificate
         ) -> Iterable[tuple[bytes, datetime, datetime | None]]:
    subject = issuer.subject.dump()
    for crl in trust.sm2_crls:
        if sm2_crl_issuer(crl).dump() == subject and verify_sm2_crl_signature(crl, issuer):
            this_update, next_update, _count = sm2_crl_facts(crl)
            yield crl.dump(), _utc(this_update), None if next_update is None else _utc(next_update)


def _newest(name: str, found: Iterable[tuple[bytes, datetime, datetime | None]]
            ) -> PublishedCrl | None:
    best = max(found, key=lambda item: item[1], default=None)
    return None if best is None else PublishedCrl(name, *best)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
