"""Compact signed licence tokens for QR codes: ``ZZ1:`` + base45(zlib(COSE_Sign1(CWT))).

The layout follows the EU Digital COVID Certificate: a CWT claim set (RFC 8392) with integer keys
(``iss`` 1, ``exp`` 4, ``nbf`` 5, ``iat`` 6) and one private claim holding the licence (see
:mod:`signing.token_claims`), signed as a COSE_Sign1 with ES256 (:mod:`signing.cose`),
zlib-compressed, base45-encoded (:mod:`signing.base45`) and prefixed with ``ZZ1:``. The format
is described byte by byte in ``docs/tokens.md`` so that anyone can verify a token without this
code. :func:`verify_token` never raises for a bad token: it returns a :class:`TokenVerdict`
whose ``code`` says why.
"""

from __future__ import annotations

import base64
import logging
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import cbor2
from cryptography import x509

from signing.base45 import b45decode, b45encode
from signing.cose import (
    Sign1Message,
    SignatureCheck,
    SigningKey,
    TrustedKeys,
    VerificationKey,
    canonical_payload,
    check_signature,
    decode_sign1,
    sign1,
)
from signing.errors import TokenMalformedError, TokenNonCanonicalError
from signing.token_claims import ClaimKey, TokenClaims, numeric_date

__all__ = [
    "MAX_TOKEN_CHARS",
    "TOKEN_MESSAGES",
    "TOKEN_PREFIX",
    "TokenCode",
    "TokenVerdict",
    "decode_token",
    "encode_token",
    "verify_token",
]

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "ZZ1:"
# The most characters a QR code can hold in alphanumeric mode (version 40, level L).
MAX_TOKEN_CHARS = 4296
# A ceiling on the decompressed COSE message, so that a small token cannot inflate to a bomb.
MAX_COSE_BYTES = 16 * 1024


class TokenCode(StrEnum):
    """Why a signed CWT (a token or a status list) is or is not accepted. Values are stable."""

    VALID = "token.valid"
    MALFORMED = "token.malformed"
    NON_CANONICAL = "token.non_canonical"
    UNSUPPORTED_ALGORITHM = "token.unsupported_algorithm"
    UNKNOWN_KID = "token.unknown_kid"
    BAD_SIGNATURE = "token.bad_signature"
    SIGNER_NOT_VALID = "token.signer_not_valid"
    EXPIRED = "token.expired"
    NOT_YET_VALID = "token.not_yet_valid"
    ERROR = "token.error"


# What each code tells a person, in English and Chinese (shown by verifiers beside the code).
TOKEN_MESSAGES: Mapping[TokenCode, tuple[str, str]] = {
    TokenCode.VALID: ("token signed by a trusted issuer key", "令牌由受信任的签发密钥签名"),
    TokenCode.MALFORMED: ("not a well-formed e-licence token", "不是格式正确的电子证照令牌"),
    TokenCode.NON_CANONICAL: (
        "the token is not encoded the way the issuer encodes it (it was re-encoded or altered: "
        "another CBOR tag or header, a non-canonical encoding or a high-S signature)",
        "令牌编码与签发方的规范编码不一致（被重新编码或改动过：多余的 CBOR 标签或头部、"
        "非规范编码或高 S 签名）"),
    TokenCode.UNSUPPORTED_ALGORITHM: ("the token's signature algorithm is not ES256",
                                      "令牌的签名算法不是 ES256"),
    TokenCode.UNKNOWN_KID: ("the token's signing key is not a trusted issuer key",
                            "令牌的签名密钥不是受信任的签发密钥"),
    TokenCode.BAD_SIGNATURE: ("the token's signature does not verify (it was altered)",
                              "令牌签名验证失败（内容被改动）"),
    TokenCode.SIGNER_NOT_VALID: ("the signing certificate was not valid when the token was made",
                                 "签发令牌时签名证书不在有效期内"),
    TokenCode.EXPIRED: ("the token has expired", "令牌已过期"),
    TokenCode.NOT_YET_VALID: ("the token is not yet valid", "令牌尚未生效"),
    TokenCode.ERROR: ("the token could not be checked", "令牌未能完成核验"),
}

_SIGNATURE_CODES = {
    SignatureCheck.UNSUPPORTED_ALGORITHM: TokenCode.UNSUPPORTED_ALGORITHM,
    SignatureCheck.UNKNOWN_KID: TokenCode.UNKNOWN_KID,
    SignatureCheck.BAD_SIGNATURE: TokenCode.BAD_SIGNATURE,
}


