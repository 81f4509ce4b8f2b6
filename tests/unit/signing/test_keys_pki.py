"""The PKI made by ``KeyStore.initialise``: certificate extensions parsed with cryptography,
chains and CRLs checked by the openssl command-line tool (an independent implementation)."""

from __future__ import annotations

import hashlib
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, SignatureAlgorithmOID

from signing import CertRole, KeyStore


def pem_file(directory: Path, name: str, *objects: x509.Certificate
             | x509.CertificateRevocationList) -> Path:
    path = directory / name
    path.write_bytes(b"".join(o.public_bytes(serialization.Encoding.PEM) for o in objects))
    return path


def openssl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=30)


def all_certs(store: KeyStore) -> dict[CertRole, x509.Certificate]:
    return {role: store.certificate(role) for role in CertRole}


def test_every_key_is_p256_and_every_signature_ecdsa_sha256(pki_store: KeyStore) -> None:
    for role, cert in all_certs(pki_store).items():
        key = cert.public_key()
        assert isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1", role
        assert cert.signature_algorithm_oid == SignatureAlgorithmOID.ECDSA_WITH_SHA256, role
        assert cert.version is x509.Version.v3


def test_chain_of_issuers(pki_store: KeyStore) -> None:
    certs = all_certs(pki_store)
    root, ca = certs[CertRole.ROOT], certs[CertRole.ISSUING_CA]
    assert root.issuer == root.subject
    assert ca.issuer == root.subject
    assert certs[CertRole.LICENCE_SIGNING].issuer == ca.subject
    assert certs[CertRole.TIMESTAMP].issuer == ca.subject


def test_basic_constraints_and_key_usage(pki_store: KeyStore) -> None:
    certs = all_certs(pki_store)
    expected_path_len = {CertRole.ROOT: 1, CertRole.ISSUING_CA: 0}
    for role, cert in certs.items():
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints)
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage)
        assert bc.critical and ku.critical, role
        usage = {name for name in ("digital_signature", "content_commitment",
                                   "key_encipherment", "data_encipherment", "key_agreement",
                                   "key_cert_sign", "crl_sign") if getattr(ku.value, name)}
        if role in expected_path_len:
            assert bc.value.ca and bc.value.path_length == expected_path_len[role]
            assert usage == {"key_cert_sign", "crl_sign"}, role
        else:
            assert not bc.value.ca
    signing_usage = certs[CertRole.LICENCE_SIGNING].extensions.get_extension_for_class(
        x509.KeyUsage).value
    assert signing_usage.digital_signature and signing_usage.content_commitment
    assert not (signing_usage.key_cert_sign or signing_usage.crl_sign
                or signing_usage.key_encipherment)
    tsa_usage = certs[CertRole.TIMESTAMP].extensions.get_extension_for_class(x509.KeyUsage).value
    assert tsa_usage.digital_signature and not tsa_usage.key_cert_sign


def test_signing_certificate_has_no_extended_key_usage(pki_store: KeyStore) -> None:
    # documentSigning alone makes pdfsig say "Unknown issue with Certificate" (issue 4).
    with pytest.raises(x509.ExtensionNotFound):
        pki_store.certificate(CertRole.LICENCE_SIGNING).extensions.get_extension_for_class(
            x509.ExtendedKeyUsage)


def test_timestamp_certificate_has_critical_time_stamping_eku_only(pki_store: KeyStore) -> None:
    eku = pki_store.certificate(CertRole.TIMESTAMP).extensions.get_extension_for_class(
        x509.ExtendedKeyUsage)
    assert eku.critical
    assert list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]


def test_ski_is_rfc5280_method_1_and_aki_names_the_issuer(pki_store: KeyStore) -> None:
    certs = all_certs(pki_store)
    ski = {}
    for role, cert in certs.items():
        point = cert.public_key().public_bytes(serialization.Encoding.X962,
                                               serialization.PublicFormat.UncompressedPoint)
        value = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        assert value.digest == hashlib.sha1(point).digest(), role
        ski[role] = value.digest
    issuer_of = {CertRole.ROOT: CertRole.ROOT, CertRole.ISSUING_CA: CertRole.ROOT,
                 CertRole.LICENCE_SIGNING: CertRole.ISSUING_CA,
                 CertRole.TIMESTAMP: CertRole.ISSUING_CA}
    for role, cert in certs.items():
        aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
        assert aki.key_identifier == ski[issuer_of[role]], role


