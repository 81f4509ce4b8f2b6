"""A signed revocation list after the W3C Bitstring Status List v1.0.

The list is a bitstring with one bit per licence (bit 1 = revoked); a licence's token carries
its index. Index 0 is the left-most (most significant) bit of the first byte. The bitstring is
at least 16 KB (131,072 entries) so that one licence's index tells an observer little, and it
is published as the spec's ``encodedList``: ``u`` (multibase base64url) + base64url without
padding of the GZIP-compressed bitstring. The list travels as a COSE_Sign1 (ES256, like the
tokens) whose payload is a CWT claim set: ``iss`` (1), ``iat`` (6), ``exp`` (4, the time by which
a fresh list must be fetched) and the private claim ``-65538`` = ``{1: "revocation", 2:
encodedList}``. :func:`verify_status_list` never raises for bad input, and
:meth:`StatusListVerdict.is_revoked` fails closed.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import logging
import threading
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Any

import cbor2

from signing.cose import SigningKey, TrustedKeys, decode_sign1, sign1
from signing.errors import TokenMalformedError, TokenNonCanonicalError
from signing.token_claims import ClaimKey, numeric_date
from signing.tokens import CwtCheck, TokenCode, check_cwt

__all__ = [
    "MIN_STATUS_LIST_BITS",
    "STATUS_LIST_CLAIM_KEY",
    "RevocationStatus",
    "StatusList",
    "StatusListField",
    "StatusListVerdict",
    "sign_status_list",
    "verify_status_list",
]

logger = logging.getLogger(__name__)

MIN_STATUS_LIST_BITS = 16 * 1024 * 8
# A ceiling on the decompressed bitstring (2**27 licences), so a small list cannot be a bomb.
MAX_STATUS_LIST_BYTES = 16 * 1024 * 1024
# A ceiling on the signed file: the largest bitstring, incompressible, in base64 plus framing.
MAX_SIGNED_STATUS_LIST_BYTES = 24 * 1024 * 1024
STATUS_LIST_CLAIM_KEY = -65538
MULTIBASE_BASE64URL = "u"
REVOCATION_PURPOSE = "revocation"


class StatusListField(IntEnum):
    """Keys of the status list claim map."""

    PURPOSE = 1  # statusPurpose; always "revocation" here
    ENCODED_LIST = 2  # encodedList


class RevocationStatus(StrEnum):
    """A licence's revocation status according to a status list."""

    NOT_REVOKED = "not_revoked"
    REVOKED = "revoked"
    UNKNOWN = "unknown"  # the list did not verify, or the index is outside it


