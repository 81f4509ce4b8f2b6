"""The claims inside a licence token: CWT claim keys and the private licence claim map.

A token's payload is a CWT claim set (RFC 8392) with integer keys. Standard claims: ``iss`` (1,
text), ``exp`` (4), ``nbf`` (5) and ``iat`` (6) as NumericDate (seconds since the Unix epoch,
UTC). The licence sits in one private-use claim, key ``-65537`` (RFC 8392 reserves keys below
-65536 for private use), as a map with the small integer keys of :class:`LicenceField`. Dates
of the licence are whole days since 1970-01-01 (the day count of RFC 8943, without its tag 100):
3 bytes instead of 11 for ``YYYY-MM-DD`` text, which keeps a person's licence within a version-13
QR code. Unknown claims and fields are ignored when reading, so
later versions can add fields. The holder code is always masked for natural persons: encoding
refuses a resident ID (code type ``111``) without a ``*``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import IntEnum
from typing import Any

from signing.errors import TokenMalformedError

__all__ = [
    "LICENCE_CLAIM_KEY",
    "ClaimKey",
    "LicenceClaims",
    "LicenceField",
    "TokenClaims",
    "numeric_date",
]

LICENCE_CLAIM_KEY = -65537
RESIDENT_ID_CODE_TYPE = "111"
IDENTIFIER_PREFIX = "1.2.156.3005.2."
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_LAST_DAY = date.max.toordinal() - _EPOCH_ORDINAL
_CODE_TYPE = re.compile(r"\d{3}")
PHOTO_HASH_BYTES = 32


class ClaimKey(IntEnum):
    """CWT claim keys used in a token (RFC 8392 section 4 and our private licence claim)."""

    ISS = 1
    SUB = 2
    AUD = 3
    EXP = 4
    NBF = 5
    IAT = 6
    CTI = 7
    LICENCE = LICENCE_CLAIM_KEY


class LicenceField(IntEnum):
    """Keys of the licence claim map (GB/T 36903 metadata names in the comments).

    The licence type code and the issuer's code are not separate fields: both are parts of the
    GB/T 36904 identifier (see :attr:`LicenceClaims.type_code`), and repeating them would push
    the QR code past version 13.
    """

    IDENTIFIER = 1  # 证照标识 (GB/T 36904)
    HOLDER_NAME = 2  # 持证主体
    HOLDER_CODE = 3  # 持证主体代码, masked for persons
    HOLDER_CODE_TYPE = 4  # 持证主体代码类型: 111 resident ID, 001 USCC
    ISSUER_NAME = 5  # 颁发机构
    ISSUED_ON = 6  # 颁发日期
    VALID_FROM = 7  # 有效期起始日期
    VALID_UNTIL = 8  # 有效期截止日期; absent when open-ended
    PHOTO_SHA256 = 9  # SHA-256 of the holder's photo file; absent without a photo
    STATUS_INDEX = 10  # index of the licence in the revocation status list
    NAME = 11  # 证照名称; optional (it follows from the type code)


@dataclass(frozen=True)
class LicenceClaims:
    """The licence facts a token carries. ``holder_code`` must already be masked for persons."""

    identifier: str
    holder_name: str
    holder_code: str
    holder_code_type: str
    issuer_name: str
    issued_on: date
    valid_from: date
    valid_until: date | None = None
    name: str | None = None
    photo_sha256: bytes | None = None
    status_index: int | None = None

    @property
    def type_code(self) -> str | None:
        """证照类型代码: part 6 of a GB/T 36904 identifier (``None`` for another form)."""
        return self._identifier_part(5)

    @property
    def issuer_code(self) -> str | None:
        """颁发机构代码: part 7 of a GB/T 36904 identifier (``None`` for another form)."""
        return self._identifier_part(6)

    def _identifier_part(self, position: int) -> str | None:
        parts = self.identifier.split(".")
        if not self.identifier.startswith(IDENTIFIER_PREFIX) or len(parts) != 10:
            return None
        return parts[position] or None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ``YYYY-MM-DD``, the photo hash as hex, plus the codes taken
        from the identifier. Holds personal data: show it to the verifier, never log it."""
        return {
            "identifier": self.identifier,
            "type_code": self.type_code,
            "name": self.name,
            "holder_name": self.holder_name,
            "holder_code": self.holder_code,
            "holder_code_type": self.holder_code_type,
            "issuer_name": self.issuer_name,
            "issuer_code": self.issuer_code,
            "issued_on": self.issued_on.isoformat(),
            "valid_from": self.valid_from.isoformat(),
            "valid_until": None if self.valid_until is None else self.valid_until.isoformat(),
            "photo_sha256": None if self.photo_sha256 is None else self.photo_sha256.hex(),
            "status_index": self.status_index,
        }

    def to_cwt(self) -> dict[int, Any]:
        """The licence claim map; raises :class:`TokenMalformedError` for impossible values."""
        texts = (self.identifier, self.holder_name, self.holder_code, self.issuer_name)
        if not all(isinstance(text, str) and text for text in texts) or self.name == "":
            raise _invalid("the identifier, names and holder code must be non-empty text")
        if not isinstance(self.holder_code_type, str) or not _CODE_TYPE.fullmatch(
            self.holder_code_type
        ):
            raise _invalid("the holder code type must be three digits")
        _check_masked(self.holder_code, self.holder_code_type)
        if self.photo_sha256 is not None and len(self.photo_sha256) != PHOTO_HASH_BYTES:
            raise _invalid("the photo hash must be 32 bytes (SHA-256)")
        if self.status_index is not None and (
            type(self.status_index) is not int or self.status_index < 0
        ):
            raise _invalid("the status list index cannot be negative")
        values: dict[LicenceField, Any] = {
            LicenceField.IDENTIFIER: self.identifier,
            LicenceField.NAME: self.name,
            LicenceField.HOLDER_NAME: self.holder_name,
            LicenceField.HOLDER_CODE: self.holder_code,
            LicenceField.HOLDER_CODE_TYPE: self.holder_code_type,
            LicenceField.ISSUER_NAME: self.issuer_name,
            LicenceField.ISSUED_ON: _days(self.issued_on),
            LicenceField.VALID_FROM: _days(self.valid_from),
            LicenceField.VALID_UNTIL: None if self.valid_until is None else _days(self.valid_until),
            LicenceField.PHOTO_SHA256: self.photo_sha256,
            LicenceField.STATUS_INDEX: self.status_index,
        }
        return {int(key): value for key, value in values.items() if value is not None}

    @classmethod
    def from_cwt(cls, value: Any) -> LicenceClaims:
        """Read a licence claim map; raises :class:`TokenMalformedError` if it is not one."""
        if not isinstance(value, dict):
            raise _invalid("the licence claim is not a map")
        fields = _Reader(value)
        claims = cls(
            identifier=fields.text(LicenceField.IDENTIFIER),
            holder_name=fields.text(LicenceField.HOLDER_NAME),
            holder_code=fields.text(LicenceField.HOLDER_CODE),
            holder_code_type=fields.text(LicenceField.HOLDER_CODE_TYPE),
            issuer_name=fields.text(LicenceField.ISSUER_NAME),
            issued_on=fields.day(LicenceField.ISSUED_ON),
            valid_from=fields.day(LicenceField.VALID_FROM),
            valid_until=fields.day(LicenceField.VALID_UNTIL, required=False),
            name=fields.text(LicenceField.NAME, required=False),
            photo_sha256=fields.photo_hash(),
            status_index=fields.index(),
        )
        if not _CODE_TYPE.fullmatch(claims.holder_code_type):
            raise _invalid("the holder code type must be three digits")
        return claims


