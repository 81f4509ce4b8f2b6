"""Base45 (RFC 9285): bytes as text in the QR code alphanumeric alphabet.

Two bytes ``a, b`` become the number ``n = a * 256 + b`` written as three base-45 digits
``c + d * 45 + e * 45**2`` in the order ``c d e``; a final single byte becomes two digits. The
decoder is strict, as section 4 of the RFC asks: characters outside the 45-character alphabet,
a length of 3k + 1, and triplets above 65535 or pairs above 255 are rejected, so every text has
at most one decoding.
"""

from __future__ import annotations

import struct

from signing.errors import TokenMalformedError

__all__ = ["BASE45_ALPHABET", "b45decode", "b45encode"]

BASE45_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_INVALID = 0xFF
_VALUE_TABLE = bytes(BASE45_ALPHABET.index(chr(code)) if chr(code) in BASE45_ALPHABET
                     else _INVALID for code in range(256))


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
        # One C-level pass: each character to its value, anything else to the marker 0xFF.
        values = text.encode("ascii").translate(_VALUE_TABLE)
        if _INVALID in values:
            raise ValueError("outside the alphabet")
    except (UnicodeEncodeError, ValueError):
        raise TokenMalformedError(
            "The text contains a character outside the base45 alphabet.",
            "文本含有 base45 字母表以外的字符。",
        ) from None
    if len(values) % 3 == 1:
        raise TokenMalformedError(
            "The base45 text has an impossible length (3k + 1 characters).",
            "base45 文本长度无效（3k + 1 个字符）。",
        )
    full = len(values) - len(values) % 3
    # Whole groups at once (a token is some 200 of them): one comprehension and one pack.
    groups = [c + d * 45 + e * 2025 for c, d, e in zip(values[0:full:3], values[1:full:3],
                                                       values[2:full:3], strict=True)]
    if groups and max(groups) > 0xFFFF:
        raise _out_of_range()
    out = struct.pack(f">{len(groups)}H", *groups)
    if full < len(values):
        n = values[-2] + values[-1] * 45
        if n > 0xFF:
            raise _out_of_range()
        out += bytes((n,))
    return out


def _out_of_range() -> TokenMalformedError:
    return TokenMalformedError(
        "A base45 group encodes a value too large for its bytes.",
        "base45 字符组的数值超出其字节范围。",
    )
