"""The key store's certificates in real PDF signatures and RFC 3161 timestamps: pyHanko signs
with the cached-key adapter and our ECDSA timestamp authority; pyHanko's validator (pinned root,
CRLs passed in, no fetching, hard-fail revocation), poppler's ``pdfsig`` (root imported into an
NSS database) and ``openssl ts -verify`` must accept them.

These PDFs use the wall clock (pdfsig cannot be told another time), so the key store is made
now, not at the fixed test moment."""

from __future__ import annotations

import hashlib
import io
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from asn1crypto import algos, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pydantic import SecretStr
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from reportlab.pdfgen import canvas

from signing import CertRole, IssuerIdentity, KeyStore, pyhanko_timestamper

pytestmark = pytest.mark.integration


@pytest.fixture()
def store_now(tmp_path: Path, issuer_identity: IssuerIdentity) -> KeyStore:
    store = KeyStore(tmp_path / "keys", SecretStr("pdf test passphrase"))
    store.initialise(issuer_identity)
    return store


def blank_pdf() -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out, invariant=1)
    page.drawString(72, 720, "zhengzhao key store test")
    page.showPage()
    page.save()
    return out.getvalue()


def sign(store: KeyStore) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(blank_pdf()))
    out = io.BytesIO()
    signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="Licence",
                                                          md_algorithm="sha256"),
                     signer=store.signer().pyhanko_signer(), output=out)
    return out.getvalue()


def asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def validate(store: KeyStore, pdf: bytes, root: x509.Certificate | None = None):  # noqa: ANN201
    context = ValidationContext(
        trust_roots=[asn1(root or store.certificate(CertRole.ROOT))],
        crls=[crl.public_bytes(serialization.Encoding.DER) for crl in store.crls()],
        allow_fetching=False, revocation_mode="hard-fail")
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    return validate_pdf_signature(signature, context)


def test_pyhanko_validates_the_signature_with_revocation_checked(store_now: KeyStore) -> None:
    pdf = sign(store_now)
    status = validate(store_now, pdf)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    signed_by = x509.load_der_x509_certificate(status.signing_cert.dump())
    assert signed_by == store_now.certificate(CertRole.LICENCE_SIGNING)
    embedded = {x509.load_der_x509_certificate(c.dump())
                for c in PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0].other_embedded_certs}
    assert store_now.certificate(CertRole.ISSUING_CA) in embedded


def test_pyhanko_rejects_another_root_and_a_revoked_certificate(
        store_now: KeyStore, tmp_path: Path, issuer_identity: IssuerIdentity) -> None:
    pdf = sign(store_now)
    other = KeyStore(tmp_path / "other", SecretStr("other"))
    other.initialise(issuer_identity)
    assert not validate(store_now, pdf, root=other.certificate(CertRole.ROOT)).trusted
    assert validate(store_now, pdf).bottom_line
    store_now.revoke(store_now.certificate(CertRole.LICENCE_SIGNING))
    status = validate(store_now, pdf)
    assert status.intact and not status.bottom_line
    assert status.revocation_details is not None


def test_adapter_signs_with_the_cached_key(store_now: KeyStore,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import pyhanko.sign.signers.pdf_cms as pdf_cms

    def no_reparsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("the key was parsed again")

    adapter = store_now.signer().pyhanko_signer()
    assert adapter is store_now.signer().pyhanko_signer()
    monkeypatch.setattr(pdf_cms.serialization, "load_der_private_key", no_reparsing)
    assert validate(store_now, sign(store_now)).bottom_line


def test_pdfsig_trusts_the_signature(store_now: KeyStore, tmp_path: Path) -> None:
    pdf_path = tmp_path / "signed.pdf"
    pdf_path.write_bytes(sign(store_now))
    root_path = tmp_path / "root.pem"
    root_path.write_bytes(store_now.certificate(CertRole.ROOT).public_bytes(
        serialization.Encoding.PEM))
    nss = tmp_path / "nss"
    nss.mkdir()
    for command in (["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"],
                    ["certutil", "-A", "-d", f"sql:{nss}", "-n", "zhengzhao demo root",
                     "-t", "CT,C,C", "-i", str(root_path)]):
        subprocess.run(command, check=True, capture_output=True, timeout=60)
    report = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(pdf_path)],
                            capture_output=True, text=True, timeout=60).stdout
    assert "Signature Validation: Signature is Valid." in report
    assert "Certificate Validation: Certificate is Trusted." in report
    assert "Signer Certificate Common Name: zhengzhao demo e-licence signing" in report
    # Without the root in its database pdfsig must not call it trusted.
    empty = tmp_path / "empty-nss"
    empty.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{empty}", "--empty-password"], check=True,
                   capture_output=True, timeout=60)
    untrusted = subprocess.run(["pdfsig", "-nssdir", f"sql:{empty}", str(pdf_path)],
                               capture_output=True, text=True, timeout=60).stdout
    assert "Signature is Valid." in untrusted
    assert "Certificate is Trusted." not in untrusted


