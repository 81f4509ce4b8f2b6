"""PEM files of the key store: private keys encrypted with the passphrase, certificates and CRLs,
written atomically with owner-only permissions (files 0600, directories 0700)."""

from __future__ import annotations

import os
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import SecretStr

from core import write_atomically
from signing.errors import KeysInvalidError, KeysMissingError, KeysPassphraseError

FILE_MODE = 0o600
DIR_MODE = 0o700
_ENCRYPTED_LABEL = "ENCRYPTED PRIVATE KEY"


def _passphrase_bytes(passphrase: SecretStr, what: str) -> bytes:
    secret = passphrase.get_secret_value().encode("utf-8")
    if not secret:
        raise KeysPassphraseError(what)
    return secret


def encrypt_private_key(key: ec.EllipticCurvePrivateKey, passphrase: SecretStr) -> bytes:
    """PKCS#8 PEM encrypted with ``BestAvailableEncryption`` (cryptography 50: PBES2,
    PBKDF2-HMAC-SHA256 with 2,048 iterations, AES-256-CBC). The low iteration count is why the
    passphrase must be long and random outside dev."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_passphrase_bytes(passphrase, "a new key")),
    )


def decrypt_private_key(pem: bytes, passphrase: SecretStr, what: str
                        ) -> ec.EllipticCurvePrivateKey:
    """The P-256 key in an encrypted PKCS#8 PEM.

    Raises :class:`KeysPassphraseError` when the file is a well-formed encrypted key that the
    passphrase does not open, :class:`KeysInvalidError` for anything else (not PEM, not
    encrypted, not a P-256 key).
    """
    try:
        label, _, der = _unarmor(pem)
    except ValueError as exc:
        raise KeysInvalidError(what, "not a PEM private key") from exc
    if label != _ENCRYPTED_LABEL:
        raise KeysInvalidError(what, "the private key is not encrypted")
    try:
        asn1_keys.EncryptedPrivateKeyInfo.load(der).native  # noqa: B018 - parses it all
    except (ValueError, TypeError) as exc:
        raise KeysInvalidError(what, "not an encrypted PKCS#8 structure") from exc
    secret = _passphrase_bytes(passphrase, what)
    try:
        key = serialization.load_pem_private_key(pem, password=secret)
    except ValueError as exc:
        raise KeysPassphraseError(what) from exc
    except UnsupportedAlgorithm as exc:
        raise KeysInvalidError(what, "unsupported key algorithm or cipher") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise KeysInvalidError(what, "not an ECDSA P-256 key")
    return key


def _unarmor(pem: bytes) -> tuple[str, dict[str, str], bytes]:
    if not asn1_pem.detect(pem):
        raise ValueError("no PEM armour")
    return asn1_pem.unarmor(pem)


def certificate_pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def crl_pem(crl: x509.CertificateRevocationList) -> bytes:
    return crl.public_bytes(serialization.Encoding.PEM)


def read_bytes(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise KeysMissingError(what) from exc
    except OSError as exc:
        raise KeysInvalidError(what, f"cannot read ({exc.strerror})") from exc


def load_certificate(path: Path, what: str) -> x509.Certificate:
    data = read_bytes(path, what)
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError as exc:
        raise KeysInvalidError(what, "not a PEM certificate") from exc


def load_crl(path: Path, what: str) -> x509.CertificateRevocationList:
    data = read_bytes(path, what)
    try:
        return x509.load_pem_x509_crl(data)
    except ValueError as exc:
        raise KeysInvalidError(what, "not a PEM CRL") from exc


def make_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) and make it owner-only, whatever the umask."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    os.chmod(path, DIR_MODE)


def write_private_file(path: Path, data: bytes) -> None:
    """Write ``data`` atomically (temporary file + rename) with mode 0600."""
    write_atomically(path, data, mode=FILE_MODE)
