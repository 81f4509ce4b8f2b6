"""``zhengzhao keys revoke``: put one of the office's certificates on its CA's CRL.

``keys revoke (--serial HEX | --current signing|seal-signer) [--reason R] [--rotate] [--force]``
finds the certificate among the store's ECDSA ones (every licence-signing certificate, the
timestamp authority, the issuing CA) and SM2 ones (the SM2 issuing CA, the seal maker, every seal
signer) by its serial (as ``openssl x509 -serial`` prints it: any case, colons allowed), revokes
it (``KeyStore.revoke``, which re-issues its CA's CRL), then, for this office's own store,
audits it and re-publishes the trust folder (``elicense.publish``: the CRLs in ``crls/``), so
verifiers see the revocation at once.

Refused (exit 2, nothing changed): a serial no certificate here has
(``keys.certificate_not_found``); a root (``keys.not_revocable``: a root is on no CRL, replace
the PKI instead); the *current*
signing or seal-signer certificate without ``--rotate`` (``keys.in_use``): with it a new one is
made first (``KeyStore.rotate``: the licence-signing key and the SM2 seal signer together;
``rotate_sm2`` only for a seal signer), so the office never signs with a revoked key; a CA, the
timestamp authority or the seal maker without ``--force`` (``keys.in_use``: the office keeps
using them, so everything it signs fails until new keys are made with ``keys init --force``).
A certificate already on its CRL is left as it is (exit 0, "already revoked"). Never prints key
material: serials, subjects and fingerprints only.
"""

from __future__ import annotations

import argparse
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from api.cli.errors import CertificateInUseError, CertificateNotFoundError, NotRevocableError
from api.cli.licence import service_register
from api.db import AuditAction, append_audit
from core import Settings
from elicense import publish
from signing import CertRole, KeyStore, Sm2Role, key_id

__all__ = ["REASONS", "add_revoke_arguments", "revoke"]

# The RFC 5280 reasons an office may give. Left out: certificate_hold (a hold is meant to be
# lifted, and nothing here lifts it), remove_from_crl (delta CRLs only), aa_compromise
# (attribute certificates).
REASONS: tuple[x509.ReasonFlags, ...] = (
    x509.ReasonFlags.key_compromise, x509.ReasonFlags.ca_compromise,
    x509.ReasonFlags.affiliation_changed, x509.ReasonFlags.superseded,
    x509.ReasonFlags.cessation_of_operation, x509.ReasonFlags.privilege_withdrawn,
    x509.ReasonFlags.unspecified)


class Current(StrEnum):
    """What ``--current`` names."""

    SIGNING = "signing"
    SEAL_SIGNER = "seal-signer"


@dataclass(frozen=True)
class Candidate:
    """One certificate of the store that ``--serial`` may name."""

    pki: str  # "ecdsa" or "sm2"
    role: str  # e.g. "licence-signing", "seal-signer", "root-ca"
    certificate: x509.Certificate | asn1_x509.Certificate
    current: bool = False  # the signing or seal-signer certificate new signatures use
    root: bool = False
    long_lived: bool = False  # a CA, the timestamp authority, the seal maker: no rotation

    @property
    def serial(self) -> int:
        cert = self.certificate
        return cert.serial_number if isinstance(cert, x509.Certificate) else int(
            cert.serial_number)

    def describe(self) -> dict[str, Any]:
        cert = self.certificate
        if isinstance(cert, x509.Certificate):
            subject = cert.subject.rfc4514_string()
            der = cert.public_bytes(serialization.Encoding.DER)
        else:
            subject, der = cert.subject.human_friendly, cert.dump()
        return {"serial": serial_text(self.serial), "subject": subject, "pki": self.pki,
                "role": self.role, "sha256": hashlib.sha256(der).hexdigest()}


def serial_text(serial: int) -> str:
    """A serial as ``openssl x509 -serial`` prints it: upper-case hex, an even number of digits."""
    text = format(serial, "X")
    return text if len(text) % 2 == 0 else f"0{text}"