def test_crl_distribution_points(pki_store: KeyStore) -> None:
    certs = all_certs(pki_store)
    with pytest.raises(x509.ExtensionNotFound):
        certs[CertRole.ROOT].extensions.get_extension_for_class(x509.CRLDistributionPoints)
    expected = {CertRole.ISSUING_CA: "http://localhost:8000/pki/root-ca.crl",
                CertRole.LICENCE_SIGNING: "http://localhost:8000/pki/issuing-ca.crl",
                CertRole.TIMESTAMP: "http://localhost:8000/pki/issuing-ca.crl"}
    for role, url in expected.items():
        points = certs[role].extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        assert [[n.value for n in p.full_name] for p in points] == [[url]], role


def test_subjects_say_demo(pki_store: KeyStore) -> None:
    for role, cert in all_certs(pki_store).items():
        orgs = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
        assert orgs == ["zhengzhao demo"], role
        cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
        assert cn.startswith("zhengzhao demo "), role
        org_id = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)[0].value
        assert org_id == "NTRCN-11110000000000019K"


def test_validity_periods(pki_store: KeyStore, pki_now: datetime) -> None:
    days = {CertRole.ROOT: 20 * 365, CertRole.ISSUING_CA: 10 * 365,
            CertRole.LICENCE_SIGNING: 2 * 365, CertRole.TIMESTAMP: 6 * 365}
    for role, cert in all_certs(pki_store).items():
        assert cert.not_valid_before_utc == pki_now - timedelta(minutes=10), role
        assert cert.not_valid_after_utc == pki_now + timedelta(days=days[role]), role


def test_openssl_verifies_the_signing_chain(pki_store: KeyStore, tmp_path: Path,
                                           openssl_at: str) -> None:
    root = pem_file(tmp_path, "root.pem", pki_store.certificate(CertRole.ROOT))
    issuing = pem_file(tmp_path, "issuing.pem", pki_store.certificate(CertRole.ISSUING_CA))
    signing = pem_file(tmp_path, "signing.pem", pki_store.certificate(CertRole.LICENCE_SIGNING))
    proc = openssl("verify", "-attime", openssl_at, "-CAfile", str(root), "-untrusted",
                   str(issuing), str(signing))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().endswith(": OK")


def test_openssl_rejects_the_chain_under_another_root(pki_store: KeyStore, fresh_store: KeyStore,
                                                      tmp_path: Path, openssl_at: str) -> None:
    other_root = pem_file(tmp_path, "other.pem", fresh_store.certificate(CertRole.ROOT))
    issuing = pem_file(tmp_path, "issuing.pem", pki_store.certificate(CertRole.ISSUING_CA))
    signing = pem_file(tmp_path, "signing.pem", pki_store.certificate(CertRole.LICENCE_SIGNING))
    proc = openssl("verify", "-attime", openssl_at, "-CAfile", str(other_root), "-untrusted",
                   str(issuing), str(signing))
    assert proc.returncode != 0


def test_openssl_timestamp_purpose(pki_store: KeyStore, tmp_path: Path, openssl_at: str) -> None:
    root = pem_file(tmp_path, "root.pem", pki_store.certificate(CertRole.ROOT))
    issuing = pem_file(tmp_path, "issuing.pem", pki_store.certificate(CertRole.ISSUING_CA))
    tsa = pem_file(tmp_path, "tsa.pem", pki_store.certificate(CertRole.TIMESTAMP))
    signing = pem_file(tmp_path, "signing.pem", pki_store.certificate(CertRole.LICENCE_SIGNING))
    base = ["verify", "-attime", openssl_at, "-purpose", "timestampsign", "-CAfile", str(root),
            "-untrusted", str(issuing)]
    assert openssl(*base, str(tsa)).returncode == 0
    assert openssl(*base, str(signing)).returncode != 0  # no timeStamping EKU


