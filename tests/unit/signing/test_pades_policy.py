"""The validation policy's pure rules: the algorithm allow-list, key usage of a licence-signing
certificate, which later modifications are permitted, and the revocation-gap detection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import algos, cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import SignatureCoverageLevel

from signing import CertRole, KeyStore
from signing.pades_policy import (
    algorithm_problem,
    asn1_certificate,
    asn1_crl_list,
    key_usage_problem,
    modification_problem,
    revocation_gap,
)

KEY = ec.generate_private_key(ec.SECP256R1())
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def certificate(*, ca: bool = False, usage: dict[str, bool] | None = None,
                ekus: list[x509.ObjectIdentifier] | None = None) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "policy test")])
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
               .public_key(KEY.public_key()).serial_number(1)
               .not_valid_before(NOW).not_valid_after(NOW + timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if usage is not None:
        flags = dict.fromkeys(("digital_signature", "content_commitment", "key_encipherment",
                               "data_encipherment", "key_agreement", "key_cert_sign",
                               "crl_sign", "encipher_only", "decipher_only"), False)
        flags.update(usage)
        builder = builder.add_extension(x509.KeyUsage(**flags), critical=True)
    if ekus is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(ekus), critical=False)
    return builder.sign(KEY, hashes.SHA256())


DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")


@pytest.mark.parametrize(("kwargs", "allowed"), [
    ({"usage": {"digital_signature": True, "content_commitment": True}}, True),
    ({"usage": {"content_commitment": True}}, True),
    ({"usage": {"digital_signature": True}, "ekus": [DOCUMENT_SIGNING]}, True),
    ({"usage": {"digital_signature": True},
      "ekus": [ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING]}, True),
    ({"usage": {"digital_signature": True}, "ekus": [ExtendedKeyUsageOID.TIME_STAMPING]}, False),
    ({"usage": {"digital_signature": True}, "ekus": [ExtendedKeyUsageOID.SERVER_AUTH]}, False),
    ({"usage": {"key_encipherment": True}}, False),
    ({}, False),  # no keyUsage at all
    ({"ca": True, "usage": {"digital_signature": True, "key_cert_sign": True}}, False),
])
def test_key_usage(kwargs: dict, allowed: bool) -> None:
    assert (key_usage_problem(certificate(**kwargs)) is None) is allowed


def signer_info(digest: str, signature: str, pss_hash: str | None = None) -> cms.SignerInfo:
    algorithm: dict = {"algorithm": signature}
    if pss_hash is not None:
        algorithm["parameters"] = algos.RSASSAPSSParams({
            "hash_algorithm": {"algorithm": pss_hash},
            "mask_gen_algorithm": {"algorithm": "mgf1",
                                   "parameters": {"algorithm": pss_hash}},
            "salt_length": 32})
    return cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier({"subject_key_identifier": b"\x01" * 20}),
        "digest_algorithm": {"algorithm": digest},
        "signature_algorithm": algorithm,
        "signature": b"\x00" * 64,
    })


@pytest.mark.parametrize(("digest", "signature", "pss_hash", "allowed"), [
    ("sha256", "sha256_ecdsa", None, True),
    ("sha384", "sha384_ecdsa", None, True),
    ("sha512", "sha512_rsa", None, True),
    ("sha256", "rsassa_pss", "sha256", True),
    ("sha1", "sha256_ecdsa", None, False),
    ("md5", "md5_rsa", None, False),
    ("sha256", "sha1_rsa", None, False),
    ("sha256", "sha1_ecdsa", None, False),
    ("sha256", "rsassa_pss", "sha1", False),
])
def test_algorithm_allow_list(digest: str, signature: str, pss_hash: str | None,
                              allowed: bool) -> None:
    assert (algorithm_problem(signer_info(digest, signature, pss_hash)) is None) is allowed


@pytest.mark.parametrize(("coverage", "level", "allowed"), [
    (SignatureCoverageLevel.ENTIRE_FILE, None, True),
    (SignatureCoverageLevel.ENTIRE_REVISION, ModificationLevel.NONE, True),
    (SignatureCoverageLevel.ENTIRE_REVISION, ModificationLevel.LTA_UPDATES, True),
    (SignatureCoverageLevel.ENTIRE_REVISION, ModificationLevel.FORM_FILLING, False),
    (SignatureCoverageLevel.ENTIRE_REVISION, ModificationLevel.ANNOTATIONS, False),
    (SignatureCoverageLevel.ENTIRE_REVISION, ModificationLevel.OTHER, False),
    (SignatureCoverageLevel.ENTIRE_REVISION, None, False),
    (SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START, None, False),
    (SignatureCoverageLevel.UNCLEAR, None, False),
    (None, None, False),
])
def test_permitted_modifications(coverage: SignatureCoverageLevel | None,
                                 level: ModificationLevel | None, allowed: bool) -> None:
    assert (modification_problem(coverage, level) is None) is allowed


def test_revocation_gap(pki_store: KeyStore) -> None:
    signing = asn1_certificate(pki_store.signer().certificate)
    chain = [asn1_certificate(c) for c in pki_store.chain()]
    root_crl, issuing_crl = (asn1_crl_list(c) for c in sorted(
        pki_store.crls(), key=lambda c: c.issuer == pki_store.certificate(
            CertRole.ISSUING_CA).subject))
    assert revocation_gap(signing, chain, [root_crl, issuing_crl]) is None
    assert revocation_gap(signing, chain, [root_crl]) is not None  # no issuing-CA CRL
    assert revocation_gap(signing, chain, [issuing_crl]) is not None  # no root CRL
    assert revocation_gap(signing, chain, []) is not None
