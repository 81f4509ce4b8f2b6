"""pyHanko's view of our keys: a ``SimpleSigner`` that signs with the already loaded
``cryptography`` key instead of re-parsing the PKCS#8 blob for every signature, as pyHanko's own
``SimpleSigner.sign_raw`` does (a PKCS#11 deployment swaps it for ``pyhanko.sign.pkcs11``), and
an ECDSA RFC 3161 timestamp authority over any :class:`signing.Signer`.

Imported lazily (pyHanko takes about half a second to import).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from asn1crypto import algos, cms, core, tsp
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.sign.general import as_signing_certificate_v2, simple_cms_attribute
from pyhanko.sign.signers import SimpleSigner
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

if TYPE_CHECKING:
    from signing.signer import Signer

_HASHES: dict[str, hashes.HashAlgorithm] = {
    "sha256": hashes.SHA256(),
    "sha384": hashes.SHA384(),
    "sha512": hashes.SHA512(),
}


class CachedKeySimpleSigner(SimpleSigner):
    """``SimpleSigner`` whose ECDSA signatures use a key object kept in memory (and RFC 6979
    deterministic nonces)."""

    def __init__(self, key: ec.EllipticCurvePrivateKey, signing_cert: asn1_x509.Certificate,
                 signing_key: asn1_keys.PrivateKeyInfo,
                 cert_registry: SimpleCertificateStore) -> None:
        super().__init__(signing_cert=signing_cert, signing_key=signing_key,
                         cert_registry=cert_registry)
        self._cached_key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        digest = _HASHES.get(digest_algorithm.lower())
        if digest is None:  # anything unusual: pyHanko's own (slower, re-parsing) path
            return super().sign_raw(data, digest_algorithm)
        return self._cached_key.sign(data, ec.ECDSA(digest, deterministic_signing=True))


def _asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def make_pyhanko_signer(key: ec.EllipticCurvePrivateKey, certificate: x509.Certificate,
                        chain: Sequence[x509.Certificate]) -> SimpleSigner:
    """A pyHanko signer for ``certificate`` whose registry holds ``chain`` (so the CMS embeds
    the issuing CA and the root)."""
    der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    registry = SimpleCertificateStore.from_certs([_asn1_certificate(c) for c in chain])
    return CachedKeySimpleSigner(key, _asn1_certificate(certificate),
                                 asn1_keys.PrivateKeyInfo.load(der_key), registry)


# The TSA policy under which timestamps are issued (RFC 3161 TSTInfo.policy). An OID under
# 2.25 (ITU-T X.667: UUID-derived, no registration needed) so it claims no one else's arc:
# UUID 6299d278-efb3-4c53-b430-c9b630f98f32, "zhengzhao demo timestamp policy".
TSA_POLICY_OID = "2.25.131063033893857528247176843762364682034"


class SignerTimeStamper(DummyTimeStamper):
    """An RFC 3161 timestamp authority in process, signing with ECDSA through a
    :class:`signing.Signer` (pyHanko's ``DummyTimeStamper`` is RSA-only). The TSTInfo hash and
    the signature always use SHA-256; the requester's message imprint may use any hash."""

    def __init__(self, signer: Signer, *, fixed_time: datetime | None = None) -> None:
        chain = [_asn1_certificate(c) for c in signer.chain]
        super().__init__(tsa_cert=_asn1_certificate(signer.certificate),
                         tsa_key=None,  # type: ignore[arg-type] - the Signer holds the key
                         certs_to_embed=SimpleCertificateStore.from_certs(chain),
                         fixed_dt=fixed_time, override_md="sha256")
        self._signer = signer

    def _build_tst_info(self, message_imprint: tsp.MessageImprint, dt: datetime,
                        req: tsp.TimeStampReq) -> tsp.TSTInfo:
        tst_info = super()._build_tst_info(message_imprint, dt, req)
        tst_info["policy"] = tsp.ObjectIdentifier(TSA_POLICY_OID)
        return tst_info

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, dt: datetime
                       ) -> tuple[bytes, cms.CMSAttributes]:
        message_digest = hashlib.sha256(tst_info_data).digest()
        signed_attrs = cms.CMSAttributes([
            simple_cms_attribute("content_type", "tst_info"),
            simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
            simple_cms_attribute("signing_certificate_v2",
                                 as_signing_certificate_v2(self.tsa_cert)),
            simple_cms_attribute("message_digest", message_digest),
        ])
        return self._signer.sign(signed_attrs.dump()), signed_attrs

    def _build_signed_data(self, tst_info_data: bytes, md_algorithm: str, signature: bytes,
                           signed_attrs: cms.CMSAttributes) -> dict:
        signed_data = super()._build_signed_data(tst_info_data, md_algorithm, signature,
                                                 signed_attrs)
        signer_info = signed_data["signer_infos"][0]
        signer_info["signature_algorithm"] = algos.SignedDigestAlgorithm(
            {"algorithm": "sha256_ecdsa"})
        return signed_data
