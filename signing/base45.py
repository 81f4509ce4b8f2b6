"""Base45 (RFC 9285): bytes as text in the QR code alphanumeric alphabet.

Two bytes ``a, b`` become the number ``n = a * 256 + b`` written as three base-45 digits
``c + d * 45 + e * 45**2`` in the order ``c d e``; a final single byte becomes two digits. The
decoder is strict, as section 4 of the RFC asks: characters outside the 45-character alphabet,
a length of 3k + 1, and triplets above 65535 or pairs above 255 are rejected, so every text has
at most one decoding.
"""

from __future__ import annotations

from signing.token_errors import TokenMalformedError

__all__ = ["BASE45_ALPHABET", "b45decode", "b45encode"]

BASE45_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_VALUES = {char: value for value, char in enumerate(BASE45_ALPHABET)}


def b45encode(data: bytes) -> str:
    """The base45 text of ``data`` (RFC 9285 section 4)."""
    out: list[str] = []
    alphabet = BASE45_ALPHABET
    full = len(data) - len(data) % 2
    for i in range(0, full, 2):
        n = data[i] * 256 + data[i + 1]
        e, rest = divmod(n, 45 * 45)
        d, c = divmod(rest, 45)
        out.append(alphabet[c] + alphabet[d] + alphabet[e])
    if full < len(data):
        d, c = divmod(data[-1], 45)
        out.append(alphabet[c] + alphabet[d])
    return "".join(out)


def b45decode(text: str) -> bytes:
    """The bytes encoded by base45 ``text``.

    Raises :class:`TokenMalformedError` for a character outside the alphabet (lower case
    included), a length of the form 3k + 1, or a group whose value does not fit its bytes.
    """
    try:
        values = [_VALUES[char] for char in text]
    except KeyError:
        raise TokenMalformedError(
            "The text contains a character outside the base45 alphabet.",
            "文本含有 base45 字母表以外的字符。",
        ) from None
    if len(values) % 3 == 1:
        raise TokenMalformedError(
            "The base45 text has an impossible length (3k + 1 characters).",
            "base45 文本长度无效（3k + 1 个字符）。",
        )
    out = bytearray()
    full = len(values) - len(values) % 3
    for i in range(0, full, 3):
        n = values[i] + values[i + 1] * 45 + values[i + 2] * 2025
        if n > 0xFFFF:
            raise _out_of_range()
        out += n.to_bytes(2, "big")
    if full < len(values):
        n = values[-2] + values[-1] * 45
        if n > 0xFF:
            raise _out_of_range()
        out.append(n)
    return bytes(out)


def _out_of_range() -> TokenMalformedError:
    return TokenMalformedError(
        "A base45 group encodes a value too large for its bytes.",
        "base45 字符组的数值超出其字节范围。",
    )
