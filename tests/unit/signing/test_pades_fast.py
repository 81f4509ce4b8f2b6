"""The PAdES fast path (signing.pades_fast): on our own genuine B-LTA licences it gives exactly
the full (pyHanko) validator's verdict; on anything changed, late, revoked, re-rooted or laid out
otherwise it gives no verdict (None), and validate_pdf's answer is then the full validator's."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
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

from signing import CertRole, KeyStore, pades_fast_cache
from signing.pades_fast import fast_validate
from signing.pades_validate import validate_pdf
from signing.pades_verdict import Indication, PadesLevel


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