@dataclass(frozen=True)
class TokenClaims:
    """A whole token claim set: the CWT standard claims and the licence."""

    issuer: str
    issued_at: datetime
    licence: LicenceClaims
    not_before: datetime | None = None
    expires: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, times as ISO 8601 UTC; see :meth:`LicenceClaims.to_dict`."""

        def iso(moment: datetime | None) -> str | None:
            return None if moment is None else moment.astimezone(UTC).isoformat()

        return {
            "issuer": self.issuer,
            "issued_at": iso(self.issued_at),
            "not_before": iso(self.not_before),
            "expires": iso(self.expires),
            "licence": self.licence.to_dict(),
        }

    def to_cwt(self) -> dict[int, Any]:
        """The CWT claim map with integer keys; times are whole seconds (NumericDate)."""
        claims: dict[int, Any] = {
            ClaimKey.ISS.value: self.issuer,
            ClaimKey.IAT.value: _seconds(self.issued_at),
            ClaimKey.LICENCE.value: self.licence.to_cwt(),
        }
        if self.not_before is not None:
            claims[ClaimKey.NBF.value] = _seconds(self.not_before)
        if self.expires is not None:
            claims[ClaimKey.EXP.value] = _seconds(self.expires)
        return claims

    @classmethod
    def from_cwt(cls, claims: Mapping[Any, Any]) -> TokenClaims:
        """Read a CWT claim map; raises :class:`TokenMalformedError` if it is not a token's."""
        fields = _Reader(claims)
        issued_at = claims.get(ClaimKey.IAT)
        if issued_at is None:
            raise _invalid("the iat claim is missing")
        not_before, expires = claims.get(ClaimKey.NBF), claims.get(ClaimKey.EXP)
        return cls(
            issuer=fields.text(ClaimKey.ISS),
            issued_at=numeric_date(issued_at),
            licence=LicenceClaims.from_cwt(claims.get(ClaimKey.LICENCE)),
            not_before=None if not_before is None else numeric_date(not_before),
            expires=None if expires is None else numeric_date(expires),
        )


