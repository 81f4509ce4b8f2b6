"""A faster reader for PDF hex strings (``<4a6f...>``) in pyHanko, installed by
:mod:`signing.pades_validate`.

pyHanko reads a hex string one byte at a time through Python calls; a licence PDF's signature
and document timestamp are ``/Contents`` hex strings of 8 and 14 thousand digits, so parsing
them was about a third of a PDF verification. :func:`read_hex_string` finds the closing ``>``
in whole chunks and decodes in one step. Anything unusual (a ``%`` comment, a character that is
not a hex digit or PDF whitespace, a missing ``>``) is handed back to pyHanko's own reader from
the same position, so the result and the errors are exactly pyHanko's.
"""

from __future__ import annotations

import binascii
import os
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PDF_WHITESPACE

_CHUNK = 16 * 1024
_HEX_DIGITS = b"0123456789abcdefABCDEF"
_ORIGINAL = generic.read_hex_string_from_stream


def read_hex_string(stream: Any) -> Any:
    """What ``pyhanko.pdf_utils.generic.read_hex_string_from_stream`` returns for ``stream``
    (positioned on the opening ``<``), leaving the stream just after the closing ``>``."""
    start = stream.tell()
    stream.read(1)
    chunks: list[bytes] = []
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            return _fallback(stream, start)
        end = chunk.find(b">")
        if end >= 0:
            chunks.append(chunk[:end])
            stream.seek(end + 1 - len(chunk), os.SEEK_CUR)
            break
        chunks.append(chunk)
    digits = b"".join(chunks)
    if b"%" in digits:
        return _fallback(stream, start)
    digits = digits.translate(None, PDF_WHITESPACE)
    if digits.translate(None, _HEX_DIGITS):
        return _fallback(stream, start)
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(binascii.unhexlify(digits))


def _fallback(stream: Any, start: int) -> Any:
    stream.seek(start)
    return _ORIGINAL(stream)


def install() -> None:
    """Make pyHanko's object reader use :func:`read_hex_string` (idempotent)."""
    generic.read_hex_string_from_stream = read_hex_string
