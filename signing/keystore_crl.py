"""The key store's CRLs: one per CA, re-issued with a higher CRL number whenever a certificate
is revoked or the CRLs are refreshed; ``crl/state.json`` remembers the numbers and the revoked
serials so a new CRL still lists every earlier revocation. The SM2 PKI keeps the same state for
its two CAs in ``sm2/crl/state.json`` (:class:`CrlState` over ``Sm2Role``; its CRLs are signed
by ``signing.keystore_sm2``)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from signing.errors import KeysInvalidError
from signing.keystore_layout import CA_ROLES, KeyLayout
from signing.pki import (
    CertRole,
    RevokedCertificate,
    crl_pem,
    load_crl,
    make_crl,
    make_private_dir,
    read_bytes,
    write_private_file,
)

# CRL distribution points are http URLs on the service itself, not file: URLs: a file: URL
# names a path on this machine that means nothing to a third-party verifier, and pyHanko's
# fetchers do not read file: URLs. The route ``GET /pki/{name}.crl`` (api.routes.pki) answers
# each CA's CRL as DER from the published folder (``<data dir>/published/crls``, written by
# ``elicense.publish`` and checked by ``elicense.load_trust``), for exactly the names
# :func:`crl_file_name` and ``signing.sm2_crl_file_name`` give. The base is
# ``<ZZ_PUBLIC_URL>/pki/`` for a store made with a public URL configured
# (:func:`crl_base_url_for`), else :data:`DEFAULT_CRL_BASE_URL`; a store keeps the base it was
# made with in ``keystore.json``. Offline validation passes the CRLs from :meth:`KeyStore.crls`
# directly and never fetches.
CRL_PATH = "/pki"
DEFAULT_CRL_BASE_URL = f"http://localhost:8000{CRL_PATH}/"


def crl_base_url_for(public_url: str | None) -> str:
    """Where new certificates say the CRLs are: ``<public_url>/pki/`` when the service has a
    public address, else :data:`DEFAULT_CRL_BASE_URL`."""
    if not public_url:
        return DEFAULT_CRL_BASE_URL
    return f"{public_url.rstrip('/')}{CRL_PATH}/"


def crl_file_name(ca: CertRole) -> str:
    """The last path segment of ``ca``'s CRL distribution point, e.g. ``issuing-ca.crl``."""
    return f"{ca.value}.crl"


def crl_url(base_url: str, ca: CertRole) -> str:
    """The distribution point of ``ca``'s CRL under ``base_url``."""
    return f"{base_url.rstrip('/')}/{crl_file_name(ca)}"


@dataclass(frozen=True)
class CrlState:
    """The last CRL number of each CA and what it has revoked (keyed by the CA's role:
    ``CertRole`` for the ECDSA PKI, ``Sm2Role`` for the SM2 one)."""

    numbers: Mapping[StrEnum, int] = field(default_factory=dict)
    revoked: Mapping[StrEnum, tuple[RevokedCertificate, ...]] = field(default_factory=dict)

    @classmethod
    def empty(cls, roles: Sequence[StrEnum] = CA_ROLES) -> CrlState:
        return cls({ca: 0 for ca in roles}, {ca: () for ca in roles})

    @classmethod
    def load(cls, layout: KeyLayout) -> CrlState:
        return cls.load_file(layout.crl_state, "crl/state.json", CA_ROLES)

    @classmethod
    def load_file(cls, path: Path, what: str, roles: Sequence[StrEnum]) -> CrlState:
        raw = read_bytes(path, what)
        try:
            data = json.loads(raw)
            return cls(
                {ca: int(data[ca.value]["number"]) for ca in roles},
                {ca: tuple(RevokedCertificate(int(r["serial"], 16),
                                              datetime.fromisoformat(r["revoked_at"]),
                                              x509.ReasonFlags(r["reason"]))
                           for r in data[ca.value]["revoked"]) for ca in roles},
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise KeysInvalidError(what, str(exc)) from exc

    def dump(self) -> bytes:
        data = {
            ca.value: {
                "number": self.numbers[ca],
                "revoked": [{"serial": format(r.serial_number, "x"),
                             "revoked_at": r.revoked_at.isoformat(), "reason": r.reason.value}
                            for r in self.revoked[ca]],
            }
            for ca in self.numbers
        }
        return json.dumps(data, indent=2).encode("utf-8")

    def with_revoked(self, ca: StrEnum, entry: RevokedCertificate) -> CrlState:
        if any(r.serial_number == entry.serial_number for r in self.revoked[ca]):
            return self
        revoked = dict(self.revoked)
        revoked[ca] = (*revoked[ca], entry)
        return replace(self, revoked=revoked)

    def with_next_numbers(self, cas: Sequence[StrEnum]) -> CrlState:
        """The state after one more CRL of each of ``cas``."""
        numbers = dict(self.numbers)
        for ca in cas:
            numbers[ca] += 1
        return replace(self, numbers=numbers)


def issue_crls(layout: KeyLayout, state: CrlState,
               cas: Mapping[CertRole, tuple[x509.Certificate, ec.EllipticCurvePrivateKey]],
               now: datetime) -> CrlState:
    """Sign a new CRL for each CA in ``cas`` (number + 1) and save them with the state."""
    new_state = state.with_next_numbers(list(cas))
    make_private_dir(layout.crl_dir)
    for ca, (certificate, key) in cas.items():
        crl = make_crl(certificate, key, number=new_state.numbers[ca], now=now,
                       revoked=new_state.revoked[ca])
        write_private_file(layout.crl(ca), crl_pem(crl))
    write_private_file(layout.crl_state, new_state.dump())
    return new_state


def read_crls(layout: KeyLayout) -> tuple[x509.CertificateRevocationList, ...]:
    """The current CRLs: the root's, then the issuing CA's."""
    return tuple(load_crl(layout.crl(ca), f"crl/{ca.value}.crl.pem") for ca in CA_ROLES)
