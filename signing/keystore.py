"""The key store: the issuing office's PKI on disk under ``Settings.resolved_keys_dir``.

``initialise`` makes the whole PKI (refusing to overwrite one unless forced), ``rotate`` adds a
new licence-signing certificate (old ones stay: what they signed stays valid), ``signer`` hands
out a :class:`signing.FileSigner` whose key is decrypted once and cached, ``revoke`` and
``refresh_crls`` re-issue the CRLs, ``trust_list`` builds the document to publish.

Beside the ECDSA PKI, the SM2 one of the national profile (``signing.keystore_sm2``, folder
``sm2/``): ``initialise`` makes both; a store made before SM2 existed keeps working and gets its
SM2 keys from ``initialise_sm2`` (``zhengzhao keys init --sm2``); ``rotate`` also rotates the SM2
seal signer when the store has one; ``sm2_key`` / ``sm2_certificate`` read them. The SM2 CAs
issue CRLs too (``sm2_crls``): ``refresh_crls`` re-issues both PKIs' CRLs and ``revoke`` takes an
SM2 certificate (an asn1crypto one, e.g. a seal signer's) as well as an ECDSA one.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import SecretStr

from core import Settings, key_passphrase_of
from signing.errors import (
    KeysExistError,
    KeysInvalidError,
    KeysMissingError,
    KeysPassphraseError,
)
from signing.keystore_crl import (
    DEFAULT_CRL_BASE_URL,
    CrlState,
    crl_base_url_for,
    crl_url,
    issue_crls,
    read_crls,
)
from signing.keystore_layout import CA_ROLES, KeyLayout, aside_path
from signing.keystore_sm2 import Sm2Keys, Sm2Layout, Sm2Role, write_sm2_pki
from signing.pki import (
    CertRole,
    IssuerIdentity,
    RevokedCertificate,
    certificate_pem,
    decrypt_private_key,
    encrypt_private_key,
    is_issued_by,
    issue_certificate,
    load_certificate,
    make_private_dir,
    new_key,
    read_bytes,
    write_private_file,
)
from signing.signer import FileSigner, key_id
from signing.sm2 import Sm2PrivateKey
from signing.sm2_keyfile import decrypt_sm2_key, encrypt_sm2_key
from signing.trustlist import TrustList, build_trust_list

log = logging.getLogger(__name__)

KEYSTORE_FORMAT = 1


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class KeyStoreInfo:
    """What ``keystore.json`` records."""

    created_at: datetime
    identity: IssuerIdentity
    crl_base_url: str


@dataclass(frozen=True)
class InitResult:
    """What ``initialise`` made; ``replaced`` is where ``force`` moved the previous keys."""

    directory: Path
    root: x509.Certificate
    signing: x509.Certificate
    replaced: Path | None
    sm2_root: asn1_x509.Certificate | None = None


class KeyStore:
    """One key store directory, opened with the passphrase that encrypts its private keys."""

    def __init__(self, directory: Path, passphrase: SecretStr | Callable[[], SecretStr], *,
                 crl_base_url: str | None = None) -> None:
        self._layout = KeyLayout(Path(directory))
        self._passphrase_source = passphrase
        # Where certificates made from now on say the CRLs are; None: the base the store was
        # made with (keystore.json), or DEFAULT_CRL_BASE_URL for a new store.
        self._crl_base_url = crl_base_url
        self._signers: dict[str, FileSigner] = {}
        self._sm2 = Sm2Keys(Sm2Layout(Path(directory)), lambda: self._passphrase)

    @classmethod
    def from_settings(cls, settings: Settings, *, directory: Path | None = None) -> KeyStore:
        """The store at ``directory`` (default ``settings.resolved_keys_dir``), opened with the
        passphrase in effect (``ZZ_KEY_PASSPHRASE``, or the one generated in the data dir in
        dev). The one way the service, the jobs and the CLI open this office's keys. With
        ``ZZ_PUBLIC_URL`` set, certificates made from now on carry the CRL distribution points
        ``<public_url>/pki/<ca>.crl`` (served by the app, api.routes.pki); certificates made
        earlier keep theirs."""
        # Resolved when a private key is first needed: a verifier that only asks whether keys
        # exist must not generate a passphrase file in a data dir it has no use for.
        return cls(directory or settings.resolved_keys_dir, lambda: key_passphrase_of(settings),
                   crl_base_url=(crl_base_url_for(settings.public_url)
                                 if settings.public_url else None))

    def __repr__(self) -> str:
        return f"KeyStore({str(self.directory)!r})"

    @property
    def _passphrase(self) -> SecretStr:
        source = self._passphrase_source
        if not isinstance(source, SecretStr):
            source = self._passphrase_source = source()
        return source

    @property
    def directory(self) -> Path:
        return self._layout.root

    def exists(self) -> bool:
        return self._layout.metadata.is_file()

    # --- creation ---

    def initialise(self, identity: IssuerIdentity, *, force: bool = False,
                   now: datetime | None = None, crl_base_url: str | None = None,
                   sm2: bool = True) -> InitResult:
        """Make a new PKI (ECDSA, and SM2 unless ``sm2`` is false), its certificates' CRL
        distribution points under ``crl_base_url`` (default: the store's, see
        :meth:`from_settings`, else :data:`signing.DEFAULT_CRL_BASE_URL`). Raises
        :class:`signing.KeysExistError` if the directory holds anything, unless ``force``: then
        the old directory is kept, renamed ``<dir>.replaced-<UTC stamp>``, and the new one takes
        its place atomically."""
        now = now or _utcnow()
        crl_base_url = crl_base_url or self._crl_base_url or DEFAULT_CRL_BASE_URL
        target = self.directory
        occupied = target.exists() and (not target.is_dir() or any(target.iterdir()))
        if occupied and not force:
            raise KeysExistError(str(target))
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.init-", dir=target.parent))
        replaced = None
        try:
            root, signing = self._write_new_pki(KeyLayout(staging), identity, now, crl_base_url)
            sm2_root = (write_sm2_pki(Sm2Layout(staging), identity, self._passphrase, now,
                                      crl_base_url) if sm2 else None)
            if occupied:
                replaced = aside_path(target, now)
                os.rename(target, replaced)
            os.rename(staging, target)  # also replaces an empty directory
        except BaseException:
            if replaced is not None and replaced.exists() and not target.exists():
                os.rename(replaced, target)  # put the old keys back
            shutil.rmtree(staging, ignore_errors=True)
            raise
        os.chmod(target, 0o700)
        self._signers.clear()
        self._sm2.forget()
        log.info("key store initialised dir=%s kid=%s sm2=%s", target, key_id(signing).hex(), sm2)
        return InitResult(directory=target, root=root, signing=signing, replaced=replaced,
                          sm2_root=sm2_root)

    def initialise_sm2(self, *, now: datetime | None = None) -> asn1_x509.Certificate:
        """Add the SM2 PKI to an existing store (one made before SM2, or with ``sm2=False``);
        returns the SM2 root. Raises :class:`signing.KeysExistError` if it has one already."""
        info = self.info()
        root = write_sm2_pki(self._sm2.layout, info.identity, self._passphrase, now or _utcnow(),
                             self._crl_base(info))
        self._sm2.forget()
        log.info("SM2 keys added dir=%s", self.directory)
        return root

    def _write_new_pki(self, layout: KeyLayout, identity: IssuerIdentity, now: datetime,
                       crl_base_url: str) -> tuple[x509.Certificate, x509.Certificate]:
        root_key = new_key()
        root = issue_certificate(CertRole.ROOT, root_key.public_key(), identity, now=now,
                                 issuer_key=root_key)
        ca_key = new_key()
        ca = issue_certificate(CertRole.ISSUING_CA, ca_key.public_key(), identity, now=now,
                               issuer=(root, root_key),
                               crl_url=crl_url(crl_base_url, CertRole.ROOT))
        tsa_key = new_key()
        tsa = issue_certificate(CertRole.TIMESTAMP, tsa_key.public_key(), identity, now=now,
                                issuer=(ca, ca_key),
                                crl_url=crl_url(crl_base_url, CertRole.ISSUING_CA))
        make_private_dir(layout.root)
        for role, cert, key in ((CertRole.ROOT, root, root_key), (CertRole.ISSUING_CA, ca, ca_key),
                                (CertRole.TIMESTAMP, tsa, tsa_key)):
            write_private_file(layout.certificate(role), certificate_pem(cert))
            write_private_file(layout.key(role), encrypt_private_key(key, self._passphrase))
        info = {"format": KEYSTORE_FORMAT, "created_at": now.isoformat(),
                "issuer": identity.to_dict(), "crl_base_url": crl_base_url}
        write_private_file(layout.metadata, json.dumps(info, ensure_ascii=False,
                                                       indent=2).encode("utf-8"))
        signing = _add_signing_certificate(layout, identity, ca, ca_key, self._passphrase, now,
                                           crl_url(crl_base_url, CertRole.ISSUING_CA))
        issue_crls(layout, CrlState.empty(), {CertRole.ROOT: (root, root_key),
                                              CertRole.ISSUING_CA: (ca, ca_key)}, now)
        return root, signing

    def rotate(self, *, now: datetime | None = None) -> x509.Certificate:
        """A new licence-signing key and certificate, used from now on; the previous ones stay
        in the store and in the trust list (unless revoked for key compromise:
        :meth:`trust_list`)."""
        now = now or _utcnow()
        info = self.info()
        ca = self.certificate(CertRole.ISSUING_CA)
        ca_key = self._load_key(self._layout.key(CertRole.ISSUING_CA), "issuing-ca.key.pem")
        cert = _add_signing_certificate(self._layout, info.identity, ca, ca_key, self._passphrase,
                                        now, crl_url(self._crl_base(info), CertRole.ISSUING_CA))
        self._signers.clear()
        log.info("signing key rotated kid=%s", key_id(cert).hex())
        if self.has_sm2():
            self.rotate_sm2(now=now)
        return cert

    def rotate_sm2(self, *, now: datetime | None = None) -> asn1_x509.Certificate:
        """A new SM2 seal-signer key and certificate (``rotate`` calls it too)."""
        info = self.info()
        cert = self._sm2.rotate(info.identity, now or _utcnow(), self._crl_base(info))
        self._sm2.forget()
        log.info("SM2 seal signer rotated dir=%s", self.directory)
        return cert

    def _crl_base(self, info: KeyStoreInfo) -> str:
        """The CRL base of certificates made now: the configured one, else the store's own."""
        return self._crl_base_url or info.crl_base_url

    # --- reading ---

    def info(self) -> KeyStoreInfo:
        raw = read_bytes(self._layout.metadata, f"{self.directory}/keystore.json")
        try:
            data = json.loads(raw)
            if data.get("format") != KEYSTORE_FORMAT:
                raise ValueError(f"unknown format {data.get('format')!r}")
            return KeyStoreInfo(created_at=datetime.fromisoformat(data["created_at"]),
                                identity=IssuerIdentity.from_dict(data["issuer"]),
                                crl_base_url=str(data["crl_base_url"]))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KeysInvalidError("keystore.json", str(exc)) from exc

    def certificate(self, role: CertRole) -> x509.Certificate:
        """The certificate of ``role``; for ``LICENCE_SIGNING`` the current one."""
        if role is CertRole.LICENCE_SIGNING:
            stem = self._current_stem()
            return load_certificate(self._layout.signing_certificate(stem), f"signing/{stem}.pem")
        return load_certificate(self._layout.certificate(role), f"{role.value}.pem")

    def signing_certificates(self) -> tuple[x509.Certificate, ...]:
        """Every licence-signing certificate ever made here, oldest first."""
        stems = self._layout.signing_stems()
        if not stems:
            raise KeysMissingError(f"{self.directory}/signing/*.pem")
        return tuple(load_certificate(self._layout.signing_certificate(s), f"signing/{s}.pem")
                     for s in stems)

    def has_sm2(self) -> bool:
        """Whether the store has the SM2 PKI (stores made before it do not)."""
        return self._sm2.exists()

    def sm2_certificate(self, role: Sm2Role) -> asn1_x509.Certificate:
        """The SM2 certificate of ``role`` (``SEAL_SIGNER``: the current one). Raises
        :class:`signing.KeysMissingError` if the store has no SM2 keys."""
        return self._sm2.certificate(role)

    def sm2_key(self, role: Sm2Role) -> Sm2PrivateKey:
        """The SM2 private key of ``role`` (``SEAL_SIGNER``: the current one), decrypted once."""
        return self._sm2.key(role)

    def sm2_seal_signer_certificates(self) -> tuple[asn1_x509.Certificate, ...]:
        """Every SM2 seal-signer certificate ever made here, oldest first."""
        return self._sm2.seal_signer_certificates()

    def sm2_chain(self) -> tuple[asn1_x509.Certificate, ...]:
        """The SM2 issuing CA and root, nearest first."""
        return self.sm2_certificate(Sm2Role.CA), self.sm2_certificate(Sm2Role.ROOT)

    def chain(self) -> tuple[x509.Certificate, ...]:
        """The issuing CA and the root, nearest first."""
        return self.certificate(CertRole.ISSUING_CA), self.certificate(CertRole.ROOT)

    def signer(self) -> FileSigner:
        """The signer of new licences (current signing key), decrypted once and cached. Reads
        the tiny ``signing/current`` pointer on each call, so a rotation made by another process
        (``zhengzhao keys rotate`` while the service runs) is picked up."""
        stem = self._current_stem()
        if stem not in self._signers:
            cert = load_certificate(self._layout.signing_certificate(stem), f"signing/{stem}.pem")
            key = self._load_key(self._layout.signing_key(stem), f"signing/{stem}.key.pem")
            self._signers[stem] = FileSigner(key, cert, self.chain())
        return self._signers[stem]

    def timestamp_signer(self) -> FileSigner:
        """The timestamp authority's key and certificate, decrypted once and cached."""
        name = CertRole.TIMESTAMP.value
        if name not in self._signers:
            cert = self.certificate(CertRole.TIMESTAMP)
            key = self._load_key(self._layout.key(CertRole.TIMESTAMP), f"{name}.key.pem")
            self._signers[name] = FileSigner(key, cert, self.chain())
        return self._signers[name]

    def trust_list(self, *, now: datetime | None = None) -> TrustList:
        """The trust list to publish: the root, the issuing CA and every signing certificate
        except those revoked for key compromise. A QR token carries no timestamp, so no token
        signed with a compromised key can be told from a forgery: its key id is withdrawn (as
        an EU DCC trust list drops a compromised signer), and every token and licence signed
        with it stops verifying. A certificate revoked for another reason (superseded,
        cessation of operation ...) stays listed: its tokens were signed while it was good."""
        compromised = {entry.serial_number
                       for entry in CrlState.load(self._layout).revoked.get(CertRole.ISSUING_CA, ())
                       if entry.reason is x509.ReasonFlags.key_compromise}
        signing = [certificate for certificate in self.signing_certificates()
                   if certificate.serial_number not in compromised]
        return build_trust_list(self.certificate(CertRole.ROOT),
                                [self.certificate(CertRole.ISSUING_CA)],
                                signing, self.info().identity, now=now or _utcnow())

    # --- revocation ---

    def crls(self) -> tuple[x509.CertificateRevocationList, ...]:
        """The current CRLs: the root's (covers the issuing CA), the issuing CA's (covers the
        signing and timestamp certificates)."""
        return read_crls(self._layout)

    def sm2_crls(self) -> tuple[asn1_crl.CertificateList, ...]:
        """The SM2 CAs' current CRLs: the SM2 root's (covers the SM2 issuing CA), the issuing
        CA's (covers the seal maker and seal signers). Empty for a store without SM2 keys, or
        whose SM2 PKI predates its CRLs and has not refreshed them yet."""
        return self._sm2.crls() if self.has_sm2() else ()

    def revoke(self, certificate: x509.Certificate | asn1_x509.Certificate, *,
               reason: x509.ReasonFlags = x509.ReasonFlags.unspecified,
               now: datetime | None = None) -> None:
        """Put ``certificate`` on its CA's CRL and re-issue that CRL. An SM2 certificate
        (asn1crypto, e.g. ``sm2_certificate(Sm2Role.SEAL_SIGNER)``) goes on its SM2 CA's CRL."""
        if isinstance(certificate, asn1_x509.Certificate):
            self.revoke_sm2(certificate, reason=reason, now=now)
            return
        now = now or _utcnow()
        for ca in CA_ROLES:
            ca_cert = self.certificate(ca)
            if certificate != ca_cert and is_issued_by(certificate, ca_cert):
                break
        else:
            raise KeysInvalidError("certificate", "not issued by this key store's CAs")
        entry = RevokedCertificate(certificate.serial_number, now, reason)
        state = CrlState.load(self._layout).with_revoked(ca, entry)
        issue_crls(self._layout, state, {ca: (ca_cert, self.load_ca_key(ca))}, now)
        log.info("certificate revoked serial=%x ca=%s", certificate.serial_number, ca.value)

    def revoke_sm2(self, certificate: asn1_x509.Certificate, *,
                   reason: x509.ReasonFlags = x509.ReasonFlags.unspecified,
                   now: datetime | None = None) -> None:
        """Put an SM2 certificate (seal signer, seal maker, the SM2 issuing CA) on the CRL of the
        SM2 CA that issued it (found by signature) and re-issue that CRL."""
        ca = self._sm2.revoke(certificate, reason, now or _utcnow())
        log.info("SM2 certificate revoked serial=%x ca=%s",
                 int(certificate.serial_number), ca.value)

    def refresh_crls(self, *, now: datetime | None = None) -> None:
        """Re-issue both CRLs (new numbers, new nextUpdate), e.g. before the old ones expire;
        and the SM2 CAs' two when the store has the SM2 PKI."""
        now = now or _utcnow()
        cas = {ca: (self.certificate(ca), self.load_ca_key(ca)) for ca in CA_ROLES}
        issue_crls(self._layout, CrlState.load(self._layout), cas, now)
        if self.has_sm2():
            self.refresh_sm2_crls(now=now)

    def refresh_sm2_crls(self, *, now: datetime | None = None) -> None:
        """Re-issue the SM2 CAs' CRLs (the first ones for an SM2 PKI that predates them)."""
        self._sm2.refresh_crls(now or _utcnow())

    def _current_stem(self) -> str:
        stem = read_bytes(self._layout.current, f"{self.directory}/signing/current")
        text = stem.decode("ascii", errors="replace").strip()
        if not text or "/" in text or text.startswith("."):
            raise KeysInvalidError("signing/current", "does not name a signing certificate")
        return text

    def _load_key(self, path: Path, what: str) -> ec.EllipticCurvePrivateKey:
        return decrypt_private_key(read_bytes(path, what), self._passphrase, what)

    def private_key_files(self) -> tuple[Path, ...]:
        """Every encrypted private key file of the store (CAs, timestamp, every signing key, and
        the SM2 ones)."""
        fixed = [self._layout.key(role) for role in (*CA_ROLES, CertRole.TIMESTAMP)]
        signing = [self._layout.signing_key(stem) for stem in self._layout.signing_stems()]
        ecdsa = tuple(path for path in (*fixed, *signing) if path.is_file())
        return ecdsa + self._sm2.private_key_files()

    def opens_with(self, passphrase: SecretStr) -> bool:
        """Whether ``passphrase`` decrypts the store's issuing-CA key (a cheap probe)."""
        path = self._layout.key(CertRole.ISSUING_CA)
        try:
            decrypt_private_key(read_bytes(path, "issuing-ca.key.pem"), passphrase,
                                "issuing-ca.key.pem")
        except KeysPassphraseError:
            return False
        return True

    def reencrypt(self, old_passphrase: SecretStr) -> int:
        """Re-encrypt every private key from ``old_passphrase`` to this store's passphrase
        (each file replaced atomically; all are decrypted first, so a wrong old passphrase
        changes nothing). Returns how many keys were re-encrypted."""
        sm2_files = set(self._sm2.private_key_files())
        keys = [(path, decrypt_sm2_key(read_bytes(path, path.name), old_passphrase, path.name)
                 if path in sm2_files else
                 decrypt_private_key(read_bytes(path, path.name), old_passphrase, path.name))
                for path in self.private_key_files()]
        for path, key in keys:
            write_private_file(path, encrypt_sm2_key(key, self._passphrase)
                               if isinstance(key, Sm2PrivateKey)
                               else encrypt_private_key(key, self._passphrase))
        self._signers.clear()
        self._sm2.forget()
        log.info("key store re-encrypted dir=%s keys=%d", self.directory, len(keys))
        return len(keys)

    def load_ca_key(self, role: CertRole) -> ec.EllipticCurvePrivateKey:
        """A CA's private key (root or issuing), for CRLs. Not cached: rarely needed."""
        if role not in CA_ROLES:
            raise ValueError(f"{role} is not a CA")
        return self._load_key(self._layout.key(role), f"{role.value}.key.pem")

    @property
    def layout(self) -> KeyLayout:
        return self._layout


def _add_signing_certificate(layout: KeyLayout, identity: IssuerIdentity, ca: x509.Certificate,
                             ca_key: ec.EllipticCurvePrivateKey, passphrase: SecretStr,
                             now: datetime, crl_location: str) -> x509.Certificate:
    key = new_key()
    cert = issue_certificate(CertRole.LICENCE_SIGNING, key.public_key(), identity, now=now,
                             issuer=(ca, ca_key), crl_url=crl_location)
    # A sequence number first: stems sort oldest first even within one second.
    sequence = len(layout.signing_stems()) + 1
    stem = f"{sequence:04d}-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{key_id(cert).hex()}"
    make_private_dir(layout.signing_dir)
    write_private_file(layout.signing_key(stem), encrypt_private_key(key, passphrase))
    write_private_file(layout.signing_certificate(stem), certificate_pem(cert))
    # The pointer moves last, atomically: a crash before it leaves the old key in use.
    write_private_file(layout.current, f"{stem}\n".encode("ascii"))
    return cert
