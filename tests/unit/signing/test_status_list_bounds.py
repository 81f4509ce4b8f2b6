"""The status list's bitstring is inflated with a ceiling (issue 11, finding 3): a validly signed
list (the signature comes before the bitstring is read) whose ``encodedList`` is a gzip bomb of
1 GiB, about 1 MB on the wire, is refused as malformed and fails closed, and verifying it
allocates a bounded amount: the 16 MiB ceiling on the bitstring, not the gigabyte."""

from __future__ import annotations

import base64
import tracemalloc
import zlib
from datetime import UTC, datetime, timedelta

import cbor2
from tokens_support import KID, new_key

from signing.cose import sign1
from signing.status_list import MAX_STATUS_LIST_BYTES, STATUS_LIST_CLAIM_KEY, verify_status_list
from signing.tokens import TokenCode

KEY = new_key()
TRUSTED = {KID: [KEY.public_key()]}
ISSUED = datetime(2026, 11, 1, tzinfo=UTC)
GIB = 1024 * 1024 * 1024


def gzip_bomb(size: int) -> bytes:
    """A gzip member inflating to ``size`` zero bytes, made by repeating the bytes of one fully
    flushed megabyte (see tests/unit/elicense/test_pdf_decode_bounds.py)."""
    chunk = bytes(1024 * 1024)
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    first = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    return first + block * (size // len(chunk)) + packer.flush()


def signed_list(encoded: str) -> bytes:
    claims = {1: "11220000013544541J", 4: int((ISSUED + timedelta(days=1)).timestamp()),
              6: int(ISSUED.timestamp()),
              STATUS_LIST_CLAIM_KEY: {1: "revocation", 2: encoded}}
    return sign1(cbor2.dumps(claims, canonical=True), KEY, KID)


def test_a_gzip_bomb_list_is_refused_within_a_bounded_allocation() -> None:
    bomb = gzip_bomb(GIB)
    assert len(bomb) < 2 * 1024 * 1024
    data = signed_list("u" + base64.urlsafe_b64encode(bomb).rstrip(b"=").decode())
    tracemalloc.start()
    try:
        verdict = verify_status_list(data, TRUSTED, ISSUED + timedelta(hours=1))
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert verdict.code is TokenCode.MALFORMED and verdict.is_revoked(0)
    # The bitstring ceiling (zlib grows its output buffer by doubling, so up to twice it) plus
    # the encoded list's copies (base64 text, bytes, CBOR): under the service's 64 MB budget,
    # nowhere near the gigabyte.
    assert peak < 2 * MAX_STATUS_LIST_BYTES + 8 * len(data), peak / 2**20
    assert peak < 64 * 1024 * 1024
