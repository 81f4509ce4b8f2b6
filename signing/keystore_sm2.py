"""The SM2 half of the key store (the national profile's PKI, beside the ECDSA one): an SM2
root, an issuing CA, the seal maker (制章人, signs the electronic seals) and the seal signer
(签章人, signs sealed OFD documents), in the ``sm2/`` folder of the store with the same file
protection (files 0600, folder 0700, keys encrypted with the store's passphrase,
``signing.sm2_keyfile``).

```
<keys dir>/sm2/                 0700
  root-ca.pem     root-ca.key.pem
  issuing-ca.pem  issuing-ca.key.pem
  seal-maker.pem  seal-maker.key.pem
  seal-signer/<seq>-<UTC stamp>-<key id hex>.pem / .key.pem   every seal-signer certificate made
  seal-signer/current           the stem of the one used for new seals
```
The seal signer rotates like the licence-signing key (old certificates stay: what they signed
stays valid); the CAs and the seal maker are long-lived. :class:`signing.KeyStore` owns the
folder; this module writes and reads it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from pydantic import SecretStr

from signing.errors import KeysExistError, KeysInvalidError, KeysMissingError
from signing.pki import (
    DEMO_ORGANISATION,
    IssuerIdentity,
    make_private_dir,
    read_bytes,
    write_private_file,
)
from signing.pki.profiles import BACKDATE, ORG_ID_PREFIX
from signing.sm2 import Sm2PrivateKey
from signing.sm2_keyfile import decrypt_sm2_key, encrypt_sm2_key
from signing.sm2_x509 import (
    build_sm2_certificate,
    load_sm2_certificate,
    sm2_certificate_pem,
    sm2_key_identifier,
)

SM2_DIR = "sm2"
SEAL_SIGNER_DIR = "seal-signer"
CURRENT_FILE = "current"


class Sm2Role(StrEnum):
    """The certificates of the SM2 PKI."""

    ROOT = "root-ca"
    CA = "issuing-ca"
    SEAL_MAKER = "seal-maker"
    SEAL_SIGNER = "seal-signer"


SM2_VALIDITY: dict[Sm2Role, timedelta] = {
    Sm2Role.ROOT: timedelta(days=20 * 365),
    Sm2Role.CA: timedelta(days=10 * 365),
    Sm2Role.SEAL_MAKER: timedelta(days=6 * 365),
    Sm2Role.SEAL_SIGNER: timedelta(days=2 * 365),
}
_CN_SUFFIX: dict[Sm2Role, str] = {
    Sm2Role.ROOT: "SM2 Root CA",
    Sm2Role.CA: "SM2 Issuing CA",
    Sm2Role.SEAL_MAKER: "SM2 seal maker",
    Sm2Role.SEAL_SIGNER: "SM2 seal signer",
}
_FIXED_ROLES = (Sm2Role.ROOT, Sm2Role.CA, Sm2Role.SEAL_MAKER)


def sm2_subject(role: Sm2Role, identity: IssuerIdentity) -> asn1_x509.Name:
    """The distinguished name of an SM2 certificate, shaped like the ECDSA ones
    (``signing.pki.subject_for``): a demo PKI says ``O=zhengzhao demo``."""
    organisation = DEMO_ORGANISATION if identity.demo else identity.name_zh
    label = DEMO_ORGANISATION if identity.demo else identity.name_en
    attributes: dict[str, str] = {"country_name": "CN", "organization_name": organisation}
    if identity.demo:
        attributes["organizational_unit_name"] = identity.name_zh
    attributes["organization_identifier"] = ORG_ID_PREFIX + identity.code
    attributes["common_name"] = f"{label} {_CN_SUFFIX[role]}"
    return asn1_x509.Name.build(attributes)


@dataclass(frozen=True)
class Sm2Layout:
    """Paths of the SM2 folder inside one key store directory."""

    store: Path

    @property
    def root(self) -> Path:
        return self.store / SM2_DIR

    @property
    def signer_dir(self) -> Path:
        return self.root / SEAL_SIGNER_DIR

    @property
    def current(self) -> Path:
        return self.signer_dir / CURRENT_FILE

    def certificate(self, role: Sm2Role) -> Path:
        if role is Sm2Role.SEAL_SIGNER:
            raise ValueError("seal-signer certificates live under sm2/seal-signer/")
        return self.root / f"{role.value}.pem"

    def key(self, role: Sm2Role) -> Path:
        if role is Sm2Role.SEAL_SIGNER:
            raise ValueError("seal-signer keys live under sm2/seal-signer/")
        return self.root / f"{role.value}.key.pem"

    def signer_certificate(self, stem: str) -> Path:
        return self.signer_dir / f"{stem}.pem"

    def signer_key(self, stem: str) -> Path:
        return self.signer_dir / f"{stem}.key.pem"

    def signer_stems(self) -> list[str]:
        """Stems of every seal-signer certificate, oldest first."""
        if not self.signer_dir.is_dir():
            return []
        return sorted(p.name[: -len(".pem")] for p in self.signer_dir.glob("*.pem")
                      if not p.name.endswith(".key.pem"))

    def exists(self) -> bool:
        return self.certificate(Sm2Role.CA).is_file()


def _serial() -> int:
    return secrets.randbits(159) | 1  # positive, at most 20 octets (RFC 5280 4.1.2.2)


def _issue(role: Sm2Role, key: Sm2PrivateKey, identity: IssuerIdentity, now: datetime,
           issuer: tuple[asn1_x509.Certificate, Sm2PrivateKey] | None) -> asn1_x509.Certificate:
    ca = role in (Sm2Role.ROOT, Sm2Role.CA)
    return build_sm2_certificate(
        subject=sm2_subject(role, identity), public_key=key.public_key(),
        issuer_key=issuer[1] if issuer else key, issuer=issuer[0] if issuer else None,
        serial_number=_serial(), not_before=now - BACKDATE,
        not_after=now - BACKDATE + SM2_VALIDITY[role], ca=ca,
        path_length={Sm2Role.ROOT: 1, Sm2Role.CA: 0}.get(role),
        key_usage={"key_cert_sign", "crl_sign"} if ca else {"digital_signature",
                                                             "non_repudiation"})


def write_sm2_pki(layout: Sm2Layout, identity: IssuerIdentity, passphrase: SecretStr,
                  now: datetime) -> asn1_x509.Certificate:
    """Make the SM2 root, CA, seal maker and a first seal signer under ``layout``; returns the
    root. Refuses (:class:`KeysExistError`) if an SM2 CA is already there."""
    if layout.exists():
        raise KeysExistError(str(layout.root))
    root_key, ca_key, maker_key = (Sm2PrivateKey.generate() for _ in range(3))
    root = _issue(Sm2Role.ROOT, root_key, identity, now, None)
    ca = _issue(Sm2Role.CA, ca_key, identity, now, (root, root_key))
    maker = _issue(Sm2Role.SEAL_MAKER, maker_key, identity, now, (ca, ca_key))
    make_private_dir(layout.root)
    # The CA certificate goes last: it is what exists() looks for.
    for role, cert, key in ((Sm2Role.ROOT, root, root_key), (Sm2Role.SEAL_MAKER, maker, maker_key),
                            (Sm2Role.CA, ca, ca_key)):
        write_private_file(layout.key(role), encrypt_sm2_key(key, passphrase))
        write_private_file(layout.certificate(role), sm2_certificate_pem(cert))
    add_seal_signer(layout, identity, ca, ca_key, passphrase, now)
    return root


def add_seal_signer(layout: Sm2Layout, identity: IssuerIdentity, ca: asn1_x509.Certificate,
                    ca_key: Sm2PrivateKey, passphrase: SecretStr,
                    now: datetime) -> asn1_x509.Certificate:
    """A new seal-signer key and certificate, made current (the pointer moves last)."""
    key = Sm2PrivateKey.generate()
    cert = _issue(Sm2Role.SEAL_SIGNER, key, identity, now, (ca, ca_key))
    sequence = len(layout.signer_stems()) + 1
    stem = (f"{sequence:04d}-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-"
            f"{sm2_key_identifier(key.public_key())[:8].hex()}")
    make_private_dir(layout.signer_dir)
    write_private_file(layout.signer_key(stem), encrypt_sm2_key(key, passphrase))
    write_private_file(layout.signer_certificate(stem), sm2_certificate_pem(cert))
    write_private_file(layout.current, f"{stem}\n".encode("ascii"))
    return cert


class Sm2Keys:
    """Reads the SM2 folder of one key store; private keys are decrypted once and cached."""

    def __init__(self, layout: Sm2Layout, passphrase: Callable[[], SecretStr]) -> None:
        self._layout = layout
        self._passphrase = passphrase
        self._keys: dict[str, Sm2PrivateKey] = {}

    @property
    def layout(self) -> Sm2Layout:
        return self._layout

    def exists(self) -> bool:
        return self._layout.exists()

    def forget(self) -> None:
        """Drop the cached keys (after a rotation, re-encryption or a new PKI)."""
        self._keys.clear()

    def _require(self) -> None:
        if not self._layout.exists():
            raise KeysMissingError(f"{self._layout.root} (no SM2 keys: zhengzhao keys init --sm2)")

    def current_stem(self) -> str:
        self._require()
        raw = read_bytes(self._layout.current, "sm2/seal-signer/current")
        text = raw.decode("ascii", errors="replace").strip()
        if not text or "/" in text or text.startswith("."):
            raise KeysInvalidError("sm2/seal-signer/current",
                                   "does not name a seal-signer certificate")
        return text

    def certificate(self, role: Sm2Role) -> asn1_x509.Certificate:
        """The certificate of ``role``; for ``SEAL_SIGNER`` the current one."""
        self._require()
        if role is Sm2Role.SEAL_SIGNER:
            stem = self.current_stem()
            path, what = self._layout.signer_certificate(stem), f"sm2/seal-signer/{stem}.pem"
        else:
            path, what = self._layout.certificate(role), f"sm2/{role.value}.pem"
        try:
            return load_sm2_certificate(read_bytes(path, what))
        except ValueError as exc:
            raise KeysInvalidError(what, str(exc)) from exc

    def key(self, role: Sm2Role) -> Sm2PrivateKey:
        """The private key of ``role`` (``SEAL_SIGNER``: the current one), cached."""
        self._require()
        if role is Sm2Role.SEAL_SIGNER:
            stem = self.current_stem()
            path, what = self._layout.signer_key(stem), f"sm2/seal-signer/{stem}.key.pem"
        else:
            path, what = self._layout.key(role), f"sm2/{role.value}.key.pem"
        if what not in self._keys:
            self._keys[what] = decrypt_sm2_key(read_bytes(path, what), self._passphrase(), what)
        return self._keys[what]

    def seal_signer_certificates(self) -> tuple[asn1_x509.Certificate, ...]:
        """Every seal-signer certificate ever made here, oldest first."""
        self._require()
        certificates = []
        for stem in self._layout.signer_stems():
            what = f"sm2/seal-signer/{stem}.pem"
            try:
                certificates.append(load_sm2_certificate(
                    read_bytes(self._layout.signer_certificate(stem), what)))
            except ValueError as exc:
                raise KeysInvalidError(what, str(exc)) from exc
        return tuple(certificates)

    def rotate(self, identity: IssuerIdentity, now: datetime) -> asn1_x509.Certificate:
        cert = add_seal_signer(self._layout, identity, self.certificate(Sm2Role.CA),
                               self.key(Sm2Role.CA), self._passphrase(), now)
        return cert

    def private_key_files(self) -> tuple[Path, ...]:
        fixed = [self._layout.key(role) for role in _FIXED_ROLES]
        signers = [self._layout.signer_key(stem) for stem in self._layout.signer_stems()]
        return tuple(path for path in (*fixed, *signers) if path.is_file())


__all__ = [
    "SM2_VALIDITY",
    "Sm2Keys",
    "Sm2Layout",
    "Sm2Role",
    "add_seal_signer",
    "sm2_subject",
    "write_sm2_pki",
]
