"""COSE_Sign1 ES256: the layout we write, strict reading, and the algorithm allow-list.

Messages with a wrong algorithm are built here with cbor2 and cryptography directly, signed with
a genuine key, so only the header makes them unacceptable.
"""

from __future__ import annotations

from datetime import UTC, datetime

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from tokens_support import KID, certificate, new_key

from signing.cose import P256_ORDER, SignatureCheck, check_signature, decode_sign1, sign1
from signing.errors import TokenMalformedError, TokenNonCanonicalError

KEY = new_key()
TRUSTED = {KID: [KEY.public_key()]}
PAYLOAD = cbor2.dumps({1: "issuer"})


def hand_made(protected: dict, unprotected: dict | None = None, key=KEY, tag: int = 18) -> bytes:
    """A COSE_Sign1 built without signing.cose, signed ES256 over the RFC 9052 Sig_structure
    (deterministic CBOR, low-S: the layout a verifier accepts)."""
    protected_bytes = cbor2.dumps(protected, canonical=True)
    to_sign = cbor2.dumps(["Signature1", protected_bytes, b"", PAYLOAD])
    r, s = decode_dss_signature(key.sign(to_sign, ec.ECDSA(hashes.SHA256())))
    s = min(s, P256_ORDER - s)
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    body = [protected_bytes, unprotected or {}, PAYLOAD, signature]
    return cbor2.dumps(cbor2.CBORTag(tag, body))


def test_layout_matches_rfc_9052() -> None:
    message = cbor2.loads(sign1(PAYLOAD, KEY, KID))
    assert isinstance(message, cbor2.CBORTag) and message.tag == 18
    protected, unprotected, payload, signature = message.value
    assert cbor2.loads(protected) == {1: -7, 4: KID}
    assert unprotected == {} and payload == PAYLOAD
    assert len(signature) == 64  # raw r || s, not DER (which starts with 0x30)
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    KEY.public_key().verify(
        encode_dss_signature(r, s),
        cbor2.dumps(["Signature1", protected, b"", PAYLOAD]),
        ec.ECDSA(hashes.SHA256()),
    )


def test_signing_is_deterministic() -> None:
    assert sign1(PAYLOAD, KEY, KID) == sign1(PAYLOAD, KEY, KID)


def test_hand_made_es256_verifies() -> None:
    # The control for the negative tests below: the same builder with alg -7 is accepted.
    result = check_signature(decode_sign1(hand_made({1: -7, 4: KID})), TRUSTED)
    assert result.check is SignatureCheck.VALID
    assert [key.public_numbers() for key in result.signers] == [KEY.public_key().public_numbers()]


@pytest.mark.parametrize("unprotected", [{4: KID}, {1: -7}, {3: "application/cwt"}])
def test_an_unprotected_header_is_refused(unprotected: dict) -> None:
    # The kid (or anything else) outside the signature: we never write one, and anyone can add
    # one to a genuine token without the key.
    protected = {4: KID} if 4 not in unprotected else {1: -7}
    with pytest.raises(TokenNonCanonicalError):
        decode_sign1(hand_made(protected, unprotected))


@pytest.mark.parametrize("protected", [{1: -7}, {1: -7, 3: 61, 4: KID}, {}])
def test_a_protected_header_other_than_alg_and_kid_is_refused(protected: dict) -> None:
    with pytest.raises(TokenNonCanonicalError):
        decode_sign1(hand_made(protected))


def test_every_signature_we_make_is_low_s() -> None:
    for payload in (cbor2.dumps({1: str(n)}) for n in range(64)):
        s = int.from_bytes(cbor2.loads(sign1(payload, KEY, KID)).value[3][32:], "big")
        assert 0 < s <= P256_ORDER // 2
    # And from a signer that hands back DER (an HSM), whose s is high half the time.
    for payload in (cbor2.dumps({1: str(n)}) for n in range(16)):
        message = decode_sign1(sign1(payload, DerOnlySigner(KEY), KID))
        assert check_signature(message, TRUSTED).check is SignatureCheck.VALID


@pytest.mark.parametrize(
    ("protected", "unprotected"),
    [
        ({1: -35, 4: KID}, None),  # ES384 label on an ES256 signature
        ({1: -8, 4: KID}, None),  # EdDSA
        ({1: "ES256", 4: KID}, None),  # text instead of the registered integer
        ({1: -7.0, 4: KID}, None),  # a float that compares equal to -7
        ({4: KID}, None),  # no algorithm at all
    ],
)
def test_algorithms_outside_the_allow_list(protected: dict, unprotected: dict | None) -> None:
    message = decode_sign1(hand_made(protected, unprotected))
    assert check_signature(message, TRUSTED).check is SignatureCheck.UNSUPPORTED_ALGORITHM


