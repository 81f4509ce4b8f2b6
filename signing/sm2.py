"""SM2 signatures with SM3 (GB/T 32918.2, GM/T 0003/0004/0009): keys, the Z value, DER and raw
r||s signatures. The national profile's seals (``signing.ses``) and certificates
(``signing.sm2_x509``) sign and verify through here.

The curve arithmetic is GmSSL 3's, through the ``gmssl-pyx`` wheel (statically linked: no system
library at run time); this module owns everything around it that interop depends on:

- the signed digest is ``e = SM3(Z_A || M)`` with ``Z_A = SM3(ENTL || ID || a || b || xG || yG ||
  xA || yA)`` (GM/T 0009 5.1), computed here so any distinguishing ID works, the empty one included;
- signatures are DER ``SEQUENCE { r INTEGER, s INTEGER }``; :func:`sm2_verify` accepts canonical
  DER only (a raw 64-byte ``r||s`` is refused: convert it with :func:`raw_to_der` first);
- keys are PKCS#8 / SubjectPublicKeyInfo with ``id-ecPublicKey`` and the SM2 curve OID
  1.2.156.10197.1.301, the form OpenSSL 3 reads and writes.

Verification never raises for a bad signature, key or encoding: it answers False.
"""

from __future__ import annotations

from dataclasses import dataclass

import gmssl_pyx
from asn1crypto import core as asn1_core
from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem

SM2_DEFAULT_ID = b"1234567812345678"
SM2_CURVE_OID = "1.2.156.10197.1.301"
SM3_DIGEST_SIZE = 32

# GB/T 32918.5 recommended curve parameters (the same as `openssl ecparam -name SM2`).
SM2_P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
SM2_A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC
SM2_B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
SM2_N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
SM2_GX = 0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7
SM2_GY = 0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0

_CURVE_BYTES = b"".join(v.to_bytes(32, "big") for v in (SM2_A, SM2_B, SM2_GX, SM2_GY))
_MAX_ID_BYTES = 0xFFFF // 8  # ENTL is the ID's length in bits, two bytes
# SubjectPublicKeyInfo up to the point: SEQUENCE { SEQUENCE { id-ecPublicKey, sm2 },
# BIT STRING (no unused bits) 04 || x || y } -- the one DER form of an SM2 public key.
_SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d034200")
_PRIVATE_LABEL = "PRIVATE KEY"
_PUBLIC_LABEL = "PUBLIC KEY"


class _DerSignature(asn1_core.Sequence):
    _fields = [("r", asn1_core.Integer), ("s", asn1_core.Integer)]


class _EcAlgorithm(asn1_core.Sequence):
    # id-ecPublicKey with a named curve (the only form SM2 keys take).
    _fields = [("algorithm", asn1_core.ObjectIdentifier),
               ("parameters", asn1_core.ObjectIdentifier)]


class _PrivateKeyInfo(asn1_core.Sequence):
    # PKCS#8 with the key kept opaque: asn1crypto's own class wants a registered key size.
    _fields = [("version", asn1_core.Integer), ("algorithm", _EcAlgorithm),
               ("private_key", asn1_core.OctetString),
               ("attributes", asn1_core.Any, {"implicit": 0, "optional": True})]


class _EcPrivateKey(asn1_core.Sequence):
    # RFC 5915 ECPrivateKey.
    _fields = [("version", asn1_core.Integer), ("private_key", asn1_core.OctetString),
               ("parameters", asn1_core.ObjectIdentifier, {"explicit": 0, "optional": True}),
               ("public_key", asn1_core.OctetBitString, {"explicit": 1, "optional": True})]


def sm3(data: bytes) -> bytes:
    """The 32-byte SM3 digest of ``data`` (GmSSL's: ``hashlib.new('sm3')`` exists only where
    Python's OpenSSL has it)."""
    return gmssl_pyx.sm3_hash(data)


def _point_on_curve(x: int, y: int) -> bool:
    return (0 <= x < SM2_P and 0 <= y < SM2_P
            and (y * y - (x * x * x + SM2_A * x + SM2_B)) % SM2_P == 0)


