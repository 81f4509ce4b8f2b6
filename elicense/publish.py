"""What the issuer publishes so that anyone can verify its licences offline, and how a verifier
loads it: a folder with ``trust-list.json`` (the signing certificates and their key ids),
``root.pem`` (the root to pin), ``crls/*.pem`` (certificate revocation) and ``status-list.cose``
(the signed licence revocation list, fresh for :data:`STATUS_LIST_LIFETIME`); and when the office
has the SM2 PKI (sealed OFD licences), ``sm2-root.pem`` (the SM2 anchor) and ``sm2-ca.pem`` (its
issuing CA, which issues the seal maker and seal signer certificates) and the two SM2 CAs' CRLs
beside the ECDSA ones, as ``crls/sm2-crl-<n>.pem`` (SM3withSM2; a reader before them loads them
as CRLs of an issuer it does not know and ignores them). All are optional for a reader: folders
published before SM2 have none; ``load_trust`` refuses an SM2 CRL that is not signed by the
folder's SM2 root or CA.

The issuer keeps its copy in ``<data dir>/published`` and refreshes it on every issue, revocation
and key change; ``zhengzhao publish DIR`` copies it out for a web server or a USB stick.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from core import write_atomically
from elicense.errors import TrustMaterialError
from elicense.issuer_binding import IssuerNames
from elicense.registry import LicenceRegistry
from signing import (
    MIN_STATUS_LIST_BITS,
    CertRole,
    KeysInvalidError,
    KeyStore,
    Sm2Role,
    StatusList,
    key_id,
    load_sm2_certificate,
    load_sm2_crl,
    parse_trust_list,
    sign_status_list,
    sm2_certificate_pem,
    sm2_crl_facts,
    sm2_crl_issuer,
    sm2_crl_pem,
    verify_sm2_cert_signature,
    verify_sm2_crl_signature,
)

TRUST_LIST_FILE = "trust-list.json"
ROOT_FILE = "root.pem"
STATUS_LIST_FILE = "status-list.cose"
SM2_ROOT_FILE = "sm2-root.pem"
SM2_CA_FILE = "sm2-ca.pem"
CRL_DIR = "crls"
SM2_CRL_PREFIX = "sm2-"  # crls/sm2-*.pem are the SM2 CAs' CRLs, the other crls/*.pem ECDSA ones
# Serialises publishers: ``.<folder name>.publish.lock`` beside the folder, so the folder
# itself holds only what verifiers read.
PUBLISH_LOCK_SUFFIX = ".publish.lock"
STATUS_LIST_LIFETIME = timedelta(days=7)
# CRLs are re-issued when older than this (they last 30 days): issuing and publishing keep them
# fresh, so verifiers never see stale revocation data from an office that is at work.
CRL_REFRESH_AGE = timedelta(days=1)
_MAX_FILE = 32 * 1024 * 1024


@dataclass(frozen=True)
class TrustMaterial:
    """Everything a verifier pins and checks against; never the OS trust store. ``issuer`` is
    the office the trust list names: a licence verified with these keys must name it."""

    root: x509.Certificate
    trusted_keys: dict[bytes, list[x509.Certificate]]
    crls: tuple[x509.CertificateRevocationList, ...]
    status_list: bytes | None
    issuer: IssuerNames | None = None
    # The SM2 anchor and issuing CA for sealed OFDs (asn1crypto: cryptography has no SM2);
    # None / empty for a folder published before SM2.
    sm2_root: asn1_x509.Certificate | None = None
    sm2_cas: tuple[asn1_x509.Certificate, ...] = ()
    # The SM2 CAs' CRLs, each checked against sm2_root / sm2_cas when the folder was read.
    sm2_crls: tuple[asn1_crl.CertificateList, ...] = ()
    # The trust list's CA certificates (the issuing CA), each issued by ``root``: the issuers
    # of ``crls`` besides the root.
    cas: tuple[x509.Certificate, ...] = ()


def fresh_crls(store: KeyStore, now: datetime) -> tuple[x509.CertificateRevocationList, ...]:
    """The store's CRLs, re-issued first if any is older than :data:`CRL_REFRESH_AGE`."""
    crls = store.crls()
    if any(now - crl.last_update_utc > CRL_REFRESH_AGE for crl in crls):
        store.refresh_crls(now=now)
        crls = store.crls()
    return crls


