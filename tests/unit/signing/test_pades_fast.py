"""The PAdES fast path (signing.pades_fast): on our own genuine B-LTA licences it gives exactly
the full (pyHanko) validator's verdict; on anything changed, late, revoked, re-rooted or laid out
otherwise it gives no verdict (None), and validate_pdf's answer is then the full validator's."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pades_fixtures import (
    HOLDER,
    change_hex_digit,
    check_time,
    first_revision,
    flip,
    sign_time,
    sign_with,
    signature_value_offset,
    signed_licence,  # noqa: F401 - fixture
)
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.validation import DocumentSecurityStore

from signing import CertRole, KeyStore, pades_fast_cache, pyhanko_timestamper
from signing.pades_fast import fast_validate
from signing.pades_validate import validate_pdf
from signing.pades_verdict import Indication, PadesLevel
from signing.signer_pyhanko import make_pyhanko_signer


def _both(store: KeyStore, pdf: bytes, **kwargs: object):  # noqa: ANN202
    args = {"trust_roots": [store.certificate(CertRole.ROOT)], "crls": store.crls(),
            "now": check_time(store)} | kwargs
    return fast_validate(pdf, **args), validate_pdf(pdf, fast=False, **args)


def test_genuine_licence_gives_the_full_validators_verdict(
        pki_store: KeyStore, signed_licence: bytes) -> None:  # noqa: F811
    fast, full = _both(pki_store, signed_licence)
    assert full.indication is Indication.PASSED
    assert fast == full  # every check, detail, kid, subject, signing time and level
    assert fast.signing_time == sign_time(pki_store)


def test_validate_pdf_uses_the_fast_verdict_by_default(
        pki_store: KeyStore, signed_licence: bytes) -> None:  # noqa: F811
    fast, full = _both(pki_store, signed_licence)
    default = validate_pdf(signed_licence, trust_roots=[pki_store.certificate(CertRole.ROOT)],
                           crls=pki_store.crls(), now=check_time(pki_store))
    assert default == fast == full


def test_the_embedded_crls_alone_suffice_while_fresh(
        pki_store: KeyStore, signed_licence: bytes) -> None:  # noqa: F811
    fast, full = _both(pki_store, signed_licence, crls=[])
    assert full.passed and fast == full


def _appended(pdf: bytes) -> bytes:
    return pdf + b"% trailing comment\n"


def _dss_only_update(pdf: bytes) -> bytes:
    """A later revision that only rewrites /Info with a new title (pyHanko writes it)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    info = writer.trailer["/Info"].get_object()
    info["/Title"] = generic.TextStringObject("Someone else")
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("mutate", [
    pytest.param(lambda pdf: flip(pdf, pdf.index(HOLDER.encode()) + 1), id="content-byte"),
    pytest.param(lambda pdf: change_hex_digit(pdf, signature_value_offset(pdf)),
                 id="signature-value"),
    pytest.param(lambda pdf: flip(pdf, len(pdf) - 300), id="document-timestamp-byte"),
    pytest.param(first_revision, id="document-timestamp-stripped"),
    pytest.param(_appended, id="bytes-after-eof"),
    pytest.param(_dss_only_update, id="later-info-update"),
    pytest.param(lambda pdf: pdf.replace(b"/DocTimeStamp", b"/DocTimeStamx"), id="stamp-type"),
    pytest.param(lambda pdf: pdf[:-1] + b"\r\n", id="two-byte-eol"),
])
def test_a_changed_licence_gets_no_fast_verdict(pki_store: KeyStore, signed_licence: bytes,  # noqa: F811
                                                mutate) -> None:  # noqa: ANN001
    changed = mutate(signed_licence)
    assert changed != signed_licence
    fast, full = _both(pki_store, changed)
    assert fast is None
    if full.passed:  # only a harmless end of line may pass the full validator
        assert changed.rstrip(b"\r\n") == signed_licence.rstrip(b"\r\n")


def test_no_fast_verdict_once_the_crls_expire(pki_store: KeyStore,
                                              signed_licence: bytes) -> None:  # noqa: F811
    now = check_time(pki_store)
    assert _both(pki_store, signed_licence, now=now)[0] is not None  # warms every cache
    late = now + timedelta(days=90)
    fast, full = _both(pki_store, signed_licence, now=late)
    assert fast is None and not full.passed


def test_no_fast_verdict_before_the_licence_was_signed(
        pki_store: KeyStore, signed_licence: bytes) -> None:  # noqa: F811
    """A validation time before the timestamps' genTime is not ours to judge (the full
    validator, which decides then, happens to accept it)."""
    fast, _full = _both(pki_store, signed_licence,
                        now=sign_time(pki_store) - timedelta(hours=1))
    assert fast is None


def test_no_fast_verdict_under_another_root(pki_store: KeyStore, fresh_store: KeyStore,
                                            signed_licence: bytes) -> None:  # noqa: F811
    fast, full = _both(pki_store, signed_licence,
                       trust_roots=[fresh_store.certificate(CertRole.ROOT)])
    assert fast is None and not full.passed


def test_no_fast_verdict_above_b_lta_requirements_or_without_roots(
        pki_store: KeyStore, signed_licence: bytes) -> None:  # noqa: F811
    fast, full = _both(pki_store, signed_licence, trust_roots=[])
    assert fast is None and not full.passed