def numeric_date(value: Any) -> datetime:
    """A CWT NumericDate (integer or float seconds since the epoch) as an aware UTC datetime."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid("a time claim is not a NumericDate")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise _invalid("a time claim is out of range") from None


def _seconds(moment: datetime) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _invalid("token times must be timezone-aware")
    return int(moment.timestamp())


def _days(day: date) -> int:
    count = day.toordinal() - _EPOCH_ORDINAL
    if not 0 <= count <= _LAST_DAY:
        raise _invalid("licence dates must lie between 1970-01-01 and 9999-12-31")
    return count


def _check_masked(holder_code: str, code_type: str) -> None:
    if code_type == RESIDENT_ID_CODE_TYPE and "*" not in holder_code:
        raise _invalid("a resident ID number must be masked before it goes into a token")


class _Reader:
    """Typed access to a CBOR map, raising :class:`TokenMalformedError` on a wrong type."""

    def __init__(self, values: Mapping[Any, Any]) -> None:
        self.values = values

    def text(self, key: int, *, required: bool = True) -> Any:
        value = self.values.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value:
            raise _invalid(f"field {int(key)} must be non-empty text")
        return value

    def day(self, key: int, *, required: bool = True) -> Any:
        value = self.values.get(key)
        if value is None and not required:
            return None
        if type(value) is not int or not 0 <= value <= _LAST_DAY:
            raise _invalid(f"field {int(key)} must be a day count from 1970-01-01")
        return date.fromordinal(_EPOCH_ORDINAL + value)

    def photo_hash(self) -> bytes | None:
        value = self.values.get(LicenceField.PHOTO_SHA256)
        if value is not None and (not isinstance(value, bytes) or len(value) != PHOTO_HASH_BYTES):
            raise _invalid("the photo hash must be 32 bytes")
        return value

    def index(self) -> int | None:
        value = self.values.get(LicenceField.STATUS_INDEX)
        if value is not None and (type(value) is not int or value < 0):
            raise _invalid("the status list index must be a non-negative integer")
        return value


def _invalid(reason: str) -> TokenMalformedError:
    return TokenMalformedError(f"Invalid token claims: {reason}.", "令牌声明无效。")
