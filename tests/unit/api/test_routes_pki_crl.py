"""The CRL distribution points through the real app (create_app, TestClient; the demo key store
the startup makes): every CA-issued certificate of the office (ECDSA issuing CA, licence
signing, timestamping; SM2 issuing CA, seal maker, seal signer) names a CRL URL, and fetching
that URL's path answers a DER CRL issued and signed by that certificate's issuer, with cache
headers; HEAD and conditional requests work; unknown names and traversal attempts are 404
``crl.not_found`` problems and never a file; a revocation, once published, is on the served
CRL; a CRL in the published folder that our CA did not sign is never served; with
``ZZ_PUBLIC_URL`` new certificates point at ``<public_url>/pki/`` and earlier ones keep theirs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient

from api.app import create_app
from core import Settings
from signing import CertRole, IssuerIdentity, KeyStore, Sm2Role, verify_sm2_crl_signature

DEFAULT_BASE = "http://localhost:8000/pki/"
PUBLIC_URL = "https://zz.example.gov.cn"
ECDSA = {"issuing-ca": (CertRole.ISSUING_CA, CertRole.ROOT),
         "signing": (CertRole.LICENCE_SIGNING, CertRole.ISSUING_CA),
         "timestamp": (CertRole.TIMESTAMP, CertRole.ISSUING_CA)}
SM2 = {"sm2-issuing-ca": (Sm2Role.CA, Sm2Role.ROOT),
       "sm2-seal-maker": (Sm2Role.SEAL_MAKER, Sm2Role.CA),
       "sm2-seal-signer": (Sm2Role.SEAL_SIGNER, Sm2Role.CA)}


def _settings(directory: Path, **extra: object) -> Settings:
    return Settings(_env_file=None, data_dir=directory, verify_rate_per_minute=10_000,
                    **extra)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, KeyStore]]:
    settings = _settings(tmp_path_factory.mktemp("pki-office"))
    with TestClient(create_app(settings)) as client:  # the startup makes the demo PKI
        yield client, KeyStore.from_settings(settings)


def ecdsa_point(certificate: x509.Certificate) -> str:
    points = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    [[name]] = [point.full_name for point in points]
    return name.value


def sm2_point(certificate: asn1_x509.Certificate) -> str:
    [point] = certificate.crl_distribution_points
    return point.url


def assert_ecdsa_crl(body: bytes, issuer: x509.Certificate) -> x509.CertificateRevocationList:
    crl = x509.load_der_x509_crl(body)  # DER, not PEM
    assert crl.issuer == issuer.subject
    assert crl.is_signature_valid(issuer.public_key())
    return crl


def assert_sm2_crl(body: bytes, issuer: asn1_x509.Certificate) -> asn1_crl.CertificateList:
    assert body[:1] == b"\x30"  # DER, not PEM
    crl = asn1_crl.CertificateList.load(body, strict=True)
    assert crl["tbs_cert_list"]["issuer"].dump() == issuer.subject.dump()
    assert verify_sm2_crl_signature(crl, issuer)
    return crl


def assert_crl_not_found(response) -> None:
    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "crl.not_found" and body["status"] == 404
    assert body["detail"] and body["detail_zh"] != body["detail"]
    assert b"BEGIN" not in response.content and b"SECRET" not in response.content


@pytest.mark.parametrize("which", sorted(ECDSA))
def test_an_ecdsa_certificates_distribution_point_serves_its_issuers_crl(office, which) -> None:
    client, store = office
    role, issuer_role = ECDSA[which]
    url = ecdsa_point(store.certificate(role))
    assert url.startswith(DEFAULT_BASE)
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pkix-crl"
    assert_ecdsa_crl(response.content, store.certificate(issuer_role))


@pytest.mark.parametrize("which", sorted(SM2))
def test_an_sm2_certificates_distribution_point_serves_its_issuers_crl(office, which) -> None:
    client, store = office
    role, issuer_role = SM2[which]
    url = sm2_point(store.sm2_certificate(role))
    assert url.startswith(DEFAULT_BASE)
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pkix-crl"
    assert_sm2_crl(response.content, store.sm2_certificate(issuer_role))


def test_the_crl_is_cacheable_until_its_next_update_at_most_a_day(office) -> None:
    client, store = office
    path = urlsplit(ecdsa_point(store.certificate(CertRole.LICENCE_SIGNING))).path
    response = client.get(path)
    crl = x509.load_der_x509_crl(response.content)
    left = (crl.next_update_utc - datetime.now(UTC)).total_seconds()
    expected = max(0, min(left, 86_400))
    directives = dict(part.strip().partition("=")[::2]
                      for part in response.headers["cache-control"].split(","))
    assert "public" in directives
    assert expected - 60 <= int(directives["max-age"]) <= expected
    assert parsedate_to_datetime(response.headers["last-modified"]) == crl.last_update_utc
    etag = response.headers["etag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    later = (crl.last_update_utc + timedelta(seconds=1)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert client.get(path, headers={"If-Modified-Since": later}).status_code == 304
    earlier = (crl.last_update_utc - timedelta(days=1)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert client.get(path, headers={"If-Modified-Since": earlier}).status_code == 200


def test_head_answers_the_headers_without_the_body(office) -> None:
    client, store = office
    path = urlsplit(sm2_point(store.sm2_certificate(Sm2Role.SEAL_SIGNER))).path
    full = client.get(path)
    head = client.head(path)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == "application/pkix-crl"
    assert int(head.headers["content-length"]) == len(full.content) > 0
    assert head.headers["etag"] == full.headers["etag"]
    missing = client.head("/pki/nothing.crl")
    assert missing.status_code == 404 and missing.content == b""
    assert missing.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("path", [
    "/pki/nothing.crl", "/pki/signing.crl", "/pki/timestamp.crl", "/pki/sm2-seal-signer.crl",
    "/pki/root-ca.pem", "/pki/root-ca", "/pki/", "/pki/..%2fsecrets.crl",
    "/pki/..%2f..%2fkeys%2fkeystore.json", "/pki/crls%2fcrl-0.pem", "/pki/%2e%2e%2froot.pem",
    "/pki/root-ca.crl%00", "/pki/ROOT-CA.crl"])
def test_anything_else_under_pki_is_a_crl_not_found_problem(office, path: str) -> None:
    client, store = office
    published = store.directory.parent / "published"
    (published / "secrets.crl").write_bytes(b"SECRET")  # what a traversal would reach
    (published / "crls" / "secrets.crl").write_bytes(b"SECRET")
    assert_crl_not_found(client.get(path))


def test_a_revoked_certificate_is_on_the_served_crl_once_published(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with TestClient(create_app(settings)) as client:
        store = KeyStore.from_settings(settings)
        signing = store.certificate(CertRole.LICENCE_SIGNING)
        seal_signer = store.sm2_certificate(Sm2Role.SEAL_SIGNER)
        ecdsa_path = urlsplit(ecdsa_point(signing)).path
        sm2_path = urlsplit(sm2_point(seal_signer)).path

        def listed() -> tuple[bool, bool]:
            ours = assert_ecdsa_crl(client.get(ecdsa_path).content,
                                    store.certificate(CertRole.ISSUING_CA))
            theirs = assert_sm2_crl(client.get(sm2_path).content,
                                    store.sm2_certificate(Sm2Role.CA))
            serials = {entry["user_certificate"].native
                       for entry in theirs["tbs_cert_list"]["revoked_certificates"]}
            return (ours.get_revoked_certificate_by_serial_number(signing.serial_number)
                    is not None, seal_signer.serial_number in serials)

        assert listed() == (False, False)
        store.revoke(signing, reason=x509.ReasonFlags.key_compromise)
        store.revoke(seal_signer)
        assert listed() == (False, False)  # the route serves what is published, nothing else
        client.app.state.trust.refresh()  # publish
        assert listed() == (True, True)


def test_a_crl_our_ca_did_not_sign_is_never_served(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with TestClient(create_app(settings)) as client:
        store = KeyStore.from_settings(settings)
        ca = store.certificate(CertRole.ISSUING_CA)
        path = urlsplit(ecdsa_point(store.certificate(CertRole.LICENCE_SIGNING))).path
        served = client.get(path).content
        now = datetime.now(UTC)
        forged = (x509.CertificateRevocationListBuilder().issuer_name(ca.subject)
                  .last_update(now + timedelta(minutes=5))  # newer than ours
                  .next_update(now + timedelta(days=30))
                  .sign(ec.generate_private_key(ec.SECP256R1()), hashes.SHA256()))
        (settings.data_dir / "published" / "crls" / "crl-9.pem").write_bytes(
            forged.public_bytes(serialization.Encoding.PEM))
        trust = client.app.state.trust.get()  # re-reads the folder
        assert forged in trust.crls  # the folder now holds it ...
        response = client.get(path)
        assert response.status_code == 200
        assert response.content == served  # ... and ours is still what is served
        assert_ecdsa_crl(response.content, ca)


def test_with_a_public_url_the_distribution_points_are_under_it(tmp_path: Path) -> None:
    settings = _settings(tmp_path, public_url=PUBLIC_URL)
    with TestClient(create_app(settings)) as client:
        store = KeyStore.from_settings(settings)
        points = [(ecdsa_point(store.certificate(role)), store.certificate(issuer))
                  for role, issuer in ECDSA.values()]
        sm2_points = [(sm2_point(store.sm2_certificate(role)), store.sm2_certificate(issuer))
                      for role, issuer in SM2.values()]
        for url, issuer in points:
            assert url.startswith(f"{PUBLIC_URL}/pki/"), url
            assert_ecdsa_crl(client.get(url).content, issuer)  # that very URL, its host
        for url, sm2_issuer in sm2_points:
            assert url.startswith(f"{PUBLIC_URL}/pki/"), url
            assert_sm2_crl(client.get(url).content, sm2_issuer)


def test_a_public_url_set_later_changes_new_certificates_only(tmp_path: Path) -> None:
    before = KeyStore.from_settings(_settings(tmp_path))
    before.initialise(IssuerIdentity.from_settings(_settings(tmp_path)))
    old_signing = before.certificate(CertRole.LICENCE_SIGNING)
    old_ca = before.certificate(CertRole.ISSUING_CA)
    old_seal_signer = before.sm2_certificate(Sm2Role.SEAL_SIGNER).dump()
    after = KeyStore.from_settings(_settings(tmp_path, public_url=PUBLIC_URL))
    new_signing = after.rotate()
    assert ecdsa_point(new_signing) == f"{PUBLIC_URL}/pki/issuing-ca.crl"
    assert sm2_point(after.sm2_certificate(Sm2Role.SEAL_SIGNER)) == (
        f"{PUBLIC_URL}/pki/sm2-issuing-ca.crl")
    assert after.signing_certificates()[0] == old_signing
    assert ecdsa_point(after.signing_certificates()[0]) == f"{DEFAULT_BASE}issuing-ca.crl"
    assert after.certificate(CertRole.ISSUING_CA) == old_ca
    assert after.sm2_seal_signer_certificates()[0].dump() == old_seal_signer
    assert after.info().crl_base_url == DEFAULT_BASE  # what the CAs were made with

