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
Holds no personal data."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from core import Settings
from elicense import TrustMaterial, TrustStore

__all__ = ["OFFLINE_TRUST_VERSION", "imported_materials", "offline_trust"]

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