def timestamp_response(stamper, data: bytes) -> bytes:  # noqa: ANN001
    request = tsp.TimeStampReq({
        "version": "v1",
        "message_imprint": tsp.MessageImprint({
            "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
            "hashed_message": hashlib.sha256(data).digest()}),
        "nonce": 20261126,
        "cert_req": True,
    })
    return stamper.request_tsa_response(request).dump()


def openssl_ts_verify(store: KeyStore, tmp_path: Path, response: bytes,
                      data: bytes) -> subprocess.CompletedProcess[str]:
    files = {"r.tsr": response, "data.bin": data,
             "root.pem": store.certificate(CertRole.ROOT).public_bytes(
                 serialization.Encoding.PEM),
             "ca.pem": store.certificate(CertRole.ISSUING_CA).public_bytes(
                 serialization.Encoding.PEM)}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    return subprocess.run(
        ["openssl", "ts", "-verify", "-data", str(tmp_path / "data.bin"), "-in",
         str(tmp_path / "r.tsr"), "-CAfile", str(tmp_path / "root.pem"), "-untrusted",
         str(tmp_path / "ca.pem")], capture_output=True, text=True, timeout=30)


def test_openssl_verifies_our_rfc3161_timestamps(store_now: KeyStore, tmp_path: Path,
                                                  pki_now: datetime) -> None:
    stamper = pyhanko_timestamper(store_now.timestamp_signer(), fixed_time=pki_now)
    data = b"a licence PDF's signature value"
    response = timestamp_response(stamper, data)
    proc = openssl_ts_verify(store_now, tmp_path, response, data)
    assert proc.returncode == 0 and "Verification: OK" in proc.stdout, proc.stdout + proc.stderr
    text = subprocess.run(["openssl", "ts", "-reply", "-in", str(tmp_path / "r.tsr"), "-text"],
                          capture_output=True, text=True, timeout=30).stdout
    assert "Time stamp: Mar  1 09:30:00 2026 GMT" in text
    assert "Policy OID: 2.25.131063033893857528247176843762364682034" in text
    assert openssl_ts_verify(store_now, tmp_path, response, data + b"!").returncode != 0
    flipped = bytearray(response)
    flipped[-10] ^= 0x01  # inside the ECDSA signature value at the end of the token
    assert openssl_ts_verify(store_now, tmp_path, bytes(flipped), data).returncode != 0


def test_a_timestamp_by_a_key_without_the_eku_is_refused(store_now: KeyStore,
                                                          tmp_path: Path) -> None:
    stamper = pyhanko_timestamper(store_now.signer())  # licence key: no timeStamping EKU
    data = b"anything"
    assert openssl_ts_verify(store_now, tmp_path, timestamp_response(stamper, data),
                             data).returncode != 0


def test_pdf_signature_timestamp_is_trusted_by_pyhanko(store_now: KeyStore) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(blank_pdf()))
    out = io.BytesIO()
    signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="Licence",
                                                          md_algorithm="sha256"),
                     signer=store_now.signer().pyhanko_signer(),
                     timestamper=pyhanko_timestamper(store_now.timestamp_signer()), output=out)
    status = validate(store_now, out.getvalue())
    assert status.bottom_line
    stamp = status.timestamp_validity
    assert stamp is not None and stamp.intact and stamp.valid and stamp.trusted
    signed_by = x509.load_der_x509_certificate(stamp.signing_cert.dump())
    assert signed_by == store_now.certificate(CertRole.TIMESTAMP)
    assert abs((stamp.timestamp - datetime.now(UTC)).total_seconds()) < 60
