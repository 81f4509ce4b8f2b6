"""The SM2 PKI of the key store (``signing.keystore_sm2`` through :class:`signing.KeyStore`):
made by ``initialise`` beside the ECDSA one, each link checked by openssl with the GM/T ID, keys
encrypted with the store's passphrase (openssl opens them with it), the seal signer rotating with
the licence signer, and a store made without SM2 keeps working until SM2 keys are added to it."""

from __future__ import annotations

import stat
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from signing import IssuerIdentity, KeysExistError, KeysMissingError, KeyStore
from signing.errors import KeysPassphraseError
from signing.keystore_sm2 import Sm2Role
from signing.sm2 import SM2_DEFAULT_ID, sm2_sign, sm2_verify
from signing.sm2_x509 import sm2_certificate_pem, sm2_public_key_of, verify_sm2_cert_signature

# as in conftest.py (the session stores are made with these)
PKI_NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
TEST_PASSPHRASE = SecretStr("correct horse battery staple (tests)")
DISTID = "distid:" + SM2_DEFAULT_ID.decode()


def openssl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=30)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_initialise_makes_the_sm2_pki(pki_store: KeyStore, tmp_path: Path,
                                      openssl_at: str) -> None:
    assert pki_store.has_sm2()
    certs = {role: pki_store.sm2_certificate(role) for role in Sm2Role}
    root, ca = certs[Sm2Role.ROOT], certs[Sm2Role.CA]
    assert verify_sm2_cert_signature(root, root)
    assert verify_sm2_cert_signature(ca, root)
    for role in (Sm2Role.SEAL_MAKER, Sm2Role.SEAL_SIGNER):
        assert verify_sm2_cert_signature(certs[role], ca)
        assert not verify_sm2_cert_signature(certs[role], root)
        key = pki_store.sm2_key(role)
        assert sm2_public_key_of(certs[role]) == key.public_key()
        assert sm2_verify(key.public_key(), b"seal", sm2_sign(key, b"seal"))
    assert [c.dump() for c in pki_store.sm2_chain()] == [ca.dump(), root.dump()]
    for role, cert in certs.items():
        cn = cert.subject.native["common_name"]
        assert cn.startswith("zhengzhao demo SM2"), (role, cn)
        start = cert["tbs_certificate"]["validity"]["not_before"].native
        assert start <= PKI_NOW < start + timedelta(hours=1)
    # openssl, link by link (its verify applies the ID to the target certificate only)
    paths = {}
    for role, cert in certs.items():
        paths[role] = tmp_path / f"{role.value}.pem"
        paths[role].write_bytes(sm2_certificate_pem(cert))
    checks = [(Sm2Role.ROOT, Sm2Role.CA, []), (Sm2Role.CA, Sm2Role.SEAL_MAKER, ["-partial_chain"]),
              (Sm2Role.CA, Sm2Role.SEAL_SIGNER, ["-partial_chain"])]
    for anchor, target, extra in checks:
        proc = openssl("verify", "-attime", openssl_at, "-vfyopt", DISTID, *extra,
                       "-CAfile", str(paths[anchor]), str(paths[target]))
        assert proc.returncode == 0, (target, proc.stdout, proc.stderr)
    text = openssl("x509", "-in", str(paths[Sm2Role.SEAL_SIGNER]), "-text", "-noout").stdout
    assert "SM2-with-SM3" in text and "Digital Signature, Non Repudiation" in text


def test_sm2_files_are_protected_like_the_ecdsa_ones(pki_store: KeyStore) -> None:
    sm2_dir = pki_store.directory / "sm2"
    files = [p for p in sm2_dir.rglob("*") if p.is_file()]
    dirs = [sm2_dir, *(p for p in sm2_dir.rglob("*") if p.is_dir())]
    # 3 fixed certs + keys, one seal signer cert + key, current; the CAs' 2 CRLs + crl/state.json
    assert len(files) == 12
    assert all(mode(p) == 0o600 for p in files)
    assert all(mode(d) == 0o700 for d in dirs)
    key_files = sorted(sm2_dir.rglob("*.key.pem"))
    assert len(key_files) == 4
    assert set(key_files) <= set(pki_store.private_key_files())
    for path in key_files:
        assert path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        opened = openssl("pkey", "-in", str(path), "-passin",
                         "pass:" + TEST_PASSPHRASE.get_secret_value(), "-noout", "-text")
        assert opened.returncode == 0, opened.stderr
        assert "ASN1 OID: SM2" in opened.stdout
        wrong = openssl("pkey", "-in", str(path), "-passin", "pass:wrong", "-noout")
        assert wrong.returncode != 0


