"""verify_token: one stable code per failure, never an exception for a bad token."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tokens_support import (
    EXPIRES,
    ISSUED_AT,
    KID,
    certificate,
    claims,
    during_validity,
    new_key,
    wrap,
)

from signing.base45 import BASE45_ALPHABET, b45decode, b45encode
from signing.token_claims import LICENCE_CLAIM_KEY, LicenceField
from signing.tokens import TokenCode, decode_token, encode_token, verify_token

KEY = new_key()
TRUSTED = {KID: [KEY.public_key()]}
TOKEN = encode_token(claims(), KEY, KID)
NOW = during_validity()


def cose_of(token: str) -> bytes:
    return zlib.decompress(b45decode(token.removeprefix("ZZ1:")))


def test_a_good_token_is_valid_and_gives_back_its_claims() -> None:
    verdict = verify_token(TOKEN, TRUSTED, NOW)
    assert verdict.valid and verdict.code is TokenCode.VALID
    assert verdict.kid == KID
    assert verdict.claims == claims()
    assert verdict.signer is TRUSTED[KID][0]


def test_token_text_uses_only_qr_alphanumeric_characters() -> None:
    assert TOKEN.startswith("ZZ1:")
    assert set(TOKEN[4:]) <= set(BASE45_ALPHABET)


def test_unknown_kid() -> None:
    verdict = verify_token(TOKEN, {b"\x00" * 8: [KEY.public_key()]}, NOW)
    assert verdict.code is TokenCode.UNKNOWN_KID and verdict.claims is None


def test_another_key_under_the_same_kid_is_a_bad_signature() -> None:
    verdict = verify_token(TOKEN, {KID: [new_key().public_key()]}, NOW)
    assert verdict.code is TokenCode.BAD_SIGNATURE and verdict.claims is None


def test_every_key_with_the_kid_is_tried() -> None:
    trusted = {KID: [new_key().public_key(), new_key().public_key(), KEY.public_key()]}
    assert verify_token(TOKEN, trusted, NOW).valid


def test_expired_at_exp_and_valid_just_before() -> None:
    assert verify_token(TOKEN, TRUSTED, EXPIRES - timedelta(seconds=1)).valid
    verdict = verify_token(TOKEN, TRUSTED, EXPIRES)
    assert verdict.code is TokenCode.EXPIRED
    assert verdict.claims == claims()  # signed, so the verifier can say what expired
    later = verify_token(TOKEN, TRUSTED, EXPIRES + timedelta(days=400))
    assert later.code is TokenCode.EXPIRED
    assert verify_token(TOKEN, TRUSTED, EXPIRES, leeway=timedelta(seconds=5)).valid


def test_not_yet_valid_before_nbf() -> None:
    early = ISSUED_AT - timedelta(seconds=1)
    assert verify_token(TOKEN, TRUSTED, early).code is TokenCode.NOT_YET_VALID
    assert verify_token(TOKEN, TRUSTED, early, leeway=timedelta(seconds=1)).valid


def test_a_token_without_exp_and_nbf_does_not_expire() -> None:
    token = encode_token(claims(expires=None, not_before=None), KEY, KID)
    assert verify_token(token, TRUSTED, datetime(2099, 1, 1, tzinfo=UTC)).valid


def test_now_in_another_timezone_is_the_same_instant() -> None:
    beijing = EXPIRES.astimezone(ZoneInfo("Asia/Shanghai"))
    assert beijing.hour == 8
    assert verify_token(TOKEN, TRUSTED, beijing).code is TokenCode.EXPIRED


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        verify_token(TOKEN, TRUSTED, datetime(2027, 1, 1))


def test_a_certificate_must_be_valid_when_the_token_was_issued() -> None:
    # Issued while the certificate was valid: still valid after the certificate expired
    # (licences signed before a key rotation stay valid).
    cert = certificate(KEY, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    verdict = verify_token(TOKEN, {KID: [cert]}, datetime(2028, 1, 1, tzinfo=UTC))
    assert verdict.valid and verdict.signer is cert
    late = certificate(KEY, datetime(2026, 6, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC))
    verdict = verify_token(TOKEN, {KID: [late]}, NOW)
    assert verdict.code is TokenCode.SIGNER_NOT_VALID
    both = verify_token(TOKEN, {KID: [late, cert]}, NOW)
    assert both.valid and both.signer is cert


def test_an_edited_field_breaks_the_signature() -> None:
    message = cbor2.loads(cose_of(TOKEN))
    protected, unprotected, payload, signature = message.value
    claim_map = cbor2.loads(payload)
    claim_map[LICENCE_CLAIM_KEY][LicenceField.HOLDER_NAME] = "欧阳晓明明"
    edited = cbor2.CBORTag(18, [protected, unprotected, cbor2.dumps(claim_map), signature])
    verdict = verify_token(wrap(cbor2.dumps(edited)), TRUSTED, NOW)
    assert verdict.code is TokenCode.BAD_SIGNATURE and verdict.claims is None
    # The control: the same path with the payload unchanged is valid.
    same = cbor2.CBORTag(18, [protected, unprotected, payload, signature])
    assert verify_token(wrap(cbor2.dumps(same)), TRUSTED, NOW).valid


def flips(data: bytes, header_bytes: int) -> list[bytes]:
    """Every other value of each of the first ``header_bytes`` bytes, then every single-bit
    flip and the complement of each later byte."""
    out = []
    for position, byte in enumerate(data):
        values = range(256) if position < header_bytes else [byte ^ (1 << b) for b in range(8)]
        for value in {*values, byte ^ 0xFF} - {byte}:
            out.append(data[:position] + bytes([value]) + data[position + 1 :])
    return out


def test_every_single_byte_change_of_the_cose_message_fails() -> None:
    cose = cose_of(TOKEN)
    assert verify_token(wrap(cose), TRUSTED, NOW).valid
    # The tag, the array head and the whole protected header get all 255 other values.
    header_bytes = 3 + len(cbor2.loads(cose).value[0]) + 1
    mutants = flips(cose, header_bytes)
    assert len(mutants) > 9 * len(cose)
    valid = [m for m in mutants if verify_token(wrap(m), TRUSTED, NOW).valid]
    assert valid == []


@pytest.mark.parametrize(
    "token",
    [
        "",
        "ZZ1:",
        "zz1:" + TOKEN[4:],
        "HC1:" + TOKEN[4:],
        TOKEN[:-1],  # 3k + 1 base45 characters, or a truncated zlib stream
        TOKEN[:-3],
        TOKEN + "000",
        "ZZ1:" + b45encode(b"not zlib at all"),
        "ZZ1:" + b45encode(zlib.compress(b"not cbor \xff")),
        "ZZ1:" + b45encode(zlib.compress(cbor2.dumps({"a": 1}))),
        "ZZ1:" + b45encode(zlib.compress(bytes(1_000_000))),  # a decompression bomb
        "ZZ1:" + "0" * 5000,
        TOKEN.replace("ZZ1:", "ZZ1: "),
    ],
)
def test_malformed_tokens(token: str) -> None:
    verdict = verify_token(token, TRUSTED, NOW)
    assert verdict.code is TokenCode.MALFORMED and verdict.claims is None


@pytest.mark.parametrize("token", [None, b"ZZ1:", 42])
def test_non_text_is_malformed(token: object) -> None:
    assert verify_token(token, TRUSTED, NOW).code is TokenCode.MALFORMED  # type: ignore[arg-type]


def test_signed_claims_that_are_not_a_licence_are_malformed() -> None:
    token = encode_token({1: "issuer", 6: int(ISSUED_AT.timestamp())}, KEY, KID)
    assert verify_token(token, TRUSTED, NOW).code is TokenCode.MALFORMED
    bad_time = encode_token({**claims().to_cwt(), 4: "tomorrow"}, KEY, KID)
    assert verify_token(bad_time, TRUSTED, NOW).code is TokenCode.MALFORMED


def test_decode_token_does_not_need_keys() -> None:
    message = decode_token(TOKEN)
    assert message.kid == KID and message.alg == -7


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120), st.text(alphabet=BASE45_ALPHABET, max_size=400))
def test_random_input_never_raises_and_is_never_valid(anything: str, base45: str) -> None:
    for token in (anything, "ZZ1:" + base45):
        verdict = verify_token(token, TRUSTED, NOW)
        assert verdict.code is TokenCode.MALFORMED


def test_verdict_as_json() -> None:
    data = verify_token(TOKEN, TRUSTED, NOW).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["valid"] is True and data["code"] == "token.valid"
    assert data["kid"] == "AQIDBAUGBwg"  # base64url of 01..08, no padding
    assert data["claims"]["issued_at"] == "2026-03-01T09:30:00+00:00"
    licence_data = data["claims"]["licence"]
    assert licence_data["valid_until"] == "2031-02-28"
    assert licence_data["type_code"] == "11100000000013338W032"
    assert licence_data["issuer_code"] == "11220000013544541J"
    assert len(licence_data["photo_sha256"]) == 64
    bad = verify_token("ZZ1:", TRUSTED, NOW).to_dict()
    assert bad == {"valid": False, "code": "token.malformed", "kid": None, "claims": None}
