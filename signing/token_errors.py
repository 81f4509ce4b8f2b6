"""Errors raised by the token modules (``signing.base45``, ``signing.cose``, ``signing.tokens``,
``signing.status_list``).

Only the low-level decoders and the encoders raise them. :func:`signing.tokens.verify_token` and
:func:`signing.status_list.verify_status_list` turn every one of them into a verdict code instead.
Messages never contain claim values (names, ID numbers) or key material.
"""

from __future__ import annotations

from core import ErrorCode, ZhengzhaoError


class TokenMalformedError(ZhengzhaoError):
    """Bytes or text that are not a well-formed token part (base45, zlib, CBOR, COSE_Sign1, CWT
    claims, status list), or claims that cannot be put into a token. Code ``TOKEN_MALFORMED``.

    Build it with the reason only: ``TokenMalformedError(message_en, message_zh)``.
    """

    def __init__(self, message_en: str, message_zh: str) -> None:
        super().__init__(ErrorCode.TOKEN_MALFORMED, message_en, message_zh)


class TokenNonCanonicalError(TokenMalformedError):
    """A well-formed COSE_Sign1 that is not byte for byte the layout we issue: wrapped in
    another tag, extra or unprotected headers, a non-minimal or indefinite-length encoding, a
    map in another order, or a high-S ECDSA signature. Each of these lets anyone make a second
    encoding of the same signed token, so a verifier refuses them (``token.non_canonical``)."""


__all__ = ["TokenMalformedError", "TokenNonCanonicalError"]
