"""The W3C Bitstring Status List encoding: bit order, minimum size, encodedList, strict decoding.

Expected encodings are computed here with the standard library (gzip, base64) and bit
arithmetic written out in the test, not with the code under test.
"""

from __future__ import annotations

import base64
import gzip

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signing.errors import TokenMalformedError
from signing.status_list import MIN_STATUS_LIST_BITS, StatusList


def decode_independently(encoded: str) -> bytes:
    assert encoded[0] == "u" and "=" not in encoded
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_minimum_size_is_16_kilobytes() -> None:
    assert MIN_STATUS_LIST_BITS == 131072
    assert StatusList.empty().size == 131072 and len(StatusList.empty().bits) == 16384
    assert StatusList.empty(10).size == 131072
    assert StatusList.empty(131073).size == 131080
    with pytest.raises(ValueError):
        StatusList(bytes(16383))


def test_index_zero_is_the_leftmost_bit() -> None:
    revoked = StatusList.empty().with_revoked([0, 9, 131071])
    bits = decode_independently(revoked.encode())
    assert bits[0] == 0b1000_0000
    assert bits[1] == 0b0100_0000
    assert bits[-1] == 0b0000_0001
    assert sum(bin(byte).count("1") for byte in bits) == 3


def test_is_revoked_reads_what_was_set() -> None:
    status = StatusList.empty().with_revoked([5, 77_777])
    assert status.is_revoked(5) and status.is_revoked(77_777)
    assert not status.is_revoked(4) and not status.is_revoked(6)
    assert not StatusList.empty().is_revoked(5)


@pytest.mark.parametrize("index", [-1, 131072, 2**40, True, 1.0])
def test_indexes_outside_the_list(index: object) -> None:
    with pytest.raises(IndexError):
        StatusList.empty().is_revoked(index)  # type: ignore[arg-type]
    with pytest.raises(IndexError):
        StatusList.empty().with_revoked([index])  # type: ignore[list-item]


def test_with_revoked_leaves_the_original_alone() -> None:
    original = StatusList.empty()
    original.with_revoked([3])
    assert not original.is_revoked(3)


def test_an_empty_list_compresses_small() -> None:
    encoded = StatusList.empty().encode()
    assert len(encoded) < 100
    assert decode_independently(encoded) == bytes(16384)
    assert StatusList.empty().encode() == encoded  # gzip mtime 0: deterministic


def test_decodes_a_list_made_by_another_implementation() -> None:
    bits = bytearray(16384)
    bits[2] = 0b0010_0000  # index 18
    encoded = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits))).decode().rstrip("=")
    status = StatusList.decode(encoded)
    assert status.is_revoked(18)
    assert [i for i in range(0, 64) if status.is_revoked(i)] == [18]


@given(st.sets(st.integers(min_value=0, max_value=MIN_STATUS_LIST_BITS - 1), max_size=30))
def test_round_trip(indexes: set[int]) -> None:
    status = StatusList.empty().with_revoked(indexes)
    decoded = StatusList.decode(status.encode())
    assert decoded == status
    assert {i for i in indexes if decoded.is_revoked(i)} == indexes


EMPTY = StatusList.empty().encode()
assert "-" in EMPTY  # so that the base64 (not url-safe) case differs


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "z" + StatusList.empty().encode()[1:],  # another multibase prefix
        StatusList.empty().encode()[1:],
        EMPTY + "=",  # padding
        EMPTY[:-1] + "=",
        "u!!!!",
        EMPTY.replace("-", "+").replace("_", "/"),  # base64, not base64url
        EMPTY[:-1],  # a truncated gzip stream
        "u" + base64.urlsafe_b64encode(gzip.compress(bytes(16383))).decode().rstrip("="),
        "u" + base64.urlsafe_b64encode(bytes(16384)).decode().rstrip("="),  # not gzip
        "u" + base64.urlsafe_b64encode(gzip.compress(bytes(16384))[:-4]).decode().rstrip("="),
        "u" + base64.urlsafe_b64encode(gzip.compress(bytes(64 * 1024 * 1024))).decode(),  # bomb
    ],
)
def test_malformed_encoded_lists(encoded: str) -> None:
    with pytest.raises(TokenMalformedError):
        StatusList.decode(encoded)