def test_crls_verify_against_their_own_ca_only(pki_store: KeyStore, tmp_path: Path) -> None:
    root_crl, issuing_crl = pki_store.crls()
    root, ca = pki_store.certificate(CertRole.ROOT), pki_store.certificate(CertRole.ISSUING_CA)
    assert root_crl.issuer == root.subject and issuing_crl.issuer == ca.subject
    assert root_crl.is_signature_valid(root.public_key())
    assert issuing_crl.is_signature_valid(ca.public_key())
    assert not issuing_crl.is_signature_valid(root.public_key())
    for crl, ca_cert in ((root_crl, root), (issuing_crl, ca)):
        proc = openssl("crl", "-in", str(pem_file(tmp_path, "crl.pem", crl)), "-CAfile",
                       str(pem_file(tmp_path, "ca.pem", ca_cert)), "-noout")
        assert "verify OK" in proc.stderr + proc.stdout
    wrong = openssl("crl", "-in", str(pem_file(tmp_path, "crl.pem", issuing_crl)), "-CAfile",
                    str(pem_file(tmp_path, "ca.pem", root)), "-noout")
    assert "verify OK" not in wrong.stderr + wrong.stdout


def test_crl_fields(pki_store: KeyStore, pki_now: datetime) -> None:
    for crl, ca_role in zip(pki_store.crls(), (CertRole.ROOT, CertRole.ISSUING_CA), strict=True):
        assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 1
        assert crl.last_update_utc == pki_now
        assert crl.next_update_utc == pki_now + timedelta(days=30)
        aki = crl.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
        ski = pki_store.certificate(ca_role).extensions.get_extension_for_class(
            x509.SubjectKeyIdentifier).value
        assert aki.key_identifier == ski.digest
        assert len(crl) == 0


def test_openssl_crl_check_passes_then_fails_after_revocation(
        fresh_store: KeyStore, tmp_path: Path, pki_now: datetime, openssl_at: str) -> None:
    root = pem_file(tmp_path, "root.pem", fresh_store.certificate(CertRole.ROOT))
    issuing = pem_file(tmp_path, "issuing.pem", fresh_store.certificate(CertRole.ISSUING_CA))
    signing_cert = fresh_store.certificate(CertRole.LICENCE_SIGNING)
    signing = pem_file(tmp_path, "signing.pem", signing_cert)

    def check() -> subprocess.CompletedProcess[str]:
        crls = pem_file(tmp_path, "crls.pem", *fresh_store.crls())
        return openssl("verify", "-attime", openssl_at, "-crl_check_all", "-CRLfile", str(crls),
                       "-CAfile", str(root), "-untrusted", str(issuing), str(signing))

    assert check().returncode == 0
    fresh_store.revoke(signing_cert, reason=x509.ReasonFlags.key_compromise,
                       now=pki_now + timedelta(hours=1))
    proc = check()
    assert proc.returncode != 0
    assert "certificate revoked" in proc.stdout + proc.stderr
    root_crl, issuing_crl = fresh_store.crls()
    assert issuing_crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 2
    entry = issuing_crl.get_revoked_certificate_by_serial_number(signing_cert.serial_number)
    assert entry is not None
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason is (
        x509.ReasonFlags.key_compromise)
    assert len(root_crl) == 0


def test_production_subjects_name_the_issuer_without_the_demo_label() -> None:
    from core import Environment, Settings
    from signing import IssuerIdentity
    from signing.pki import subject_for

    identity = IssuerIdentity.from_settings(Settings(
        _env_file=None, environment=Environment.PROD,
        key_passphrase="a real long passphrase, 32 chars or more",
        secret_key="a real bearer-token secret of 32 characters",
        issuer_name="某市行政审批局", issuer_name_en="Some City Approval Bureau"))
    assert identity.demo is False
    subject = subject_for(CertRole.LICENCE_SIGNING, identity)
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "某市行政审批局"
    assert "zhengzhao demo" not in subject.rfc4514_string()
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        "Some City Approval Bureau e-licence signing")
