"""The fast hex-string reader gives exactly pyHanko's result — the same object, the same stream
position after it, the same error — for ordinary, odd, spaced, commented and broken strings,
and signed PDFs still validate and still fail when tampered (tests/unit/signing/test_pades_*)."""

from __future__ import annotations

import io
import random

import pytest
from pyhanko.pdf_utils.misc import PdfReadError, PdfStreamError

from signing import pdf_hexstrings

ORIGINAL = pdf_hexstrings._ORIGINAL

CASES = [
    b"<>", b"<4a6f>", b"<4A6F 6e>", b"<4a6f6>", b"<\n4a\r\n6f\t\x0c00 >",
    b"<" + b"0" * 40_000 + b">",  # a reserved /Contents, longer than one read chunk
    b"<fe ff 00 41>",  # UTF-16 with a byte order mark becomes text
    b"<4a % a comment > with a bracket\n6f>",  # pyHanko skips comments
    b"<4a6g>", b"<4a6f", b"<", b"<4a6f>>", b"<4a(6f>",
]


def outcome(reader, data: bytes, tail: bytes) -> tuple[object, object, int]:
    stream = io.BytesIO(data + tail)
    try:
        result = reader(stream)
    except (PdfReadError, PdfStreamError) as exc:
        return "error", type(exc), 0
    return (type(result), result, stream.tell())


@pytest.mark.parametrize("data", CASES)
@pytest.mark.parametrize("tail", [b"", b" /Next 1 0 R >>"])
def test_same_result_position_and_errors_as_pyhanko(data: bytes, tail: bytes) -> None:
    assert outcome(pdf_hexstrings.read_hex_string, data, tail) == outcome(ORIGINAL, data, tail)


def test_random_strings_agree() -> None:
    rng = random.Random(11)
    alphabet = b"0123456789abcdefABCDEF \n\r\txyz%>("
    for _ in range(500):
        body = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        data = b"<" + body + b">"
        assert (outcome(pdf_hexstrings.read_hex_string, data, b" 1 0 obj")
                == outcome(ORIGINAL, data, b" 1 0 obj")), data


def test_validation_installs_it() -> None:
    import pyhanko.pdf_utils.generic as generic

    import signing.pades_validate  # noqa: F401 - installs the reader on import

    assert generic.read_hex_string_from_stream is pdf_hexstrings.read_hex_string