def parse_serial(text: str) -> int:
    """``--serial``: hex in any case, with or without colons, ``serial=`` or ``0x``."""
    cleaned = text.strip()
    cleaned = re.sub(r"^(serial=|0x)", "", cleaned, flags=re.IGNORECASE).replace(":", "")
    if not re.fullmatch(r"[0-9A-Fa-f]{1,80}", cleaned):
        raise argparse.ArgumentTypeError(f"not a hexadecimal serial number: {text!r}")
    return int(cleaned, 16)


def add_revoke_arguments(revoke_parser: argparse.ArgumentParser) -> None:
    which = revoke_parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--serial", type=parse_serial, default=None, metavar="HEX",
                       help="the certificate's serial, as `openssl x509 -serial` prints it")
    which.add_argument("--current", choices=[c.value for c in Current], default=None,
                       help="the current licence-signing or SM2 seal-signer certificate")
    revoke_parser.add_argument("--reason", choices=[r.name for r in REASONS],
                               default=x509.ReasonFlags.key_compromise.name,
                               help="RFC 5280 reason (default: key_compromise)")
    revoke_parser.add_argument("--rotate", action="store_true",
                               help="the certificate is the current one: make a new one first "
                               "(required for it)")
    revoke_parser.add_argument("--force", action="store_true",
                               help="revoke a CA, timestamp or seal-maker certificate the office "
                               "keeps using")


def candidates(store: KeyStore) -> list[Candidate]:
    """Every certificate of the store that can be named, roots included (to refuse them)."""
    current_signing = store.certificate(CertRole.LICENCE_SIGNING).serial_number
    found = [Candidate("ecdsa", CertRole.ROOT.value, store.certificate(CertRole.ROOT),
                       root=True),
             Candidate("ecdsa", CertRole.ISSUING_CA.value, store.certificate(CertRole.ISSUING_CA),
                       long_lived=True),
             Candidate("ecdsa", CertRole.TIMESTAMP.value, store.certificate(CertRole.TIMESTAMP),
                       long_lived=True)]
    found += [Candidate("ecdsa", CertRole.LICENCE_SIGNING.value, cert,
                        current=cert.serial_number == current_signing)
              for cert in store.signing_certificates()]
    if store.has_sm2():
        current_seal = int(store.sm2_certificate(Sm2Role.SEAL_SIGNER).serial_number)
        found += [Candidate("sm2", Sm2Role.ROOT.value, store.sm2_certificate(Sm2Role.ROOT),
                            root=True),
                  Candidate("sm2", Sm2Role.CA.value, store.sm2_certificate(Sm2Role.CA),
                            long_lived=True),
                  Candidate("sm2", Sm2Role.SEAL_MAKER.value,
                            store.sm2_certificate(Sm2Role.SEAL_MAKER), long_lived=True)]
        found += [Candidate("sm2", Sm2Role.SEAL_SIGNER.value, cert,
                            current=int(cert.serial_number) == current_seal)
                  for cert in store.sm2_seal_signer_certificates()]
    return found


def _choose(args: argparse.Namespace, store: KeyStore) -> Candidate:
    everything = candidates(store)
    if args.current is not None:
        role = (CertRole.LICENCE_SIGNING.value if args.current == Current.SIGNING
                else Sm2Role.SEAL_SIGNER.value)
        chosen = next((c for c in everything if c.current and c.role == role), None)
        if chosen is None:  # a store without SM2 keys has no seal signer
            raise CertificateNotFoundError(f"(current {args.current})")
        return chosen
    # A serial is unique per CA, not across both PKIs: refuse to guess between two.
    matches = [c for c in everything if c.serial == args.serial]
    if len(matches) != 1:
        raise CertificateNotFoundError(serial_text(args.serial))
    return matches[0]


def _already_revoked(store: KeyStore, chosen: Candidate) -> bool:
    """Whether the CRL of the certificate's PKI lists its serial already."""
    if chosen.pki == "ecdsa":
        return any(crl.get_revoked_certificate_by_serial_number(chosen.serial) is not None
                   for crl in store.crls())
    for crl in store.sm2_crls():
        entries = crl["tbs_cert_list"]["revoked_certificates"]
        if any(int(entry["user_certificate"].native) == chosen.serial for entry in entries):
            return True
    return False


