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
  crl/root-ca.crl.pem  crl/issuing-ca.crl.pem  crl/state.json   the two CAs' CRLs (SM3withSM2)
```
The seal signer rotates like the licence-signing key (old certificates stay: what they signed
stays valid); the CAs and the seal maker are long-lived. :class:`signing.KeyStore` owns the
folder; this module writes and reads it.

Each SM2 CA signs a CRL (``signing.sm2_crl``) with the same lifetime and numbering as the ECDSA
ones (``signing.keystore_crl``, whose :class:`CrlState` keeps the numbers and revoked serials
here too): the root's covers the issuing CA, the issuing CA's the seal maker and seal signers.
The CA, seal-maker and seal-signer certificates name their issuer's CRL as distribution point
when the store has a CRL base URL. A store whose SM2 PKI predates its CRLs has none until they are
refreshed (``KeyStore.refresh_crls``, ``zhengzhao keys crl``, or publishing).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pydantic import SecretStr

from signing.errors import KeysExistError, KeysInvalidError, KeysMissingError
from signing.keystore_crl import CrlState
from signing.pki import (
    DEMO_ORGANISATION,
    IssuerIdentity,
    RevokedCertificate,
    make_private_dir,
    read_bytes,
    write_private_file,
)
from signing.pki.profiles import BACKDATE, ORG_ID_PREFIX
from signing.sm2 import Sm2PrivateKey
from signing.sm2_crl import load_sm2_crl, make_sm2_crl, sm2_crl_pem
from signing.sm2_keyfile import decrypt_sm2_key, encrypt_sm2_key
from signing.sm2_x509 import (
    build_sm2_certificate,
    load_sm2_certificate,
    sm2_certificate_pem,
    sm2_key_identifier,
    verify_sm2_cert_signature,
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
SM2_CA_ROLES = (Sm2Role.ROOT, Sm2Role.CA)
CRL_DIR = "crl"


def sm2_crl_url(base_url: str, ca: Sm2Role) -> str:
    """The distribution point of the SM2 CA ``ca``'s CRL under ``base_url`` (beside the ECDSA
    ones, ``signing.crl_url``: ``.../sm2-root-ca.crl``, ``.../sm2-issuing-ca.crl``)."""
    return f"{base_url.rstrip('/')}/{sm2_crl_file_name(ca)}"


def sm2_crl_file_name(ca: Sm2Role) -> str:
    """The last path segment of the SM2 CA ``ca``'s CRL distribution point, e.g.
    ``sm2-issuing-ca.crl`` (the service answers it at ``/pki/<name>``, api.routes.pki)."""
    if ca not in SM2_CA_ROLES:
        raise ValueError(f"{ca} is not an SM2 CA")
    return f"sm2-{ca.value}.crl"


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

    @property
    def crl_dir(self) -> Path:
        return self.root / CRL_DIR

    @property
    def crl_state(self) -> Path:
        return self.crl_dir / "state.json"

    def crl(self, ca: Sm2Role) -> Path:
        if ca not in SM2_CA_ROLES:
            raise ValueError(f"{ca} is not an SM2 CA")
        return self.crl_dir / f"{ca.value}.crl.pem"


def _serial() -> int:
    return secrets.randbits(159) | 1  # positive, at most 20 octets (RFC 5280 4.1.2.2)


def _issue(role: Sm2Role, key: Sm2PrivateKey, identity: IssuerIdentity, now: datetime,
           issuer: tuple[asn1_x509.Certificate, Sm2PrivateKey] | None,
           crl_base_url: str | None) -> asn1_x509.Certificate:
    ca = role in SM2_CA_ROLES
    # As on the ECDSA certificates: the CA names the root's CRL, the others the CA's.
    issuer_role = {Sm2Role.CA: Sm2Role.ROOT}.get(role, Sm2Role.CA)
    location = (sm2_crl_url(crl_base_url, issuer_role)
                if crl_base_url is not None and role is not Sm2Role.ROOT else None)
    return build_sm2_certificate(
        subject=sm2_subject(role, identity), public_key=key.public_key(),
        issuer_key=issuer[1] if issuer else key, issuer=issuer[0] if issuer else None,
        serial_number=_serial(), not_before=now - BACKDATE,
        not_after=now - BACKDATE + SM2_VALIDITY[role], ca=ca,
        path_length={Sm2Role.ROOT: 1, Sm2Role.CA: 0}.get(role),
        key_usage={"key_cert_sign", "crl_sign"} if ca else {"digital_signature",
                                                             "non_repudiation"},
        crl_url=location)


def write_sm2_pki(layout: Sm2Layout, identity: IssuerIdentity, passphrase: SecretStr,
                  now: datetime, crl_base_url: str | None = None) -> asn1_x509.Certificate:
    """Make the SM2 root, CA, seal maker, a first seal signer and the two CAs' first CRLs under
    ``layout``; returns the root. Refuses (:class:`KeysExistError`) if an SM2 CA is already
    there. ``crl_base_url`` (the store's) gives the certificates their CRL distribution point."""
    if layout.exists():
        raise KeysExistError(str(layout.root))
    root_key, ca_key, maker_key = (Sm2PrivateKey.generate() for _ in range(3))
    root = _issue(Sm2Role.ROOT, root_key, identity, now, None, crl_base_url)
    ca = _issue(Sm2Role.CA, ca_key, identity, now, (root, root_key), crl_base_url)
    maker = _issue(Sm2Role.SEAL_MAKER, maker_key, identity, now, (ca, ca_key), crl_base_url)
    make_private_dir(layout.root)
    issue_sm2_crls(layout, CrlState.empty(SM2_CA_ROLES),
                   {Sm2Role.ROOT: (root, root_key), Sm2Role.CA: (ca, ca_key)}, now)
    # The CA certificate goes last: it is what exists() looks for.
    for role, cert, key in ((Sm2Role.ROOT, root, root_key), (Sm2Role.SEAL_MAKER, maker, maker_key),
                            (Sm2Role.CA, ca, ca_key)):
        write_private_file(layout.key(role), encrypt_sm2_key(key, passphrase))
        write_private_file(layout.certificate(role), sm2_certificate_pem(cert))
    add_seal_signer(layout, identity, ca, ca_key, passphrase, now, crl_base_url)
    return root


def add_seal_signer(layout: Sm2Layout, identity: IssuerIdentity, ca: asn1_x509.Certificate,
                    ca_key: Sm2PrivateKey, passphrase: SecretStr,
                    now: datetime, crl_base_url: str | None = None) -> asn1_x509.Certificate:
    """A new seal-signer key and certificate, made current (the pointer moves last)."""
    key = Sm2PrivateKey.generate()
    cert = _issue(Sm2Role.SEAL_SIGNER, key, identity, now, (ca, ca_key), crl_base_url)
    sequence = len(layout.signer_stems()) + 1
    stem = (f"{sequence:04d}-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-"
            f"{sm2_key_identifier(key.public_key())[:8].hex()}")
    make_private_dir(layout.signer_dir)
    write_private_file(layout.signer_key(stem), encrypt_sm2_key(key, passphrase))
    write_private_file(layout.signer_certificate(stem), sm2_certificate_pem(cert))
    write_private_file(layout.current, f"{stem}\n".encode("ascii"))
    return cert


def load_sm2_crl_state(layout: Sm2Layout) -> CrlState:
    """The SM2 CAs' CRL numbers and revocations; empty for a PKI that predates its CRLs."""
    if not layout.crl_state.is_file():
        return CrlState.empty(SM2_CA_ROLES)
    return CrlState.load_file(layout.crl_state, "sm2/crl/state.json", SM2_CA_ROLES)


def issue_sm2_crls(layout: Sm2Layout, state: CrlState,
                   cas: Mapping[Sm2Role, tuple[asn1_x509.Certificate, Sm2PrivateKey]],
                   now: datetime) -> CrlState:
    """Sign a new CRL for each SM2 CA in ``cas`` (number + 1) and save them with the state
    (files 0600, each replaced atomically; the state last)."""
    new_state = state.with_next_numbers(list(cas))
    make_private_dir(layout.crl_dir)
    for ca, (certificate, key) in cas.items():
        crl = make_sm2_crl(certificate, key, number=new_state.numbers[ca], now=now,
                           revoked=new_state.revoked[ca])
        write_private_file(layout.crl(ca), sm2_crl_pem(crl))
    write_private_file(layout.crl_state, new_state.dump())
    return new_state


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

    def rotate(self, identity: IssuerIdentity, now: datetime,
               crl_base_url: str | None = None) -> asn1_x509.Certificate:
        cert = add_seal_signer(self._layout, identity, self.certificate(Sm2Role.CA),
                               self.key(Sm2Role.CA), self._passphrase(), now, crl_base_url)
        return cert

    # --- revocation ---

    def crls(self) -> tuple[asn1_crl.CertificateList, ...]:
        """The current CRLs, the root's then the issuing CA's; empty when the SM2 PKI predates
        its CRLs and they have not been refreshed since."""
        self._require()
        if not self._layout.crl_state.is_file():
            return ()
        crls = []
        for ca in SM2_CA_ROLES:
            what = f"sm2/crl/{ca.value}.crl.pem"
            try:
                crls.append(load_sm2_crl(read_bytes(self._layout.crl(ca), what)))
            except ValueError as exc:
                raise KeysInvalidError(what, str(exc)) from exc
        return tuple(crls)

    def refresh_crls(self, now: datetime) -> None:
        """Re-issue both SM2 CRLs (new numbers, new nextUpdate)."""
        self._require()
        cas = {ca: (self.certificate(ca), self.key(ca)) for ca in SM2_CA_ROLES}
        issue_sm2_crls(self._layout, load_sm2_crl_state(self._layout), cas, now)

    def revoke(self, certificate: asn1_x509.Certificate, reason: x509.ReasonFlags,
               now: datetime) -> Sm2Role:
        """Put ``certificate`` on the CRL of the SM2 CA that issued it (found by signature, not
        by name) and re-issue that CRL; returns that CA's role."""
        self._require()
        for ca in SM2_CA_ROLES:
            ca_cert = self.certificate(ca)
            if (certificate.dump() != ca_cert.dump()
                    and verify_sm2_cert_signature(certificate, ca_cert)):
                break
        else:
            raise KeysInvalidError("certificate", "not issued by this key store's SM2 CAs")
        entry = RevokedCertificate(int(certificate.serial_number), now, reason)
        state = load_sm2_crl_state(self._layout).with_revoked(ca, entry)
        if not self._layout.crl_state.is_file():
            # A PKI older than its CRLs: the other CA's first CRL is issued at the same time.
            cas = {role: (self.certificate(role), self.key(role)) for role in SM2_CA_ROLES}
        else:
            cas = {ca: (ca_cert, self.key(ca))}
        issue_sm2_crls(self._layout, state, cas, now)
        return ca

    def private_key_files(self) -> tuple[Path, ...]:
        fixed = [self._layout.key(role) for role in _FIXED_ROLES]
        signers = [self._layout.signer_key(stem) for stem in self._layout.signer_stems()]
        return tuple(path for path in (*fixed, *signers) if path.is_file())


__all__ = [
    "SM2_CA_ROLES",
    "SM2_VALIDITY",
    "Sm2Keys",
    "Sm2Layout",
    "Sm2Role",
    "add_seal_signer",
    "issue_sm2_crls",
    "load_sm2_crl_state",
    "sm2_crl_file_name",
    "sm2_crl_url",
    "sm2_subject",
    "write_sm2_pki",
]
