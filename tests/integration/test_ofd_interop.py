"""Interop with ofdrw (Java): its sealed OFD samples (tests/data/ofd/ofdrw, see SOURCES.md)
through :func:`signing.ofd_validate.validate_ofd`: intact ones are never FAILED, ofdrw's own
test PKI gives PASSED when its root is trusted, and each kind of tampering is FAILED."""

from __future__ import annotations

import hashlib
import io
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import pem, x509

from signing.ofd_package import write_ofd
from signing.ofd_seal import seal_ofd
from signing.ofd_validate import OfdCheckId, validate_ofd
from signing.pades_verdict import CheckOutcome, Indication, SubIndication
from signing.ses import SealPicture, make_seal, parse_ses_signature
from signing.sm2 import Sm2PrivateKey
from signing.sm2_x509 import build_sm2_certificate

pytestmark = pytest.mark.integration

DATA = Path(__file__).resolve().parents[1] / "data" / "ofd" / "ofdrw"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
INTACT_V4 = ["SESV4SignDoc.ofd", "SignScaleError.ofd", "allprotected.ofd", "signedFile.ofd",
             "v4signed.ofd"]


def _root() -> x509.Certificate:
    return x509.Certificate.load(pem.unarmor((DATA / "ofdrw_root.pem").read_bytes())[2])


def _edit(data: bytes, name: str, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, change(content) if info.filename == name else content)
    return out.getvalue()


def _check(verdict, check_id):
    return next(c for c in verdict.signatures[0].checks if c.check is check_id)


@pytest.mark.parametrize("name", INTACT_V4)
def test_intact_v4_samples_are_not_failed_and_only_trust_is_unknown(name: str) -> None:
    verdict = validate_ofd((DATA / name).read_bytes(), trust_roots_sm2=[], now=NOW)
    assert verdict.indication is Indication.INDETERMINATE
    for check_id in (OfdCheckId.REFERENCES, OfdCheckId.COVERAGE, OfdCheckId.SEAL_SIGNATURE,
                     OfdCheckId.SEAL_BINDING, OfdCheckId.SIGNATURE_VALUE):
        assert _check(verdict, check_id).outcome is CheckOutcome.PASSED, check_id
    chain = _check(verdict, OfdCheckId.CERTIFICATE_CHAIN)
    assert chain.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


def test_ofdrw_test_pki_sample_passes_with_its_root_trusted_at_a_time_inside_validity() -> None:
    data = (DATA / "allprotected.ofd").read_bytes()
    verdict = validate_ofd(data, trust_roots_sm2=[_root()], now=datetime(2021, 1, 1, tzinfo=UTC))
    assert verdict.indication is Indication.PASSED
    assert verdict.signatures[0].seal_name == "OFD R&W 测试用印章"
    # The same file today: its certificates expired in 2022 and nothing proves the time.
    later = validate_ofd(data, trust_roots_sm2=[_root()], now=NOW)
    assert later.indication is Indication.INDETERMINATE
    assert later.sub_indication is SubIndication.OUT_OF_BOUNDS_NO_POE


def test_sample_signed_after_its_seal_expired_is_indeterminate() -> None:
    verdict = validate_ofd((DATA / "SESV4SignDoc.ofd").read_bytes(), trust_roots_sm2=[_root()],
                           now=NOW)
    assert verdict.indication is Indication.INDETERMINATE
    assert _check(verdict, OfdCheckId.SEAL_VALIDITY).sub_indication is SubIndication.EXPIRED


def test_v1_sample_re_saved_after_signing_is_failed() -> None:
    """n.ofd's files no longer match its (SM3-with-Z) CheckValues, though its seal file does."""
    verdict = validate_ofd((DATA / "n.ofd").read_bytes(), trust_roots_sm2=[], now=NOW)
    assert verdict.indication is Indication.FAILED
    assert verdict.signatures[0].version == 1
    assert _check(verdict, OfdCheckId.REFERENCES).sub_indication is SubIndication.HASH_FAILURE
    assert _check(verdict, OfdCheckId.SEAL_SIGNATURE).outcome is CheckOutcome.PASSED


@pytest.mark.parametrize("name", INTACT_V4)
def test_one_edited_content_file_is_failed(name: str) -> None:
    data = (DATA / name).read_bytes()
    edited = _edit(data, "Doc_0/Pages/Page_0/Content.xml", lambda b: b.replace(b">", b"> ", 1))
    verdict = validate_ofd(edited, trust_roots_sm2=[_root()], now=NOW)
    assert verdict.indication is Indication.FAILED
    assert _check(verdict, OfdCheckId.REFERENCES).sub_indication is SubIndication.HASH_FAILURE


