"""signing.ses.make_seal + signing.ofd_seal.seal_ofd + signing.ofd_validate.validate_ofd on our
own keys: a sealed package passes against its root; an edited content file, a swapped seal, a
resealed package (genuine seal, another signer's key) and an unknown root do not pass."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from asn1crypto import algos, keys, x509

from signing.ofd_package import read_ofd, write_ofd
from signing.ofd_seal import seal_ofd
from signing.ofd_validate import OfdCheckId, validate_ofd
from signing.pades_verdict import CheckOutcome, Indication, SubIndication
from signing.ses import (
    SealPicture,
    SESealV4,
    SesSignatureV4,
    make_seal,
    make_ses_signature,
    parse_ses_signature,
)
from signing.sm2 import Sm2PrivateKey, sm2_sign, sm3
from signing.sm2_x509 import build_sm2_certificate

NOW = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
UNSIGNED = Path(__file__).resolve().parents[2] / "data" / "ofd" / "ofdrw" / "v4signed.ofd"


def _cert(name: str, key: Sm2PrivateKey, issuer: tuple[str, Sm2PrivateKey] | None,
          serial: int) -> x509.Certificate:
    issuer_name, issuer_key = issuer or (name, key)
    tbs = x509.TbsCertificate({
        "version": "v3", "serial_number": serial,
        "signature": {"algorithm": "1.2.156.10197.1.501"},
        "issuer": x509.Name.build({"common_name": issuer_name}),
        "validity": {"not_before": x509.Time({"utc_time": NOW - timedelta(days=30)}),
                     "not_after": x509.Time({"utc_time": NOW + timedelta(days=365)})},
        "subject": x509.Name.build({"common_name": name}),
        "subject_public_key_info": keys.PublicKeyInfo.load(key.public_key().to_der()),
    })
    return x509.Certificate({
        "tbs_certificate": tbs,
        "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "1.2.156.10197.1.501"}),
        "signature_value": sm2_sign(issuer_key, tbs.dump()),
    })


@pytest.fixture(scope="module")
def pki():
    root_key, signer_key, maker_key = (Sm2PrivateKey.generate() for _ in range(3))
    root = _cert("Test SM2 Root", root_key, None, 1)
    signer = _cert("Seal signer", signer_key, ("Test SM2 Root", root_key), 2)
    maker = _cert("Seal maker", maker_key, ("Test SM2 Root", root_key), 3)
    return root, (signer_key, signer), (maker_key, maker), root_key


def _unsigned() -> bytes:
    files = dict(read_ofd(UNSIGNED.read_bytes()).files)
    for name in list(files):
        if "/Signs/" in name:
            del files[name]
    ofd_xml = files["OFD.xml"].replace(b"<ofd:Signatures>Doc_0/Signs/Signatures.xml"
                                       b"</ofd:Signatures>", b"")
    files["OFD.xml"] = ofd_xml
    return write_ofd(files)


def _seal(pki) -> bytes:
    _root, (signer_key, signer_cert), (maker_key, maker_cert), _ = pki
    return make_seal(maker_key, maker_cert, [signer_cert],
                     SealPicture("PNG", b"\x89PNG seal", 40, 40), es_id="ZZ-TEST-1",
                     name="测试专用章", created=NOW - timedelta(days=1),
                     valid_start=NOW - timedelta(days=1), valid_end=NOW + timedelta(days=300))


def _sealed(pki) -> bytes:
    _root, (signer_key, signer_cert), _maker, _ = pki
    return seal_ofd(_unsigned(), _seal(pki), signer_key, signer_cert, NOW)


def _replace(data: bytes, name: str, content: bytes) -> bytes:
    files = dict(read_ofd(data).files)
    files[name] = content
    return write_ofd(files)


def test_sealed_package_passes_against_its_root(pki) -> None:
    sealed = _sealed(pki)
    verdict = validate_ofd(sealed, trust_roots_sm2=[pki[0]], now=NOW)
    assert verdict.indication is Indication.PASSED, verdict
    names = zipfile.ZipFile(BytesIO(sealed)).namelist()
    assert "Doc_0/Signs/Signatures.xml" in names
    signature_xml = read_ofd(sealed).files["Doc_0/Signs/Sign_0/Signature.xml"]
    ses = parse_ses_signature(read_ofd(sealed).files["Doc_0/Signs/Sign_0/SignedValue.dat"])
    assert ses.data_hash == sm3(signature_xml)
    assert ses.property_info == "/Doc_0/Signs/Sign_0/Signature.xml"
    assert b'CheckMethod="1.2.156.10197.1.401"' in signature_xml
    assert b"/OFD.xml" in signature_xml and b"StampAnnot" in signature_xml


def test_unknown_root_is_indeterminate_not_passed(pki) -> None:
    verdict = validate_ofd(_sealed(pki), trust_roots_sm2=[], now=NOW)
    assert verdict.indication is Indication.INDETERMINATE
    assert verdict.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


def test_edited_content_file_fails(pki) -> None:
    sealed = _sealed(pki)
    page = read_ofd(sealed).files["Doc_0/Pages/Page_0/Content.xml"]
    edited = _replace(sealed, "Doc_0/Pages/Page_0/Content.xml", page + b"\n")
    assert validate_ofd(edited, trust_roots_sm2=[pki[0]], now=NOW).indication is Indication.FAILED


def test_swapped_seal_fails(pki) -> None:
    """Another seal (same maker, same signer) put into the signed TBS_Sign: the signature
    value no longer verifies."""
    sealed = _sealed(pki)
    value = read_ofd(sealed).files["Doc_0/Signs/Sign_0/SignedValue.dat"]
    other_seal = _seal(pki)
    parsed = SesSignatureV4.load(value)
    assert parsed["to_sign"]["eseal"].dump() != other_seal
    parsed["to_sign"]["eseal"] = SESealV4.load(other_seal)
    swapped = _replace(sealed, "Doc_0/Signs/Sign_0/SignedValue.dat", parsed.dump(force=True))
    verdict = validate_ofd(swapped, trust_roots_sm2=[pki[0]], now=NOW)
    assert verdict.indication is Indication.FAILED
    check = next(c for c in verdict.signatures[0].checks if c.check is OfdCheckId.SIGNATURE_VALUE)
    assert check.sub_indication is SubIndication.SIG_CRYPTO_FAILURE


def test_resealed_with_another_signer_key_fails(pki) -> None:
    """The genuine seal, re-signed over edited content by someone else's (trusted-root) key."""
    root, _signer, _maker, root_key = pki
    other_key = Sm2PrivateKey.generate()
    other_cert = _cert("Someone else", other_key, ("Test SM2 Root", root_key), 9)
    seal = _seal(pki)
    sealed = _sealed(pki)
    signature_xml = read_ofd(sealed).files["Doc_0/Signs/Sign_0/Signature.xml"]
    forged = make_ses_signature(other_key, other_cert, seal, sm3(signature_xml),
                                "/Doc_0/Signs/Sign_0/Signature.xml", NOW)
    resealed = _replace(sealed, "Doc_0/Signs/Sign_0/SignedValue.dat", forged)
    verdict = validate_ofd(resealed, trust_roots_sm2=[root], now=NOW)
    assert verdict.indication is Indication.FAILED
    check = next(c for c in verdict.signatures[0].checks if c.check is OfdCheckId.SEAL_BINDING)
    assert check.outcome is CheckOutcome.FAILED


