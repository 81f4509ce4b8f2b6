"""Base45 against RFC 9285: its examples, round trips, and the strict decoding rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import ErrorCode
from signing.base45 import BASE45_ALPHABET, b45decode, b45encode
from signing.errors import TokenMalformedError

# RFC 9285 sections 4.3 and 4.4, plus "ietf!" from section 4.4.
RFC_EXAMPLES = [
    (b"AB", "BB8"),
    (b"Hello!!", "%69 VD92EX0"),
    (b"base-45", "UJCLQE7W581"),
    (b"ietf!", "QED8WEX0"),
]


@pytest.mark.parametrize(("data", "text"), RFC_EXAMPLES)
def test_rfc_examples_encode(data: bytes, text: str) -> None:
    assert b45encode(data) == text


@pytest.mark.parametrize(("data", "text"), RFC_EXAMPLES)
def test_rfc_examples_decode(data: bytes, text: str) -> None:
    assert b45decode(text) == data


def test_alphabet_is_the_qr_alphanumeric_set() -> None:
    assert len(BASE45_ALPHABET) == 45 == len(set(BASE45_ALPHABET))
    assert set(BASE45_ALPHABET) == set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def test_edge_values() -> None:
    assert b45encode(b"") == "" and b45decode("") == b""
    # 0xFFFF = 65535 = 15 + 16 * 45 + 32 * 45**2 -> "F", "G", "W".
    assert b45encode(b"\xff\xff") == "FGW"
    assert b45encode(b"\x00\x00") == "000"
    assert b45encode(b"\xff") == "U5"  # 255 = 30 + 5 * 45


@given(st.binary(max_size=300))
def test_round_trip(data: bytes) -> None:
    text = b45encode(data)
    assert set(text) <= set(BASE45_ALPHABET)
    assert len(text) == len(data) // 2 * 3 + len(data) % 2 * 2
    assert b45decode(text) == data


@given(st.text(alphabet=BASE45_ALPHABET, max_size=60))
def test_decoding_is_unique(text: str) -> None:
    # Any text in the alphabet is either rejected or the one encoding of what it decodes to.
    try:
        data = b45decode(text)
    except TokenMalformedError as error:
        assert error.code is ErrorCode.TOKEN_MALFORMED
    else:
        assert b45encode(data) == text


@pytest.mark.parametrize(
    "text",
    [
        "FGW0",  # 3k + 1 characters
        "A",
        "GGW",  # 16 + 16 * 45 + 32 * 2025 = 65536, one more than 0xFFFF
        ":::",  # 44 + 44 * 45 + 44 * 2025 = 91124 > 65535
        "U6",  # 30 + 6 * 45 = 300 > 255
        "::",  # 44 + 44 * 45 = 2024 > 255
        "bb8",  # lower case is not in the alphabet
        "BB8\n",
        "BB=",
        "中文",
    ],
)
def test_invalid_text_is_rejected(text: str) -> None:
    with pytest.raises(TokenMalformedError) as caught:
        b45decode(text)
    assert caught.value.code is ErrorCode.TOKEN_MALFORMED
