"""What the issuer publishes so that anyone can verify its licences offline, and how a verifier
loads it: a folder with ``trust-list.json`` (the signing certificates and their key ids),
``root.pem`` (the root to pin), ``crls/*.pem`` (certificate revocation) and ``status-list.cose``
(the signed licence revocation list, fresh for :data:`STATUS_LIST_LIFETIME`).

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
    StatusList,
    key_id,
    parse_trust_list,
    sign_status_list,
)

TRUST_LIST_FILE = "trust-list.json"
ROOT_FILE = "root.pem"
STATUS_LIST_FILE = "status-list.cose"
CRL_DIR = "crls"
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


def fresh_crls(store: KeyStore, now: datetime) -> tuple[x509.CertificateRevocationList, ...]:
    """The store's CRLs, re-issued first if any is older than :data:`CRL_REFRESH_AGE`."""
    crls = store.crls()
    if any(now - crl.last_update_utc > CRL_REFRESH_AGE for crl in crls):
        store.refresh_crls(now=now)
        crls = store.crls()
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
    wanted = set()
    for index, crl in enumerate(fresh_crls(store, now)):
        name = f"crl-{index}.pem"
        wanted.add(name)
        write_atomically(directory / CRL_DIR / name, crl.public_bytes(serialization.Encoding.PEM))
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
    for path in sorted((directory / CRL_DIR).glob("*.pem")):
        try:
            crls.append(x509.load_pem_x509_crl(_read(path)))
        except ValueError:
            raise TrustMaterialError(f"{CRL_DIR}/{path.name}", "not a PEM CRL") from None
    status_path = directory / STATUS_LIST_FILE
    status = _read(status_path) if status_path.is_file() else None
    return TrustMaterial(root=root, trusted_keys=trust_list.trusted_keys(), crls=tuple(crls),
                         status_list=status,
                         issuer=IssuerNames.from_trust_list(trust_list.issuer))


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > _MAX_FILE:
            raise TrustMaterialError(path.name, "file too large")
        return path.read_bytes()
    except OSError:
        raise TrustMaterialError(path.name, "missing or unreadable") from None
