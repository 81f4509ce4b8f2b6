"""signing.ses decoding: every SES structure in ofdrw's samples parses into typed values whose
signed bytes verify; malformed DER (truncated, wrong tags, huge lengths, deep nesting, random
damage) is always OfdFormatError ofd.seal_malformed, never another exception."""

from __future__ import annotations

import random
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from asn1crypto import x509

from core import ErrorCode
from signing.errors import OfdFormatError
from signing.ses import Seal, SesSignature, SesVersion, parse_seal, parse_ses_signature
from signing.sm2 import Sm2PublicKey, sm2_verify

DATA = Path(__file__).resolve().parents[2] / "data" / "ofd" / "ofdrw"


def _signed_values() -> list[tuple[str, bytes]]:
    found = []
    for path in sorted(DATA.glob("*.ofd")):
        archive = zipfile.ZipFile(path)
        found += [(f"{path.name}:{n}", archive.read(n)) for n in archive.namelist()
                  if n.endswith("SignedValue.dat")]
    return found


SIGNED_VALUES = _signed_values()


def _key(cert_der: bytes) -> Sm2PublicKey:
    return Sm2PublicKey.from_der(x509.Certificate.load(cert_der).public_key.dump())


def test_the_sample_set_has_v4_and_v1_signatures() -> None:
    versions = {parse_ses_signature(d).version for _n, d in SIGNED_VALUES}
    assert versions == {SesVersion.V1, SesVersion.V4}
    assert len(SIGNED_VALUES) == 6


@pytest.mark.parametrize(("name", "data"), SIGNED_VALUES, ids=[n for n, _ in SIGNED_VALUES])
def test_every_sample_signature_parses_with_typed_fields(name: str, data: bytes) -> None:
    parsed = parse_ses_signature(data)
    assert isinstance(parsed, SesSignature) and isinstance(parsed.seal, Seal)
    assert parsed.der == data
    assert isinstance(parsed.time_info, datetime) and parsed.time_info.tzinfo is not None
    assert len(parsed.data_hash) == 32
    assert parsed.property_info.endswith("Signature.xml")
    assert parsed.signature_algorithm == "1.2.156.10197.1.501"
    seal = parsed.seal
    assert seal.valid_start < seal.valid_end
    assert seal.picture.data and seal.picture.width > 0
    x509.Certificate.load(parsed.signer_cert).subject  # noqa: B018 - a readable certificate
    # The seal maker's signature verifies over the bytes the parser says were signed.
    assert sm2_verify(_key(seal.maker_cert), seal.signed_bytes, seal.signature)


def test_v4_signature_value_verifies_over_tbs_bytes() -> None:
    for _name, data in SIGNED_VALUES:
        parsed = parse_ses_signature(data)
        if parsed.version is SesVersion.V4:
            assert sm2_verify(_key(parsed.signer_cert), parsed.tbs_bytes, parsed.signature)


@pytest.mark.parametrize(("name", "version"), [("UserV1.esl", SesVersion.V1),
                                               ("UserV4.esl", SesVersion.V4)])
def test_seal_files_parse(name: str, version: SesVersion) -> None:
    seal = parse_seal((DATA / name).read_bytes())
    assert seal.version is version
    assert seal.signer_certs  # ofdrw's test seals name their signer's certificate
    assert sm2_verify(_key(seal.maker_cert), seal.signed_bytes, seal.signature)


def _assert_malformed(data: bytes) -> None:
    for parse in (parse_ses_signature, parse_seal):
        with pytest.raises(OfdFormatError) as caught:
            parse(data)
        assert caught.value.code is ErrorCode.OFD_SEAL_MALFORMED
        assert caught.value.message_zh and caught.value.message_en


SAMPLE = SIGNED_VALUES[0][1]


@pytest.mark.parametrize("data", [
    b"", b"\x30", b"\x30\x00", b"\x04\x03abc", SAMPLE[:-1], SAMPLE[: len(SAMPLE) // 2],
    SAMPLE + b"\x00", b"\x31" + SAMPLE[1:],
    b"\x30\x84\x7f\xff\xff\xff" + b"\x00" * 16,  # a 2 GB length over 16 bytes
    b"\x30\x89" + b"\xff" * 9,  # a length of 9 bytes
    b"\x30\x80\x00\x00",  # indefinite length (BER)
    b"\x30\x81\x05\x02\x01\x04\x30\x00",  # non-minimal length
    b"\x30\x03\x02\x01\x07",  # version 7
], ids=lambda d: d[:6].hex() or "empty")
def test_malformed_input_is_a_stable_error(data: bytes) -> None:
    _assert_malformed(data)


def test_deep_nesting_is_a_stable_error() -> None:
    data = b""
    for _ in range(5000):
        length = len(data)
        header = bytes([length]) if length < 128 else (
            b"\x84" + length.to_bytes(4, "big"))
        data = b"\x30" + header + data
    _assert_malformed(data)


def test_random_damage_never_raises_anything_else() -> None:
    rng = random.Random(15)
    for _name, data in SIGNED_VALUES:
        for _ in range(60):
            damaged = bytearray(data)
            for _ in range(rng.randint(1, 4)):
                damaged[rng.randrange(min(len(damaged), 400))] ^= 1 << rng.randrange(8)
            try:
                parse_ses_signature(bytes(damaged))
            except OfdFormatError as exc:
                assert exc.code is ErrorCode.OFD_SEAL_MALFORMED
