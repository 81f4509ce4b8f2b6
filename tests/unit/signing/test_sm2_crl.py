"""The SM2 CAs' CRLs (``signing.sm2_crl`` through :class:`signing.KeyStore`): made with the SM2
PKI, signed SM3withSM2 by the right CA, parsed by Debian's openssl 3 CLI and their signatures
checked by openssl too; revoking a seal signer puts it on the issuing CA's CRL (kept across
re-issues); the certificates name the CRLs as distribution points; the status of a certificate
among CRLs (good, revoked, stale, missing, signed by another key).

OpenSSL 3.0's ``crl -verify`` checks an SM2 CRL signature with an EMPTY distinguishing ID and has
no option to pass another (``-vfyopt`` is refused), so it says "verify failure" for a CRL signed,
as ours are, with the GM/T default ID. Our CRL signatures are therefore checked with openssl
twice over: ``pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678`` over the
TBSCertList bytes with the CA's public key, and ``crl -verify`` on a CRL made by the same code
with the empty ID (``verify OK``), which shows the structure and signature encoding are what
OpenSSL expects."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import crl as asn1_crl
from asn1crypto import pem as asn1_pem
from cryptography import x509
from pydantic import SecretStr

from signing import IssuerIdentity, KeysInvalidError, KeyStore
from signing.keystore_sm2 import Sm2Role
from signing.pki import RevokedCertificate
from signing.sm2 import SM2_DEFAULT_ID
from signing.sm2_crl import (
    Sm2CrlStatus,
    load_sm2_crl,
    make_sm2_crl,
    sm2_crl_pem,
    sm2_revocation,
    verify_sm2_crl_signature,
)
from signing.sm2_x509 import sm2_certificate_pem, sm2_public_key_of

PKI_NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)  # as in conftest.py
PASSPHRASE = SecretStr("correct horse battery staple (tests)")
DISTID = "distid:" + SM2_DEFAULT_ID.decode()


def openssl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=30)


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def tbs_number(crl: asn1_crl.CertificateList) -> int:
    return next(e["extn_value"].native for e in crl["tbs_cert_list"]["crl_extensions"]
                if e["extn_id"].native == "crl_number")


def listed(crl: asn1_crl.CertificateList) -> dict[int, str]:
    return {entry["user_certificate"].native: next(
        (e["extn_value"].native for e in entry["crl_entry_extensions"]
         if e["extn_id"].native == "crl_reason"), "")
        for entry in crl["tbs_cert_list"]["revoked_certificates"]}


def test_the_sm2_pki_starts_with_two_crls_signed_by_its_cas(pki_store: KeyStore) -> None:
    root_crl, ca_crl = pki_store.sm2_crls()
    root = pki_store.sm2_certificate(Sm2Role.ROOT)
    ca = pki_store.sm2_certificate(Sm2Role.CA)
    for crl, issuer, other in ((root_crl, root, ca), (ca_crl, ca, root)):
        tbs = crl["tbs_cert_list"]
        assert tbs["version"].native == "v2"
        assert crl["signature_algorithm"]["algorithm"].dotted == "1.2.156.10197.1.501"
        assert tbs["issuer"].dump() == issuer.subject.dump()
        assert tbs["this_update"].native == PKI_NOW
        assert tbs["next_update"].native == PKI_NOW + timedelta(days=30)
        assert tbs_number(crl) == 1 and listed(crl) == {}
        assert verify_sm2_crl_signature(crl, issuer)
        assert not verify_sm2_crl_signature(crl, other)
    # one flipped byte inside the signed part: no longer verifies
    der = bytearray(ca_crl.dump())
    der[der.index(b"SM2 Issuing CA") + 2] ^= 0x01
    assert not verify_sm2_crl_signature(asn1_crl.CertificateList.load(bytes(der)), ca)


def test_openssl_parses_the_crl_and_verifies_its_signature_with_the_gm_id(
        pki_store: KeyStore, tmp_path: Path) -> None:
    ca = pki_store.sm2_certificate(Sm2Role.CA)
    crl = pki_store.sm2_crls()[1]
    crl_file = write(tmp_path, "ca.crl.pem", sm2_crl_pem(crl))
    text = openssl("crl", "-in", crl_file, "-noout", "-text")
    assert text.returncode == 0, text.stderr
    assert "SM2-with-SM3" in text.stdout and "Version 2" in text.stdout
    assert "SM2 Issuing CA" in text.stdout and "No Revoked Certificates" in text.stdout
    assert "X509v3 CRL Number" in text.stdout
    # The signature over the TBSCertList bytes, with the GM/T default ID.
    key = write(tmp_path, "ca.pub.pem", sm2_public_key_of(ca).to_pem())
    tbs = write(tmp_path, "tbs.der", crl["tbs_cert_list"].dump())
    signature = write(tmp_path, "sig.der", crl["signature"].native)
    args = ["pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin", "-inkey", key,
            "-in", tbs, "-sigfile", signature]
    checked = openssl(*args, "-pkeyopt", DISTID)
    assert checked.returncode == 0 and "Signature Verified Successfully" in checked.stdout
    assert openssl(*args).returncode != 0  # openssl's own default (empty) ID: not ours
    # `crl -verify` checks with the empty ID only: ours fails there, the same CRL made with the
    # empty ID passes (the structure is right; only the ID differs).
    ca_file = write(tmp_path, "ca.pem", sm2_certificate_pem(ca))
    ours = openssl("crl", "-in", crl_file, "-CAfile", ca_file, "-noout", "-verify")
    assert "verify failure" in ours.stderr + ours.stdout
    empty_id_ca = make_sm2_crl(ca, pki_store.sm2_key(Sm2Role.CA), number=9, now=PKI_NOW, uid=b"")
    assert not verify_sm2_crl_signature(empty_id_ca, ca)
    assert verify_sm2_crl_signature(empty_id_ca, ca, uid=b"")
    empty = openssl("crl", "-in", write(tmp_path, "e.pem", sm2_crl_pem(empty_id_ca)),
                    "-CAfile", ca_file, "-noout", "-verify")
    assert "verify OK" in empty.stderr + empty.stdout


def test_the_certificates_name_their_issuers_crl(pki_store: KeyStore, tmp_path: Path) -> None:
    expected = {Sm2Role.ROOT: None,
                Sm2Role.CA: "http://localhost:8000/pki/sm2-root-ca.crl",
                Sm2Role.SEAL_MAKER: "http://localhost:8000/pki/sm2-issuing-ca.crl",
                Sm2Role.SEAL_SIGNER: "http://localhost:8000/pki/sm2-issuing-ca.crl"}
    for role, url in expected.items():
        path = write(tmp_path, f"{role.value}.pem",
                     sm2_certificate_pem(pki_store.sm2_certificate(role)))
        text = openssl("x509", "-in", path, "-noout", "-text").stdout
        if url is None:
            assert "CRL Distribution Points" not in text
        else:
            assert "CRL Distribution Points" in text and f"URI:{url}" in text


def test_revoking_the_seal_signer_lists_it_on_the_issuing_cas_crl(
        fresh_store: KeyStore, tmp_path: Path) -> None:
    signer = fresh_store.sm2_certificate(Sm2Role.SEAL_SIGNER)
    at = PKI_NOW + timedelta(days=2)
    fresh_store.revoke(signer, reason=x509.ReasonFlags.key_compromise, now=at)
    root_crl, ca_crl = fresh_store.sm2_crls()
    assert listed(ca_crl) == {int(signer.serial_number): "key_compromise"}
    assert tbs_number(ca_crl) == 2 and ca_crl["tbs_cert_list"]["this_update"].native == at
    assert tbs_number(root_crl) == 1 and listed(root_crl) == {}  # untouched
    assert verify_sm2_crl_signature(ca_crl, fresh_store.sm2_certificate(Sm2Role.CA))
    text = openssl("crl", "-in", write(tmp_path, "c.pem", sm2_crl_pem(ca_crl)), "-noout",
                   "-text").stdout
    serial = format(int(signer.serial_number), "X")
    assert f"Serial Number: {serial.zfill(len(serial) + len(serial) % 2)}" in text
    assert "Key Compromise" in text
    # The ECDSA CRLs are not touched by an SM2 revocation.
    assert all(len(crl) == 0 for crl in fresh_store.crls())
    # Re-issued later (another process, the same files): still listed, numbers go on.
    reopened = KeyStore(fresh_store.directory, PASSPHRASE)
    reopened.refresh_crls(now=at + timedelta(days=7))
    root_crl, ca_crl = reopened.sm2_crls()
    assert listed(ca_crl) == {int(signer.serial_number): "key_compromise"}
    assert (tbs_number(root_crl), tbs_number(ca_crl)) == (2, 3)
    assert root_crl["tbs_cert_list"]["next_update"].native == at + timedelta(days=37)
    # Revoking the SM2 issuing CA goes on the root's CRL.
    reopened.revoke(reopened.sm2_certificate(Sm2Role.CA), now=at + timedelta(days=8))
    assert int(reopened.sm2_certificate(Sm2Role.CA).serial_number) in listed(
        reopened.sm2_crls()[0])


def test_a_certificate_of_another_store_cannot_be_revoked_here(
        fresh_store: KeyStore, tmp_path: Path, issuer_identity: IssuerIdentity) -> None:
    other = KeyStore(tmp_path / "other", PASSPHRASE)
    other.initialise(issuer_identity, now=PKI_NOW)
    with pytest.raises(KeysInvalidError):
        fresh_store.revoke(other.sm2_certificate(Sm2Role.SEAL_SIGNER))
    with pytest.raises(KeysInvalidError):
        fresh_store.revoke(fresh_store.sm2_certificate(Sm2Role.ROOT))  # not below a CA here


def test_an_sm2_pki_older_than_its_crls_gets_them_on_refresh(fresh_store: KeyStore) -> None:
    shutil.rmtree(fresh_store.directory / "sm2" / "crl")
    assert fresh_store.sm2_crls() == ()
    fresh_store.refresh_crls(now=PKI_NOW + timedelta(days=1))
    assert [tbs_number(c) for c in fresh_store.sm2_crls()] == [1, 1]
    # and revoking on such a store issues both CRLs
    shutil.rmtree(fresh_store.directory / "sm2" / "crl")
    signer = fresh_store.sm2_certificate(Sm2Role.SEAL_SIGNER)
    fresh_store.revoke(signer, now=PKI_NOW + timedelta(days=2))
    root_crl, ca_crl = fresh_store.sm2_crls()
    assert int(signer.serial_number) in listed(ca_crl) and listed(root_crl) == {}


def test_a_store_without_sm2_has_no_sm2_crls(tmp_path: Path,
                                             issuer_identity: IssuerIdentity) -> None:
    store = KeyStore(tmp_path / "keys", PASSPHRASE)
    store.initialise(issuer_identity, now=PKI_NOW, sm2=False)
    assert store.sm2_crls() == ()
    store.refresh_crls(now=PKI_NOW + timedelta(days=1))  # the ECDSA ones only
    assert not (tmp_path / "keys" / "sm2").exists()


def test_revocation_status_among_crls(fresh_store: KeyStore, tmp_path: Path,
                                      issuer_identity: IssuerIdentity) -> None:
    signer = fresh_store.sm2_certificate(Sm2Role.SEAL_SIGNER)
    ca = fresh_store.sm2_certificate(Sm2Role.CA)
    now = PKI_NOW + timedelta(days=1)
    crls = fresh_store.sm2_crls()
    assert sm2_revocation(signer, ca, crls, now).status is Sm2CrlStatus.GOOD
    assert sm2_revocation(signer, ca, (), now).status is Sm2CrlStatus.NO_CRL
    assert sm2_revocation(signer, ca, crls[:1], now).status is Sm2CrlStatus.NO_CRL  # root's only
    # nextUpdate passed (30 days), or thisUpdate still ahead: not current
    assert sm2_revocation(signer, ca, crls, PKI_NOW + timedelta(days=30)).status \
        is Sm2CrlStatus.STALE
    assert sm2_revocation(signer, ca, crls, PKI_NOW - timedelta(seconds=1)).status \
        is Sm2CrlStatus.STALE
    # Another office's CA has the same (demo) name; its CRL, even one that lists our signer,
    # does not verify under our CA's key and says nothing.
    other = KeyStore(tmp_path / "other", PASSPHRASE)
    other.initialise(issuer_identity, now=PKI_NOW)
    other_ca = other.sm2_certificate(Sm2Role.CA)
    assert other_ca.subject.dump() == ca.subject.dump()
    forged = make_sm2_crl(other_ca, other.sm2_key(Sm2Role.CA), number=5, now=PKI_NOW,
                          revoked=[RevokedCertificate(int(signer.serial_number), PKI_NOW)])
    assert not verify_sm2_crl_signature(forged, ca)
    assert sm2_revocation(signer, ca, [forged], now).status is Sm2CrlStatus.UNVERIFIED
    assert sm2_revocation(signer, ca, [forged, *crls], now).status is Sm2CrlStatus.GOOD
    # Revoked: listed by a CRL that verifies, even one that is no longer current.
    fresh_store.revoke(signer, reason=x509.ReasonFlags.superseded, now=now)
    revoked = sm2_revocation(signer, ca, fresh_store.sm2_crls(), now)
    assert revoked.status is Sm2CrlStatus.REVOKED and revoked.reason == "superseded"
    assert revoked.revoked_at == now
    later = PKI_NOW + timedelta(days=90)
    assert sm2_revocation(signer, ca, fresh_store.sm2_crls(), later).status \
        is Sm2CrlStatus.REVOKED


def test_pem_round_trip_and_refusals(pki_store: KeyStore) -> None:
    crl = pki_store.sm2_crls()[0]
    pem = sm2_crl_pem(crl)
    assert pem.startswith(b"-----BEGIN X509 CRL-----")
    assert load_sm2_crl(pem).dump() == crl.dump() == load_sm2_crl(crl.dump()).dump()
    with pytest.raises(ValueError):
        load_sm2_crl(asn1_pem.armor("CERTIFICATE", crl.dump()))
    with pytest.raises(ValueError):
        load_sm2_crl(b"\x30\x03\x02\x01")
    with pytest.raises(ValueError):  # a key that is not the CA's
        make_sm2_crl(pki_store.sm2_certificate(Sm2Role.CA),
                     pki_store.sm2_key(Sm2Role.ROOT), number=1, now=PKI_NOW)
