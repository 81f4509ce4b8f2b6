"""The trust material of the offline verifier page (``/verify/offline``, issue 14) as the JSON
the page reads: for this office and every imported issuer, the signing keys the Python verifier
trusts (by key id, with each certificate's validity), the issuer's names and its signed status
list. The Python verifier's :class:`elicense.TrustMaterial` is the one source: the page checks
exactly the keys, names and lists :func:`elicense.verify_licence_token` checks with.

Layout (``version`` 1)::

    {"version": 1, "generated_at": <seconds>,
     "issuers": [{"code", "name_zh", "name_en", "own": bool,
                  "keys": [{"kid": base64url, "spki": base64 (DER SubjectPublicKeyInfo),
                            "not_before": <seconds>, "not_after": <seconds>}],
                  "status_list": base64 of status-list.cose, or null}]}

This office comes first (``own``); among the others a key id that more than one lists is
trusted with neither, as :class:`elicense.TrustedIssuers` decides (the page applies that rule).
Holds no personal data.

:func:`signed_offline_trust` signs that JSON with this office's **root** key (ES256 COSE_Sign1,
as tokens are signed, the JSON's UTF-8 bytes as payload, kid = the root certificate's key id):
the page verifies it against the root's public key it pinned on its first visit, so trust
material fetched later (the refresh button, a cached page) cannot add a key the office root
did not sign. The root key is read once per process and kept; when it cannot be read (a root
kept offline) the material goes unsigned and the page says so (INDETERMINATE verdicts)."""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from core import Settings
from elicense import TrustMaterial, TrustStore
from signing import CertRole, KeyStore, key_id, sign1

__all__ = ["OFFLINE_TRUST_VERSION", "SignedTrust", "imported_materials", "offline_trust",
           "page_trust",
           "signed_offline_trust"]

log = logging.getLogger(__name__)

OFFLINE_TRUST_VERSION = 1


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _key(kid: bytes, certificate: x509.Certificate) -> dict[str, Any]:
    spki = certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return {"kid": _b64url(kid), "spki": base64.b64encode(spki).decode("ascii"),
            "not_before": int(certificate.not_valid_before_utc.timestamp()),
            "not_after": int(certificate.not_valid_after_utc.timestamp())}


def _issuer(material: TrustMaterial, *, own: bool) -> dict[str, Any] | None:
    if material.issuer is None:
        return None  # a verdict with such material is never PASSED: leave it out
    keys = [_key(kid, cert) for kid, certs in sorted(material.trusted_keys.items())
            for cert in certs]
    status = material.status_list
    return {"code": material.issuer.code, "name_zh": material.issuer.name_zh,
            "name_en": material.issuer.name_en, "own": own, "keys": keys,
            "status_list": None if status is None else base64.b64encode(status).decode("ascii")}


def offline_trust(own: TrustMaterial | None, imported: Iterable[TrustMaterial], *,
                  generated_at: datetime) -> dict[str, Any]:
    """The page's trust JSON (see the module doc) for this office's material ``own`` and the
    imported issuers' ``imported``."""
    issuers = [] if own is None else [_issuer(own, own=True)]
    issuers += [_issuer(material, own=False) for material in imported]
    return {"version": OFFLINE_TRUST_VERSION, "generated_at": int(generated_at.timestamp()),
            "issuers": [issuer for issuer in issuers if issuer is not None]}


def imported_materials(settings: Settings) -> list[TrustMaterial]:
    """The trust material of every readable imported issuer (``<data dir>/trust``)."""
    return [material for _issuer, material in TrustStore.for_settings(settings).materials()]


@dataclass(frozen=True)
class SignedTrust:
    """What the page carries: the trust JSON, its COSE_Sign1 by the office root (base64, or
    ``None`` when unsigned) and the root's public key (base64 DER SubjectPublicKeyInfo)."""

    trust: dict[str, Any]
    cose: str | None
    root_spki: str | None


_ROOT_KEYS: dict[tuple[str, bytes], ec.EllipticCurvePrivateKey] = {}
_ROOT_LOCK = threading.Lock()


def _root_key(settings: Settings, root: x509.Certificate) -> ec.EllipticCurvePrivateKey | None:
    """This office's root private key, when it is the key of ``root`` (read once, kept)."""
    der = root.public_bytes(serialization.Encoding.DER)
    cache_key = (str(settings.resolved_keys_dir), der)
    with _ROOT_LOCK:
        if cache_key not in _ROOT_KEYS:
            try:
                key = KeyStore.from_settings(settings).load_ca_key(CertRole.ROOT)
            except Exception as exc:  # noqa: BLE001 - no root key here: the page goes unsigned
                log.warning("offline trust left unsigned: root key unavailable (%s)",
                            type(exc).__name__)
                return None
            if key.public_key() != root.public_key():
                log.warning("offline trust left unsigned: the root key is not the published root")
                return None
            _ROOT_KEYS[cache_key] = key
        return _ROOT_KEYS[cache_key]


def signed_offline_trust(settings: Settings, own: TrustMaterial | None,
                         imported: Iterable[TrustMaterial], *,
                         generated_at: datetime) -> SignedTrust:
    """The page's trust JSON, signed by this office's root (see the module doc)."""
    data = offline_trust(own, imported, generated_at=generated_at)
    if own is None:
        return SignedTrust(data, None, None)
    root = own.root
    spki = base64.b64encode(root.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode()
    key = _root_key(settings, root)
    if key is None:
        return SignedTrust(data, None, spki)
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    cose = base64.b64encode(sign1(payload, key, key_id(root))).decode("ascii")
    return SignedTrust(data, cose, spki)


# The pages that carry the trust material (/v, the page every QR scan opens, and
# /verify/offline) are public: rebuilding it (reading the imported trust folders) and signing
# it on every request would be work a caller could make us repeat at will. It is built once a
# minute, and at once when this office's own material changes (a new status list after a
# revocation is a new TrustMaterial); an imported issuer's new list shows within the minute.
PAGE_TRUST_SECONDS = 60.0
# One entry per data dir: the newest build, for the TrustMaterial object it was built from.
_PAGE_TRUST: dict[str, tuple[float, TrustMaterial | None, SignedTrust]] = {}
_PAGE_TRUST_LOCK = threading.Lock()


def page_trust(settings: Settings, own: TrustMaterial | None) -> SignedTrust:
    """The signed trust material the pages carry, rebuilt at most once a minute (see above)."""
    key = str(settings.data_dir)
    now = time.monotonic()
    with _PAGE_TRUST_LOCK:
        cached = _PAGE_TRUST.get(key)
        if cached is not None and cached[1] is own and now - cached[0] < PAGE_TRUST_SECONDS:
            return cached[2]
    signed = signed_offline_trust(settings, own, imported_materials(settings),
                                  generated_at=datetime.now(UTC))
    with _PAGE_TRUST_LOCK:
        _PAGE_TRUST[key] = (now, own, signed)
    return signed
