"""Encrypted PEM files for SM2 private keys: the same protection as the ECDSA keys of the key
store (``signing.pki.pem``): PKCS#8 ``EncryptedPrivateKeyInfo`` with PBES2, PBKDF2-HMAC-SHA256
(16-byte salt, 2,048 iterations, as cryptography 50's ``BestAvailableEncryption`` writes for the
P-256 keys) and AES-256-CBC. ``cryptography`` refuses to serialise a key on a curve it does not
know, so the envelope is built here from its primitives; ``openssl pkey -passin`` opens it.
"""

from __future__ import annotations

import secrets

from asn1crypto import algos as asn1_algos
from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from pydantic import SecretStr

from signing.errors import KeysInvalidError, KeysPassphraseError
from signing.sm2 import Sm2PrivateKey

PBKDF2_ITERATIONS = 2048
_MAX_ITERATIONS = 10_000_000  # a hostile file must not make us spin for minutes
_LABEL = "ENCRYPTED PRIVATE KEY"


def _secret(passphrase: SecretStr, what: str) -> bytes:
    secret = passphrase.get_secret_value().encode("utf-8")
    if not secret:
        raise KeysPassphraseError(what)
    return secret


def _kek(secret: bytes, salt: bytes, iterations: int) -> bytes:
    return PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt,
                      iterations=iterations).derive(secret)


def encrypt_sm2_key(key: Sm2PrivateKey, passphrase: SecretStr) -> bytes:
    """``-----BEGIN ENCRYPTED PRIVATE KEY-----`` PEM of ``key``."""
    salt, iv = secrets.token_bytes(16), secrets.token_bytes(16)
    padder = padding.PKCS7(128).padder()
    plain = padder.update(key.to_der()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(_kek(_secret(passphrase, "a new key"), salt,
                                           PBKDF2_ITERATIONS)), modes.CBC(iv)).encryptor()
    encrypted = encryptor.update(plain) + encryptor.finalize()
    info = asn1_keys.EncryptedPrivateKeyInfo({
        "encryption_algorithm": {
            "algorithm": "pbes2",
            "parameters": {
                "key_derivation_func": {
                    "algorithm": "pbkdf2",
                    "parameters": {"salt": asn1_algos.Pbkdf2Salt(name="specified", value=salt),
                                   "iteration_count": PBKDF2_ITERATIONS,
                                   "prf": {"algorithm": "sha256"}}},
                "encryption_scheme": {"algorithm": "aes256_cbc", "parameters": iv}}},
        "encrypted_data": encrypted,
    })
    return asn1_pem.armor(_LABEL, info.dump())


def decrypt_sm2_key(pem: bytes, passphrase: SecretStr, what: str) -> Sm2PrivateKey:
    """The SM2 key in an encrypted PKCS#8 PEM.

    Raises :class:`KeysPassphraseError` when the passphrase does not open a well-formed file,
    :class:`KeysInvalidError` for anything else (not PEM, not encrypted, another scheme, not an
    SM2 key).
    """
    if not asn1_pem.detect(pem):
        raise KeysInvalidError(what, "not a PEM private key")
    try:
        label, _, der = asn1_pem.unarmor(pem)
    except ValueError as exc:
        raise KeysInvalidError(what, "not a PEM private key") from exc
    if label != _LABEL:
        raise KeysInvalidError(what, "the private key is not encrypted")
    try:
        info = asn1_keys.EncryptedPrivateKeyInfo.load(der, strict=True)
        scheme = info["encryption_algorithm"]
        if scheme["algorithm"].native != "pbes2":
            raise ValueError("not PBES2")
        params = scheme["parameters"]
        kdf = params["key_derivation_func"]
        if kdf["algorithm"].native != "pbkdf2":
            raise ValueError("not PBKDF2")
        kdf_params = kdf["parameters"]
        if kdf_params["prf"]["algorithm"].native != "sha256":
            raise ValueError("not HMAC-SHA256")
        salt = kdf_params["salt"].native
        iterations = kdf_params["iteration_count"].native
        cipher = params["encryption_scheme"]
        if cipher["algorithm"].native != "aes256_cbc":
            raise ValueError("not AES-256-CBC")
        iv = cipher["parameters"].native
        encrypted = info["encrypted_data"].native
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise KeysInvalidError(what, f"unsupported encrypted PKCS#8 ({exc})") from exc
    if (not isinstance(iterations, int) or not 1 <= iterations <= _MAX_ITERATIONS
            or not isinstance(iv, bytes) or len(iv) != 16 or not isinstance(salt, bytes)
            or not encrypted or len(encrypted) % 16):
        raise KeysInvalidError(what, "unsupported encrypted PKCS#8 parameters")
    decryptor = Cipher(algorithms.AES(_kek(_secret(passphrase, what), salt, iterations)),
                       modes.CBC(iv)).decryptor()
    padded = decryptor.update(encrypted) + decryptor.finalize()
    try:
        unpadder = padding.PKCS7(128).unpadder()
        plain = unpadder.update(padded) + unpadder.finalize()
    except ValueError as exc:
        raise KeysPassphraseError(what) from exc
    try:
        return Sm2PrivateKey.from_der(plain)
    except ValueError as exc:
        # A wrong passphrase passes the padding check about once in 256 tries; then the DER is
        # garbage. A PKCS#8 structure means the passphrase was right and the key is not SM2.
        if _is_pkcs8(plain):
            raise KeysInvalidError(what, f"not an SM2 key ({exc})") from exc
        raise KeysPassphraseError(what) from exc


def _is_pkcs8(data: bytes) -> bool:
    try:
        asn1_keys.PrivateKeyInfo.load(data, strict=True)["private_key_algorithm"].native  # noqa: B018
    except (ValueError, TypeError, KeyError):
        return False
    return True


__all__ = ["PBKDF2_ITERATIONS", "decrypt_sm2_key", "encrypt_sm2_key"]
