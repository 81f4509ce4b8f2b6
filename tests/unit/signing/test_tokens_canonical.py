"""Tokens are not malleable (issue 11, finding 8): a genuine token re-encoded by someone without
the key — the signature's high-S twin, the CWT tag 61 around it, an unprotected header, another
CBOR encoding of the same items — verified as ``token.valid`` before; each is now
``token.non_canonical``, and the genuine token still verifies. Every attack starts from a token
made by :func:`encode_token`, the function the licence issuer calls."""

from __future__ import annotations

import zlib

import cbor2
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from tokens_support import KID, certificate, claims, during_validity, new_key, wrap

from signing.base45 import b45decode
from signing.cose import P256_ORDER, Sign1Message, sign1, verify_signature
from signing.tokens import TokenCode, encode_token, verify_token

KEY = new_key()
CERT = certificate(KEY, claims().issued_at.replace(year=2025), claims().expires)
TRUSTED = {KID: [CERT]}
NOW = during_validity()


def issued() -> tuple[str, bytes]:
    """A genuine token and its COSE bytes."""
    token = encode_token(claims(), KEY, KID)
    return token, zlib.decompress(b45decode(token[4:]))


def parts(cose: bytes) -> list:
    message = cbor2.loads(cose)
    assert message.tag == 18
    return list(message.value)


def head(major: int, length: int, width: int) -> bytes:
    """A CBOR head with ``length`` written in ``width`` extra bytes (0: in the first byte)."""
    if width == 0:
        return bytes([major << 5 | length])
    code = {1: 24, 2: 25, 4: 26, 8: 27}[width]
    return bytes([major << 5 | code]) + length.to_bytes(width, "big")


def verdict(cose: bytes) -> TokenCode:
    return verify_token(wrap(cose), TRUSTED, NOW).code


def test_the_genuine_token_verifies() -> None:
    token, cose = issued()
    assert verify_token(token, TRUSTED, NOW).code is TokenCode.VALID
    assert verdict(cose) is TokenCode.VALID  # the test's own re-wrapping changes nothing
    s = int.from_bytes(parts(cose)[3][32:], "big")
    assert s <= P256_ORDER // 2


def test_attack_a_high_s_twin_is_refused() -> None:
    _token, cose = issued()
    protected, unprotected, payload, signature = parts(cose)
    s = int.from_bytes(signature[32:], "big")
    twin = signature[:32] + (P256_ORDER - s).to_bytes(32, "big")
    attacked = cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, payload, twin]))
    assert attacked != cose
    assert verdict(attacked) is TokenCode.NON_CANONICAL
    # The signature check itself refuses the twin too, not only the decoder.
    message = Sign1Message(protected, cbor2.loads(protected), {}, payload, twin)
    with pytest.raises(InvalidSignature):
        verify_signature(message, CERT)


def test_attack_b_the_cwt_tag_61_around_it_is_refused() -> None:
    _token, cose = issued()
    attacked = cbor2.dumps(cbor2.CBORTag(61, cbor2.loads(cose)))
    assert verdict(attacked) is TokenCode.NON_CANONICAL


@pytest.mark.parametrize("unprotected", [{3: "application/cwt"}, {33: b"a certificate"},
                                         {-70000: b"x"}])
def test_attack_c_an_unprotected_header_is_refused(unprotected: dict) -> None:
    _token, cose = issued()
    protected, _empty, payload, signature = parts(cose)
    attacked = cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, payload, signature]))
    assert verdict(attacked) is TokenCode.NON_CANONICAL


def _reencodings(cose: bytes) -> dict[str, bytes]:
    protected, _unprotected, payload, signature = parts(cose)

    def bstr(data: bytes, width: int) -> bytes:
        return head(2, len(data), width) + data

    body = bstr(protected, 0) + b"\xa0" + bstr(payload, 2) + bstr(signature, 1)
    return {
        "the genuine bytes, rebuilt by hand": b"\xd2\x84" + body,
        "an indefinite-length array": b"\xd2\x9f" + body + b"\xff",
        "an indefinite-length empty map": b"\xd2\x84" + bstr(protected, 0) + b"\xbf\xff"
        + bstr(payload, 2) + bstr(signature, 1),
        "the tag in two bytes": b"\xd8\x12\x84" + body,
        "a one-byte array length in two bytes": b"\xd2\x98\x04" + body,
        "the protected header's length in a longer head": b"\xd2\x84" + bstr(protected, 1)
        + b"\xa0" + bstr(payload, 2) + bstr(signature, 1),
        "the payload's length in four bytes": b"\xd2\x84" + bstr(protected, 0) + b"\xa0"
        + bstr(payload, 4) + bstr(signature, 1),
        "the payload as a chunked byte string": b"\xd2\x84" + bstr(protected, 0) + b"\xa0"
        + b"\x5f" + bstr(payload[:10], 0) + bstr(payload[10:], 2) + b"\xff"
        + bstr(signature, 1),
    }


def test_attack_d_other_encodings_of_the_same_items_are_refused() -> None:
    _token, cose = issued()
    encodings = _reencodings(cose)
    assert encodings.pop("the genuine bytes, rebuilt by hand") == cose
    for name, attacked in encodings.items():
        # Every one decodes to the very same four items: only the encoding differs.
        assert parts(attacked) == parts(cose), name
        assert verdict(attacked) is TokenCode.NON_CANONICAL, name


def test_a_signed_but_non_canonical_layout_is_refused() -> None:
    # Someone holding the key (a misbehaving issuer) cannot use other layouts either: a protected
    # header or a payload whose map is out of order or indefinite-length.
    payload = cbor2.dumps(claims().to_cwt(), canonical=True)
    reversed_header = cbor2.dumps({4: KID, 1: -7})
    der = KEY.sign(cbor2.dumps(["Signature1", reversed_header, b"", payload]),
                   ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    signature = r.to_bytes(32, "big") + min(s, P256_ORDER - s).to_bytes(32, "big")
    assert verdict(cbor2.dumps(cbor2.CBORTag(18, [reversed_header, {}, payload, signature]))) is (
        TokenCode.NON_CANONICAL)

    claim_map = claims().to_cwt()
    out_of_order = dict(reversed(list(claim_map.items())))
    assert cbor2.dumps(out_of_order) != payload
    assert verdict(sign1(cbor2.dumps(out_of_order), KEY, KID)) is TokenCode.NON_CANONICAL
    indefinite = b"\xbf" + b"".join(cbor2.dumps(k) + cbor2.dumps(v)
                                    for k, v in sorted(claim_map.items(),
                                                       key=lambda kv: cbor2.dumps(kv[0]))) + b"\xff"
    assert cbor2.loads(indefinite) == claim_map
    assert verdict(sign1(indefinite, KEY, KID)) is TokenCode.NON_CANONICAL
    assert verdict(sign1(payload, KEY, KID)) is TokenCode.VALID


def test_the_refusal_says_why_in_both_languages() -> None:
    _token, cose = issued()
    result = verify_token(wrap(cbor2.dumps(cbor2.CBORTag(61, cbor2.loads(cose)))), TRUSTED, NOW)
    assert result.code is TokenCode.NON_CANONICAL and not result.valid and result.claims is None
    assert "encoded" in result.message_en and "规范编码" in result.message_zh
    assert result.to_dict()["code"] == "token.non_canonical"