def test_seal_for_another_signer_is_refused(pki) -> None:
    other_key = Sm2PrivateKey.generate()
    other_cert = _cert("Someone else", other_key, ("Test SM2 Root", pki[3]), 10)
    with pytest.raises(ValueError, match="does not name"):
        seal_ofd(_unsigned(), _seal(pki), other_key, other_cert, NOW)



def test_seal_forged_by_the_signer_fails_the_makers_signature(pki) -> None:
    """The signer (who holds only the signer key) edits the seal's picture and signs anew: the
    signature value verifies, the seal maker's signature over the seal does not."""
    _root, (signer_key, signer_cert), _maker, _ = pki
    seal = _seal(pki)
    forged_seal = seal.replace(b"\x89PNG seal", b"\x89PNG fake")
    assert forged_seal != seal
    sealed = _sealed(pki)
    signature_xml = read_ofd(sealed).files["Doc_0/Signs/Sign_0/Signature.xml"]
    forged = make_ses_signature(signer_key, signer_cert, forged_seal, sm3(signature_xml),
                                "/Doc_0/Signs/Sign_0/Signature.xml", NOW)
    verdict = validate_ofd(_replace(sealed, "Doc_0/Signs/Sign_0/SignedValue.dat", forged),
                           trust_roots_sm2=[pki[0]], now=NOW)
    assert verdict.indication is Indication.FAILED
    checks = {c.check: c for c in verdict.signatures[0].checks}
    assert checks[OfdCheckId.SIGNATURE_VALUE].outcome is CheckOutcome.PASSED
    assert checks[OfdCheckId.SEAL_SIGNATURE].sub_indication is SubIndication.SIG_CRYPTO_FAILURE


