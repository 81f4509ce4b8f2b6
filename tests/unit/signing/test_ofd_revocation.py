"""``signing.validate_ofd`` with the SM2 CRLs (check ``revocation``): a package sealed with a key
store's SM2 seal maker and seal signer passes with the store's current CRLs; a revoked seal
signer, seal maker or SM2 CA is FAILED (REVOKED); no CRL, a stale one or one signed by another
key is INDETERMINATE (TRY_LATER, fail closed); without CRLs (a third party's OFD) revocation is
not checked, as before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from pydantic import SecretStr

from signing import IssuerIdentity, KeyStore
from signing.keystore_sm2 import Sm2Role
from signing.ofd_package import read_ofd, write_ofd
from signing.ofd_seal import seal_ofd
from signing.ofd_validate import OfdCheckId, validate_ofd
from signing.pades_verdict import CheckOutcome, Indication, SubIndication
from signing.pki import RevokedCertificate
from signing.ses import SealPicture, make_seal
from signing.sm2_crl import make_sm2_crl

PKI_NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)  # as in conftest.py
PASSPHRASE = SecretStr("another office (tests)")
SEALED_AT = PKI_NOW + timedelta(days=2)
CHECKED_AT = SEALED_AT + timedelta(hours=1)
UNSIGNED = Path(__file__).resolve().parents[2] / "data" / "ofd" / "ofdrw" / "v4signed.ofd"


def _unsigned() -> bytes:
    files = dict(read_ofd(UNSIGNED.read_bytes()).files)
    for name in [n for n in files if "/Signs/" in n]:
        del files[name]
    files["OFD.xml"] = files["OFD.xml"].replace(
        b"<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>", b"")
    return write_ofd(files)


def sealed_by(store: KeyStore) -> bytes:
    signer = store.sm2_certificate(Sm2Role.SEAL_SIGNER)
    seal = make_seal(store.sm2_key(Sm2Role.SEAL_MAKER), store.sm2_certificate(Sm2Role.SEAL_MAKER),
                     [signer], SealPicture("PNG", b"\x89PNG seal", 40, 40), es_id="ZZ-CRL-1",
                     name="测试专用章", created=PKI_NOW, valid_start=PKI_NOW,
                     valid_end=PKI_NOW + timedelta(days=365))
    return seal_ofd(_unsigned(), seal, store.sm2_key(Sm2Role.SEAL_SIGNER), signer, SEALED_AT)


def validate(store: KeyStore, data: bytes, crls, now: datetime = CHECKED_AT):  # noqa: ANN001, ANN201
    return validate_ofd(data, trust_roots_sm2=[store.sm2_certificate(Sm2Role.ROOT)],
                        intermediates=[store.sm2_certificate(Sm2Role.CA)], now=now,
                        crls_sm2=crls)


def revocation(verdict):  # noqa: ANN001, ANN201
    return next(c for c in verdict.signatures[0].checks if c.check is OfdCheckId.REVOCATION)


@pytest.fixture()
def store(fresh_store: KeyStore) -> KeyStore:
    fresh_store.refresh_crls(now=SEALED_AT)
    return fresh_store


def test_current_crls_that_list_nothing_pass(store: KeyStore) -> None:
    verdict = validate(store, sealed_by(store), store.sm2_crls())
    assert verdict.indication is Indication.PASSED, verdict.to_dict()
    assert revocation(verdict).outcome is CheckOutcome.PASSED


def test_without_crls_revocation_is_not_checked(store: KeyStore) -> None:
    data = sealed_by(store)
    store.revoke(store.sm2_certificate(Sm2Role.SEAL_SIGNER), now=SEALED_AT)
    verdict = validate(store, data, None)
    assert verdict.indication is Indication.PASSED
    assert all(c.check is not OfdCheckId.REVOCATION for c in verdict.signatures[0].checks)


@pytest.mark.parametrize("role", [Sm2Role.SEAL_SIGNER, Sm2Role.SEAL_MAKER, Sm2Role.CA])
def test_a_revoked_certificate_fails(store: KeyStore, role: Sm2Role) -> None:
    data = sealed_by(store)
    store.revoke(store.sm2_certificate(role), reason=x509.ReasonFlags.key_compromise,
                 now=SEALED_AT + timedelta(minutes=5))
    verdict = validate(store, data, store.sm2_crls())
    assert verdict.indication is Indication.FAILED
    assert verdict.sub_indication is SubIndication.REVOKED
    check = revocation(verdict)
    assert check.outcome is CheckOutcome.FAILED and "key_compromise" in check.detail
    assert "撤销" in check.detail_zh
    to_dict = verdict.to_dict()["signatures"][0]["checks"]
    assert {"check": "revocation", "outcome": "failed"}.items() <= to_dict[-1].items()


@pytest.mark.parametrize("which", ["none", "root only", "stale", "not yet", "other key"])
def test_no_current_crl_that_verifies_is_indeterminate(store: KeyStore, which: str,
                                                        tmp_path: Path,
                                                        issuer_identity: IssuerIdentity) -> None:
    data = sealed_by(store)
    crls, now = store.sm2_crls(), CHECKED_AT
    if which == "none":
        crls = ()
    elif which == "root only":
        crls = crls[:1]
    elif which == "stale":
        now = SEALED_AT + timedelta(days=30, seconds=1)  # nextUpdate passed
    elif which == "not yet":
        now = SEALED_AT - timedelta(seconds=1)  # (the seal's time is then in the future too)
    else:
        other = KeyStore(tmp_path / "other", PASSPHRASE)
        other.initialise(issuer_identity, now=PKI_NOW)
        other.refresh_crls(now=SEALED_AT)
        crls = other.sm2_crls()  # same (demo) names, another office's keys
    verdict = validate(store, data, crls, now)
    check = revocation(verdict)
    assert check.outcome is CheckOutcome.INDETERMINATE, check
    assert check.sub_indication is SubIndication.TRY_LATER and check.detail_zh
    if which != "not yet":
        assert verdict.indication is Indication.INDETERMINATE
        assert verdict.sub_indication is SubIndication.TRY_LATER


def test_a_crl_of_another_key_listing_the_signer_does_not_revoke_it(
        store: KeyStore, tmp_path: Path, issuer_identity: IssuerIdentity) -> None:
    other = KeyStore(tmp_path / "other", PASSPHRASE)
    other.initialise(issuer_identity, now=PKI_NOW)
    # Their CA (the same demo name as ours) "revokes" our signer: not signed by our CA.
    signer = store.sm2_certificate(Sm2Role.SEAL_SIGNER)
    forged = make_sm2_crl(other.sm2_certificate(Sm2Role.CA), other.sm2_key(Sm2Role.CA),
                          number=7, now=SEALED_AT,
                          revoked=[RevokedCertificate(int(signer.serial_number), SEALED_AT)])
    data = sealed_by(store)
    assert validate(store, data, (forged, *store.sm2_crls())).indication is Indication.PASSED
    # Signed by our CA, the same entry revokes it.
    genuine = make_sm2_crl(store.sm2_certificate(Sm2Role.CA), store.sm2_key(Sm2Role.CA),
                           number=7, now=SEALED_AT,
                           revoked=[RevokedCertificate(int(signer.serial_number), SEALED_AT)])
    assert validate(store, data, (genuine, *store.sm2_crls())).indication is Indication.FAILED


def test_unknown_root_leaves_revocation_not_run(store: KeyStore, tmp_path: Path,
                                                 issuer_identity: IssuerIdentity) -> None:
    other = KeyStore(tmp_path / "other", PASSPHRASE)
    other.initialise(issuer_identity, now=PKI_NOW)
    verdict = validate_ofd(sealed_by(store), trust_roots_sm2=[other.sm2_certificate(
        Sm2Role.ROOT)], now=CHECKED_AT, crls_sm2=store.sm2_crls())
    assert verdict.indication is Indication.INDETERMINATE
    assert verdict.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND
    assert revocation(verdict).outcome is CheckOutcome.NOT_RUN
