"""signing.ofd_validate.validate_ofd on bad input: it never raises; a package the reader
refuses, a package without signatures and a malformed SignedValue.dat are INDETERMINATE with the
stable code; damaged seals and signature XML in a real sample never pass and never raise."""

from __future__ import annotations

import io
import json
import random
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from signing.ofd_package import read_ofd, write_ofd
from signing.ofd_validate import MAX_SIGNATURES, OfdCheckId, validate_ofd
from signing.pades_verdict import Indication, SubIndication

DATA = Path(__file__).resolve().parents[2] / "data" / "ofd" / "ofdrw"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
SAMPLE = (DATA / "v4signed.ofd").read_bytes()
VALUE = "Doc_0/Signs/Sign_0/SignedValue.dat"
SIGNATURE = "Doc_0/Signs/Sign_0/Signature.xml"


def _with(name: str, content: bytes | None) -> bytes:
    files = dict(read_ofd(SAMPLE).files)
    if content is None:
        del files[name]
    else:
        files[name] = content
    return write_ofd(files)


def _validate(data: bytes):
    return validate_ofd(data, trust_roots_sm2=[], now=NOW)


def test_not_a_zip_is_indeterminate_with_the_reader_code() -> None:
    verdict = _validate(b"%PDF-1.7 not an ofd")
    assert verdict.indication is Indication.INDETERMINATE
    assert verdict.sub_indication is SubIndication.FORMAT_FAILURE
    assert verdict.checks[0].code == "ofd.not_zip"


def test_package_without_signatures_is_no_signature() -> None:
    files = dict(read_ofd(SAMPLE).files)
    files = {k: v for k, v in files.items() if "/Signs/" not in k}
    files["OFD.xml"] = files["OFD.xml"].replace(
        b"<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>", b"")
    verdict = _validate(write_ofd(files))
    assert verdict.indication is Indication.INDETERMINATE
    assert verdict.sub_indication is SubIndication.NO_SIGNATURE


@pytest.mark.parametrize("content", [b"", b"\x30\x03\x02\x01\x04", b"garbage" * 10,
                                     b"\x30\x84\x7f\xff\xff\xff"])
def test_malformed_signed_value_is_format_failure_with_code(content: bytes) -> None:
    verdict = _validate(_with(VALUE, content))
    assert verdict.indication is Indication.INDETERMINATE
    check = verdict.signatures[0].checks[0]
    assert check.check is OfdCheckId.FORMAT and check.code == "ofd.seal_malformed"
    assert check.detail and check.detail_zh


def test_missing_signed_value_is_format_failure() -> None:
    verdict = _validate(_with(VALUE, None))
    assert verdict.signatures[0].sub_indication is SubIndication.FORMAT_FAILURE


def test_signer_certificate_bytes_replaced_never_raises_or_passes() -> None:
    value = read_ofd(SAMPLE).files[VALUE]
    # The signer's certificate is the OCTET STRING after TBS_Sign; damage bytes inside it.
    rng = random.Random(7)
    for _ in range(40):
        damaged = bytearray(value)
        position = rng.randrange(len(value) - 700, len(value) - 100)
        damaged[position] ^= 0xFF
        verdict = _validate(_with(VALUE, bytes(damaged)))
        assert verdict.indication is not Indication.PASSED


def test_random_damage_to_seal_and_signature_xml_never_raises() -> None:
    rng = random.Random(15)
    originals = read_ofd(SAMPLE).files
    for name in (VALUE, SIGNATURE):
        for _ in range(40):
            damaged = bytearray(originals[name])
            for _ in range(rng.randint(1, 3)):
                damaged[rng.randrange(len(damaged))] ^= 1 << rng.randrange(8)
            verdict = _validate(_with(name, bytes(damaged)))
            assert verdict.indication is not Indication.PASSED


def test_signature_xml_with_an_entity_is_refused_by_the_reader() -> None:
    original = read_ofd(SAMPLE).files[SIGNATURE]
    evil = original.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY e "boom">]>', 1)
    verdict = _validate(_with(SIGNATURE, evil))
    assert verdict.indication is Indication.INDETERMINATE
    codes = [c.code for c in verdict.checks] + [
        c.code for r in verdict.signatures for c in r.checks]
    assert "ofd.xml_forbidden" in codes


def test_a_zip_of_a_zip_is_not_an_ofd() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("inner.ofd", SAMPLE)
    assert _validate(out.getvalue()).sub_indication is SubIndication.FORMAT_FAILURE


def test_verdict_to_dict_is_json_ready() -> None:
    verdict = _validate(_with(VALUE, b"garbage"))
    data = json.loads(json.dumps(verdict.to_dict()))
    assert data["indication"] == "INDETERMINATE"
    assert data["signatures"][0]["checks"][0]["code"] == "ofd.seal_malformed"
    intact = json.loads(json.dumps(_validate(SAMPLE).to_dict()))
    assert intact["signatures"][0]["seal_name"] == "测试全国统一发票监制章国家税务总局重庆市税务局"
    assert intact["signatures"][0]["version"] == 4
    assert intact["signatures"][0]["signing_time"].startswith("2020-10-10T07:11:20")


def _listing(count: int, same_path: bool) -> bytes:
    files = dict(read_ofd(SAMPLE).files)
    entries = []
    for index in range(count):
        sign = 0 if same_path else index
        if not same_path:
            files[f"Doc_0/Signs/Sign_{index}/Signature.xml"] = files[SIGNATURE]
            files[f"Doc_0/Signs/Sign_{index}/SignedValue.dat"] = files[VALUE]
        entries.append(f'<ofd:Signature ID="{index + 1}" '
                       f'BaseLoc="/Doc_0/Signs/Sign_{sign}/Signature.xml"/>')
    files["Doc_0/Signs/Signatures.xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?><ofd:Signatures '
        'xmlns:ofd="http://www.ofdspec.org/2016">' + "".join(entries)
        + "</ofd:Signatures>").encode()
    return write_ofd(files)


def test_more_than_the_maximum_of_signatures_is_refused() -> None:
    verdict = _validate(_listing(MAX_SIGNATURES + 1, same_path=False))
    assert verdict.sub_indication is SubIndication.FORMAT_FAILURE
    assert verdict.checks[0].code == "ofd.too_large"


def test_one_signature_listed_many_times_is_validated_once() -> None:
    verdict = _validate(_listing(200, same_path=True))
    assert len(verdict.signatures) == 1
    assert verdict.indication is Indication.INDETERMINATE  # only trust is unknown