def revoke(args: argparse.Namespace, settings: Settings, store: KeyStore) -> dict[str, Any]:
    """Do it; returns the JSON payload (its ``lines`` key: what to print for people). Raises
    a :class:`core.ZhengzhaoError` before changing anything when refused."""
    chosen = _choose(args, store)
    serial = serial_text(chosen.serial)
    if chosen.root:
        raise NotRevocableError(serial)
    payload: dict[str, Any] = {"dir": str(store.directory), "certificate": chosen.describe(),
                               "reason": args.reason, "already_revoked": False, "rotated": None,
                               "published": None}
    what = f"{chosen.role} certificate {serial} ({payload['certificate']['subject']})"
    if _already_revoked(store, chosen):
        payload["already_revoked"] = True
        payload["lines"] = [f"The {what} is revoked already; nothing changed."]
        return payload
    if chosen.current and not args.rotate:
        raise CertificateInUseError(serial, "--rotate")
    if chosen.long_lived and not args.force:
        raise CertificateInUseError(serial, "--force")
    now = datetime.now(UTC).replace(microsecond=0)
    lines = []
    if chosen.current:
        payload["rotated"] = rotated = _rotate(store, chosen, now)
        lines += [f"Rotated first: new {role} certificate {new['serial']}"
                  for role, new in rotated.items()]
    store.revoke(chosen.certificate, reason=x509.ReasonFlags[args.reason], now=now)
    payload["revoked_at"] = now.isoformat()
    lines.append(f"Revoked the {what}, reason {args.reason}; its CA's CRL re-issued.")
    if chosen.long_lived:
        lines.append("Warning: the office still uses this certificate: make new keys "
                     "(`zhengzhao keys init --force`) before signing again.")
    if _is_own_store(store, settings):
        published = _audit_and_publish(settings, store, chosen, payload, now)
        payload["published"] = str(published)
        lines.append(f"Trust folder re-published: {published}")
    else:
        lines.append("Not this office's key store (--dir): nothing published or audited; "
                     "publish its CRLs yourself.")
    payload["lines"] = lines
    return payload


def _rotate(store: KeyStore, chosen: Candidate, now: datetime) -> dict[str, dict[str, str]]:
    """A new current certificate before the old one is revoked: the licence-signing key (and
    with it the SM2 seal signer, as ``keys rotate`` does), or the seal signer alone."""
    if chosen.role == Sm2Role.SEAL_SIGNER.value:
        signer = store.rotate_sm2(now=now)
        return {"seal-signer": Candidate("sm2", chosen.role, signer).describe()}
    signing = store.rotate(now=now)
    rotated = {"licence-signing": Candidate("ecdsa", chosen.role, signing).describe()
               | {"kid": key_id(signing).hex()}}
    if store.has_sm2():
        rotated["seal-signer"] = Candidate("sm2", Sm2Role.SEAL_SIGNER.value,
                                           store.sm2_certificate(Sm2Role.SEAL_SIGNER)).describe()
    return rotated


def _is_own_store(store: KeyStore, settings: Settings) -> bool:
    return store.directory.resolve() == Path(settings.resolved_keys_dir).resolve()


def _audit_and_publish(settings: Settings, store: KeyStore, chosen: Candidate,
                       payload: dict[str, Any], now: datetime) -> Path:
    with service_register(settings) as (session, registry):
        for role, new in (payload["rotated"] or {}).items():
            append_audit(session, AuditAction.KEY_ROTATED, actor_id=None, subject_type="key",
                         subject_id=new.get("kid", new["serial"]),
                         details={"role": role, "serial": new["serial"], "via": "cli",
                                  "because": "keys revoke"})
        append_audit(session, AuditAction.CERTIFICATE_REVOKED, actor_id=None,
                     subject_type="certificate", subject_id=payload["certificate"]["serial"],
                     details={"pki": chosen.pki, "role": chosen.role,
                              "reason": payload["reason"], "via": "cli"})
        return publish(store, registry, settings.resolved_published_dir, settings.issuer_code,
                       now)
