"""The published trust list: which keys sign this office's licences, like the EU DCC trust list.

A JSON document anyone can read with a JSON parser and an X.509 library: the issuer, the root
certificate (to pin), the issuing CA, and every licence-signing certificate ever used (rotated
ones stay, so older licences keep verifying), each with its key id ``kid`` (base64url of the
first 8 bytes of SHA-256 of the certificate's DER), validity and PEM.

:func:`parse_trust_list` is the consumer side: it rejects a list whose kids do not match their
certificates or whose certificates do not chain to the pinned root.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pydantic import BaseModel, ConfigDict, ValidationError

from signing.errors import KeysInvalidError
from signing.pki import IssuerIdentity, is_issued_by
from signing.signer import KID_LENGTH, key_id

TRUST_LIST_FORMAT = "zhengzhao-trust-list"
TRUST_LIST_VERSION = 1


def encode_kid(kid: bytes) -> str:
    """base64url without padding, as JSON carries kids (8 bytes → 11 characters)."""
    return base64.urlsafe_b64encode(kid).rstrip(b"=").decode("ascii")


def decode_kid(text: str) -> bytes:
    """The 8 bytes of a kid written by :func:`encode_kid`; ``ValueError`` if it is not one."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("kid is not base64url") from exc
    if encode_kid(raw) != text:
        raise ValueError("kid is not canonical base64url")
    if len(raw) != KID_LENGTH:
        raise ValueError(f"a kid has {KID_LENGTH} bytes, not {len(raw)}")
    return raw


def _pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class IssuerInfo(_Frozen):
    """The issuing office (颁发机构) as the trust list names it."""

    name_zh: str
    name_en: str
    code: str
    jurisdiction_code: str
    demo: bool


class TrustListEntry(_Frozen):
    """One licence-signing certificate and its key id."""

    kid: str
    certificate: str
    subject: str
    serial_number: str
    sha256: str
    not_before: datetime
    not_after: datetime

    @property
    def kid_bytes(self) -> bytes:
        return decode_kid(self.kid)

    def load_certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.certificate.encode("ascii"))


class TrustList(_Frozen):
    """The trust list document. ``to_json()`` is what gets published."""

    format: Literal["zhengzhao-trust-list"] = TRUST_LIST_FORMAT
    version: Literal[1] = TRUST_LIST_VERSION
    issued_at: datetime
    issuer: IssuerInfo
    root_certificate: str
    ca_certificates: tuple[str, ...]
    keys: tuple[TrustListEntry, ...]

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"

    def root(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.root_certificate.encode("ascii"))

    def trusted_keys(self) -> dict[bytes, list[x509.Certificate]]:
        """``kid → certificates`` (usually one; a kid collision keeps both: a verifier tries
        every certificate with that kid)."""
        trusted: dict[bytes, list[x509.Certificate]] = {}
        for entry in self.keys:
            trusted.setdefault(entry.kid_bytes, []).append(entry.load_certificate())
        return trusted


def build_trust_list(root: x509.Certificate, ca_certificates: Sequence[x509.Certificate],
                     signing_certificates: Sequence[x509.Certificate], issuer: IssuerIdentity,
                     *, now: datetime) -> TrustList:
    """The trust list for these certificates, issued at ``now``."""
    keys = tuple(
        TrustListEntry(
            kid=encode_kid(key_id(cert)),
            certificate=_pem(cert),
            subject=cert.subject.rfc4514_string(),
            serial_number=format(cert.serial_number, "x"),
            sha256=hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest(),
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
        )
        for cert in signing_certificates
    )
    return TrustList(
        issued_at=now.replace(microsecond=0),
        issuer=IssuerInfo(**issuer.to_dict()),  # type: ignore[arg-type]
        root_certificate=_pem(root),
        ca_certificates=tuple(_pem(c) for c in ca_certificates),
        keys=keys,
    )


def parse_trust_list(text: str | bytes, *, pinned_root: x509.Certificate | None = None
                     ) -> TrustList:
    """Read and check a published trust list.

    Checks: the JSON shape; every PEM parses; every ``kid`` is the formula applied to its
    certificate; every signing certificate is issued by a listed CA certificate that is itself
    issued by the root; with ``pinned_root``, the list's root is exactly that certificate.
    Raises :class:`KeysInvalidError` naming the first problem.
    """
    try:
        document = TrustList.model_validate_json(text)
    except ValidationError as exc:
        raise KeysInvalidError("trust list", f"not a trust list ({exc.error_count()} errors)"
                               ) from exc
    try:
        root = document.root()
        cas = [x509.load_pem_x509_certificate(p.encode("ascii")) for p in document.ca_certificates]
        certs = [(entry, entry.load_certificate()) for entry in document.keys]
    except ValueError as exc:
        raise KeysInvalidError("trust list", "a certificate does not parse") from exc
    if pinned_root is not None and root != pinned_root:
        raise KeysInvalidError("trust list", "its root is not the pinned root certificate")
    chained_cas = [ca for ca in cas if is_issued_by(ca, root)]
    if len(chained_cas) != len(cas):
        raise KeysInvalidError("trust list", "a CA certificate is not issued by the root")
    for entry, cert in certs:
        try:
            kid = entry.kid_bytes
        except ValueError as exc:
            raise KeysInvalidError("trust list", f"kid {entry.kid!r} is not base64url") from exc
        if kid != key_id(cert):
            raise KeysInvalidError("trust list", f"kid {entry.kid} does not match its certificate")
        if (entry.not_before, entry.not_after) != (cert.not_valid_before_utc,
                                                   cert.not_valid_after_utc):
            raise KeysInvalidError("trust list", f"key {entry.kid}: validity differs from its "
                                   "certificate")
        if not any(is_issued_by(cert, ca) for ca in chained_cas):
            raise KeysInvalidError("trust list", f"key {entry.kid} does not chain to the root")
    return document
