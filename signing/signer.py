"""The signer interface and its file-key implementation.

Anything that signs licences (PDF signatures, QR tokens, timestamps) goes through a
:class:`Signer`: today a :class:`FileSigner` holding a key decrypted once from the key store,
later a PKCS#11 HSM signer with the same three members. pyHanko gets its own view of the same
cached key through :meth:`FileSigner.pyhanko_signer`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from signing.errors import KeysInvalidError

if TYPE_CHECKING:
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko.sign.timestamps import TimeStamper

KID_LENGTH = 8


def key_id(certificate: x509.Certificate) -> bytes:
    """The key id of a signing certificate, as in the EU DCC trust list: the first 8 bytes of
    the SHA-256 of the certificate's DER encoding."""
    der = certificate.public_bytes(serialization.Encoding.DER)
    return hashlib.sha256(der).digest()[:KID_LENGTH]


@runtime_checkable
class Signer(Protocol):
    """Signs with one private key that never has to leave its home (file, HSM).

    ``sign`` returns a DER-encoded ECDSA-with-SHA-256 signature over ``data`` (it hashes
    ``data`` itself); COSE callers convert it to raw ``r || s``. A file signer signs
    deterministically (RFC 6979); an HSM need not. ``chain`` is the issuing CA
    certificates up to and including the root, nearest first.
    """

    @property
    def certificate(self) -> x509.Certificate: ...

    @property
    def chain(self) -> tuple[x509.Certificate, ...]: ...

    def sign(self, data: bytes) -> bytes: ...


class FileSigner:
    """A :class:`Signer` over a private key already decrypted from the key store.

    The key is loaded once (by :class:`signing.KeyStore`) and kept in memory, so signing costs
    one ECDSA operation, not a file read and a PBKDF2 per signature. The repr never shows it.
    """

    __slots__ = ("_certificate", "_chain", "_key", "_kid", "_pyhanko")

    def __init__(self, private_key: ec.EllipticCurvePrivateKey, certificate: x509.Certificate,
                 chain: Sequence[x509.Certificate]) -> None:
        public = certificate.public_key()
        if (not isinstance(public, ec.EllipticCurvePublicKey)
                or public.public_numbers() != private_key.public_key().public_numbers()):
            raise KeysInvalidError("signer", "the private key does not match its certificate")
        self._key = private_key
        self._certificate = certificate
        self._chain = tuple(chain)
        self._kid = key_id(certificate)
        self._pyhanko: SimpleSigner | None = None

    def __repr__(self) -> str:
        subject = self._certificate.subject.rfc4514_string()
        return f"FileSigner(kid={self._kid.hex()}, subject={subject!r})"

    @property
    def certificate(self) -> x509.Certificate:
        return self._certificate

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        return self._chain

    @property
    def kid(self) -> bytes:
        """The trust-list key id of :attr:`certificate`."""
        return self._kid

    @property
    def private_key(self) -> ec.EllipticCurvePrivateKey:
        """The cached key, for code that needs the key object itself (the COSE token encoder).
        An HSM signer has no such attribute: prefer :meth:`sign`."""
        return self._key

    def sign(self, data: bytes) -> bytes:
        # Deterministic ECDSA (RFC 6979): no per-signature random nonce that a weak RNG could
        # leak the key through; the same data gives the same signature.
        return self._key.sign(data, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))

    def pyhanko_signer(self) -> SimpleSigner:
        """A pyHanko ``SimpleSigner`` over the same cached key, certificate and chain (made
        once; pyHanko is imported on first use)."""
        if self._pyhanko is None:
            from signing.signer_pyhanko import make_pyhanko_signer  # noqa: PLC0415 - heavy import

            self._pyhanko = make_pyhanko_signer(self._key, self._certificate, self._chain)
        return self._pyhanko


def pyhanko_timestamper(signer: Signer, *, fixed_time: datetime | None = None) -> TimeStamper:
    """An in-process RFC 3161 timestamp authority for pyHanko that signs with ``signer``
    (normally :meth:`signing.KeyStore.timestamp_signer`), ECDSA P-256 / SHA-256.
    ``fixed_time`` freezes genTime (tests); otherwise each timestamp uses the clock."""
    from signing.signer_pyhanko import SignerTimeStamper  # noqa: PLC0415 - heavy import

    return SignerTimeStamper(signer, fixed_time=fixed_time)
