"""The test vector published in docs/tokens.md verifies, decodes to the documented claims, and is
what our encoder makes from the documented key, so the specification cannot drift from the code."""

from __future__ import annotations

import hashlib
import re
import zlib
from datetime import UTC, datetime
from pathlib import Path

import cbor2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from tokens_support import KID, claims

from signing.base45 import b45decode
from signing.tokens import TokenCode, encode_token, verify_token

DOC = (Path(__file__).resolve().parents[3] / "docs" / "tokens.md").read_text("utf-8")


def documented_token() -> str:
    match = re.search(r"<!-- test-vector-token -->\n```\n(ZZ1:[^\n]+)\n```", DOC)
    assert match, "the test vector block is missing from docs/tokens.md"
    return match.group(1)


def documented_public_key() -> ec.EllipticCurvePublicKey:
    match = re.search(r"-----BEGIN PUBLIC KEY-----\n.+?\n-----END PUBLIC KEY-----", DOC, re.S)
    assert match
    key = serialization.load_pem_public_key(match.group(0).encode())
    assert isinstance(key, ec.EllipticCurvePublicKey)
    return key


def documented_private_key() -> ec.EllipticCurvePrivateKey:
    scalar = int.from_bytes(hashlib.sha256(b"zhengzhao token test vector").digest(), "big")
    return ec.derive_private_key(scalar, ec.SECP256R1())


def test_the_documented_token_verifies_with_the_documented_key() -> None:
    token = documented_token()
    assert len(token) == 478
    trusted = {KID: [documented_public_key()]}
    inside = verify_token(token, trusted, datetime(2027, 6, 1, tzinfo=UTC))
    assert inside.code is TokenCode.VALID
    assert inside.claims == claims()
    after = verify_token(token, trusted, datetime(2031, 3, 1, tzinfo=UTC))
    assert after.code is TokenCode.EXPIRED


def test_the_documented_key_is_the_one_described() -> None:
    public = documented_private_key().public_key()
    assert public.public_numbers() == documented_public_key().public_numbers()


def test_the_documented_bytes() -> None:
    compressed = b45decode(documented_token()[4:])
    assert len(compressed) == 316 and compressed[:2] == b"\x78\xda"
    cose = zlib.decompress(compressed)
    assert len(cose) == 346
    assert cose.startswith(bytes.fromhex("d2844da2012604480102030405060708a0590104a5"))
    assert cbor2.loads(cose).value[2][-5:] == bytes.fromhex("1a000181cd")


def test_our_encoder_makes_the_documented_cose_bytes() -> None:
    # ECDSA signing is deterministic (RFC 6979) and CBOR canonical, so the COSE bytes are fixed;
    # the zlib stream could differ with another zlib build, so compare inflated bytes.
    ours = encode_token(claims(), documented_private_key(), KID)
    assert zlib.decompress(b45decode(ours[4:])) == zlib.decompress(
        b45decode(documented_token()[4:])
    )
