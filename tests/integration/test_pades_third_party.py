"""Third parties agree with our PAdES signatures: poppler's ``pdfsig`` (our root imported into a
temporary NSS database) says the licence signature is valid and its certificate trusted, and
``openssl cms -verify`` verifies the CMS extracted from ``/Contents`` over the ByteRange-signed
bytes with only our root as CA file. Both reject a tampered file.

pdfsig and openssl check certificates at the wall-clock time, so this key store is made now.
"""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
from pathlib import Path

import pytest
from asn1crypto import cms
from cryptography.hazmat.primitives import serialization
from pydantic import SecretStr
from reportlab.pdfgen import canvas

from core import Settings
from signing import CertRole, IssuerIdentity, KeyStore, pyhanko_timestamper
from signing.pades_sign import sign_pdf
from signing.pades_validate import validate_pdf
from signing.pades_verdict import Indication

pytestmark = pytest.mark.integration

BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> KeyStore:
    keys = KeyStore(tmp_path_factory.mktemp("pades-pki") / "keys",
                    SecretStr("third-party test passphrase"))
    keys.initialise(IssuerIdentity.from_settings(Settings(_env_file=None)))
    return keys


@pytest.fixture(scope="module")
def signed(store: KeyStore) -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out, invariant=1, pageCompression=0)
    page.drawString(72, 720, "Holder: Zhang San")
    page.showPage()
    page.save()
    return sign_pdf(out.getvalue(), store.signer(),
                    pyhanko_timestamper(store.timestamp_signer()), crls=store.crls(),
                    reason="licence issued")


@pytest.fixture(scope="module")
def root_pem(store: KeyStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("root") / "root.pem"
    path.write_bytes(store.certificate(CertRole.ROOT).public_bytes(serialization.Encoding.PEM))
    return path


@pytest.fixture(scope="module")
def nss_db(root_pem: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("nss")
    for command in (["certutil", "-N", "--empty-password", "-d", f"sql:{directory}"],
                    ["certutil", "-A", "-n", "root", "-t", "CT,C,C", "-i", str(root_pem),
                     "-d", f"sql:{directory}"]):
        subprocess.run(command, check=True, capture_output=True, timeout=60)
    return directory


def pdfsig_blocks(pdf: bytes, nss_db: Path, tmp_path: Path) -> dict[str, str]:
    """pdfsig's report per signature field name (its exit code is always 0)."""
    path = tmp_path / "licence.pdf"
    path.write_bytes(pdf)
    report = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss_db}", str(path)],
                            capture_output=True, text=True, timeout=60).stdout
    blocks = {}
    for block in re.split(r"^Signature #\d+:\n", report, flags=re.MULTILINE)[1:]:
        name = re.search(r"Signature Field Name: (\S+)", block)
        assert name is not None, block
        blocks[name.group(1)] = block
    return blocks


def test_pdfsig_says_valid_and_trusted(signed: bytes, nss_db: Path, tmp_path: Path) -> None:
    blocks = pdfsig_blocks(signed, nss_db, tmp_path)
    licence = blocks["Licence"]
    assert "Signature Validation: Signature is Valid." in licence
    assert "Certificate Validation: Certificate is Trusted." in licence
    assert "Signature Type: ETSI.CAdES.detached" in licence
    assert "Signing Hash Algorithm: SHA-256" in licence
    assert "LicenceTimestamp" in blocks  # the B-LTA document timestamp is there too


def test_pdfsig_rejects_a_flipped_byte(signed: bytes, nss_db: Path, tmp_path: Path) -> None:
    tampered = bytearray(signed)
    tampered[signed.index(b"Zhang San")] ^= 0x01
    licence = pdfsig_blocks(bytes(tampered), nss_db, tmp_path)["Licence"]
    assert "Signature is Valid." not in licence


def extract(pdf: bytes) -> tuple[bytes, bytes]:
    """The DER CMS in the first signature's /Contents and the bytes its ByteRange covers."""
    match = BYTE_RANGE.search(pdf)
    assert match is not None
    a, b, c, d = (int(match.group(i)) for i in range(1, 5))
    der = cms.ContentInfo.load(bytes.fromhex(pdf[a + b + 1:c - 1].decode("ascii"))).dump()
    return der, pdf[a:a + b] + pdf[c:c + d]


def openssl_cms_verify(der: bytes, content: bytes, ca_file: Path,
                       tmp_path: Path) -> subprocess.CompletedProcess[str]:
    (tmp_path / "sig.der").write_bytes(der)
    (tmp_path / "signed.bin").write_bytes(content)
    return subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in",
         str(tmp_path / "sig.der"), "-content", str(tmp_path / "signed.bin"), "-CAfile",
         str(ca_file), "-purpose", "any", "-out", str(tmp_path / "out.bin")],
        capture_output=True, text=True, timeout=60)


def test_openssl_cms_verifies_the_extracted_signature(signed: bytes, root_pem: Path,
                                                      tmp_path: Path) -> None:
    der, content = extract(signed)
    proc = openssl_cms_verify(der, content, root_pem, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Verification successful" in proc.stderr
    assert (tmp_path / "out.bin").read_bytes() == content


def test_openssl_cms_rejects_changed_content_and_another_root(
        signed: bytes, root_pem: Path, tmp_path: Path,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    der, content = extract(signed)
    changed = bytearray(content)
    changed[content.index(b"Zhang San")] ^= 0x01
    assert openssl_cms_verify(der, bytes(changed), root_pem, tmp_path).returncode != 0
    other = KeyStore(tmp_path_factory.mktemp("other") / "keys", SecretStr("other passphrase"))
    other.initialise(IssuerIdentity.from_settings(Settings(_env_file=None)))
    other_root = tmp_path / "other-root.pem"
    other_root.write_bytes(other.certificate(CertRole.ROOT).public_bytes(
        serialization.Encoding.PEM))
    assert openssl_cms_verify(der, content, other_root, tmp_path).returncode != 0


def test_openssl_ts_verifies_the_signature_timestamp(store: KeyStore, signed: bytes,
                                                     root_pem: Path, tmp_path: Path) -> None:
    """The signature-time-stamp-token is an RFC 3161 token over the signature value, by a TSA
    that chains to our root."""
    der, _ = extract(signed)
    signer_info = cms.ContentInfo.load(der)["content"]["signer_infos"][0]
    tokens = [attr["values"][0] for attr in signer_info["unsigned_attrs"]
              if attr["type"].native == "signature_time_stamp_token"]
    assert len(tokens) == 1
    (tmp_path / "token.der").write_bytes(tokens[0].dump())
    (tmp_path / "issuing.pem").write_bytes(store.certificate(CertRole.ISSUING_CA).public_bytes(
        serialization.Encoding.PEM))

    def verify(digest: bytes) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["openssl", "ts", "-verify", "-digest", digest.hex(), "-token_in", "-in",
             str(tmp_path / "token.der"), "-CAfile", str(root_pem), "-untrusted",
             str(tmp_path / "issuing.pem")], capture_output=True, text=True, timeout=60)

    imprint = hashlib.sha256(signer_info["signature"].native).digest()
    proc = verify(imprint)
    assert proc.returncode == 0 and "Verification: OK" in proc.stdout, proc.stdout + proc.stderr
    assert verify(hashlib.sha256(b"another signature").digest()).returncode != 0


def test_our_validator_agrees_at_the_wall_clock(store: KeyStore, signed: bytes) -> None:
    verdict = validate_pdf(signed, trust_roots=[store.certificate(CertRole.ROOT)],
                           crls=store.crls())
    assert verdict.indication is Indication.PASSED, verdict