def test_wrong_passphrase_and_reencryption(fresh_store: KeyStore) -> None:
    locked = KeyStore(fresh_store.directory, SecretStr("not the passphrase"))
    with pytest.raises(KeysPassphraseError):
        locked.sm2_key(Sm2Role.SEAL_SIGNER)
    new = SecretStr("another long passphrase for the tests")
    moved = KeyStore(fresh_store.directory, new)
    count = moved.reencrypt(TEST_PASSPHRASE)
    assert count == len(fresh_store.private_key_files()) == 8
    for role in Sm2Role:
        assert KeyStore(fresh_store.directory, new).sm2_key(role).public_key() == \
            sm2_public_key_of(moved.sm2_certificate(role))
    with pytest.raises(KeysPassphraseError):
        KeyStore(fresh_store.directory, TEST_PASSPHRASE).sm2_key(Sm2Role.ROOT)


def test_rotation_rotates_the_seal_signer_too(fresh_store: KeyStore) -> None:
    first = fresh_store.sm2_certificate(Sm2Role.SEAL_SIGNER)
    first_key = fresh_store.sm2_key(Sm2Role.SEAL_SIGNER)
    maker = fresh_store.sm2_certificate(Sm2Role.SEAL_MAKER)
    fresh_store.rotate(now=PKI_NOW + timedelta(days=1))
    second = fresh_store.sm2_certificate(Sm2Role.SEAL_SIGNER)
    assert second.dump() != first.dump()
    assert fresh_store.sm2_key(Sm2Role.SEAL_SIGNER) != first_key
    assert sm2_public_key_of(second) == fresh_store.sm2_key(Sm2Role.SEAL_SIGNER).public_key()
    assert [c.dump() for c in fresh_store.sm2_seal_signer_certificates()] == [
        first.dump(), second.dump()]
    assert verify_sm2_cert_signature(second, fresh_store.sm2_certificate(Sm2Role.CA))
    assert fresh_store.sm2_certificate(Sm2Role.SEAL_MAKER).dump() == maker.dump()
    # another process's rotation is seen: the pointer is read on each call
    other = KeyStore(fresh_store.directory, TEST_PASSPHRASE)
    third = other.rotate_sm2(now=PKI_NOW + timedelta(days=2))
    assert fresh_store.sm2_certificate(Sm2Role.SEAL_SIGNER).dump() == third.dump()
    assert len(fresh_store.signing_certificates()) == 2  # rotate_sm2 leaves ECDSA alone


def test_a_store_without_sm2_keeps_working_and_gets_them_added(
        tmp_path: Path, issuer_identity: IssuerIdentity) -> None:
    store = KeyStore(tmp_path / "keys", TEST_PASSPHRASE)
    result = store.initialise(issuer_identity, now=PKI_NOW, sm2=False)
    assert result.sm2_root is None
    assert not store.has_sm2() and not (store.directory / "sm2").exists()
    with pytest.raises(KeysMissingError, match="keys init --sm2"):
        store.sm2_certificate(Sm2Role.ROOT)
    store.rotate(now=PKI_NOW + timedelta(days=1))  # the ECDSA model is untouched
    assert len(store.signing_certificates()) == 2
    assert len(store.private_key_files()) == 5
    root = store.initialise_sm2(now=PKI_NOW + timedelta(days=2))
    assert store.has_sm2()
    assert store.sm2_certificate(Sm2Role.ROOT).dump() == root.dump()
    assert verify_sm2_cert_signature(store.sm2_certificate(Sm2Role.SEAL_SIGNER),
                                     store.sm2_certificate(Sm2Role.CA))
    with pytest.raises(KeysExistError):
        store.initialise_sm2()
    assert store.sm2_certificate(Sm2Role.ROOT).dump() == root.dump()


def test_initialise_result_names_the_sm2_root(tmp_path: Path,
                                              issuer_identity: IssuerIdentity) -> None:
    store = KeyStore(tmp_path / "keys", TEST_PASSPHRASE)
    result = store.initialise(issuer_identity, now=PKI_NOW)
    assert result.sm2_root is not None
    assert result.sm2_root.dump() == store.sm2_certificate(Sm2Role.ROOT).dump()
    # force: a new SM2 PKI too, the old one moved aside with the rest
    again = store.initialise(issuer_identity, now=PKI_NOW + timedelta(days=1), force=True)
    assert again.sm2_root is not None and again.sm2_root.dump() != result.sm2_root.dump()
    assert again.replaced is not None and (again.replaced / "sm2" / "root-ca.pem").is_file()