def test_a_revoked_signer_is_left_to_the_full_validator(fresh_store: KeyStore) -> None:
    """Revoked after signing: the full validator proves the signature older (PASSED); the fast
    path does not interpret revocation dates and hands over. Revoked before: not PASSED."""
    signed = sign_with(fresh_store)
    fresh_store.revoke(fresh_store.certificate(CertRole.LICENCE_SIGNING),
                       now=sign_time(fresh_store) + timedelta(hours=1))
    fast, full = _both(fresh_store, signed)
    assert fast is None and full.passed
    assert validate_pdf(signed, trust_roots=[fresh_store.certificate(CertRole.ROOT)],
                        crls=fresh_store.crls(), now=check_time(fresh_store)) == full


def test_a_licence_outliving_its_signing_certificate(fresh_store: KeyStore) -> None:
    signed = sign_with(fresh_store)
    later = fresh_store.certificate(CertRole.LICENCE_SIGNING).not_valid_after_utc + timedelta(
        days=30)
    fresh_store.refresh_crls(now=later)
    fast, full = _both(fresh_store, signed, now=later + timedelta(hours=1))
    assert full.passed and fast == full


def test_b_t_and_b_lt_files_are_not_ours(pki_store: KeyStore) -> None:
    for level in (PadesLevel.B_T, PadesLevel.B_LT):
        signed = sign_with(pki_store, level=level)
        fast, _full = _both(pki_store, signed, required_level=level)
        assert fast is None


def test_the_caches_are_bounded_lrus() -> None:
    for cached in (pades_fast_cache.cert_facts, pades_fast_cache.signed_by,
                   pades_fast_cache.crl_facts, pades_fast_cache.crl_signed_by):
        size = cached.cache_info().maxsize
        assert size is not None and 0 < size <= 1024


# Files in exactly our layout with exactly one thing wrong. The test re-does what only the
# office can (a document timestamp by our TSA, a signature with our certificate), so that each
# fast-path check is the only one that can catch its mutant.

def _restamp(store: KeyStore, signed_revision: bytes,
             edit: Callable[[IncrementalPdfFileWriter], None] | None = None) -> bytes:
    """``signed_revision`` with our DSS + document timestamp revision added, as pades_sign
    writes it (optionally with ``edit`` made in that same revision)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_revision), strict=False)
    if edit is not None:
        edit(writer)
    der = serialization.Encoding.DER
    certs = [asn1_x509.Certificate.load(c.public_bytes(der))
             for c in (*store.chain(), store.certificate(CertRole.TIMESTAMP))]
    crls = [asn1_crl.CertificateList.load(c.public_bytes(der)) for c in store.crls()]
    DocumentSecurityStore.supply_dss_in_writer(writer, None, certs=certs, crls=crls)
    stamper = signers.PdfTimeStamper(
        pyhanko_timestamper(store.timestamp_signer(), fixed_time=sign_time(store)),
        field_name="LicenceTimestamp")
    return stamper.timestamp_pdf(writer, "sha256", output=io.BytesIO()).getvalue()


def test_a_restamped_genuine_licence_is_still_ours(pki_store: KeyStore,
                                                   signed_licence: bytes) -> None:  # noqa: F811
    fast, full = _both(pki_store, _restamp(pki_store, first_revision(signed_licence)))
    assert full.passed and fast == full


def test_signed_bytes_changed_under_a_fresh_document_timestamp(
        pki_store: KeyStore, signed_licence: bytes) -> None:  # noqa: F811
    """Only the CMS message digest can notice: the document timestamp covers the change."""
    revision = first_revision(signed_licence)
    changed = flip(revision, revision.index(HOLDER.encode()) + 1)
    fast, full = _both(pki_store, _restamp(pki_store, changed))
    assert fast is None
    assert full.indication is Indication.FAILED


def test_a_signature_by_another_key_under_our_certificate(fresh_store: KeyStore) -> None:
    """Timestamps, chain and layout all hold; only the CMS signature value does not verify."""
    impostor = make_pyhanko_signer(ec.generate_private_key(ec.SECP256R1()),
                                   fresh_store.certificate(CertRole.LICENCE_SIGNING),
                                   fresh_store.chain())
    fast, full = _both(fresh_store, sign_with(fresh_store, signer=impostor))
    assert fast is None
    assert full.indication is Indication.FAILED


def test_the_timestamp_revision_may_not_retitle_the_document(
        pki_store: KeyStore, signed_licence: bytes) -> None:  # noqa: F811
    def retitle(writer: IncrementalPdfFileWriter) -> None:
        info = writer.trailer["/Info"].get_object()
        info["/Title"] = generic.TextStringObject("Someone else")
        writer.update_container(info)

    fast, _full = _both(pki_store, _restamp(pki_store, first_revision(signed_licence), retitle))
    assert fast is None


def test_the_timestamp_revision_may_not_add_a_page_annotation(
        pki_store: KeyStore, signed_licence: bytes) -> None:  # noqa: F811
    def annotate(writer: IncrementalPdfFileWriter) -> None:
        page_ref = writer.root["/Pages"]["/Kids"][0]
        page = page_ref.get_object()
        note = writer.add_object(generic.DictionaryObject({
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/FreeText"),
            generic.NameObject("/Rect"): generic.ArrayObject([generic.NumberObject(v)
                                                              for v in (72, 700, 300, 720)]),
            generic.NameObject("/Contents"): generic.TextStringObject("Holder: Li Si"),
        }))
        annots = page.get("/Annots", generic.ArrayObject())
        annots.append(note)
        page[generic.NameObject("/Annots")] = annots
        writer.update_container(page)

    fast, full = _both(pki_store, _restamp(pki_store, first_revision(signed_licence), annotate))
    assert fast is None
    assert not full.passed
