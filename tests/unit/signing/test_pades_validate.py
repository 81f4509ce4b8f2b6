"""PAdES validation policy: the pinned root only, revocation failing closed, certificate validity
at the signature timestamp's time, key usage, the algorithm allow-list, and a verdict (never an
exception, never PASSED) for anything that is not a good signed PDF."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pades_fixtures import (
    check_time,
    sign_time,
    sign_with,
    signed_licence,  # noqa: F401 - fixture
    simple_pdf,
    validate_with,
)
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers

import signing.pades_fast as pades_fast
import signing.pades_validate as pades_validate
from signing import CertRole, KeyStore
from signing.pades_validate import validate_pdf
from signing.pades_verdict import (
    CheckOutcome,
    Indication,
    PadesLevel,
    PdfCheckId,
    SubIndication,
)


def test_another_cas_signature_is_not_trusted(pki_store: KeyStore, fresh_store: KeyStore) -> None:
    forged = sign_with(fresh_store)  # same names, another CA's keys
    assert validate_with(fresh_store, forged).indication is Indication.PASSED
    verdict = validate_with(pki_store, forged)
    assert verdict.indication is Indication.INDETERMINATE
    assert verdict.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


def test_our_signature_against_another_root_is_not_trusted(
        pki_store: KeyStore, fresh_store: KeyStore, signed_licence: bytes) -> None:  # noqa: F811
    verdict = validate_with(pki_store, signed_licence,
                            root=fresh_store.certificate(CertRole.ROOT))
    assert verdict.indication is not Indication.PASSED
    assert verdict.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


def test_revoked_before_signing_fails(fresh_store: KeyStore) -> None:
    revoked_at = sign_time(fresh_store) - timedelta(hours=1)
    fresh_store.revoke(fresh_store.certificate(CertRole.LICENCE_SIGNING), now=revoked_at)
    verdict = validate_with(fresh_store, sign_with(fresh_store))
    assert verdict.indication is Indication.FAILED
    assert verdict.sub_indication is SubIndication.REVOKED


def test_revoked_after_signing_still_passes(fresh_store: KeyStore) -> None:
    """The timestamps prove the licence was signed before the revocation (ETSI: PASSED)."""
    signed = sign_with(fresh_store)
    fresh_store.revoke(fresh_store.certificate(CertRole.LICENCE_SIGNING),
                       now=sign_time(fresh_store) + timedelta(hours=1))
    verdict = validate_with(fresh_store, signed)
    assert verdict.indication is Indication.PASSED, verdict


def test_revoked_without_a_trusted_timestamp_is_not_passed(fresh_store: KeyStore) -> None:
    signed = sign_with(fresh_store, level=PadesLevel.B_B)
    fresh_store.revoke(fresh_store.certificate(CertRole.LICENCE_SIGNING),
                       now=sign_time(fresh_store) + timedelta(hours=1))
    verdict = validate_with(fresh_store, signed, required_level=PadesLevel.B_B)
    assert verdict.indication is Indication.INDETERMINATE
    assert verdict.sub_indication is SubIndication.REVOKED_NO_POE


def test_signed_after_the_certificate_expired(fresh_store: KeyStore) -> None:
    expiry = fresh_store.certificate(CertRole.LICENCE_SIGNING).not_valid_after_utc
    late = expiry + timedelta(days=1)
    fresh_store.refresh_crls(now=late)
    verdict = validate_with(fresh_store, sign_with(fresh_store, at=late),
                            now=late + timedelta(hours=1))
    assert verdict.indication is Indication.INDETERMINATE
    assert verdict.sub_indication is SubIndication.EXPIRED


def test_licence_outlives_its_signing_certificate(fresh_store: KeyStore) -> None:
    """Signed while the certificate was valid, checked after it expired (with current CRLs):
    the B-LTA timestamps carry it."""
    signed = sign_with(fresh_store)
    later = fresh_store.certificate(CertRole.LICENCE_SIGNING).not_valid_after_utc + timedelta(
        days=30)
    fresh_store.refresh_crls(now=later)
    verdict = validate_with(fresh_store, signed, now=later + timedelta(hours=1))
    assert verdict.indication is Indication.PASSED, verdict
    assert verdict.signing_time == sign_time(fresh_store)


def test_no_revocation_information_fails_closed(pki_store: KeyStore) -> None:
    signed = sign_with(pki_store, level=PadesLevel.B_T)  # no DSS
    verdict = validate_with(pki_store, signed, crls=[], required_level=PadesLevel.B_T)
    assert verdict.indication is Indication.INDETERMINATE
    chain = verdict.check(PdfCheckId.CERTIFICATE_CHAIN)
    assert chain is not None and chain.outcome is CheckOutcome.INDETERMINATE
    assert chain.sub_indication is SubIndication.TRY_LATER
    # The same file with the CRLs passed in validates: only the revocation data was missing.
    relaxed = validate_with(pki_store, signed, required_level=PadesLevel.B_T)
    assert relaxed.indication is Indication.PASSED


def test_stale_crls_fail_closed(pki_store: KeyStore, signed_licence: bytes) -> None:  # noqa: F811
    """Months later, with only the CRLs embedded at signing time (expired), nothing passes."""
    verdict = validate_with(pki_store, signed_licence, crls=[],
                            now=check_time(pki_store) + timedelta(days=90))
    assert verdict.indication is Indication.INDETERMINATE
    assert verdict.sub_indication is SubIndication.TRY_LATER


def test_embedded_crls_suffice_while_fresh(pki_store: KeyStore,
                                           signed_licence: bytes) -> None:  # noqa: F811
    assert validate_with(pki_store, signed_licence, crls=[]).indication is Indication.PASSED


def test_a_timestamp_key_may_not_sign_licences(pki_store: KeyStore) -> None:
    signed = sign_with(pki_store, signer=pki_store.timestamp_signer())
    verdict = validate_with(pki_store, signed)
    assert verdict.indication is not Indication.PASSED
    usage = verdict.check(PdfCheckId.KEY_USAGE)
    assert usage is not None and usage.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE


def test_sha1_is_not_on_the_allow_list(pki_store: KeyStore) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(simple_pdf()))
    out = io.BytesIO()
    signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="Licence",
                                                          md_algorithm="sha1"),
                     signer=pki_store.signer().pyhanko_signer(), output=out)
    verdict = validate_with(pki_store, out.getvalue(), required_level=PadesLevel.B_B)
    assert verdict.indication is not Indication.PASSED
    algorithms = verdict.check(PdfCheckId.ALGORITHMS)
    assert algorithms is not None
    assert algorithms.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE


@pytest.mark.parametrize(("data", "sub"), [
    (b"", SubIndication.FORMAT_FAILURE),
    (b"\x00\xff" * 500, SubIndication.FORMAT_FAILURE),
    (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", SubIndication.FORMAT_FAILURE),
    ("%PDF-1.7 a str, not bytes", SubIndication.FORMAT_FAILURE),
    (None, SubIndication.FORMAT_FAILURE),
])
def test_garbage_is_indeterminate(pki_store: KeyStore, data: object,
                                  sub: SubIndication) -> None:
    verdict = validate_with(pki_store, data)  # type: ignore[arg-type]
    assert verdict.indication is Indication.INDETERMINATE
    assert verdict.sub_indication is sub


def test_unsigned_pdf_is_indeterminate(pki_store: KeyStore) -> None:
    verdict = validate_with(pki_store, simple_pdf())
    assert verdict.indication is Indication.INDETERMINATE
    assert verdict.sub_indication is SubIndication.NO_SIGNATURE


def test_an_exception_inside_is_indeterminate(pki_store: KeyStore, signed_licence: bytes,  # noqa: F811
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    async def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(pades_validate, "async_validate_pdf_signature", explode)
    # The full validator (the fast path would answer for this genuine licence without it).
    verdict = validate_with(pki_store, signed_licence, fast=False)
    assert verdict.indication is Indication.INDETERMINATE
    assert verdict.sub_indication is SubIndication.VALIDATION_ERROR


def test_an_exception_inside_the_fast_path_leaves_the_verdict_to_the_full_validator(
        pki_store: KeyStore, signed_licence: bytes,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    full = validate_with(pki_store, signed_licence, fast=False)
    monkeypatch.setattr(pades_fast, "read_layout", explode)
    assert validate_with(pki_store, signed_licence) == full
    assert full.indication is Indication.PASSED


def test_no_trust_roots_is_not_passed(pki_store: KeyStore, signed_licence: bytes) -> None:  # noqa: F811
    verdict = validate_pdf(signed_licence, trust_roots=[], crls=pki_store.crls(),
                           now=check_time(pki_store))
    assert verdict.indication is not Indication.PASSED


def signature_gaps(pdf: bytes) -> list[range]:
    """The byte ranges no ByteRange covers: the /Contents hex strings (a change in their zero
    padding changes nothing that is signed, so it may still pass)."""
    gaps = []
    for match in re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf):
        a, b, c, _ = (int(match.group(i)) for i in range(1, 5))
        gaps.append(range(a + b, c))
    return gaps


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(truncate=st.booleans(), amount=st.integers(min_value=1),
       value=st.integers(min_value=0, max_value=255))
def test_any_truncation_or_signed_byte_change_is_never_passed(
        pki_store: KeyStore, signed_licence: bytes, truncate: bool, amount: int,  # noqa: F811
        value: int) -> None:
    gaps = signature_gaps(signed_licence)
    if truncate:
        data = signed_licence[:len(signed_licence) - 1 - amount % (len(signed_licence) - 1)]
    else:
        signed_positions = [i for i in range(0, len(signed_licence), 7)
                            if not any(i in gap for gap in gaps)]
        index = signed_positions[amount % len(signed_positions)]
        changed = bytearray(signed_licence)
        changed[index] = value if value != changed[index] else value ^ 0x01
        data = bytes(changed)
    verdict = validate_with(pki_store, data)
    assert verdict.indication is not Indication.PASSED