@dataclass(frozen=True, slots=True)
class Sm2PublicKey:
    """An SM2 public key: a point of the curve (never the point at infinity)."""

    x: int
    y: int

    def __post_init__(self) -> None:
        if not _point_on_curve(self.x, self.y):
            raise ValueError("not a point of the SM2 curve")

    @property
    def raw(self) -> bytes:
        """The uncompressed point, 65 bytes ``04 || x || y``."""
        return b"\x04" + self.x.to_bytes(32, "big") + self.y.to_bytes(32, "big")

    @classmethod
    def from_raw(cls, data: bytes) -> Sm2PublicKey:
        """From ``04 || x || y`` (65 bytes); ValueError for anything else."""
        if len(data) != 65 or data[0] != 4:
            raise ValueError("an SM2 public key is 65 bytes 04 || x || y")
        return cls(int.from_bytes(data[1:33], "big"), int.from_bytes(data[33:], "big"))

    def to_der(self) -> bytes:
        """SubjectPublicKeyInfo: id-ecPublicKey with the SM2 curve OID."""
        return asn1_keys.PublicKeyInfo({
            "algorithm": {"algorithm": "ec",
                          "parameters": asn1_keys.ECDomainParameters("named", SM2_CURVE_OID)},
            "public_key": self.raw,
        }).dump()

    @classmethod
    def from_der(cls, data: bytes) -> Sm2PublicKey:
        """From a DER SubjectPublicKeyInfo on the SM2 curve; ValueError for anything else."""
        if len(data) == len(_SPKI_PREFIX) + 65 and data.startswith(_SPKI_PREFIX):
            return cls.from_raw(data[len(_SPKI_PREFIX):])  # the usual form, without a parser
        try:
            info = asn1_keys.PublicKeyInfo.load(data, strict=True)
            algorithm = info["algorithm"]
            if algorithm["algorithm"].dotted != "1.2.840.10045.2.1":
                raise ValueError("not an EC public key")
            params = algorithm["parameters"]
            if params.name != "named" or params.chosen.dotted != SM2_CURVE_OID:
                raise ValueError("not on the SM2 curve")
            raw = bytes(info["public_key"])
        except (TypeError, KeyError, AttributeError) as exc:
            raise ValueError("not a SubjectPublicKeyInfo") from exc
        return cls.from_raw(raw)

    def to_pem(self) -> bytes:
        return asn1_pem.armor(_PUBLIC_LABEL, self.to_der())

    @classmethod
    def from_pem(cls, data: bytes) -> Sm2PublicKey:
        label, _, der = _unarmor(data)
        if label != _PUBLIC_LABEL:
            raise ValueError(f"expected a {_PUBLIC_LABEL} PEM, not {label!r}")
        return cls.from_der(der)


@dataclass(frozen=True, slots=True, repr=False)
class Sm2PrivateKey:
    """An SM2 private key d in [1, n-2] with its public point."""

    d: int
    public: Sm2PublicKey

    def __repr__(self) -> str:
        return f"Sm2PrivateKey(public={self.public.raw[:9].hex()}...)"

    @classmethod
    def generate(cls) -> Sm2PrivateKey:
        public, private = gmssl_pyx.sm2_key_generate()
        return cls(int.from_bytes(private, "big"), Sm2PublicKey.from_raw(b"\x04" + public))

    def public_key(self) -> Sm2PublicKey:
        return self.public

    def to_der(self) -> bytes:
        """Unencrypted PKCS#8 PrivateKeyInfo (RFC 5915 ECPrivateKey with the public point)."""
        ec_key = _EcPrivateKey({"version": 1, "private_key": self.d.to_bytes(32, "big"),
                                "public_key": self.public.raw})
        return _PrivateKeyInfo({
            "version": 0,
            "algorithm": {"algorithm": "1.2.840.10045.2.1",
                          "parameters": asn1_core.ObjectIdentifier(SM2_CURVE_OID)},
            "private_key": ec_key.dump(),
        }).dump()

    @classmethod
    def from_der(cls, data: bytes) -> Sm2PrivateKey:
        """From an unencrypted PKCS#8 SM2 key (as ``openssl genpkey -algorithm SM2`` writes);
        the public point is recomputed from d and must match the one stored, if any."""
        try:
            info = _PrivateKeyInfo.load(data, strict=True)
            if info["algorithm"]["algorithm"].dotted != "1.2.840.10045.2.1":
                raise ValueError("not an EC private key")
            params = info["algorithm"]["parameters"]
            if params.dotted != SM2_CURVE_OID:
                raise ValueError("not on the SM2 curve")
            ec_key = _EcPrivateKey.load(info["private_key"].native, strict=True)
            d = int.from_bytes(ec_key["private_key"].native, "big")
            stored = ec_key["public_key"]
            stored_raw = None if isinstance(stored, asn1_core.Void) else stored.native
        except (TypeError, KeyError, AttributeError) as exc:
            raise ValueError("not a PKCS#8 PrivateKeyInfo") from exc
        if not 1 <= d <= SM2_N - 2:
            raise ValueError("SM2 private key out of range")
        public = _public_point(d)
        if stored_raw is not None and stored_raw != public.raw:
            raise ValueError("the stored public key does not belong to the private key")
        return cls(d, public)

    def to_pem(self) -> bytes:
        """Unencrypted PKCS#8 PEM (``-----BEGIN PRIVATE KEY-----``); the key store writes the
        encrypted form (``signing.sm2_keyfile``)."""
        return asn1_pem.armor(_PRIVATE_LABEL, self.to_der())

    @classmethod
    def from_pem(cls, data: bytes) -> Sm2PrivateKey:
        label, _, der = _unarmor(data)
        if label != _PRIVATE_LABEL:
            raise ValueError(f"expected a {_PRIVATE_LABEL} PEM, not {label!r}")
        return cls.from_der(der)


