"""COSE_Sign1 (RFC 9052) with ES256 only, built on cbor2 and cryptography.

A message is ``18([protected: bstr, unprotected: map, payload: bstr, signature: bstr])``. We
write the protected header ``{1: -7, 4: kid}`` (alg ES256 and the key id, both signed), an
empty unprotected header, and the signature as the raw 64-byte ``r || s`` (RFC 9053 section
2.1), not DER, with ``s`` in the lower half of the group order ("low-S"). The bytes signed are
the CBOR ``["Signature1", protected, h'', payload]``.

Reading is strict and canonical: exactly one tag 18 (no CWT tag 61 around it), exactly four
elements, no bytes after the message, no label in both headers, no ``crit`` header, an empty
unprotected header, a protected header holding only ``alg`` and ``kid`` in deterministic CBOR,
and a low-S signature. The message is encoded again the way :func:`sign1` writes it and must
give the received bytes: any other encoding of the same signed content (which anyone can make
without the key) is refused with :class:`TokenNonCanonicalError`. Only ES256 on P-256 is
accepted.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

import cbor2
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from signing.errors import TokenMalformedError, TokenNonCanonicalError

__all__ = [
    "ALG_ES256",
    "COSE_SIGN1_TAG",
    "CWT_TAG",
    "HeaderLabel",
    "DerSigner",
    "P256_ORDER",
    "SignatureCheck",
    "SignatureResult",
    "Sign1Message",
    "SigningKey",
    "TrustedKeys",
    "VerificationKey",
    "canonical_payload",
    "check_signature",
    "decode_cbor",
    "decode_sign1",
    "sign1",
    "verify_signature",
]

ALG_ES256 = -7
COSE_SIGN1_TAG = 18
CWT_TAG = 61
_COORDINATE_BYTES = 32
# The order n of the P-256 group: (r, s) and (r, n - s) both verify, so only s <= n / 2 is taken.
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
# The only protected header labels we write.
_PROTECTED_LABELS = frozenset({1, 4})

VerificationKey = x509.Certificate | ec.EllipticCurvePublicKey
TrustedKeys = Mapping[bytes, Sequence[VerificationKey]]


@runtime_checkable
class DerSigner(Protocol):
    """Anything that signs ECDSA P-256 with SHA-256 and returns DER, like ``signing.Signer``
    (a file key today, an HSM later): ``sign(data)`` hashes ``data`` itself."""

    def sign(self, data: bytes) -> bytes: ...


SigningKey = ec.EllipticCurvePrivateKey | DerSigner


class HeaderLabel(IntEnum):
    """COSE header parameter labels used here (RFC 9052 section 3.1)."""

    ALG = 1
    CRIT = 2
    CONTENT_TYPE = 3
    KID = 4


class SignatureCheck(StrEnum):
    """The outcome of checking a COSE_Sign1 signature against trusted keys."""

    VALID = "valid"
    UNSUPPORTED_ALGORITHM = "unsupported_algorithm"
    UNKNOWN_KID = "unknown_kid"
    BAD_SIGNATURE = "bad_signature"


@dataclass(frozen=True)
class Sign1Message:
    """A decoded COSE_Sign1 message; ``protected`` keeps the exact serialized bytes signed."""

    protected: bytes
    protected_header: Mapping[Any, Any]
    unprotected_header: Mapping[Any, Any]
    payload: bytes
    signature: bytes

    @property
    def alg(self) -> Any:
        """The algorithm from the protected header (``None`` when it is not protected)."""
        return self.protected_header.get(HeaderLabel.ALG)

    @property
    def kid(self) -> bytes | None:
        """The key id from the protected header (a decoded message has no unprotected one)."""
        return self.protected_header.get(HeaderLabel.KID)

    def to_be_signed(self) -> bytes:
        """The Sig_structure bytes that the signature covers (RFC 9052 section 4.4)."""
        return _sig_structure(self.protected, self.payload)


@dataclass(frozen=True)
class SignatureResult:
    """``check`` and, when it is ``VALID``, every trusted key the signature verified with."""

    check: SignatureCheck
    signers: tuple[VerificationKey, ...] = ()


def sign1(payload: bytes, signer: SigningKey, kid: bytes) -> bytes:
    """A tagged COSE_Sign1 message over ``payload``, signed ES256 by ``signer``.

    ``signer`` is a P-256 private key (then the signature is deterministic, RFC 6979, so the
    same inputs give the same bytes) or a :class:`DerSigner` such as ``signing.FileSigner``.
    """
    if not isinstance(kid, bytes) or not kid:
        raise TypeError("kid must be non-empty bytes")
    protected = _protected_header(kid)
    to_be_signed = _sig_structure(protected, payload)
    if isinstance(signer, ec.EllipticCurvePrivateKey):
        if not isinstance(signer.curve, ec.SECP256R1):
            raise TypeError("ES256 needs an ECDSA P-256 private key")
        der = signer.sign(to_be_signed, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    elif isinstance(signer, DerSigner):
        _require_p256_certificate(signer)
        der = signer.sign(to_be_signed)
    else:
        raise TypeError("signer must be a P-256 private key or have sign(data) -> DER")
    r, s = decode_dss_signature(der)
    if max(r.bit_length(), s.bit_length()) > 8 * _COORDINATE_BYTES or not 0 < s < P256_ORDER:
        raise ValueError("the signer did not make a P-256 signature")
    if s > P256_ORDER // 2:
        s = P256_ORDER - s  # low-S: the one of the two valid signatures a verifier accepts
    signature = r.to_bytes(_COORDINATE_BYTES, "big") + s.to_bytes(_COORDINATE_BYTES, "big")
    return _encode_sign1(protected, payload, signature)


def _protected_header(kid: bytes) -> bytes:
    return cbor2.dumps({HeaderLabel.ALG.value: ALG_ES256, HeaderLabel.KID.value: kid},
                       canonical=True)


def _encode_sign1(protected: bytes, payload: bytes, signature: bytes) -> bytes:
    """The one encoding we write: tag 18, definite lengths, shortest heads, ``{}`` unprotected."""
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))


def _require_p256_certificate(signer: object) -> None:
    # A signer that shows its certificate (signing.Signer does) must hold a P-256 key.
    certificate = getattr(signer, "certificate", None)
    if isinstance(certificate, x509.Certificate):
        public_key = certificate.public_key()
        if not isinstance(public_key, ec.EllipticCurvePublicKey) or not isinstance(
            public_key.curve, ec.SECP256R1
        ):
            raise TypeError("ES256 needs a signer with an ECDSA P-256 key")


def decode_cbor(data: bytes) -> Any:
    """Exactly one CBOR item from ``data``; raises :class:`TokenMalformedError` otherwise."""
    if not isinstance(data, bytes | bytearray):
        raise TokenMalformedError("CBOR data must be bytes.", "CBOR 数据必须是字节串。")
    stream = io.BytesIO(data)
    try:
        item = cbor2.CBORDecoder(stream).decode()
    except Exception as exc:  # cbor2 raises many types on hostile input.
        raise TokenMalformedError(
            f"The bytes are not valid CBOR ({type(exc).__name__}).",
            "字节不是有效的 CBOR 数据。",
        ) from None
    if stream.tell() != len(data):
        raise TokenMalformedError(
            "There are bytes after the CBOR item.", "CBOR 数据项之后还有多余字节。"
        )
    return item


def decode_sign1(data: bytes) -> Sign1Message:
    """The COSE_Sign1 message in ``data``; raises :class:`TokenMalformedError` if it is not one,
    and its subclass :class:`TokenNonCanonicalError` if it is one but not encoded exactly as
    :func:`sign1` encodes it (see the module docstring).

    Does not check the signature or the algorithm: see :func:`check_signature`.
    """
    item = decode_cbor(data)
    wrapped = isinstance(item, cbor2.CBORTag) and item.tag == CWT_TAG
    if wrapped:
        item = item.value
    if not (isinstance(item, cbor2.CBORTag) and item.tag == COSE_SIGN1_TAG):
        raise _malformed("it is not a tagged COSE_Sign1 message")
    parts = item.value
    if not isinstance(parts, list) or len(parts) != 4:
        raise _malformed("a COSE_Sign1 message has exactly four elements")
    protected, unprotected, payload, signature = parts
    if not all(isinstance(part, bytes) for part in (protected, payload, signature)):
        raise _malformed("the protected header, payload and signature must be byte strings")
    if not isinstance(unprotected, dict):
        raise _malformed("the unprotected header must be a map")
    protected_header = decode_cbor(protected) if protected else {}
    if not isinstance(protected_header, dict):
        raise _malformed("the protected header must be a map")
    if set(protected_header) & set(unprotected):
        raise _malformed("a header label appears in both headers")
    if HeaderLabel.CRIT in protected_header or HeaderLabel.CRIT in unprotected:
        raise _malformed("critical header extensions are not supported")
    kid = protected_header.get(HeaderLabel.KID)
    if kid is not None and not isinstance(kid, bytes):
        raise _malformed("the key id must be a byte string")
    if wrapped:
        raise _non_canonical("it is wrapped in the CWT tag 61, which we never write")
    if unprotected:
        raise _non_canonical("the unprotected header is not empty")
    if not isinstance(kid, bytes) or not set(protected_header) <= _PROTECTED_LABELS:
        raise _non_canonical("the protected header must hold a kid and nothing but alg")
    if _encode_canonical(protected_header) != protected:
        raise _non_canonical("the protected header is not in deterministic CBOR")
    if _is_es256(protected_header.get(HeaderLabel.ALG)) and _high_s(signature):
        raise _non_canonical("the signature is not low-S")
    if _encode_sign1(protected, payload, signature) != data:
        raise _non_canonical("the message is not in the encoding we issue")
    return Sign1Message(
        protected,
        MappingProxyType(protected_header),
        MappingProxyType({}),
        payload,
        signature,
    )


def canonical_payload(payload: bytes) -> Any:
    """The CBOR item in a signed ``payload`` (see :func:`decode_cbor`), which must be in the
    deterministic encoding our issuer writes (``cbor2.dumps(..., canonical=True)``); raises
    :class:`TokenNonCanonicalError` when it is not."""
    item = decode_cbor(payload)
    if _encode_canonical(item) != payload:
        raise _non_canonical("the payload is not in deterministic CBOR")
    return item


def _encode_canonical(item: Any) -> bytes | None:
    try:
        return cbor2.dumps(item, canonical=True)
    except Exception:  # noqa: BLE001 - cbor2 raises several types for what it cannot encode
        return None


def _high_s(signature: bytes) -> bool:
    # A signature of another length does not verify anyway (verify_signature refuses it).
    if len(signature) != 2 * _COORDINATE_BYTES:
        return False
    return int.from_bytes(signature[_COORDINATE_BYTES:], "big") > P256_ORDER // 2


def verify_signature(message: Sign1Message, key: VerificationKey) -> None:
    """Check ``message``'s ES256 signature with ``key``.

    Raises :class:`cryptography.exceptions.InvalidSignature` when it does not verify, when the
    algorithm is not ES256, when the key is not a P-256 public key, or when ``s`` is in the
    upper half of the group order (the malleable twin of a valid signature).
    """
    public_key = key.public_key() if isinstance(key, x509.Certificate) else key
    if (
        not _is_es256(message.alg)
        or not isinstance(public_key, ec.EllipticCurvePublicKey)
        or not isinstance(public_key.curve, ec.SECP256R1)
        or len(message.signature) != 2 * _COORDINATE_BYTES
        or _high_s(message.signature)
    ):
        raise InvalidSignature()
    r = int.from_bytes(message.signature[:_COORDINATE_BYTES], "big")
    s = int.from_bytes(message.signature[_COORDINATE_BYTES:], "big")
    public_key.verify(
        encode_dss_signature(r, s), message.to_be_signed(), ec.ECDSA(hashes.SHA256())
    )


def check_signature(message: Sign1Message, trusted: TrustedKeys) -> SignatureResult:
    """Check ``message`` against every trusted key registered under its key id.

    The algorithm allow-list is ES256 only. Key ids may collide (they are truncated hashes), so
    every key with the id is tried and all those that verify are returned.
    """
    if not _is_es256(message.alg):
        return SignatureResult(SignatureCheck.UNSUPPORTED_ALGORITHM)
    kid = message.kid
    candidates = trusted.get(kid, ()) if kid is not None else ()
    if not candidates:
        return SignatureResult(SignatureCheck.UNKNOWN_KID)
    signers: list[VerificationKey] = []
    for key in candidates:
        try:
            verify_signature(message, key)
        except InvalidSignature:
            continue
        signers.append(key)
    if not signers:
        return SignatureResult(SignatureCheck.BAD_SIGNATURE)
    return SignatureResult(SignatureCheck.VALID, tuple(signers))


def _is_es256(alg: Any) -> bool:
    # Exactly the integer -7: not the float -7.0, not a bool, not the text "ES256".
    return type(alg) is int and alg == ALG_ES256


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, b"", payload])


def _non_canonical(reason: str) -> TokenNonCanonicalError:
    return TokenNonCanonicalError(
        f"Not the COSE_Sign1 encoding we issue: {reason}.",
        "不是本系统签发的规范 COSE_Sign1 编码（可能被改写过）。",
    )


def _malformed(reason: str) -> TokenMalformedError:
    return TokenMalformedError(
        f"Not a valid COSE_Sign1 message: {reason}.", "不是有效的 COSE_Sign1 签名消息。"
    )