def fresh_sm2_crls(store: KeyStore, now: datetime) -> tuple[asn1_crl.CertificateList, ...]:
    """The store's SM2 CRLs (none without SM2 keys), re-issued first if any is older than
    :data:`CRL_REFRESH_AGE` or the SM2 PKI predates its CRLs."""
    if not store.has_sm2():
        return ()
    crls = store.sm2_crls()
    if not crls or any(now - sm2_crl_facts(crl)[0] > CRL_REFRESH_AGE for crl in crls):
        store.refresh_sm2_crls(now=now)
        crls = store.sm2_crls()
    return crls


def publish(store: KeyStore, registry: LicenceRegistry, directory: Path, issuer: str,
            now: datetime) -> Path:
    """Write (or refresh) the published folder; every file is replaced atomically, the status
    list last. Publishers (threads or processes) take turns on a lock file in the folder, so
    one never overwrites another's newer status list with what it read before it: a caller that
    changed the register in a transaction publishes again after its commit (see
    :data:`PUBLISH_LOCK_SUFFIX`)."""
    directory.mkdir(parents=True, exist_ok=True)
    with _publish_lock(directory):
        return _publish(store, registry, directory, issuer, now)


@contextmanager
def _publish_lock(directory: Path) -> Iterator[None]:
    lock = directory.parent / f".{directory.name}{PUBLISH_LOCK_SUFFIX}"
    with open(lock, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _publish(store: KeyStore, registry: LicenceRegistry, directory: Path, issuer: str,
             now: datetime) -> Path:
    (directory / CRL_DIR).mkdir(exist_ok=True)
    trust_list = store.trust_list(now=now).to_json().encode("utf-8")
    write_atomically(directory / TRUST_LIST_FILE, trust_list)
    root = store.certificate(CertRole.ROOT)
    write_atomically(directory / ROOT_FILE, root.public_bytes(serialization.Encoding.PEM))
    if store.has_sm2():
        write_atomically(directory / SM2_ROOT_FILE,
                         sm2_certificate_pem(store.sm2_certificate(Sm2Role.ROOT)))
        write_atomically(directory / SM2_CA_FILE,
                         sm2_certificate_pem(store.sm2_certificate(Sm2Role.CA)))
    else:
        for name in (SM2_ROOT_FILE, SM2_CA_FILE):
            (directory / name).unlink(missing_ok=True)
    wanted = set()
    for index, crl in enumerate(fresh_crls(store, now)):
        name = f"crl-{index}.pem"
        wanted.add(name)
        write_atomically(directory / CRL_DIR / name, crl.public_bytes(serialization.Encoding.PEM))
    for index, sm2_crl in enumerate(fresh_sm2_crls(store, now)):
        name = f"{SM2_CRL_PREFIX}crl-{index}.pem"
        wanted.add(name)
        write_atomically(directory / CRL_DIR / name, sm2_crl_pem(sm2_crl))
    for stale in (directory / CRL_DIR).glob("*.pem"):
        if stale.name not in wanted:
            stale.unlink()
    signer = store.signer()
    status = StatusList.empty(MIN_STATUS_LIST_BITS).with_revoked(registry.revoked_indices())
    signed = sign_status_list(status, signer, key_id(signer.certificate), issuer=issuer,
                              issued_at=now, expires=now + STATUS_LIST_LIFETIME)
    write_atomically(directory / STATUS_LIST_FILE, signed)
    return directory


def load_trust(directory: Path) -> TrustMaterial:
    """Read a published folder; the trust list must chain to the folder's root. Raises
    :class:`TrustMaterialError` naming the missing or broken file."""
    root_path = directory / ROOT_FILE
    try:
        root = x509.load_pem_x509_certificate(_read(root_path))
    except ValueError:
        raise TrustMaterialError(ROOT_FILE, "not a PEM certificate") from None
    try:
        trust_list = parse_trust_list(_read(directory / TRUST_LIST_FILE), pinned_root=root)
    except KeysInvalidError as exc:
        raise TrustMaterialError(TRUST_LIST_FILE, exc.message_en) from None
    crls = []
    sm2_crl_files = []
    for path in sorted((directory / CRL_DIR).glob("*.pem")):
        if path.name.startswith(SM2_CRL_PREFIX):
            sm2_crl_files.append(path)
            continue
        try:
            crls.append(x509.load_pem_x509_crl(_read(path)))
        except ValueError:
            raise TrustMaterialError(f"{CRL_DIR}/{path.name}", "not a PEM CRL") from None
    status_path = directory / STATUS_LIST_FILE
    status = _read(status_path) if status_path.is_file() else None
    sm2_root, sm2_cas = _load_sm2(directory)
    sm2_crls = _load_sm2_crls(sm2_crl_files, sm2_root, sm2_cas)
    return TrustMaterial(root=root, trusted_keys=trust_list.trusted_keys(), crls=tuple(crls),
                         status_list=status,
                         issuer=IssuerNames.from_trust_list(trust_list.issuer),
                         sm2_root=sm2_root, sm2_cas=sm2_cas, sm2_crls=sm2_crls,
                         cas=tuple(x509.load_pem_x509_certificate(pem.encode("ascii"))
                                   for pem in trust_list.ca_certificates))


def _load_sm2_crls(paths: list[Path], root: asn1_x509.Certificate | None,
                   cas: tuple[asn1_x509.Certificate, ...]
                   ) -> tuple[asn1_crl.CertificateList, ...]:
    """The folder's SM2 CRLs, each signed by its SM2 root or CA (the one its issuer names)."""
    crls = []
    for path in paths:
        what = f"{CRL_DIR}/{path.name}"
        try:
            crl = load_sm2_crl(_read(path))
        except ValueError:
            raise TrustMaterialError(what, "not a PEM CRL") from None
        if root is None:
            raise TrustMaterialError(what, f"an SM2 CRL without {SM2_ROOT_FILE}")
        issuers = [c for c in (root, *cas) if c.subject.dump() == sm2_crl_issuer(crl).dump()]
        if not any(verify_sm2_crl_signature(crl, issuer) for issuer in issuers):
            raise TrustMaterialError(what, f"not signed by {SM2_ROOT_FILE} or {SM2_CA_FILE}")
        crls.append(crl)
    return tuple(crls)


def _load_sm2(directory: Path) -> tuple[asn1_x509.Certificate | None,
                                        tuple[asn1_x509.Certificate, ...]]:
    """The folder's SM2 root (self-signed) and CA (issued by it), if it has them."""
    root_path, ca_path = directory / SM2_ROOT_FILE, directory / SM2_CA_FILE
    if not root_path.is_file():
        if ca_path.is_file():
            raise TrustMaterialError(SM2_CA_FILE, f"without {SM2_ROOT_FILE}")
        return None, ()
    try:
        root = load_sm2_certificate(_read(root_path))
    except ValueError:
        raise TrustMaterialError(SM2_ROOT_FILE, "not a PEM certificate") from None
    if not verify_sm2_cert_signature(root, root):
        raise TrustMaterialError(SM2_ROOT_FILE, "not a self-signed SM2 certificate")
    if not ca_path.is_file():
        return root, ()
    try:
        ca = load_sm2_certificate(_read(ca_path))
    except ValueError:
        raise TrustMaterialError(SM2_CA_FILE, "not a PEM certificate") from None
    if not verify_sm2_cert_signature(ca, root):
        raise TrustMaterialError(SM2_CA_FILE, f"not issued by {SM2_ROOT_FILE}")
    return root, (ca,)


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > _MAX_FILE:
            raise TrustMaterialError(path.name, "file too large")
        return path.read_bytes()
    except OSError:
        raise TrustMaterialError(path.name, "missing or unreadable") from None