def _unarmor(data: bytes) -> tuple[str, dict[str, str], bytes]:
    if not asn1_pem.detect(data):
        raise ValueError("no PEM armour")
    return asn1_pem.unarmor(data)


def _public_point(d: int) -> Sm2PublicKey:
    """d·G (Jacobian double-and-add in Python): run once per key load, never per signature;
    not constant-time, which is acceptable for a key the process already holds in memory."""
    x, y = _scalar_mult(d, SM2_GX, SM2_GY)
    return Sm2PublicKey(x, y)


def _scalar_mult(k: int, x: int, y: int) -> tuple[int, int]:
    # Jacobian double-and-add; only for deriving a public key from a key we already hold.
    p = SM2_P
    rx, ry, rz = 0, 1, 0
    for bit in bin(k)[2:]:
        rx, ry, rz = _jacobian_double(rx, ry, rz)
        if bit == "1":
            rx, ry, rz = _jacobian_add_affine(rx, ry, rz, x, y)
    inv = pow(rz, -1, p)
    return rx * inv * inv % p, ry * inv * inv * inv % p


def _jacobian_double(x: int, y: int, z: int) -> tuple[int, int, int]:
    p = SM2_P
    if z == 0 or y == 0:
        return 0, 1, 0
    ysq = y * y % p
    s = 4 * x * ysq % p
    zsq = z * z % p
    m = (3 * x * x + SM2_A * zsq * zsq) % p
    nx = (m * m - 2 * s) % p
    ny = (m * (s - nx) - 8 * ysq * ysq) % p
    nz = 2 * y * z % p
    return nx, ny, nz


def _jacobian_add_affine(x1: int, y1: int, z1: int, x2: int, y2: int) -> tuple[int, int, int]:
    p = SM2_P
    if z1 == 0:
        return x2, y2, 1
    z1sq = z1 * z1 % p
    u2 = x2 * z1sq % p
    s2 = y2 * z1sq * z1 % p
    h = (u2 - x1) % p
    r = (s2 - y1) % p
    if h == 0:
        return _jacobian_double(x1, y1, z1) if r == 0 else (0, 1, 0)
    hsq = h * h % p
    hcu = hsq * h % p
    nx = (r * r - hcu - 2 * x1 * hsq) % p
    ny = (r * (x1 * hsq - nx) - y1 * hcu) % p
    nz = h * z1 % p
    return nx, ny, nz


def sm2_z(public: Sm2PublicKey, uid: bytes = SM2_DEFAULT_ID) -> bytes:
    """Z_A = SM3(ENTL_A || ID_A || a || b || xG || yG || xA || yA), ENTL_A the ID's bit length
    in two bytes. ValueError for an ID of 8,192 bytes or more."""
    if len(uid) > _MAX_ID_BYTES:
        raise ValueError("an SM2 distinguishing ID is at most 8,191 bytes")
    return sm3((len(uid) * 8).to_bytes(2, "big") + uid + _CURVE_BYTES
               + public.x.to_bytes(32, "big") + public.y.to_bytes(32, "big"))


def sm2_digest(public: Sm2PublicKey, message: bytes, uid: bytes = SM2_DEFAULT_ID) -> bytes:
    """e = SM3(Z_A || M): the value an SM3withSM2 signature signs."""
    return sm3(sm2_z(public, uid) + message)


