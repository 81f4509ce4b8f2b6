"""The key store on disk: permissions, encryption at rest, refusing to overwrite, rotation,
the cached file signer, and the errors for missing, locked or broken key material."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import SecretStr

from core import ErrorCode, Settings
from signing import (
    CertRole,
    FileSigner,
    IssuerIdentity,
    KeysExistError,
    KeysInvalidError,
    KeysMissingError,
    KeysPassphraseError,
    KeyStore,
    Signer,
    key_id,
)

PASSPHRASE = SecretStr("correct horse battery staple (tests)")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_are_0600_and_directories_0700(fresh_store: KeyStore) -> None:
    old_umask = os.umask(0o022)  # a typical umask must not widen anything
    try:
        fresh_store.rotate()
    finally:
        os.umask(old_umask)
    files = [p for p in fresh_store.directory.rglob("*") if p.is_file()]
    dirs = [fresh_store.directory, *(p for p in fresh_store.directory.rglob("*") if p.is_dir())]
    assert len(files) >= 14 and {d.name for d in dirs} >= {"keys", "signing", "crl"}
    assert {str(p.relative_to(fresh_store.directory)): mode(p) for p in files} == {
        str(p.relative_to(fresh_store.directory)): 0o600 for p in files}
    assert all(mode(d) == 0o700 for d in dirs)


def test_private_keys_are_encrypted_pkcs8(fresh_store: KeyStore) -> None:
    key_files = sorted(p for p in fresh_store.directory.rglob("*.key.pem")
                       if "sm2" not in p.relative_to(fresh_store.directory).parts)
    assert len(key_files) == 4  # root, issuing CA, timestamp, one signing key (SM2: test_sm2_keys)
    for path in key_files:
        data = path.read_bytes()
        assert data.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        with pytest.raises(TypeError):
            serialization.load_pem_private_key(data, password=None)
        key = serialization.load_pem_private_key(data, password=PASSPHRASE.get_secret_value()
                                                 .encode())
        assert isinstance(key, ec.EllipticCurvePrivateKey)


def test_wrong_passphrase(fresh_store: KeyStore) -> None:
    locked = KeyStore(fresh_store.directory, SecretStr("not the passphrase"))
    with pytest.raises(KeysPassphraseError) as info:
        locked.signer()
    assert info.value.code is ErrorCode.KEYS_PASSPHRASE
    assert "not the passphrase" not in str(info.value)
    with pytest.raises(KeysPassphraseError):
        locked.rotate()


def test_empty_passphrase_is_refused(tmp_path: Path, issuer_identity: IssuerIdentity) -> None:
    with pytest.raises(KeysPassphraseError):
        KeyStore(tmp_path / "keys", SecretStr("")).initialise(issuer_identity)
    assert not (tmp_path / "keys").exists()
    assert list(tmp_path.iterdir()) == []  # the staging directory was cleaned up


def test_init_refuses_to_overwrite(fresh_store: KeyStore, issuer_identity: IssuerIdentity) -> None:
    before = fresh_store.certificate(CertRole.ROOT)
    with pytest.raises(KeysExistError) as info:
        fresh_store.initialise(issuer_identity)
    assert info.value.code is ErrorCode.KEYS_EXIST
    assert fresh_store.certificate(CertRole.ROOT) == before


def test_init_refuses_a_directory_with_other_files(tmp_path: Path,
                                                   issuer_identity: IssuerIdentity) -> None:
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "notes.txt").write_text("mine")
    with pytest.raises(KeysExistError):
        KeyStore(tmp_path / "keys", PASSPHRASE).initialise(issuer_identity)
    assert (tmp_path / "keys" / "notes.txt").read_text() == "mine"


def test_init_into_an_empty_directory(tmp_path: Path, issuer_identity: IssuerIdentity) -> None:
    (tmp_path / "keys").mkdir(mode=0o755)
    store = KeyStore(tmp_path / "keys", PASSPHRASE)
    result = store.initialise(issuer_identity)
    assert result.replaced is None and store.exists()
    assert mode(tmp_path / "keys") == 0o700


def test_force_replaces_and_keeps_the_old_keys_aside(fresh_store: KeyStore,
                                                     issuer_identity: IssuerIdentity,
                                                     pki_now: datetime) -> None:
    old_root = fresh_store.certificate(CertRole.ROOT)
    result = fresh_store.initialise(issuer_identity, force=True,
                                    now=pki_now + timedelta(days=1))
    assert result.replaced is not None and result.replaced.name.startswith("keys.replaced-")
    assert fresh_store.certificate(CertRole.ROOT) != old_root
    assert result.root == fresh_store.certificate(CertRole.ROOT)
    kept = KeyStore(result.replaced, PASSPHRASE)
    assert kept.certificate(CertRole.ROOT) == old_root


def test_missing_store(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "nowhere", PASSPHRASE)
    assert not store.exists()
    for action in (store.signer, store.rotate, store.trust_list, store.crls):
        with pytest.raises(KeysMissingError) as info:
            action()
        assert info.value.code is ErrorCode.KEYS_MISSING


def test_from_settings_uses_the_resolved_keys_dir(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    assert KeyStore.from_settings(settings).directory == tmp_path / "keys"
    settings = Settings(_env_file=None, keys_dir=tmp_path / "elsewhere")
    assert KeyStore.from_settings(settings).directory == tmp_path / "elsewhere"


def test_broken_files_are_keys_invalid(fresh_store: KeyStore) -> None:
    stem = (fresh_store.layout.current.read_text()).strip()
    key_path = fresh_store.layout.signing_key(stem)
    key_path.write_bytes(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"
                         b"-----END ENCRYPTED PRIVATE KEY-----\n")
    with pytest.raises(KeysInvalidError):
        KeyStore(fresh_store.directory, PASSPHRASE).signer()
    plain = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    key_path.write_bytes(plain)
    with pytest.raises(KeysInvalidError) as info:
        KeyStore(fresh_store.directory, PASSPHRASE).signer()
    assert "not encrypted" in info.value.message_en
    fresh_store.layout.certificate(CertRole.ROOT).write_text("garbage")
    with pytest.raises(KeysInvalidError):
        fresh_store.certificate(CertRole.ROOT)
    fresh_store.layout.metadata.write_text(json.dumps({"format": 99}))
    with pytest.raises(KeysInvalidError):
        fresh_store.info()


def test_a_key_that_does_not_match_its_certificate(fresh_store: KeyStore) -> None:
    # Swap in another encrypted key of the right kind: decrypts fine, but is not the cert's.
    stem = fresh_store.layout.current.read_text().strip()
    other = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSPHRASE.get_secret_value().encode()))
    fresh_store.layout.signing_key(stem).write_bytes(other)
    with pytest.raises(KeysInvalidError):
        KeyStore(fresh_store.directory, PASSPHRASE).signer()


def test_a_key_on_another_curve_is_invalid(fresh_store: KeyStore) -> None:
    stem = fresh_store.layout.current.read_text().strip()
    p384 = ec.generate_private_key(ec.SECP384R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSPHRASE.get_secret_value().encode()))
    fresh_store.layout.signing_key(stem).write_bytes(p384)
    with pytest.raises(KeysInvalidError, match="P-256"):
        KeyStore(fresh_store.directory, PASSPHRASE).signer()


def test_signer_signs_verifiably_and_a_flipped_byte_fails(pki_store: KeyStore) -> None:
    signer = pki_store.signer()
    assert isinstance(signer, Signer)
    data = b"licence 1.2.156.3005.2 payload"
    signature = signer.sign(data)
    public = signer.certificate.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    for index in (0, len(data) - 1):
        tampered = bytearray(data)
        tampered[index] ^= 0x01
        with pytest.raises(InvalidSignature):
            public.verify(signature, bytes(tampered), ec.ECDSA(hashes.SHA256()))
    assert signer.chain == (pki_store.certificate(CertRole.ISSUING_CA),
                            pki_store.certificate(CertRole.ROOT))
    assert signer.kid == key_id(signer.certificate)
    assert "PRIVATE" not in repr(signer) and signer.kid.hex() in repr(signer)


def test_signer_key_is_cached(fresh_store: KeyStore) -> None:
    signer = fresh_store.signer()
    # Once loaded, the key no longer needs the file: corrupting it does not matter.
    stem = fresh_store.layout.current.read_text().strip()
    fresh_store.layout.signing_key(stem).write_text("gone")
    assert fresh_store.signer() is signer
    signer.sign(b"still works")
    with pytest.raises(KeysInvalidError):
        KeyStore(fresh_store.directory, PASSPHRASE).signer()


def test_timestamp_signer(pki_store: KeyStore) -> None:
    tsa = pki_store.timestamp_signer()
    assert tsa.certificate == pki_store.certificate(CertRole.TIMESTAMP)
    assert tsa is pki_store.timestamp_signer()


def test_file_signer_refuses_a_foreign_key(pki_store: KeyStore) -> None:
    with pytest.raises(KeysInvalidError):
        FileSigner(ec.generate_private_key(ec.SECP256R1()), pki_store.certificate(
            CertRole.LICENCE_SIGNING), ())


def test_rotate_makes_a_new_current_key_and_keeps_the_old(fresh_store: KeyStore,
                                                          pki_now: datetime) -> None:
    first = fresh_store.signer()
    new_cert = fresh_store.rotate(now=pki_now)  # same second: order must still hold
    newer_cert = fresh_store.rotate(now=pki_now)
    assert fresh_store.signing_certificates() == (first.certificate, new_cert, newer_cert)
    assert fresh_store.certificate(CertRole.LICENCE_SIGNING) == newer_cert
    second = fresh_store.signer()
    assert second.certificate == newer_cert and second.kid != first.kid
    assert newer_cert.public_key() != first.certificate.public_key()
    assert newer_cert.issuer == fresh_store.certificate(CertRole.ISSUING_CA).subject
    # The old signer still works for what it signed; a new store sees the rotation too.
    assert KeyStore(fresh_store.directory, PASSPHRASE).signer().certificate == newer_cert
    kids = {entry.kid_bytes for entry in fresh_store.trust_list(now=pki_now).keys}
    assert kids == {first.kid, key_id(new_cert), key_id(newer_cert)}


def test_signing_validity_never_outlasts_the_issuing_ca(fresh_store: KeyStore,
                                                        pki_now: datetime) -> None:
    ca = fresh_store.certificate(CertRole.ISSUING_CA)
    late = fresh_store.rotate(now=pki_now + timedelta(days=9 * 365))
    assert late.not_valid_after_utc == ca.not_valid_after_utc


def test_revoke_refuses_a_foreign_certificate(fresh_store: KeyStore, pki_store: KeyStore) -> None:
    with pytest.raises(KeysInvalidError):
        fresh_store.revoke(pki_store.certificate(CertRole.LICENCE_SIGNING))


def test_refresh_crls_increments_the_numbers(fresh_store: KeyStore, pki_now: datetime) -> None:
    from cryptography import x509

    later = pki_now + timedelta(days=20)
    fresh_store.refresh_crls(now=later)
    for crl in fresh_store.crls():
        assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 2
        assert crl.last_update_utc == later


def test_force_twice_in_one_second_keeps_both_old_stores(fresh_store: KeyStore,
                                                        issuer_identity: IssuerIdentity,
                                                        pki_now: datetime) -> None:
    later = pki_now + timedelta(days=1)
    first = fresh_store.initialise(issuer_identity, force=True, now=later)
    second = fresh_store.initialise(issuer_identity, force=True, now=later)
    assert first.replaced is not None and second.replaced is not None
    assert first.replaced != second.replaced
    assert KeyStore(first.replaced, PASSPHRASE).certificate(CertRole.ROOT) != KeyStore(
        second.replaced, PASSPHRASE).certificate(CertRole.ROOT)


def test_failed_swap_puts_the_old_keys_back(fresh_store: KeyStore,
                                            issuer_identity: IssuerIdentity,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import signing.keystore as keystore_module

    before = fresh_store.certificate(CertRole.ROOT)
    real_rename = os.rename

    def rename(src: object, dst: object) -> None:
        if Path(str(src)).name.startswith(".keys.init-"):
            raise OSError("disk full")
        real_rename(src, dst)

    monkeypatch.setattr(keystore_module.os, "rename", rename)
    with pytest.raises(OSError, match="disk full"):
        fresh_store.initialise(issuer_identity, force=True)
    monkeypatch.undo()
    assert fresh_store.certificate(CertRole.ROOT) == before
    assert sorted(p.name for p in fresh_store.directory.parent.iterdir()) == ["keys"]


def test_file_signer_is_deterministic_rfc6979() -> None:
    # RFC 6979 appendix A.2.5: P-256, SHA-256, message "sample".
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    from cryptography.x509.oid import NameOID

    key = ec.derive_private_key(int(
        "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721", 16), ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rfc 6979")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(datetime(2026, 1, 1)).not_valid_after(datetime(2027, 1, 1))
            .sign(key, hashes.SHA256()))
    r, s = decode_dss_signature(FileSigner(key, cert, ()).sign(b"sample"))
    assert r == int("EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716", 16)
    assert s == int("F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8", 16)