@dataclass(frozen=True)
class TokenVerdict:
    """The result of :func:`verify_token`.

    ``claims`` is set whenever the signature verified with a trusted key, also for an expired
    or not yet valid token (so a verifier can say which licence expired); it is ``None`` for
    every other code. ``signer`` is the trusted key or certificate the signature verified with.
    """

    code: TokenCode
    kid: bytes | None = None
    claims: TokenClaims | None = None
    signer: VerificationKey | None = None

    @property
    def valid(self) -> bool:
        return self.code is TokenCode.VALID

    @property
    def message_en(self) -> str:
        """What ``code`` means, in English (:data:`TOKEN_MESSAGES`)."""
        return TOKEN_MESSAGES[self.code][0]

    @property
    def message_zh(self) -> str:
        """What ``code`` means, in Chinese."""
        return TOKEN_MESSAGES[self.code][1]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``valid``, ``code``, ``kid`` (base64url, as in the trust list) and the
        claims. The claims hold personal data: show them to the verifier, never log them."""
        kid = None if self.kid is None else base64.urlsafe_b64encode(self.kid).rstrip(b"=")
        return {
            "valid": self.valid,
            "code": self.code.value,
            "kid": None if kid is None else kid.decode("ascii"),
            "claims": None if self.claims is None else self.claims.to_dict(),
        }


def encode_token(
    claims: TokenClaims | Mapping[int, Any], private_key: SigningKey, kid: bytes
) -> str:
    """The ``ZZ1:`` token for ``claims``, signed ES256 with ``private_key`` under key id ``kid``.

    ``claims`` is a :class:`TokenClaims` or a raw CWT claim map with integer keys.
    ``private_key`` is a P-256 private key or a signer with ``sign(data) -> DER`` (such as
    ``signing.FileSigner``; see :class:`signing.cose.DerSigner`). Raises
    :class:`TokenMalformedError` for claims that cannot be encoded.
    """
    claim_map = claims.to_cwt() if isinstance(claims, TokenClaims) else dict(claims)
    if not all(type(key) is int for key in claim_map):
        raise TokenMalformedError(
            "CWT claim keys must be integers.", "CWT 声明的键必须是整数。"
        )
    try:
        payload = cbor2.dumps(claim_map, canonical=True)
    except Exception as exc:  # cbor2 raises several types for values it cannot encode.
        raise TokenMalformedError(
            f"The claims cannot be encoded as CBOR ({type(exc).__name__}).",
            "声明无法编码为 CBOR。",
        ) from None
    compressed = zlib.compress(sign1(payload, private_key, kid), 9)
    return TOKEN_PREFIX + b45encode(compressed)


def decode_token(token: str) -> Sign1Message:
    """The COSE_Sign1 message inside ``token``, without checking its signature.

    Raises :class:`TokenMalformedError` for a wrong prefix, an over-long token, bad base45, bad
    or oversized zlib data, or a structure that is not a COSE_Sign1 message.
    """
    if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX):
        raise TokenMalformedError(
            f"A token starts with {TOKEN_PREFIX}.", f"令牌应以 {TOKEN_PREFIX} 开头。"
        )
    if len(token) > MAX_TOKEN_CHARS:
        raise TokenMalformedError("The token is too long.", "令牌过长。")
    compressed = b45decode(token[len(TOKEN_PREFIX) :])
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(compressed, MAX_COSE_BYTES)
    except zlib.error:
        raise TokenMalformedError(
            "The token is not valid zlib data.", "令牌不是有效的 zlib 压缩数据。"
        ) from None
    if not inflater.eof or inflater.unused_data or inflater.unconsumed_tail:
        raise TokenMalformedError(
            "The token's zlib data is truncated, followed by other bytes, or too large.",
            "令牌的 zlib 数据不完整、带有多余字节或过大。",
        )
    return decode_sign1(data)


def verify_token(
    token: str, trusted: TrustedKeys, now: datetime, *, leeway: timedelta = timedelta(0)
) -> TokenVerdict:
    """Verify a ``ZZ1:`` token against ``trusted`` (key id -> certificates or EC public keys).

    Checks, in order: structure, algorithm (ES256 only), key id known, signature (every key
    with the id is tried), claims well formed, signing certificate valid at ``iat``, ``nbf`` and
    ``exp`` against ``now`` (timezone-aware) with ``leeway``. Never raises for a bad token; an
    unexpected internal failure gives ``TokenCode.ERROR``, never ``VALID``.
    """
    _require_aware(now)
    try:
        message = decode_token(token)
    except TokenNonCanonicalError:
        return TokenVerdict(TokenCode.NON_CANONICAL)
    except TokenMalformedError:
        return TokenVerdict(TokenCode.MALFORMED)
    except Exception as exc:  # Never VALID on an internal failure; see the docstring.
        logger.warning("token decoding failed unexpectedly: %s", type(exc).__name__)
        return TokenVerdict(TokenCode.ERROR)
    code, claim_map, signer = verify_cwt(message, trusted, now, leeway=leeway)
    claims: TokenClaims | None = None
    if claim_map is not None:
        try:
            claims = TokenClaims.from_cwt(claim_map)
        except TokenMalformedError:
            return TokenVerdict(TokenCode.MALFORMED, message.kid)
        except Exception as exc:
            logger.warning("token claims failed unexpectedly: %s", type(exc).__name__)
            return TokenVerdict(TokenCode.ERROR, message.kid)
    return TokenVerdict(code, message.kid, claims, signer)


def verify_cwt(
    message: Sign1Message, trusted: TrustedKeys, now: datetime, *, leeway: timedelta
) -> tuple[TokenCode, dict[Any, Any] | None, VerificationKey | None]:
    """Check a COSE_Sign1 message carrying a CWT claim set: signature, signer validity, time.

    Returns the code, the claim map (only once the signature verified) and the signer.
    """
    return check_cwt(message, trusted).at(now, leeway)


@dataclass(frozen=True)
class CwtCheck:
    """The part of :func:`verify_cwt` that does not depend on the time: the signature, the claim
    map and its time claims. :meth:`at` adds the checks against ``now``; a caller may keep one
    for the same message and trusted keys and call :meth:`at` on every use."""

    code: TokenCode
    claim_map: dict[Any, Any] | None = None
    signers: tuple[VerificationKey, ...] = ()
    issued_at: datetime | None = None
    not_before: datetime | None = None
    expires: datetime | None = None

    def at(self, now: datetime, leeway: timedelta
           ) -> tuple[TokenCode, dict[Any, Any] | None, VerificationKey | None]:
        """The outcome of :func:`verify_cwt` at ``now``."""
        if self.claim_map is None:
            return self.code, None, None
        signer = _signer_valid_at(self.signers, self.issued_at or now)
        if signer is None:
            return TokenCode.SIGNER_NOT_VALID, self.claim_map, self.signers[0]
        if self.not_before is not None and now + leeway < self.not_before:
            return TokenCode.NOT_YET_VALID, self.claim_map, signer
        if self.expires is not None and now - leeway >= self.expires:
            return TokenCode.EXPIRED, self.claim_map, signer
        return TokenCode.VALID, self.claim_map, signer


def check_cwt(message: Sign1Message, trusted: TrustedKeys) -> CwtCheck:
    """The time-independent checks of :func:`verify_cwt` (see :class:`CwtCheck`)."""
    try:
        result = check_signature(message, trusted)
        if result.check is not SignatureCheck.VALID:
            return CwtCheck(_SIGNATURE_CODES[result.check])
        claim_map = canonical_payload(message.payload)
        if not isinstance(claim_map, dict):
            return CwtCheck(TokenCode.MALFORMED)
        return CwtCheck(TokenCode.VALID, claim_map, result.signers,
                        _time_claim(claim_map, ClaimKey.IAT), _time_claim(claim_map, ClaimKey.NBF),
                        _time_claim(claim_map, ClaimKey.EXP))
    except TokenNonCanonicalError:
        return CwtCheck(TokenCode.NON_CANONICAL)
    except TokenMalformedError:
        return CwtCheck(TokenCode.MALFORMED)
    except Exception as exc:  # Never VALID on an internal failure.
        logger.warning("CWT verification failed unexpectedly: %s", type(exc).__name__)
        return CwtCheck(TokenCode.ERROR)


def _time_claim(claim_map: Mapping[Any, Any], key: ClaimKey) -> datetime | None:
    value = claim_map.get(key)
    return None if value is None else numeric_date(value)


def _signer_valid_at(
    signers: tuple[VerificationKey, ...], moment: datetime
) -> VerificationKey | None:
    # A bare public key carries no validity period; a certificate must cover the signing time.
    for signer in signers:
        if not isinstance(signer, x509.Certificate):
            return signer
        if signer.not_valid_before_utc <= moment <= signer.not_valid_after_utc:
            return signer
    return None


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
