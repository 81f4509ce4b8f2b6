"""A licence PDF changed after its document timestamp is not PASSED (issue 11, finding 8).

Before, an incremental update that only changed ``/Info`` (the title or author every PDF reader
shows) gave PASSED, and so did bytes appended after ``%%EOF``: pyHanko's default difference
analysis allows document-information and XMP updates at its "LTA updates" level, and nothing
looked past the last revision. Each attack starts from a real licence (rendered, tokenised,
signed PAdES B-LTA by ``issue_licence``) and must now be FAILED / MODIFIED, with the reason in
both languages in the verdict the API and the ``/v/`` page show. A licence extended the way
long-term archival does (a DSS with fresh CRLs and a later document timestamp from the office's
own timestamp authority, or validation data alone) still passes."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import crl as asn1_crl
from cryptography.hazmat.primitives import serialization
from pydantic import SecretStr
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.validation import DocumentSecurityStore

from core import Settings
from elicense import load_licence, load_templates
from elicense.issue import issue_licence
from elicense.publish import TrustMaterial, load_trust, publish
from elicense.registry import FileRegistry
from elicense.verify import verify_licence_pdf
from signing import Indication, IssuerIdentity, KeyStore, pyhanko_timestamper

RECORDS = Path(__file__).resolve().parents[3] / "samples" / "licences"
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=1)
PASS = SecretStr("canonical pdf tests passphrase")
CODE = Settings(_env_file=None).issuer_code
XMP = b"""<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Forged title</rdf:li></rdf:Alt></dc:title>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""


class Issued:
    def __init__(self, base: Path) -> None:
        self.store = KeyStore(base / "keys", PASS)
        self.store.initialise(IssuerIdentity.from_settings(Settings(_env_file=None)),
                              now=NOW - timedelta(days=10))
        registry = FileRegistry(base / "licences")
        licence = load_licence(RECORDS / "residence_permit.json")
        template = load_templates().get(licence.type_code)
        photo = (RECORDS / "holder_photo.jpg").read_bytes() if template.photo else None
        self.pdf = issue_licence(licence, template, photo=photo, store=self.store,
                                 registry=registry, issuer_code=CODE,
                                 published_dir=base / "published", now=NOW).pdf
        publish(self.store, registry, base / "published", CODE, NOW)
        self.trust: TrustMaterial = load_trust(base / "published")


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> Issued:
    return Issued(tmp_path_factory.mktemp("canonical-pdf"))


def verdict(issued: Issued, pdf: bytes):
    return verify_licence_pdf(pdf, issued.trust, now=LATER + timedelta(hours=1))


def pdf_check(result) -> dict:
    return next(c for c in result.to_dict()["checks"] if c["check"] == "pdf_signature")


def updated(pdf: bytes, change) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def retitle_in_place(writer: IncrementalPdfFileWriter) -> None:
    reference = writer.trailer.raw_get("/Info")
    reference.get_object()[generic.NameObject("/Title")] = generic.TextStringObject("伪造的证照")
    writer.mark_update(reference)


def raw_update(pdf: bytes, body: bytes, trailer: bytes) -> bytes:
    """``pdf`` plus an incremental update written by hand (any tool could write it): one new
    object ``body`` and a trailer that adds ``trailer`` to the previous one's keys."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    number = int(reader.trailer["/Size"])
    root = reader.trailer.raw_get("/Root")
    offset = len(pdf)
    chunk = b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = offset + len(chunk)
    return pdf + chunk + (
        b"xref\n%d 1\n%010d 00000 n \ntrailer\n<< /Size %d /Root %d 0 R /Prev %d %s >>\n"
        b"startxref\n%d\n%%%%EOF\n" % (number, offset, number + 1, root.idnum,
                                       reader.last_startxref, trailer, xref))


def new_info_object(pdf: bytes) -> bytes:
    number = int(PdfFileReader(io.BytesIO(pdf), strict=False).trailer["/Size"])
    return raw_update(pdf, "<< /Title (Forged) /Author (伪造) >>".encode(),
                      b"/Info %d 0 R" % number)


def new_xmp(writer: IncrementalPdfFileWriter) -> None:
    stream = generic.StreamObject({generic.NameObject("/Type"): generic.NameObject("/Metadata"),
                                   generic.NameObject("/Subtype"): generic.NameObject("/XML")},
                                  stream_data=XMP)
    writer.root[generic.NameObject("/Metadata")] = writer.add_object(stream)
    writer.update_root()


def test_the_issued_licence_passes(issued: Issued) -> None:
    result = verdict(issued, issued.pdf)
    assert result.indication is Indication.PASSED, result.to_dict()


@pytest.mark.parametrize("attack", [lambda pdf: updated(pdf, retitle_in_place),
                                    lambda pdf: updated(pdf, new_xmp), new_info_object],
                         ids=["info-in-place", "xmp", "info-new-object"])
def test_an_update_of_the_document_information_is_modified(issued: Issued, attack) -> None:
    attacked = attack(issued.pdf)
    assert attacked.startswith(issued.pdf)
    result = verdict(issued, attacked)
    assert result.indication is Indication.FAILED
    check = pdf_check(result)
    assert check["code"] == "MODIFIED"
    assert "changes more than validation data" in check["message_en"]
    assert "验证数据" in check["message_zh"]


@pytest.mark.parametrize("tail", [b"junk", b"\n\n", b"%PDF-1.7\n% another file\n",
                                  b"x\nstartxref\n0\n%%EOF\n"])
def test_bytes_after_the_last_eof_are_reported(issued: Issued, tail: bytes) -> None:
    assert issued.pdf.endswith(b"%%EOF\n")
    result = verdict(issued, issued.pdf + tail)
    assert result.indication is not Indication.PASSED
    if result.indication is Indication.FAILED:  # (the last tail may not even parse)
        check = pdf_check(result)
        assert check["code"] == "MODIFIED" and "follow the last %%EOF" in check["message_en"]
        assert "%%EOF 之后" in check["message_zh"]


def _crls(store: KeyStore) -> list[asn1_crl.CertificateList]:
    return [asn1_crl.CertificateList.load(c.public_bytes(serialization.Encoding.DER))
            for c in store.crls()]


def test_an_lta_extension_still_passes(issued: Issued) -> None:
    """Archival renewal: fresh validation data and another document timestamp from the
    office's own timestamp authority, in one update (as the issuer writes its first one)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(issued.pdf), strict=False)
    DocumentSecurityStore.supply_dss_in_writer(writer, None, crls=_crls(issued.store))
    stamper = signers.PdfTimeStamper(
        pyhanko_timestamper(issued.store.timestamp_signer(), fixed_time=LATER),
        field_name="LicenceTimestamp2")
    extended = stamper.timestamp_pdf(writer, "sha256", output=io.BytesIO()).getvalue()
    assert extended.startswith(issued.pdf)
    result = verdict(issued, extended)
    assert result.indication is Indication.PASSED, result.to_dict()
    # And changing /Info after that second timestamp is still caught.
    assert verdict(issued, updated(extended, retitle_in_place)).indication is Indication.FAILED


def test_validation_data_alone_still_passes(issued: Issued) -> None:
    out = io.BytesIO(issued.pdf)
    DocumentSecurityStore.add_dss(out, None, crls=_crls(issued.store), force_write=True)
    assert verdict(issued, out.getvalue()).indication is Indication.PASSED