def test_a_p384_key_is_not_es256() -> None:
    p384 = ec.generate_private_key(ec.SECP384R1())
    with pytest.raises(TypeError):
        sign1(PAYLOAD, p384, KID)
    message = decode_sign1(hand_made({1: -7, 4: KID}))
    trusted = {KID: [p384.public_key()]}
    assert check_signature(message, trusted).check is SignatureCheck.BAD_SIGNATURE


def test_every_key_under_a_kid_is_tried() -> None:
    other = new_key()
    message = decode_sign1(sign1(PAYLOAD, KEY, KID))
    result = check_signature(message, {KID: [other.public_key(), KEY.public_key()]})
    assert result.check is SignatureCheck.VALID and len(result.signers) == 1
    assert check_signature(message, {KID: [other.public_key()]}).check is (
        SignatureCheck.BAD_SIGNATURE
    )
    assert check_signature(message, {b"another": [KEY.public_key()]}).check is (
        SignatureCheck.UNKNOWN_KID
    )


@pytest.mark.parametrize(
    "data",
    [
        b"",
        cbor2.dumps([b"", {}, b"", b""]),  # untagged
        cbor2.dumps(cbor2.CBORTag(98, [b"", {}, b"", b""])),  # COSE_Sign, not Sign1
        cbor2.dumps(cbor2.CBORTag(18, [b"", {}, b""])),
        cbor2.dumps(cbor2.CBORTag(18, [b"", {}, None, b"x" * 64])),  # detached payload
        cbor2.dumps(cbor2.CBORTag(18, [b"", [], b"", b""])),
        cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps([1]), {}, b"", b""])),
        cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps({1: -7}), {1: -7}, b"", b""])),
        cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps({1: -7, 2: [4]}), {}, b"", b""])),
        cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps({1: -7, 4: "kid"}), {}, b"", b""])),
        b"\xff\x00",
    ],
)
def test_malformed_messages_are_rejected(data: bytes) -> None:
    with pytest.raises(TokenMalformedError):
        decode_sign1(data)


def test_trailing_bytes_are_rejected() -> None:
    good = sign1(PAYLOAD, KEY, KID)
    decode_sign1(good)
    with pytest.raises(TokenMalformedError):
        decode_sign1(good + b"\x00")


def test_cwt_tag_around_the_message_is_refused() -> None:
    inner = cbor2.loads(sign1(PAYLOAD, KEY, KID))
    with pytest.raises(TokenNonCanonicalError):
        decode_sign1(cbor2.dumps(cbor2.CBORTag(61, inner)))


class DerOnlySigner:
    """A stand-in for an HSM: it only offers sign(data) -> DER, never the key."""

    def __init__(self, key: ec.EllipticCurvePrivateKey) -> None:
        self._key = key

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data, ec.ECDSA(hashes.SHA256()))


def test_a_der_signer_can_sign() -> None:
    message = decode_sign1(sign1(PAYLOAD, DerOnlySigner(KEY), KID))
    assert len(message.signature) == 64
    assert check_signature(message, TRUSTED).check is SignatureCheck.VALID


def test_a_der_signer_with_another_curve_is_caught() -> None:
    p384 = DerOnlySigner(ec.generate_private_key(ec.SECP384R1()))
    # P-384's r and s are 384-bit numbers: both fit in 32 bytes with probability 2**-256.
    with pytest.raises(ValueError):
        sign1(PAYLOAD, p384, KID)


def test_the_key_store_file_signer_can_sign() -> None:
    from signing.signer import FileSigner

    cert = certificate(KEY, datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
    message = decode_sign1(sign1(PAYLOAD, FileSigner(KEY, cert, [cert]), KID))
    assert check_signature(message, {KID: [cert]}).check is SignatureCheck.VALID


@pytest.mark.parametrize("bad", [object(), b"key", None])
def test_something_that_cannot_sign(bad: object) -> None:
    with pytest.raises(TypeError):
        sign1(PAYLOAD, bad, KID)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "data",
    [
        b"\x5b" + (2**62).to_bytes(8, "big") + b"x",  # a byte string claiming 4 EiB
        b"\x9b" + (2**62).to_bytes(8, "big"),  # an array claiming 2**62 items
        b"\xbb" + (2**62).to_bytes(8, "big"),  # a map claiming 2**62 pairs
        b"\x81" * 100_000 + b"\x00",  # nesting 100,000 deep
        b"\x7b" + (2**40).to_bytes(8, "big") + b"a",
    ],
)
def test_hostile_cbor_is_malformed_quickly(data: bytes) -> None:
    with pytest.raises(TokenMalformedError):
        decode_sign1(data)
