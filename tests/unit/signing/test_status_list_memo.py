"""The status list a service checks on every request is verified once per (bytes, trusted keys)
and only its times are re-checked per call: the remembered answers must be exactly the fresh
ones, at every moment, and other bytes or other keys must never get a remembered answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tokens_support import KID, new_key

from signing.status_list import (
    RevocationStatus,
    StatusList,
    StatusListVerdict,
    _check_list,
    sign_status_list,
    verify_status_list,
)
from signing.tokens import TokenCode

KEY, OTHER_KEY = new_key(), new_key()
ISSUED = datetime(2026, 11, 1, tzinfo=UTC)
EXPIRES = ISSUED + timedelta(days=7)
LIST = StatusList.empty().with_revoked([7, 4242])
MOMENTS = [ISSUED - timedelta(days=1), ISSUED, ISSUED + timedelta(hours=1),
           EXPIRES - timedelta(seconds=1), EXPIRES, EXPIRES + timedelta(days=30)]


def signed(key=KEY, status: StatusList = LIST) -> bytes:
    return sign_status_list(status, key, KID, issuer="11220000013544541J", issued_at=ISSUED,
                            expires=EXPIRES)


def fresh(data: bytes, trusted: dict, now: datetime) -> StatusListVerdict:
    """The verdict computed from nothing remembered."""
    return _check_list(data, trusted).at(now, timedelta(0))


@pytest.mark.parametrize("now", MOMENTS)
def test_remembered_answers_equal_fresh_ones_at_every_moment(now: datetime) -> None:
    trusted = {KID: [KEY.public_key()]}
    data = signed()
    first = verify_status_list(data, trusted, ISSUED + timedelta(hours=1))  # fills the memo
    assert first.valid
    again = verify_status_list(bytes(bytearray(data)), trusted, now)  # equal bytes, new object
    assert again == fresh(data, trusted, now)


def test_expiry_is_checked_against_now_on_every_call() -> None:
    trusted = {KID: [KEY.public_key()]}
    data = signed()
    assert verify_status_list(data, trusted, EXPIRES - timedelta(seconds=1)).valid
    expired = verify_status_list(data, trusted, EXPIRES)
    assert expired.code is TokenCode.EXPIRED and not expired.valid
    assert expired.status(7) is RevocationStatus.UNKNOWN and expired.is_revoked(8)
    assert verify_status_list(data, trusted, EXPIRES - timedelta(seconds=1)).valid


def test_changed_bytes_are_verified_afresh() -> None:
    trusted = {KID: [KEY.public_key()]}
    now = ISSUED + timedelta(hours=1)
    before = verify_status_list(signed(), trusted, now)
    assert before.status(9) is RevocationStatus.NOT_REVOKED
    after = verify_status_list(signed(status=LIST.with_revoked([9])), trusted, now)
    assert after.status(9) is RevocationStatus.REVOKED
    tampered = bytearray(signed())
    tampered[-5] ^= 0x01
    verdict = verify_status_list(bytes(tampered), trusted, now)
    assert not verdict.valid and verdict.code is TokenCode.BAD_SIGNATURE


def test_other_trusted_keys_never_get_a_remembered_answer() -> None:
    now = ISSUED + timedelta(hours=1)
    data = signed()
    trusted = {KID: [KEY.public_key()]}
    assert verify_status_list(data, trusted, now).valid
    assert verify_status_list(data, {KID: [OTHER_KEY.public_key()]}, now).code is (
        TokenCode.BAD_SIGNATURE)
    assert verify_status_list(data, {b"other-kid": [KEY.public_key()]}, now).code is (
        TokenCode.UNKNOWN_KID)
    # The same mapping changed in place (the key replaced under its kid) is checked again.
    trusted[KID] = [OTHER_KEY.public_key()]
    assert verify_status_list(data, trusted, now).code is TokenCode.BAD_SIGNATURE
    trusted[KID] = [KEY.public_key()]
    assert verify_status_list(data, trusted, now).valid


def test_malformed_and_truncated_lists_answer_as_fresh() -> None:
    trusted = {KID: [KEY.public_key()]}
    for data in (b"", b"\x00" * 10, signed()[:-20]):
        for now in MOMENTS[:3]:
            assert verify_status_list(data, trusted, now) == fresh(data, trusted, now)