def sm2_sign(key: Sm2PrivateKey, message: bytes, uid: bytes = SM2_DEFAULT_ID) -> bytes:
    """SM3withSM2 signature of ``message`` (with the Z value of ``uid``), DER SEQUENCE{r, s}.
    The nonce is GmSSL's (its RNG reads the OS's)."""
    digest = sm2_digest(key.public, message, uid)
    return gmssl_pyx.sm2_sign_sm3_digest(key.d.to_bytes(32, "big"), digest)


def sm2_sign_digest(key: Sm2PrivateKey, digest: bytes) -> bytes:
    """DER signature of a precomputed e (:func:`sm2_digest`), for callers that hash in pieces."""
    if len(digest) != SM3_DIGEST_SIZE:
        raise ValueError("an SM3 digest is 32 bytes")
    return gmssl_pyx.sm2_sign_sm3_digest(key.d.to_bytes(32, "big"), digest)


def sm2_verify(pub: Sm2PublicKey, message: bytes, signature: bytes,
               uid: bytes = SM2_DEFAULT_ID) -> bool:
    """Whether ``signature`` (canonical DER) is pub's SM3withSM2 signature of ``message`` with the
    Z value of ``uid``. False, never an exception, for a wrong signature, a raw r||s, non-DER or
    non-canonical bytes, r or s out of [1, n-1], or an over-long ID."""
    try:
        digest = sm2_digest(pub, message, uid)
    except ValueError:
        return False
    return sm2_verify_digest(pub, digest, signature)


def sm2_verify_digest(pub: Sm2PublicKey, digest: bytes, signature: bytes) -> bool:
    """:func:`sm2_verify` for a precomputed e; False for anything but a valid signature."""
    if len(digest) != SM3_DIGEST_SIZE or _parse_der(signature) is None:
        return False
    try:
        return bool(gmssl_pyx.sm2_verify_sm3_digest(pub.raw[1:], digest, signature))
    except (gmssl_pyx.InvalidValueError, gmssl_pyx.GmsslInnerError, ValueError, TypeError):
        return False


def _parse_der(signature: bytes) -> tuple[int, int] | None:
    """(r, s) of a canonical DER SEQUENCE{r, s} with both in [1, n-1], else None. Hand-parsed
    (a tenth of asn1crypto's time): short-form lengths only (the whole is at most 72 bytes),
    minimal positive INTEGERs, nothing after the sequence."""
    if not isinstance(signature, bytes | bytearray) or not 8 <= len(signature) <= 72:
        return None
    if signature[0] != 0x30 or signature[1] != len(signature) - 2:
        return None
    values = []
    offset = 2
    for _ in range(2):
        if offset + 2 > len(signature) or signature[offset] != 0x02:
            return None
        length = signature[offset + 1]
        body = signature[offset + 2:offset + 2 + length]
        if not 1 <= length <= 33 or len(body) != length:
            return None
        if body[0] & 0x80 or (length > 1 and body[0] == 0 and not body[1] & 0x80):
            return None  # negative, or a leading zero byte that is not needed
        values.append(int.from_bytes(body, "big"))
        offset += 2 + length
    r, s = values
    if offset != len(signature) or not (1 <= r < SM2_N and 1 <= s < SM2_N):
        return None
    return r, s


def raw_to_der(raw: bytes) -> bytes:
    """DER SEQUENCE{r, s} of a 64-byte ``r || s`` (each 32 bytes big-endian, as GM/T 0031 v1
    seals and some HSMs give them); ValueError for another length."""
    if len(raw) != 64:
        raise ValueError("a raw SM2 signature is 64 bytes r || s")
    return _DerSignature({"r": int.from_bytes(raw[:32], "big"),
                          "s": int.from_bytes(raw[32:], "big")}).dump()


def der_to_raw(der: bytes) -> bytes:
    """The 64-byte ``r || s`` of a canonical DER SM2 signature; ValueError if it is not one."""
    parsed = _parse_der(der)
    if parsed is None:
        raise ValueError("not a canonical DER SM2 signature")
    r, s = parsed
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


__all__ = [
    "SM2_CURVE_OID",
    "SM2_DEFAULT_ID",
    "SM2_N",
    "SM3_DIGEST_SIZE",
    "Sm2PrivateKey",
    "Sm2PublicKey",
    "der_to_raw",
    "raw_to_der",
    "sm2_digest",
    "sm2_sign",
    "sm2_sign_digest",
    "sm2_verify",
    "sm2_verify_digest",
    "sm2_z",
    "sm3",
]
