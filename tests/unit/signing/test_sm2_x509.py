"""SM2 certificates (``signing.sm2_x509``) against the openssl 3 CLI: it parses ours as SM2 keys
signed SM2-with-SM3, verifies each link of our root -> CA -> leaf chain with the GM/T default ID,
and its own SM2 certificates verify here. Tampering, a look-alike issuer and a wrong algorithm
are refused.

OpenSSL 3.0's ``verify`` applies ``-vfyopt distid:`` to the target certificate only (intermediates
are checked with an empty ID), so each link is checked in its own call, the upper certificate as
a ``-partial_chain`` anchor."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509

from signing.sm2 import SM2_DEFAULT_ID, Sm2PrivateKey
from signing.sm2_x509 import (
    SM3_WITH_SM2_OID,
    build_sm2_certificate,
    load_sm2_certificate,
    sm2_certificate_pem,
    sm2_public_key_of,
    verify_sm2_cert_signature,
)

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
AT = str(int((NOW + timedelta(days=1)).timestamp()))
DISTID = "distid:" + SM2_DEFAULT_ID.decode()


def openssl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=30)


def name(common_name: str) -> asn1_x509.Name:
    return asn1_x509.Name.build({"country_name": "CN", "organization_name": "证照 test office",
                                 "common_name": common_name})


class Chain:
    def __init__(self) -> None:
        self.root_key, self.ca_key, self.leaf_key = (Sm2PrivateKey.generate() for _ in range(3))
        self.root = build_sm2_certificate(
            subject=name("SM2 root"), public_key=self.root_key.public_key(),
            issuer_key=self.root_key, issuer=None, serial_number=11, not_before=NOW,
            not_after=NOW + timedelta(days=3650), ca=True, path_length=1,
            key_usage={"key_cert_sign", "crl_sign"})
        self.ca = build_sm2_certificate(
            subject=name("SM2 issuing CA"), public_key=self.ca_key.public_key(),
            issuer_key=self.root_key, issuer=self.root, serial_number=12, not_before=NOW,
            not_after=NOW + timedelta(days=1825), ca=True, path_length=0,
            key_usage={"key_cert_sign", "crl_sign"})
        self.leaf = build_sm2_certificate(
            subject=name("SM2 seal signer"), public_key=self.leaf_key.public_key(),
            issuer_key=self.ca_key, issuer=self.ca, serial_number=2**158 + 13, not_before=NOW,
            not_after=NOW + timedelta(days=365), ca=False,
            key_usage={"digital_signature", "non_repudiation"})

    def write(self, directory: Path) -> dict[str, str]:
        paths = {}
        for label in ("root", "ca", "leaf"):
            path = directory / f"{label}.pem"
            path.write_bytes(sm2_certificate_pem(getattr(self, label)))
            paths[label] = str(path)
        return paths


@pytest.fixture(scope="module")
def chain() -> Chain:
    return Chain()


def test_chain_verifies_here(chain: Chain) -> None:
    assert verify_sm2_cert_signature(chain.root, chain.root)
    assert verify_sm2_cert_signature(chain.ca, chain.root)
    assert verify_sm2_cert_signature(chain.leaf, chain.ca)
    assert not verify_sm2_cert_signature(chain.leaf, chain.root)  # not its issuer
    assert not verify_sm2_cert_signature(chain.ca, chain.root, uid=b"")  # the ID is signed
    assert sm2_public_key_of(chain.leaf) == chain.leaf_key.public_key()


def test_openssl_parses_them(chain: Chain, tmp_path: Path) -> None:
    paths = chain.write(tmp_path)
    text = openssl("x509", "-in", paths["ca"], "-text", "-noout")
    assert text.returncode == 0, text.stderr
    assert text.stdout.count("Signature Algorithm: SM2-with-SM3") == 2
    assert "Public Key Algorithm: id-ecPublicKey" in text.stdout
    assert "ASN1 OID: SM2" in text.stdout
    assert "CA:TRUE, pathlen:0" in text.stdout
    assert "Certificate Sign, CRL Sign" in text.stdout
    leaf = openssl("x509", "-in", paths["leaf"], "-text", "-noout").stdout
    assert "Digital Signature, Non Repudiation" in leaf and "CA:FALSE" in leaf
    pub = openssl("x509", "-in", paths["leaf"], "-pubkey", "-noout")
    assert "BEGIN PUBLIC KEY" in pub.stdout


def test_openssl_verifies_each_link_with_the_default_id(chain: Chain, tmp_path: Path) -> None:
    paths = chain.write(tmp_path)
    root_ca = openssl("verify", "-attime", AT, "-vfyopt", DISTID, "-CAfile", paths["root"],
                      paths["ca"])
    assert root_ca.returncode == 0, root_ca.stdout + root_ca.stderr
    ca_leaf = openssl("verify", "-attime", AT, "-vfyopt", DISTID, "-partial_chain",
                      "-CAfile", paths["ca"], paths["leaf"])
    assert ca_leaf.returncode == 0, ca_leaf.stdout + ca_leaf.stderr
    # the root's self-signature (verify never checks an anchor's with the ID): pkeyutl over the TBS
    (tmp_path / "tbs.der").write_bytes(chain.root["tbs_certificate"].dump())
    (tmp_path / "sig.der").write_bytes(chain.root["signature_value"].native)
    pub = openssl("x509", "-in", paths["root"], "-pubkey", "-noout").stdout
    (tmp_path / "pub.pem").write_text(pub)
    root_self = openssl("pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin", "-inkey",
                        str(tmp_path / "pub.pem"), "-pkeyopt", DISTID, "-in",
                        str(tmp_path / "tbs.der"), "-sigfile", str(tmp_path / "sig.der"))
    assert root_self.returncode == 0, root_self.stdout + root_self.stderr
    # the signatures are made with the GM/T ID, not OpenSSL 3.0's empty default
    empty = openssl("verify", "-attime", AT, "-CAfile", paths["root"], paths["ca"])
    assert empty.returncode != 0
    # and the leaf does not chain to the root directly
    skip = openssl("verify", "-attime", AT, "-vfyopt", DISTID, "-partial_chain",
                   "-CAfile", paths["root"], paths["leaf"])
    assert skip.returncode != 0


def test_openssl_certificates_verify_here(tmp_path: Path) -> None:
    key = tmp_path / "k.pem"
    assert openssl("genpkey", "-algorithm", "SM2", "-out", str(key)).returncode == 0
    made = {}
    for label, extra in (("gm", ["-sigopt", DISTID]), ("empty", [])):
        out = tmp_path / f"{label}.pem"
        proc = openssl("req", "-x509", "-new", "-key", str(key), "-subj", f"/CN=openssl {label}",
                       "-days", "30", "-sm3", *extra, "-out", str(out))
        assert proc.returncode == 0, proc.stderr
        made[label] = load_sm2_certificate(out.read_bytes())
    assert made["gm"]["signature_algorithm"]["algorithm"].dotted == SM3_WITH_SM2_OID
    assert verify_sm2_cert_signature(made["gm"], made["gm"])
    assert not verify_sm2_cert_signature(made["empty"], made["empty"])
    assert verify_sm2_cert_signature(made["empty"], made["empty"], uid=b"")


def reload(certificate: asn1_x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.dump())


def test_tampering_and_look_alikes_are_refused(chain: Chain) -> None:
    der = chain.leaf.dump()
    tbs = chain.leaf["tbs_certificate"].dump()
    start = der.index(tbs)
    checked = 0
    for offset in (len(tbs) // 3, len(tbs) // 2, len(tbs) - 5):
        tampered = bytearray(der)
        tampered[start + offset] ^= 0x01
        try:
            certificate = asn1_x509.Certificate.load(bytes(tampered))
        except ValueError:
            continue
        assert not verify_sm2_cert_signature(certificate, chain.ca)
        checked += 1
    assert checked >= 2
    # a CA with the same name and a different key
    impostor_key = Sm2PrivateKey.generate()
    impostor = build_sm2_certificate(
        subject=chain.ca.subject, public_key=impostor_key.public_key(), issuer_key=chain.root_key,
        issuer=chain.root, serial_number=99, not_before=NOW, not_after=NOW + timedelta(days=9),
        ca=True, key_usage={"key_cert_sign"})
    assert not verify_sm2_cert_signature(chain.leaf, impostor)
    # the algorithm fields say something else
    for field in ("signature_algorithm",):
        changed = reload(chain.leaf)
        changed[field] = {"algorithm": "sha256_ecdsa"}
        assert not verify_sm2_cert_signature(reload(changed), chain.ca)
    # garbage in the signature value or the issuer's key
    broken = reload(chain.leaf)
    broken["signature_value"] = b"\x30\x02\x02\x00"
    assert not verify_sm2_cert_signature(reload(broken), chain.ca)
    assert not verify_sm2_cert_signature(chain.leaf, chain.leaf)


def test_bad_arguments_are_refused(chain: Chain) -> None:
    with pytest.raises(ValueError, match="own key"):
        build_sm2_certificate(subject=name("x"), public_key=chain.leaf_key.public_key(),
                              issuer_key=chain.root_key, issuer=None, serial_number=1,
                              not_before=NOW, not_after=NOW + timedelta(days=1), ca=False,
                              key_usage={"digital_signature"})
    with pytest.raises(ValueError, match="issuer certificate"):
        build_sm2_certificate(subject=name("x"), public_key=chain.leaf_key.public_key(),
                              issuer_key=chain.leaf_key, issuer=chain.ca, serial_number=1,
                              not_before=NOW, not_after=NOW + timedelta(days=1), ca=False,
                              key_usage={"digital_signature"})
    with pytest.raises(ValueError):
        load_sm2_certificate(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")


def test_issuer_names_match_by_rfc5280_rules_not_only_bytes(chain: Chain) -> None:
    """The same CA name in PrintableString instead of UTF8String still names the issuer (RFC 5280
    7.1 comparison); the byte comparison is only the fast path."""
    values = {"country_name": "CN", "organization_name": "Example office",
              "common_name": "SM2 issuing CA"}
    utf8 = asn1_x509.Name.build(values)
    printable = asn1_x509.Name.build(values, use_printable=True)
    assert utf8.dump() != printable.dump()

    def ca(subject: asn1_x509.Name) -> asn1_x509.Certificate:
        return build_sm2_certificate(
            subject=subject, public_key=chain.ca_key.public_key(), issuer_key=chain.root_key,
            issuer=chain.root, serial_number=77, not_before=NOW,
            not_after=NOW + timedelta(days=9), ca=True, key_usage={"key_cert_sign"})

    leaf = build_sm2_certificate(
        subject=name("leaf"), public_key=chain.leaf_key.public_key(), issuer_key=chain.ca_key,
        issuer=ca(utf8), serial_number=78, not_before=NOW, not_after=NOW + timedelta(days=9),
        ca=False, key_usage={"digital_signature"})
    assert verify_sm2_cert_signature(leaf, ca(printable))
    assert not verify_sm2_cert_signature(leaf, ca(asn1_x509.Name.build(
        {**values, "common_name": "another CA"})))
