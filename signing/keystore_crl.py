"""The key store's CRLs: one per CA, re-issued with a higher CRL number whenever a certificate
is revoked or the CRLs are refreshed; ``crl/state.json`` remembers the numbers and the revoked
serials so a new CRL still lists every earlier revocation."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

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

# CRL distribution points are http URLs on the service itself (it serves the CRLs from the key
# store at /pki/<ca>.crl), not file: URLs: a file: URL names a path on this machine that means
# nothing to a third-party verifier, and pyHanko's fetchers do not read file: URLs. Offline
# validation passes the CRLs from :meth:`KeyStore.crls` directly and never fetches.
DEFAULT_CRL_BASE_URL = "http://localhost:8000/pki/"


def crl_url(base_url: str, ca: CertRole) -> str:
    """The distribution point of ``ca``'s CRL under ``base_url``."""
    return f"{base_url.rstrip('/')}/{ca.value}.crl"


@dataclass(frozen=True)
class CrlState:
    """The last CRL number of each CA and what it has revoked."""

    numbers: Mapping[CertRole, int] = field(default_factory=dict)
    revoked: Mapping[CertRole, tuple[RevokedCertificate, ...]] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> CrlState:
        return cls({ca: 0 for ca in CA_ROLES}, {ca: () for ca in CA_ROLES})

    @classmethod
    def load(cls, layout: KeyLayout) -> CrlState:
        raw = read_bytes(layout.crl_state, "crl/state.json")
        try:
            data = json.loads(raw)
            return cls(
                {ca: int(data[ca.value]["number"]) for ca in CA_ROLES},
                {ca: tuple(RevokedCertificate(int(r["serial"], 16),
                                              datetime.fromisoformat(r["revoked_at"]),
                                              x509.ReasonFlags(r["reason"]))
                           for r in data[ca.value]["revoked"]) for ca in CA_ROLES},
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise KeysInvalidError("crl/state.json", str(exc)) from exc

    def dump(self) -> bytes:
        data = {
            ca.value: {
                "number": self.numbers[ca],
                "revoked": [{"serial": format(r.serial_number, "x"),
                             "revoked_at": r.revoked_at.isoformat(), "reason": r.reason.value}
                            for r in self.revoked[ca]],
            }
            for ca in CA_ROLES
        }
        return json.dumps(data, indent=2).encode("utf-8")

    def with_revoked(self, ca: CertRole, entry: RevokedCertificate) -> CrlState:
        if any(r.serial_number == entry.serial_number for r in self.revoked[ca]):
            return self
        revoked = dict(self.revoked)
        revoked[ca] = (*revoked[ca], entry)
        return replace(self, revoked=revoked)


def issue_crls(layout: KeyLayout, state: CrlState,
               cas: Mapping[CertRole, tuple[x509.Certificate, ec.EllipticCurvePrivateKey]],
               now: datetime) -> CrlState:
    """Sign a new CRL for each CA in ``cas`` (number + 1) and save them with the state."""
    numbers = dict(state.numbers)
    make_private_dir(layout.crl_dir)
    for ca, (certificate, key) in cas.items():
        numbers[ca] += 1
        crl = make_crl(certificate, key, number=numbers[ca], now=now, revoked=state.revoked[ca])
        write_private_file(layout.crl(ca), crl_pem(crl))
    new_state = replace(state, numbers=numbers)
    write_private_file(layout.crl_state, new_state.dump())
    return new_state


def read_crls(layout: KeyLayout) -> tuple[x509.CertificateRevocationList, ...]:
    """The current CRLs: the root's, then the issuing CA's."""
    return tuple(load_crl(layout.crl(ca), f"crl/{ca.value}.crl.pem") for ca in CA_ROLES)
