"""Interop with ofdrw (Java): its sealed OFD samples (tests/data/ofd/ofdrw, see SOURCES.md)
through :func:`signing.ofd_validate.validate_ofd`: intact ones are never FAILED, ofdrw's own
test PKI gives PASSED when its root is trusted, and each kind of tampering is FAILED."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from asn1crypto import pem, x509

from signing.ofd_validate import OfdCheckId, validate_ofd
from signing.pades_verdict import CheckOutcome, Indication, SubIndication

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