@dataclass(frozen=True)
class StatusList:
    """The bitstring; immutable (``with_revoked`` returns a new list)."""

    bits: bytes

    def __post_init__(self) -> None:
        if len(self.bits) * 8 < MIN_STATUS_LIST_BITS:
            raise ValueError("a status list has at least 131,072 entries (16 KB)")

    @classmethod
    def empty(cls, size: int = MIN_STATUS_LIST_BITS) -> StatusList:
        """A list of ``size`` entries (rounded up to whole bytes), none revoked."""
        return cls(bytes((max(size, MIN_STATUS_LIST_BITS) + 7) // 8))

    @property
    def size(self) -> int:
        """The number of entries."""
        return len(self.bits) * 8

    def is_revoked(self, index: int) -> bool:
        """Whether entry ``index`` is set; raises ``IndexError`` outside the list."""
        if type(index) is not int or not 0 <= index < self.size:
            raise IndexError("status list index out of range")
        return bool(self.bits[index // 8] >> (7 - index % 8) & 1)

    def with_revoked(self, indexes: Iterable[int]) -> StatusList:
        """A copy with every entry in ``indexes`` set (revocation is permanent)."""
        bits = bytearray(self.bits)
        for index in indexes:
            if type(index) is not int or not 0 <= index < self.size:
                raise IndexError("status list index out of range")
            bits[index // 8] |= 0x80 >> (index % 8)
        return StatusList(bytes(bits))

    def encode(self) -> str:
        """The W3C ``encodedList``: ``u`` + base64url (no padding) of the gzip of the bits."""
        compressed = gzip.compress(self.bits, compresslevel=9, mtime=0)
        return MULTIBASE_BASE64URL + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()

    @classmethod
    def decode(cls, encoded: str) -> StatusList:
        """Read an ``encodedList``; raises :class:`TokenMalformedError` for anything else."""
        if not isinstance(encoded, str) or not encoded.startswith(MULTIBASE_BASE64URL):
            raise _malformed("the encoded list must start with the multibase prefix 'u'")
        body = encoded[1:]
        if "=" in body:
            raise _malformed("the encoded list must not be padded")
        try:
            compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raise _malformed("the encoded list is not base64url") from None
        if base64.urlsafe_b64encode(compressed).rstrip(b"=").decode() != body:
            raise _malformed("the encoded list contains characters outside base64url")
        bits = _gunzip(compressed)
        if len(bits) * 8 < MIN_STATUS_LIST_BITS:
            raise _malformed("the list is shorter than 131,072 entries")
        return cls(bits)


@dataclass(frozen=True)
class StatusListVerdict:
    """The result of :func:`verify_status_list`; ``status_list`` is set only when ``valid``."""

    code: TokenCode
    kid: bytes | None = None
    status_list: StatusList | None = None
    issuer: str | None = None
    issued_at: datetime | None = None
    expires: datetime | None = None

    @property
    def valid(self) -> bool:
        return self.code is TokenCode.VALID and self.status_list is not None

    def status(self, index: int) -> RevocationStatus:
        """REVOKED or NOT_REVOKED from a valid list; UNKNOWN otherwise or outside the list."""
        if not self.valid or self.status_list is None:
            return RevocationStatus.UNKNOWN
        try:
            revoked = self.status_list.is_revoked(index)
        except IndexError:
            return RevocationStatus.UNKNOWN
        return RevocationStatus.REVOKED if revoked else RevocationStatus.NOT_REVOKED

    def is_revoked(self, index: int) -> bool:
        """Fails closed: ``True`` unless the list verified and entry ``index`` is clear."""
        return self.status(index) is not RevocationStatus.NOT_REVOKED


def sign_status_list(
    status_list: StatusList,
    private_key: SigningKey,
    kid: bytes,
    *,
    issuer: str,
    issued_at: datetime,
    expires: datetime | None = None,
) -> bytes:
    """The list as a tagged COSE_Sign1 (ES256) over its CWT claim set; see the module doc."""
    claims: dict[int, Any] = {
        ClaimKey.ISS.value: issuer,
        ClaimKey.IAT.value: _seconds(issued_at),
        STATUS_LIST_CLAIM_KEY: {
            StatusListField.PURPOSE.value: REVOCATION_PURPOSE,
            StatusListField.ENCODED_LIST.value: status_list.encode(),
        },
    }
    if expires is not None:
        claims[ClaimKey.EXP.value] = _seconds(expires)
    return sign1(cbor2.dumps(claims, canonical=True), private_key, kid)


def verify_status_list(
    data: bytes, trusted: TrustedKeys, now: datetime, *, leeway: timedelta = timedelta(0)
) -> StatusListVerdict:
    """Verify a signed status list: structure, ES256 signature by a trusted key id, signer
    validity at ``iat``, ``exp`` against ``now`` (timezone-aware), and the list itself.

    A service verifies the same published list on every request, so the part that does not
    depend on ``now`` (signature, claims, the decompressed bitstring) is remembered for the
    last few (bytes, trusted keys) pairs; ``exp`` and the signer's validity are checked against
    ``now`` on every call, and other bytes or other keys are verified afresh."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return _MEMO.checked(data, trusted).at(now, leeway)


@dataclass(frozen=True)
class _CheckedList:
    """What :func:`verify_status_list` finds before looking at the clock."""

    code: TokenCode  # the final code when ``cwt`` is None
    kid: bytes | None = None
    cwt: CwtCheck | None = None
    claims: tuple[str, datetime, datetime | None, StatusList] | None = None

    def at(self, now: datetime, leeway: timedelta) -> StatusListVerdict:
        if self.cwt is None:
            return StatusListVerdict(self.code, self.kid)
        code, claim_map, _signer = self.cwt.at(now, leeway)
        if claim_map is None or self.claims is None:
            return StatusListVerdict(code, self.kid)
        issuer, issued_at, expires, status_list = self.claims
        listed = status_list if code is TokenCode.VALID else None
        return StatusListVerdict(code, self.kid, listed, issuer, issued_at, expires)


def _check_list(data: bytes, trusted: TrustedKeys) -> _CheckedList:
    try:
        if len(data) > MAX_SIGNED_STATUS_LIST_BYTES:
            return _CheckedList(TokenCode.MALFORMED)
        message = decode_sign1(data)
    except TokenNonCanonicalError:
        return _CheckedList(TokenCode.NON_CANONICAL)
    except TokenMalformedError:
        return _CheckedList(TokenCode.MALFORMED)
    except Exception as exc:  # Never valid on an internal failure.
        logger.warning("status list decoding failed unexpectedly: %s", type(exc).__name__)
        return _CheckedList(TokenCode.ERROR)
    cwt = check_cwt(message, trusted)
    if cwt.claim_map is None:
        return _CheckedList(cwt.code, message.kid)
    try:
        claims = _read_claims(cwt.claim_map)
    except TokenMalformedError:
        return _CheckedList(TokenCode.MALFORMED, message.kid)
    except Exception as exc:
        logger.warning("status list claims failed unexpectedly: %s", type(exc).__name__)
        return _CheckedList(TokenCode.ERROR, message.kid)
    return _CheckedList(cwt.code, message.kid, cwt, claims)


@dataclass(frozen=True)
class _MemoEntry:
    data: bytes
    trusted: TrustedKeys
    # The keys as they were, held so that their identities stay unique while remembered: a
    # trusted map changed in place (another key under a kid) no longer matches.
    keys: tuple[tuple[bytes, tuple[Any, ...]], ...]
    checked: _CheckedList


class _StatusListMemo:
    """The last :data:`_MEMO_SIZE` checked lists, by their exact bytes and trusted keys."""

    def __init__(self) -> None:
        self._entries: list[_MemoEntry] = []
        self._lock = threading.Lock()

    def checked(self, data: bytes, trusted: TrustedKeys) -> _CheckedList:
        if not isinstance(data, bytes) or len(data) > _MEMO_MAX_BYTES:
            return _check_list(data, trusted)
        keys = tuple((kid, tuple(found)) for kid, found in trusted.items())
        for entry in self._entries:
            if (entry.trusted is trusted and _same_keys(entry.keys, keys)
                    and (entry.data is data or entry.data == data)):
                return entry.checked
        checked = _check_list(data, trusted)
        if checked.claims is not None and len(checked.claims[3].bits) > _MEMO_MAX_BITS_BYTES:
            return checked
        with self._lock:
            self._entries = [_MemoEntry(data, trusted, keys, checked),
                             *self._entries[:_MEMO_SIZE - 1]]
        return checked


def _same_keys(a: tuple[tuple[bytes, tuple[Any, ...]], ...],
               b: tuple[tuple[bytes, tuple[Any, ...]], ...]) -> bool:
    return len(a) == len(b) and all(
        kid_a == kid_b and len(keys_a) == len(keys_b)
        and all(x is y for x, y in zip(keys_a, keys_b, strict=True))
        for (kid_a, keys_a), (kid_b, keys_b) in zip(a, b, strict=True))


_MEMO_SIZE = 8
_MEMO_MAX_BYTES = 1024 * 1024
_MEMO_MAX_BITS_BYTES = 2 * 1024 * 1024
_MEMO = _StatusListMemo()


def _read_claims(
    claims: dict[Any, Any],
) -> tuple[str, datetime, datetime | None, StatusList]:
    issuer, issued_at = claims.get(ClaimKey.ISS), claims.get(ClaimKey.IAT)
    expires = claims.get(ClaimKey.EXP)
    entry = claims.get(STATUS_LIST_CLAIM_KEY)
    if not isinstance(issuer, str) or issued_at is None or not isinstance(entry, dict):
        raise _malformed("iss, iat or the status list claim is missing")
    if entry.get(StatusListField.PURPOSE) != REVOCATION_PURPOSE:
        raise _malformed("the status purpose must be 'revocation'")
    status_list = StatusList.decode(entry.get(StatusListField.ENCODED_LIST))
    return (
        issuer,
        numeric_date(issued_at),
        None if expires is None else numeric_date(expires),
        status_list,
    )


def _gunzip(compressed: bytes) -> bytes:
    # wbits 16 + 15 accepts exactly the gzip container; max_length stops a decompression bomb.
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        bits = inflater.decompress(compressed, MAX_STATUS_LIST_BYTES)
    except zlib.error:
        raise _malformed("the list is not valid gzip data") from None
    if not inflater.eof or inflater.unused_data or inflater.unconsumed_tail:
        raise _malformed("the gzip data is truncated, followed by other bytes, or too large")
    return bits


def _seconds(moment: datetime) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("status list times must be timezone-aware")
    return int(moment.timestamp())


def _malformed(reason: str) -> TokenMalformedError:
    return TokenMalformedError(f"Invalid status list: {reason}.", "状态列表无效。")