def test_a_root_with_the_same_name_but_another_key_is_no_chain(pki) -> None:
    impostor = _cert("Test SM2 Root", Sm2PrivateKey.generate(), None, 1)
    verdict = validate_ofd(_sealed(pki), trust_roots_sm2=[impostor], now=NOW)
    assert verdict.indication is Indication.INDETERMINATE
    assert verdict.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


def test_after_the_certificates_expire_it_is_indeterminate(pki) -> None:
    verdict = validate_ofd(_sealed(pki), trust_roots_sm2=[pki[0]],
                           now=NOW + timedelta(days=400))
    assert verdict.indication is Indication.INDETERMINATE
    assert verdict.sub_indication is SubIndication.OUT_OF_BOUNDS_NO_POE


def test_certificates_of_the_project_sm2_pki_chain() -> None:
    """Certificates made by signing.sm2_x509 (root, CA, seal signer, seal maker) validate
    through an intermediate CA."""
    def name(cn: str) -> x509.Name:
        return x509.Name.build({"common_name": cn})

    start, end = NOW - timedelta(days=10), NOW + timedelta(days=100)
    root_key, ca_key, signer_key, maker_key = (Sm2PrivateKey.generate() for _ in range(4))
    root = build_sm2_certificate(subject=name("Office SM2 Root"),
                                 public_key=root_key.public_key(), issuer_key=root_key,
                                 issuer=None, serial_number=1,
                                 not_before=start, not_after=end, ca=True,
                                 key_usage={"key_cert_sign", "crl_sign"})
    ca = build_sm2_certificate(subject=name("Office SM2 CA"), public_key=ca_key.public_key(),
                               issuer_key=root_key, issuer=root, serial_number=2,
                               not_before=start, not_after=end, ca=True, path_length=0,
                               key_usage={"key_cert_sign", "crl_sign"})
    leaf = {}
    for serial, (role, key) in enumerate((("signer", signer_key), ("maker", maker_key)), 3):
        leaf[role] = build_sm2_certificate(
            subject=name(f"Seal {role}"), public_key=key.public_key(), issuer_key=ca_key,
            issuer=ca, serial_number=serial, not_before=start, not_after=end, ca=False,
            key_usage={"digital_signature", "non_repudiation"})
    seal = make_seal(maker_key, leaf["maker"], [leaf["signer"]],
                     SealPicture("PNG", b"\x89PNG", 40, 40), es_id="ZZ-1", name="专用章",
                     created=start, valid_start=start, valid_end=end)
    sealed = seal_ofd(_unsigned(), seal, signer_key, leaf["signer"], NOW)
    passed = validate_ofd(sealed, trust_roots_sm2=[root], intermediates=[ca], now=NOW)
    assert passed.indication is Indication.PASSED
    no_ca = validate_ofd(sealed, trust_roots_sm2=[root], now=NOW)
    assert no_ca.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


def test_a_certificate_issued_by_a_non_ca_leaf_is_no_chain(pki) -> None:
    """The holder of a genuine seal-signer certificate issues itself a certificate for a new
    key and makes a seal with it: the signer certificate is no CA, so there is no chain."""
    root, (signer_key, signer_cert), _maker, root_key = pki
    rogue_key = Sm2PrivateKey.generate()
    rogue = _cert("Rogue maker", rogue_key, ("Seal signer", signer_key), 77)
    seal = make_seal(rogue_key, rogue, [signer_cert], SealPicture("PNG", b"\x89PNG", 40, 40),
                     es_id="ROGUE", name="伪造章", created=NOW - timedelta(days=1),
                     valid_start=NOW - timedelta(days=1), valid_end=NOW + timedelta(days=9))
    sealed = seal_ofd(_unsigned(), seal, signer_key, signer_cert, NOW)
    verdict = validate_ofd(sealed, trust_roots_sm2=[root], intermediates=[signer_cert], now=NOW)
    assert verdict.indication is Indication.INDETERMINATE
    assert verdict.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND
    assert "seal maker" in verdict.signatures[0].checks[-1].detail
