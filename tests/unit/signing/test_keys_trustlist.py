"""The published trust list: the kid formula (checked against DER made by the openssl tool),
the JSON a third party reads, and the consumer-side checks of ``parse_trust_list``."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
from datetime import datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from signing import (
    CertRole,
    KeysInvalidError,
    KeyStore,
    decode_kid,
    encode_kid,
    key_id,
    parse_trust_list,
)


def openssl_der(pem: bytes) -> bytes:
    proc = subprocess.run(["openssl", "x509", "-outform", "DER"], input=pem,
                          capture_output=True, timeout=30, check=True)
    return proc.stdout


def test_kid_is_first_8_bytes_of_sha256_of_the_der(pki_store: KeyStore) -> None:
    cert = pki_store.certificate(CertRole.LICENCE_SIGNING)
    der = openssl_der(cert.public_bytes(serialization.Encoding.PEM))
    expected = hashlib.sha256(der).digest()[:8]
    assert key_id(cert) == expected
    assert encode_kid(expected) == base64.urlsafe_b64encode(expected).decode().rstrip("=")
    assert len(encode_kid(expected)) == 11
    assert decode_kid(encode_kid(expected)) == expected


@pytest.mark.parametrize("text", ["", "not base64!", "AAAAAAAAAAA=", "AAAAAAAAAAB", "AAAAAAAAAAAA"])
def test_decode_kid_rejects_non_canonical_text(text: str) -> None:
    # "AAAAAAAAAAB" has non-zero padding bits: it would decode, but is not what we write.
    with pytest.raises(ValueError):
        decode_kid(text)


def test_trust_list_json_for_third_parties(fresh_store: KeyStore, pki_now: datetime) -> None:
    first = fresh_store.certificate(CertRole.LICENCE_SIGNING)
    second = fresh_store.rotate(now=pki_now + timedelta(days=100))
    document = json.loads(fresh_store.trust_list(now=pki_now + timedelta(days=101)).to_json())
    assert document["format"] == "zhengzhao-trust-list" and document["version"] == 1
    assert document["issued_at"].startswith("2026-06-10T09:30:00")
    assert document["issuer"] == {
        "name_zh": "示例市行政审批局（演示）",
        "name_en": "Demo City Administrative Approval Bureau (demo)",
        "code": "11110000000000019K", "jurisdiction_code": "110000", "demo": True}
    root = x509.load_pem_x509_certificate(document["root_certificate"].encode())
    assert root == fresh_store.certificate(CertRole.ROOT)
    assert [x509.load_pem_x509_certificate(p.encode()) for p in document["ca_certificates"]] == [
        fresh_store.certificate(CertRole.ISSUING_CA)]
    keys = document["keys"]
    assert [x509.load_pem_x509_certificate(k["certificate"].encode()) for k in keys] == [
        first, second]
    for entry in keys:
        cert = x509.load_pem_x509_certificate(entry["certificate"].encode())
        der = openssl_der(entry["certificate"].encode())
        kid = base64.urlsafe_b64decode(entry["kid"] + "=")
        assert kid == hashlib.sha256(der).digest()[:8]
        assert entry["sha256"] == hashlib.sha256(der).hexdigest()
        assert datetime.fromisoformat(entry["not_before"]) == cert.not_valid_before_utc
        assert datetime.fromisoformat(entry["not_after"]) == cert.not_valid_after_utc
        assert int(entry["serial_number"], 16) == cert.serial_number
    assert "PRIVATE" not in fresh_store.trust_list().to_json()


def test_parse_round_trip_and_trusted_keys(pki_store: KeyStore) -> None:
    text = pki_store.trust_list().to_json()
    parsed = parse_trust_list(text, pinned_root=pki_store.certificate(CertRole.ROOT))
    signing = pki_store.certificate(CertRole.LICENCE_SIGNING)
    assert parsed.trusted_keys() == {key_id(signing): [signing]}
    assert parsed.root() == pki_store.certificate(CertRole.ROOT)


def tamper(text: str, change) -> str:  # noqa: ANN001 - a small local helper
    document = json.loads(text)
    change(document)
    return json.dumps(document)


def test_parse_rejects_a_list_under_another_root(pki_store: KeyStore,
                                                 fresh_store: KeyStore) -> None:
    with pytest.raises(KeysInvalidError, match="pinned root"):
        parse_trust_list(pki_store.trust_list().to_json(),
                         pinned_root=fresh_store.certificate(CertRole.ROOT))


def test_parse_rejects_a_smuggled_foreign_key(pki_store: KeyStore,
                                              fresh_store: KeyStore) -> None:
    foreign = fresh_store.trust_list().keys[0].model_dump(mode="json")
    text = tamper(pki_store.trust_list().to_json(), lambda d: d["keys"].append(foreign))
    with pytest.raises(KeysInvalidError, match="does not chain"):
        parse_trust_list(text, pinned_root=pki_store.certificate(CertRole.ROOT))


def test_parse_rejects_a_foreign_ca(pki_store: KeyStore, fresh_store: KeyStore) -> None:
    ca = fresh_store.trust_list().ca_certificates[0]
    text = tamper(pki_store.trust_list().to_json(), lambda d: d["ca_certificates"].append(ca))
    with pytest.raises(KeysInvalidError, match="not issued by the root"):
        parse_trust_list(text)


def test_parse_rejects_a_wrong_kid(pki_store: KeyStore) -> None:
    def change(document: dict) -> None:
        raw = bytearray(base64.urlsafe_b64decode(document["keys"][0]["kid"] + "="))
        raw[0] ^= 1
        document["keys"][0]["kid"] = encode_kid(bytes(raw))

    with pytest.raises(KeysInvalidError, match="does not match"):
        parse_trust_list(tamper(pki_store.trust_list().to_json(), change))


def test_parse_rejects_edited_validity(pki_store: KeyStore) -> None:
    def change(document: dict) -> None:
        document["keys"][0]["not_after"] = "2099-01-01T00:00:00Z"

    with pytest.raises(KeysInvalidError, match="validity"):
        parse_trust_list(tamper(pki_store.trust_list().to_json(), change))


@pytest.mark.parametrize("text", ["", "[]", '{"format": "zhengzhao-trust-list"}', "{bad json"])
def test_parse_rejects_garbage(text: str) -> None:
    with pytest.raises(KeysInvalidError):
        parse_trust_list(text)


def test_parse_rejects_a_broken_certificate(pki_store: KeyStore) -> None:
    def change(document: dict) -> None:
        document["keys"][0]["certificate"] = "-----BEGIN CERTIFICATE-----\nAA==\n" \
                                             "-----END CERTIFICATE-----\n"

    with pytest.raises(KeysInvalidError, match="does not parse"):
        parse_trust_list(tamper(pki_store.trust_list().to_json(), change))