def test_edited_signature_xml_is_failed() -> None:
    data = (DATA / "v4signed.ofd").read_bytes()
    edited = _edit(data, "Doc_0/Signs/Sign_0/Signature.xml",
                   lambda b: b.replace(b"Boundary=\"90.00", b"Boundary=\"10.00"))
    verdict = validate_ofd(edited, trust_roots_sm2=[], now=NOW)
    assert verdict.indication is Indication.FAILED
    assert _check(verdict, OfdCheckId.SIGNATURE_VALUE).sub_indication is SubIndication.HASH_FAILURE


def test_signed_value_swapped_between_samples_is_failed() -> None:
    other = zipfile.ZipFile(DATA / "signedFile.ofd").read("Doc_0/Signs/Sign_0/SignedValue.dat")
    data = (DATA / "v4signed.ofd").read_bytes()
    swapped = _edit(data, "Doc_0/Signs/Sign_0/SignedValue.dat", lambda _b: other)
    verdict = validate_ofd(swapped, trust_roots_sm2=[], now=NOW)
    assert verdict.indication is Indication.FAILED


def test_added_file_the_signature_does_not_cover_is_failed() -> None:
    data = (DATA / "v4signed.ofd").read_bytes()
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr("Doc_0/Res/extra.png", b"\x89PNG not covered")
    verdict = validate_ofd(out.getvalue(), trust_roots_sm2=[], now=NOW)
    assert verdict.indication is Indication.FAILED
    assert _check(verdict, OfdCheckId.COVERAGE).outcome is CheckOutcome.FAILED


def _openssl_verifies(tmp_path: Path, cert_der: bytes, message: bytes, signature: bytes) -> bool:
    """SM3withSM2 (default ID) verification by the openssl 3 CLI, an independent SM2."""
    public = x509.Certificate.load(cert_der).public_key.dump()
    (tmp_path / "pub.der").write_bytes(public)
    (tmp_path / "msg.bin").write_bytes(message)
    (tmp_path / "sig.bin").write_bytes(signature)
    subprocess.run(["openssl", "pkey", "-pubin", "-inform", "DER", "-in", str(tmp_path / "pub.der"),
                    "-out", str(tmp_path / "pub.pem")], check=True, capture_output=True,
                   timeout=30)
    proc = subprocess.run(
        ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / "pub.pem"),
         "-rawin", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678",
         "-in", str(tmp_path / "msg.bin"), "-sigfile", str(tmp_path / "sig.bin")],
        capture_output=True, timeout=30)
    return proc.returncode == 0 and b"Verified Successfully" in proc.stdout


def test_our_seal_and_signature_verify_with_openssl(tmp_path: Path) -> None:
    """A package sealed here: openssl verifies the maker's signature over SES_SealInfo and the
    signer's over TBS_Sign, and the dataHash is SM3 of Signature.xml as ofdrw computes it."""
    def name(cn: str) -> x509.Name:
        return x509.Name.build({"common_name": cn})

    start, end = NOW - timedelta(days=1), NOW + timedelta(days=30)
    root_key, signer_key, maker_key = (Sm2PrivateKey.generate() for _ in range(3))
    root = build_sm2_certificate(subject=name("Root"), public_key=root_key.public_key(),
                                 issuer_key=root_key, issuer=None, serial_number=1,
                                 not_before=start, not_after=end, ca=True,
                                 key_usage={"key_cert_sign"})
    certs = {role: build_sm2_certificate(
        subject=name(role), public_key=key.public_key(), issuer_key=root_key, issuer=root,
        serial_number=serial, not_before=start, not_after=end, ca=False,
        key_usage={"digital_signature"})
        for serial, (role, key) in enumerate((("signer", signer_key), ("maker", maker_key)), 2)}
    seal = make_seal(maker_key, certs["maker"], [certs["signer"]],
                     SealPicture("PNG", b"\x89PNG", 30, 30), es_id="ZZ-OSSL", name="章",
                     created=start, valid_start=start, valid_end=end)
    sample = zipfile.ZipFile(DATA / "v4signed.ofd")
    files = {n: sample.read(n) for n in sample.namelist() if "/Signs/" not in n}
    files["OFD.xml"] = files["OFD.xml"].replace(
        b"<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>", b"")
    sealed = seal_ofd(write_ofd(files), seal, signer_key, certs["signer"], NOW)
    archive = zipfile.ZipFile(io.BytesIO(sealed))
    value = parse_ses_signature(archive.read("Doc_0/Signs/Sign_0/SignedValue.dat"))
    signature_xml = archive.read("Doc_0/Signs/Sign_0/Signature.xml")
    assert value.data_hash == hashlib.new("sm3", signature_xml).digest()
    assert _openssl_verifies(tmp_path, value.seal.maker_cert, value.seal.signed_bytes,
                             value.seal.signature)
    assert _openssl_verifies(tmp_path, value.signer_cert, value.tbs_bytes, value.signature)
    assert not _openssl_verifies(tmp_path, value.signer_cert, value.tbs_bytes + b"x",
                                 value.signature)
    assert validate_ofd(sealed, trust_roots_sm2=[root], now=NOW).indication is Indication.PASSED
