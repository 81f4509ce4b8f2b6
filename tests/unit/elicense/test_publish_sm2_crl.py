"""The published folder carries the SM2 CAs' CRLs (``crls/sm2-crl-<n>.pem``) beside the ECDSA
ones; ``load_trust`` reads them back into ``TrustMaterial.sm2_crls`` and refuses one that is not
signed by the folder's SM2 root or CA, or one without an SM2 root; publishing re-issues SM2 CRLs
older than a day (and makes the first ones for an SM2 PKI that predates them); an imported
folder may hold them."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from pydantic import SecretStr

from elicense import load_trust, publish
from elicense.errors import TrustMaterialError
from elicense.trust_files import read_trust_dir
from signing import IssuerIdentity, KeyStore, Sm2Role, load_sm2_crl, sm2_crl_pem

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
PASS = SecretStr("publish sm2 crl tests passphrase")
IDENTITY = IssuerIdentity(name_zh="示例市行政审批局（演示）", name_en="Example demo office",
                          code="11110000000000019K", jurisdiction_code="110000")


class NoRevocations:
    def revoked_indices(self) -> set[int]:
        return set()


def office(base: Path, *, sm2: bool = True) -> KeyStore:
    store = KeyStore(base / "keys", PASS)
    store.initialise(IDENTITY, now=NOW, sm2=sm2)
    return store


def published(store: KeyStore, directory: Path, now: datetime = NOW) -> Path:
    return publish(store, NoRevocations(), directory, IDENTITY.code, now)  # type: ignore[arg-type]


def this_update(crl) -> datetime:  # noqa: ANN001
    return crl["tbs_cert_list"]["this_update"].native


def test_the_sm2_crls_are_published_and_read_back(tmp_path: Path) -> None:
    store = office(tmp_path)
    signer = store.sm2_certificate(Sm2Role.SEAL_SIGNER)
    store.revoke(signer, reason=x509.ReasonFlags.key_compromise, now=NOW)
    folder = published(store, tmp_path / "published")
    names = sorted(p.name for p in (folder / "crls").glob("*.pem"))
    assert names == ["crl-0.pem", "crl-1.pem", "sm2-crl-0.pem", "sm2-crl-1.pem"]
    material = load_trust(folder)
    assert [c.dump() for c in material.sm2_crls] == [c.dump() for c in store.sm2_crls()]
    assert len(material.crls) == 2  # the ECDSA ones, as before
    listed = material.sm2_crls[1]["tbs_cert_list"]["revoked_certificates"]
    assert [e["user_certificate"].native for e in listed] == [int(signer.serial_number)]
    assert {"crls/sm2-crl-0.pem", "crls/sm2-crl-1.pem"} <= set(read_trust_dir(folder))
    # A reader from before SM2 CRLs loads them as CRLs (of an issuer it does not know).
    for path in (folder / "crls").glob("sm2-*.pem"):
        assert x509.load_pem_x509_crl(path.read_bytes()).signature_algorithm_oid.dotted_string \
            == "1.2.156.10197.1.501"


def test_an_office_without_sm2_publishes_no_sm2_crls(tmp_path: Path) -> None:
    folder = published(office(tmp_path, sm2=False), tmp_path / "published")
    assert not list((folder / "crls").glob("sm2-*"))
    assert load_trust(folder).sm2_crls == ()


def test_publishing_refreshes_old_sm2_crls_and_makes_missing_ones(tmp_path: Path) -> None:
    store = office(tmp_path)
    folder = published(store, tmp_path / "published", NOW + timedelta(hours=2))
    assert [this_update(c) for c in load_trust(folder).sm2_crls] == [NOW, NOW]  # fresh enough
    later = NOW + timedelta(days=2)
    published(store, folder, later)
    assert [this_update(c) for c in load_trust(folder).sm2_crls] == [later, later]
    shutil.rmtree(store.directory / "sm2" / "crl")  # an SM2 PKI older than its CRLs
    published(store, folder, later + timedelta(hours=1))
    assert len(load_trust(folder).sm2_crls) == 2


def test_a_crl_that_does_not_verify_is_refused(tmp_path: Path) -> None:
    store = office(tmp_path / "a")
    other = office(tmp_path / "b")
    folder = published(store, tmp_path / "published")
    good = (folder / "crls" / "sm2-crl-1.pem").read_bytes()
    # the other office's CA CRL: the same demo names, another key
    (folder / "crls" / "sm2-crl-1.pem").write_bytes(sm2_crl_pem(other.sm2_crls()[1]))
    with pytest.raises(TrustMaterialError, match="sm2-crl-1.pem"):
        load_trust(folder)
    # one byte of the signed part changed
    crl = load_sm2_crl(good)
    der = bytearray(crl.dump())
    der[der.index(b"SM2 Issuing CA") + 1] ^= 0x01
    (folder / "crls" / "sm2-crl-1.pem").write_bytes(sm2_crl_pem(load_sm2_crl(bytes(der))))
    with pytest.raises(TrustMaterialError, match="sm2-crl-1.pem"):
        load_trust(folder)
    (folder / "crls" / "sm2-crl-1.pem").write_bytes(b"not a CRL")
    with pytest.raises(TrustMaterialError, match="sm2-crl-1.pem"):
        load_trust(folder)
    (folder / "crls" / "sm2-crl-1.pem").write_bytes(good)
    assert len(load_trust(folder).sm2_crls) == 2
    # an SM2 CRL in a folder without the SM2 root
    (folder / "sm2-root.pem").unlink()
    (folder / "sm2-ca.pem").unlink()
    with pytest.raises(TrustMaterialError, match="sm2-crl-0.pem"):
        load_trust(folder)
