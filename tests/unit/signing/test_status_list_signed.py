"""The signed status list: COSE_Sign1 ES256 over a CWT claim set, verified, failing closed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import cbor2
import cwt
import pytest
from cryptography.hazmat.primitives import serialization
from tokens_support import KID, new_key

from signing.cose import sign1
from signing.status_list import (
    STATUS_LIST_CLAIM_KEY,
    RevocationStatus,
    StatusList,
    StatusListVerdict,
    sign_status_list,
    verify_status_list,
)
from signing.tokens import TokenCode

KEY = new_key()
TRUSTED = {KID: [KEY.public_key()]}
ISSUED = datetime(2026, 11, 1, tzinfo=UTC)
NEXT_UPDATE = ISSUED + timedelta(days=1)
NOW = ISSUED + timedelta(hours=2)
REVOKED = StatusList.empty().with_revoked([42, 98765])


def signed(status: StatusList = REVOKED, key=KEY, **changes: object) -> bytes:
    options: dict = {"issuer": "11220000013544541J", "issued_at": ISSUED, "expires": NEXT_UPDATE}
    options.update(changes)
    return sign_status_list(status, key, KID, **options)


def test_a_good_list_answers_per_index() -> None:
    verdict = verify_status_list(signed(), TRUSTED, NOW)
    assert verdict.valid and verdict.code is TokenCode.VALID
    assert verdict.issuer == "11220000013544541J"
    assert verdict.issued_at == ISSUED and verdict.expires == NEXT_UPDATE
    assert verdict.status(42) is RevocationStatus.REVOKED and verdict.is_revoked(42)
    assert verdict.status(98765) is RevocationStatus.REVOKED
    assert verdict.status(43) is RevocationStatus.NOT_REVOKED and not verdict.is_revoked(43)


def test_an_index_outside_the_list_is_unknown_and_counts_as_revoked() -> None:
    verdict = verify_status_list(signed(), TRUSTED, NOW)
    assert verdict.status(131072) is RevocationStatus.UNKNOWN
    assert verdict.is_revoked(131072) and verdict.is_revoked(-1)


def test_payload_layout_for_third_parties() -> None:
    message = cbor2.loads(signed())
    assert message.tag == 18 and cbor2.loads(message.value[0]) == {1: -7, 4: KID}
    claims = cbor2.loads(message.value[2])
    assert claims[1] == "11220000013544541J" and claims[6] == int(ISSUED.timestamp())
    entry = claims[STATUS_LIST_CLAIM_KEY]
    assert entry[1] == "revocation" and entry[2].startswith("u")


def test_cwt_verifies_the_signed_list() -> None:
    pem = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key = cwt.COSEKey.from_pem(pem, kid=KID, alg="ES256")
    today = datetime.now(UTC)  # cwt checks exp against the real clock
    data = signed(issued_at=today - timedelta(hours=1), expires=today + timedelta(days=1))
    claims = cwt.decode(data, key)
    assert StatusList.decode(claims[STATUS_LIST_CLAIM_KEY][2]) == REVOKED


@pytest.mark.parametrize(
    ("trusted", "code"),
    [
        ({b"other-id": [KEY.public_key()]}, TokenCode.UNKNOWN_KID),
        ({KID: [new_key().public_key()]}, TokenCode.BAD_SIGNATURE),
    ],
)
def test_untrusted_signers(trusted: dict, code: TokenCode) -> None:
    verdict = verify_status_list(signed(), trusted, NOW)
    assert verdict.code is code and not verdict.valid
    assert verdict.status(42) is RevocationStatus.UNKNOWN
    assert verdict.is_revoked(43)  # fail closed: an unverified list revokes everything


def test_a_stale_list_is_expired_and_fails_closed() -> None:
    verdict = verify_status_list(signed(), TRUSTED, NEXT_UPDATE)
    assert verdict.code is TokenCode.EXPIRED and verdict.status_list is None
    assert verdict.is_revoked(43)


def test_every_byte_flip_fails() -> None:
    data = signed(StatusList.empty().with_revoked([7]))
    assert verify_status_list(data, TRUSTED, NOW).valid
    for position in range(len(data)):
        for mask in (0x01, 0x80, 0xFF):
            mutant = data[:position] + bytes([data[position] ^ mask]) + data[position + 1 :]
            assert not verify_status_list(mutant, TRUSTED, NOW).valid, (position, mask)


def test_unrevoking_by_editing_the_payload_fails() -> None:
    message = cbor2.loads(signed())
    protected, unprotected, payload, signature = message.value
    claims = cbor2.loads(payload)
    claims[STATUS_LIST_CLAIM_KEY][2] = StatusList.empty().encode()
    body = [protected, unprotected, cbor2.dumps(claims), signature]
    forged = cbor2.dumps(cbor2.CBORTag(18, body))
    verdict = verify_status_list(forged, TRUSTED, NOW)
    assert verdict.code is TokenCode.BAD_SIGNATURE and verdict.is_revoked(42)


@pytest.mark.parametrize(
    "claims",
    [
        {1: "x", 6: 1_790_000_000},
        {1: "x", 6: 1_790_000_000, STATUS_LIST_CLAIM_KEY: {1: "suspension", 2: "u"}},
        {1: "x", 6: 1_790_000_000, STATUS_LIST_CLAIM_KEY: {1: "revocation", 2: "uAAAA"}},
        {1: "x", STATUS_LIST_CLAIM_KEY: {1: "revocation", 2: StatusList.empty().encode()}},
    ],
)
def test_signed_but_malformed_lists(claims: dict) -> None:
    data = sign1(cbor2.dumps(claims), KEY, KID)
    verdict = verify_status_list(data, TRUSTED, NOW)
    assert verdict.code is TokenCode.MALFORMED and verdict.is_revoked(0)


@pytest.mark.parametrize("data", [b"", b"\x00", cbor2.dumps({"a": 1}), "text"])
def test_garbage_is_malformed(data: object) -> None:
    verdict = verify_status_list(data, TRUSTED, NOW)  # type: ignore[arg-type]
    assert verdict == StatusListVerdict(TokenCode.MALFORMED)


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        verify_status_list(signed(), TRUSTED, datetime(2026, 11, 1))
