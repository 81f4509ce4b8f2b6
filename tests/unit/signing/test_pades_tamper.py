"""Forgery suite for PAdES validation: every change to a signed licence is FAILED or
INDETERMINATE, never PASSED — a flipped byte in the page content, the signature value, the page
dictionary; an incremental update that overlays another name (new content stream, FreeText
annotation) or adds another signature; a stripped document timestamp."""

from __future__ import annotations

import io
from datetime import timedelta

from asn1crypto import crl as asn1_crl
from cryptography.hazmat.primitives import serialization
from pades_fixtures import (
    HOLDER,
    change_hex_digit,
    first_revision,
    flip,
    sign_time,
    sign_with,
    signature_value_offset,
    signed_licence,  # noqa: F401 - fixture
    validate_with,
)
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.validation import DocumentSecurityStore

from signing import KeyStore, pyhanko_timestamper
from signing.pades_verdict import CheckOutcome, Indication, PadesLevel, PdfCheckId, SubIndication


def test_untouched_passes(pki_store: KeyStore, signed_licence: bytes) -> None:  # noqa: F811
    assert validate_with(pki_store, signed_licence).indication is Indication.PASSED


def test_flip_in_the_content_stream(pki_store: KeyStore, signed_licence: bytes) -> None:  # noqa: F811
    index = signed_licence.index(HOLDER.encode()) + 1
    verdict = validate_with(pki_store, flip(signed_licence, index))
    assert verdict.indication is Indication.FAILED
    assert verdict.sub_indication is SubIndication.HASH_FAILURE


def test_flip_in_the_signature_value(pki_store: KeyStore, signed_licence: bytes) -> None:  # noqa: F811
    index = signature_value_offset(signed_licence)
    tampered = change_hex_digit(signed_licence, index)
    assert tampered[index:index + 1] != signed_licence[index:index + 1]
    verdict = validate_with(pki_store, tampered)
    assert verdict.indication is Indication.FAILED
    assert verdict.sub_indication is SubIndication.SIG_CRYPTO_FAILURE


def test_flip_in_the_page_dictionary(pki_store: KeyStore, signed_licence: bytes) -> None:  # noqa: F811
    index = signed_licence.index(b"/MediaBox") + len(b"/MediaBox [ 0 0 5")
    assert signed_licence[index:index + 1].isdigit()
    verdict = validate_with(pki_store, flip(signed_licence, index))
    assert verdict.indication is Indication.FAILED
    assert verdict.sub_indication is SubIndication.HASH_FAILURE


def overlay_content(pdf: bytes) -> bytes:
    """An incremental update that paints a white box over the holder and writes another name."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    overlay = (b"q 1 1 1 rg 60 690 400 40 re f Q "
               b"BT /F1 12 Tf 72 720 Td (Holder: Li Si) Tj ET")
    stream = writer.add_object(generic.StreamObject(stream_data=overlay))
    writer.add_stream_to_page(0, stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add_free_text(pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    annotation = generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Annot"),
        generic.NameObject("/Subtype"): generic.NameObject("/FreeText"),
        generic.NameObject("/Rect"): generic.ArrayObject(
            [generic.FloatObject(v) for v in (60, 690, 460, 730)]),
        generic.NameObject("/Contents"): generic.TextStringObject("Holder: Li Si"),
        generic.NameObject("/DA"): generic.TextStringObject("/Helv 14 Tf 0 g"),
    })
    ref = writer.add_object(annotation)
    annots = page.get("/Annots", generic.ArrayObject())
    annots.append(ref)
    page[generic.NameObject("/Annots")] = annots
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_overlay_in_an_incremental_update_is_modified(pki_store: KeyStore,
                                                      signed_licence: bytes) -> None:  # noqa: F811
    tampered = overlay_content(signed_licence)
    assert tampered.startswith(signed_licence)
    verdict = validate_with(pki_store, tampered)
    assert verdict.indication is Indication.FAILED
    assert verdict.sub_indication is SubIndication.MODIFIED
    intact = verdict.check(PdfCheckId.SIGNATURE_INTACT)
    assert intact is not None and intact.outcome is CheckOutcome.PASSED  # pdfsig's blind spot


def test_free_text_annotation_is_modified(pki_store: KeyStore,
                                          signed_licence: bytes) -> None:  # noqa: F811
    verdict = validate_with(pki_store, add_free_text(signed_licence))
    assert verdict.indication is Indication.FAILED
    assert verdict.sub_indication is SubIndication.MODIFIED


def test_a_second_signature_is_a_modification(pki_store: KeyStore, fresh_store: KeyStore,
                                              signed_licence: bytes) -> None:  # noqa: F811
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_licence))
    out = io.BytesIO()
    signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="Second",
                                                          md_algorithm="sha256"),
                     signer=fresh_store.signer().pyhanko_signer(), output=out)
    verdict = validate_with(pki_store, out.getvalue())
    assert verdict.indication is Indication.FAILED
    assert verdict.sub_indication is SubIndication.MODIFIED


def test_overlay_before_the_document_timestamp_is_modified(pki_store: KeyStore) -> None:
    """A forger who adds an overlay to the B-T revision and then re-timestamps with our own
    (unmodified) timestamp authority is still caught: the signature's revision was changed."""
    b_t = sign_with(pki_store, level=PadesLevel.B_T)
    verdict = validate_with(pki_store, overlay_content(b_t), required_level=PadesLevel.B_T)
    assert verdict.indication is Indication.FAILED
    assert verdict.sub_indication is SubIndication.MODIFIED


def test_stripped_document_timestamp_is_not_passed(pki_store: KeyStore,
                                                   signed_licence: bytes) -> None:  # noqa: F811
    stripped = first_revision(signed_licence)
    assert len(stripped) < len(signed_licence)
    verdict = validate_with(pki_store, stripped)
    assert verdict.indication is Indication.INDETERMINATE
    assert verdict.sub_indication is SubIndication.SIG_CONSTRAINTS_FAILURE


def test_non_hex_signature_contents_are_not_passed(pki_store: KeyStore,
                                                   signed_licence: bytes) -> None:  # noqa: F811
    tampered = bytearray(signed_licence)
    tampered[signature_value_offset(signed_licence)] = ord("g")
    verdict = validate_with(pki_store, bytes(tampered))
    assert verdict.indication is Indication.INDETERMINATE
    assert verdict.sub_indication is SubIndication.FORMAT_FAILURE


def test_a_later_dss_update_is_permitted(pki_store: KeyStore,
                                         signed_licence: bytes) -> None:  # noqa: F811
    """Validation data added after the document timestamp (what a re-validation would do) is a
    permitted change: still PASSED."""
    out = io.BytesIO(signed_licence)
    crls = [asn1_crl.CertificateList.load(c.public_bytes(serialization.Encoding.DER))
            for c in pki_store.crls()]
    DocumentSecurityStore.add_dss(out, None, crls=crls, force_write=True)
    updated = out.getvalue()
    assert len(updated) > len(signed_licence) and updated.startswith(signed_licence)
    assert validate_with(pki_store, updated).indication is Indication.PASSED


def test_a_foreign_document_timestamp_is_not_passed(pki_store: KeyStore, fresh_store: KeyStore,
                                                    signed_licence: bytes) -> None:  # noqa: F811
    foreign = pyhanko_timestamper(fresh_store.timestamp_signer(),
                                  fixed_time=sign_time(pki_store) + timedelta(hours=1))
    stamper = signers.PdfTimeStamper(foreign, field_name="Foreign")
    out = stamper.timestamp_pdf(IncrementalPdfFileWriter(io.BytesIO(signed_licence)), "sha256",
                                output=io.BytesIO())
    verdict = validate_with(pki_store, out.getvalue())
    assert verdict.indication is Indication.INDETERMINATE
    stamp = verdict.check(PdfCheckId.DOCUMENT_TIMESTAMP)
    assert stamp is not None and stamp.outcome is CheckOutcome.INDETERMINATE
