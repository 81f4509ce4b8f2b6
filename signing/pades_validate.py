"""Validation of a signed licence PDF against the pinned root, returning a frozen verdict.

The order follows the PAdES B-LTA proof chain, newest first:

1. the document timestamps are validated at ``now`` (their TSA chain and CRLs must hold now);
2. the signature timestamp is validated at the time of the first document timestamp (or ``now``);
3. the signing certificate is validated at the signature timestamp's time (point-in-time: a
   certificate that expired or was revoked *after* the licence was signed still validates;
   revoked or expired *before* does not).

Every step trusts only ``trust_roots`` (never the operating system's store), fetches nothing,
and requires revocation information (the CRLs passed in plus those in the PDF's DSS) for every
certificate below the root: none means INDETERMINATE (TRY_LATER), never PASSED.
pyHanko's difference analysis decides whether the incremental updates after the signature only
add validation data and document timestamps; anything else (an overlay, an annotation, a new
content stream, another signature) is FAILED / MODIFIED. A revision without a document timestamp
may add DSS/VRI data only (not even a new ``/Info`` or XMP metadata), and nothing may follow the
last ``%%EOF`` but one end-of-line: both are MODIFIED too. The PDF is read under
:data:`signing.pdf_streams.UNTRUSTED_PDF_LIMITS`. Any exception is INDETERMINATE.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TypeVar

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    KeyUsageConstraints,
    PdfSignatureStatus,
    SignatureStatus,
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
)

from signing import pdf_hexstrings
from signing.pades_checks import CheckRun, error_verdict
from signing.pades_fast import fast_validate
from signing.pades_policy import (
    algorithm_problem,
    asn1_certificate,
    asn1_crl_list,
    key_usage_problem,
    later_revision_problem,
    map_sub_indication,
    modification_problem,
    revocation_gap,
    signature_timestamp_token,
    token_time,
    trailing_bytes,
    validation_context,
)
from signing.pades_verdict import (
    PadesLevel,
    PdfCheckId,
    PdfSignatureVerdict,
    SubIndication,
)
from signing.pdf_streams import bounded_stream_data, open_untrusted_pdf
from signing.signer import key_id
from signing.trustlist import encode_kid

log = logging.getLogger(__name__)
# A CRL in a licence's DSS is read up to this size (ours are a few kilobytes), a certificate up
# to this one (ours are under 1 KB), and only this many of each (ours: four certificates, three
# CRLs); the rest is ignored, so revocation may stay unproven (never PASSED for want of it).
MAX_CRL_BYTES = 4 * 1024 * 1024
MAX_DSS_CERT_BYTES = 64 * 1024
MAX_DSS_ENTRIES = 64
_T = TypeVar("_T", asn1_x509.Certificate, asn1_crl.CertificateList)

pdf_hexstrings.install()  # pyHanko's byte-at-a-time hex strings were a third of a validation

# pyHanko asks the signer's certificate for one of these key usages (either suffices).
_SIGNER_KEY_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"},
                                        match_all_key_usages=False)


def validate_pdf(pdf: bytes, *, trust_roots: Sequence[x509.Certificate],
                 crls: Sequence[x509.CertificateRevocationList] = (),
                 now: datetime | None = None,
                 required_level: PadesLevel = PadesLevel.B_LTA,
                 reader: PdfFileReader | None = None, fast: bool = True) -> PdfSignatureVerdict:
    """Validate the (first) approval signature of ``pdf`` and everything after it.

    ``trust_roots`` are the pinned roots (``KeyStore.certificate(CertRole.ROOT)``); ``crls`` are
    current CRLs (``KeyStore.crls()``), used together with the ones embedded in the PDF;
    ``now`` is the validation time (the clock if ``None``); ``required_level`` is the PAdES
    level below which the verdict is INDETERMINATE (SIG_CONSTRAINTS_FAILURE); ``reader`` is
    a ``PdfFileReader`` the caller already opened on exactly these bytes (it is used instead of
    parsing them again, e.g. to read an attachment afterwards). With ``fast`` (the default)
    :func:`signing.pades_fast.fast_validate` runs first and answers for a licence in exactly
    our issuer's layout that passes; anything else, and ``fast=False``, is decided here by
    pyHanko (the reference).

    Never raises: any input, and any exception inside, gives a verdict that is not PASSED.
    Must not be called from a running event loop (use :func:`async_validate_pdf` there).
    """
    if fast:
        verdict = fast_validate(pdf, trust_roots=trust_roots, crls=crls, now=now,
                                required_level=required_level)
        if verdict is not None:
            return verdict
    try:
        return asyncio.run(async_validate_pdf(pdf, trust_roots=trust_roots, crls=crls, now=now,
                                              required_level=required_level, reader=reader,
                                              fast=False))
    except Exception as exc:  # noqa: BLE001 - the verdict must never be an exception
        return error_verdict(exc)


async def async_validate_pdf(pdf: bytes, *, trust_roots: Sequence[x509.Certificate],
                             crls: Sequence[x509.CertificateRevocationList] = (),
                             now: datetime | None = None,
                             required_level: PadesLevel = PadesLevel.B_LTA,
                             reader: PdfFileReader | None = None,
                             fast: bool = True) -> PdfSignatureVerdict:
    """:func:`validate_pdf` for callers inside an event loop. Never raises either."""
    if fast:
        verdict = fast_validate(pdf, trust_roots=trust_roots, crls=crls, now=now,
                                required_level=required_level)
        if verdict is not None:
            return verdict
    try:
        return await _validate(pdf, trust_roots, crls, now or datetime.now(UTC), required_level,
                               reader)
    except Exception as exc:  # noqa: BLE001 - the verdict must never be an exception
        return error_verdict(exc)


def _read(pdf: bytes, run: CheckRun, reader: PdfFileReader | None
          ) -> tuple[PdfFileReader, list[EmbeddedPdfSignature]] | None:
    if not isinstance(pdf, bytes | bytearray | memoryview) or len(pdf) == 0:
        run.problem(PdfCheckId.FORMAT, SubIndication.FORMAT_FAILURE, "empty or not bytes")
        return None
    try:
        if reader is None:
            reader = open_untrusted_pdf(pdf)
        signatures = list(reader.embedded_signatures)
    except Exception as exc:  # noqa: BLE001 - any parser failure is a format failure
        run.problem(PdfCheckId.FORMAT, SubIndication.FORMAT_FAILURE,
                    f"not a readable PDF ({type(exc).__name__})")
        return None
    return reader, signatures


async def _validate(pdf: bytes, trust_roots: Sequence[x509.Certificate],
                    crls: Sequence[x509.CertificateRevocationList], now: datetime,
                    required_level: PadesLevel, reader: PdfFileReader | None
                    ) -> PdfSignatureVerdict:
    run = CheckRun()
    parsed = _read(pdf, run, reader)
    if parsed is None:
        return run.verdict()
    reader, signatures = parsed
    approvals = sorted((s for s in signatures if s.sig_object_type == "/Sig"),
                       key=lambda s: s.signed_revision)
    if not approvals:
        run.problem(PdfCheckId.FORMAT, SubIndication.NO_SIGNATURE, "the PDF is not signed")
        return run.verdict()
    signature = approvals[0]
    doc_stamps = sorted((s for s in signatures if s.sig_object_type == "/DocTimeStamp"
                         and s.signed_revision > signature.signed_revision),
                        key=lambda s: s.signed_revision)
    run.passed(PdfCheckId.FORMAT, f"{len(approvals)} signature(s), "
               f"{len(doc_stamps)} later document timestamp(s)")

    signer = x509.load_der_x509_certificate(signature.signer_cert.dump())
    run.signer_kid = encode_kid(key_id(signer))
    run.signer_subject = signer.subject.rfc4514_string()

    roots = [asn1_certificate(r) for r in trust_roots]
    dss_certs, dss_crls = _dss_contents(reader)
    # The same CRL or certificate often comes both from the caller and from the PDF's DSS (or
    # the signature): byte-identical copies add nothing but a second round of checks.
    all_crls = _unique([asn1_crl_list(c) for c in crls] + dss_crls)
    extra_certs = _unique(dss_certs + list(signature.other_embedded_certs))

    # 1. Document timestamps, at ``now``.
    first_doc_time = await _check_document_timestamps(
        run, doc_stamps, roots, all_crls, extra_certs, now, required_level)

    # 2 and 3. The signature, its timestamp at the first document timestamp's time, its
    # certificate at the signature timestamp's time.
    token = signature_timestamp_token(signature.signer_info)
    claimed_time = token_time(token) if token is not None else None
    signer_moment = claimed_time or now
    status = await async_validate_pdf_signature(
        signature,
        signer_validation_context=validation_context(roots, all_crls, extra_certs,
                                                     signer_moment),
        ts_validation_context=validation_context(roots, all_crls, extra_certs,
                                                 first_doc_time or now),
        key_usage_settings=_SIGNER_KEY_USAGE)

    if not status.intact:
        run.problem(PdfCheckId.SIGNATURE_INTACT, SubIndication.HASH_FAILURE,
                    "the signed bytes do not match the signed digest")
    elif not status.valid:
        run.problem(PdfCheckId.SIGNATURE_INTACT, SubIndication.SIG_CRYPTO_FAILURE,
                    "the signature value does not verify")
    else:
        run.passed(PdfCheckId.SIGNATURE_INTACT)

    _check_modifications(run, pdf, reader, signature, doc_stamps, status)

    infos = [signature.signer_info] + ([token["signer_infos"][0]] if token is not None else [])
    infos += [s.signer_info for s in doc_stamps]
    problems = [p for p in (algorithm_problem(i) for i in infos) if p is not None]
    if problems:
        run.problem(PdfCheckId.ALGORITHMS, SubIndication.CRYPTO_CONSTRAINTS_FAILURE, problems[0])
    else:
        run.passed(PdfCheckId.ALGORITHMS)

    timestamp_ok = _check_signature_timestamp(run, status, claimed_time, required_level,
                                              extra_certs, all_crls)
    if timestamp_ok:
        run.signing_time = claimed_time
    _check_chain(run, status, signer, signer_moment if timestamp_ok else None,
                 extra_certs, all_crls)

    problem = key_usage_problem(signer)
    if problem is None:
        run.passed(PdfCheckId.KEY_USAGE)
    else:
        run.problem(PdfCheckId.KEY_USAGE, SubIndication.CHAIN_CONSTRAINTS_FAILURE, problem)

    run.level = _level(token is not None, bool(dss_certs or dss_crls), bool(doc_stamps))
    if run.level.rank >= required_level.rank:
        run.passed(PdfCheckId.LEVEL, run.level.value)
    else:
        run.problem(PdfCheckId.LEVEL, SubIndication.SIG_CONSTRAINTS_FAILURE,
                    f"PAdES {run.level} is below the required {required_level}")
    return run.verdict()


def _check_modifications(run: CheckRun, pdf: bytes, reader: PdfFileReader,
                         signature: EmbeddedPdfSignature, doc_stamps: list[EmbeddedPdfSignature],
                         status: PdfSignatureStatus) -> None:
    """pyHanko's verdict on the updates after the signature, then ours: a revision without a
    document timestamp adds validation data only, and no bytes follow the last ``%%EOF``."""
    problem = modification_problem(status.coverage, status.modification_level)
    if problem is not None:
        run.problem(PdfCheckId.MODIFICATIONS, SubIndication.MODIFIED, problem,
                    f"签名之后的增量更新改动了文档：{problem}")
        return
    later = later_revision_problem(reader, signature.signed_revision,
                                   {stamp.signed_revision for stamp in doc_stamps})
    if later is not None:
        run.problem(PdfCheckId.MODIFICATIONS, SubIndication.MODIFIED, *later)
        return
    extra = trailing_bytes(bytes(pdf), reader)
    if extra:
        run.problem(PdfCheckId.MODIFICATIONS, SubIndication.MODIFIED,
                    f"{extra} byte(s) follow the last %%EOF; no signature covers them",
                    f"最后一个 %%EOF 之后还有 {extra} 字节，不在任何签名范围内")
        return
    run.passed(PdfCheckId.MODIFICATIONS, status.coverage.name if status.coverage else "")


def _unique(items: list[_T]) -> list[_T]:
    """``items`` without byte-identical repeats (DER), in their first order."""
    seen: set[bytes] = set()
    out = []
    for item in items:
        der = item.dump()
        if der not in seen:
            seen.add(der)
            out.append(item)
    return out


def _dss_contents(reader: PdfFileReader
                  ) -> tuple[list[asn1_x509.Certificate], list[asn1_crl.CertificateList]]:
    """The certificates and CRLs in the PDF's DSS, read by hand rather than with pyHanko's
    ``DocumentSecurityStore.read_dss``, which decodes every certificate, OCSP response and CRL
    stream in it, however many and however large. Here only the first
    :data:`MAX_DSS_ENTRIES` of each are read, each under its cap and only with the filter we
    write; an entry over its cap (or a bomb) is left out, so revocation stays unproven."""
    dss = reader.root.get("/DSS")
    if dss is None:
        return [], []
    dss = dss.get_object()
    if not isinstance(dss, generic.DictionaryObject):
        return [], []
    return (_dss_items(dss, "/Certs", MAX_DSS_CERT_BYTES, asn1_x509.Certificate),
            _dss_items(dss, "/CRLs", MAX_CRL_BYTES, asn1_crl.CertificateList))


def _dss_items(dss: generic.DictionaryObject, key: str, limit: int, kind: type[_T]) -> list[_T]:
    entries = dss.get(key)
    entries = entries.get_object() if entries is not None else None
    if not isinstance(entries, generic.ArrayObject):
        return []
    items = []
    for entry in list(entries)[:MAX_DSS_ENTRIES]:
        data = bounded_stream_data(entry.get_object(), limit)
        if data is not None:
            item = kind.load(data)
            item.native  # noqa: B018 - parse now: a broken entry fails here, not mid-validation
            items.append(item)
    return items


def _level(timestamped: bool, has_dss: bool, doc_stamped: bool) -> PadesLevel:
    if not timestamped:
        return PadesLevel.B_B
    if not has_dss:
        return PadesLevel.B_T
    return PadesLevel.B_LTA if doc_stamped else PadesLevel.B_LT


async def _check_document_timestamps(run: CheckRun, stamps: list[EmbeddedPdfSignature],
                                     roots: list[asn1_x509.Certificate],
                                     crls: list[asn1_crl.CertificateList],
                                     extra_certs: list[asn1_x509.Certificate], now: datetime,
                                     required_level: PadesLevel) -> datetime | None:
    """Check every document timestamp after the signature; the first one's time if all hold."""
    if not stamps:
        if required_level is PadesLevel.B_LTA:
            run.problem(PdfCheckId.DOCUMENT_TIMESTAMP, SubIndication.SIG_CONSTRAINTS_FAILURE,
                        "no document timestamp after the signature")
        else:
            run.not_run(PdfCheckId.DOCUMENT_TIMESTAMP, "no document timestamp")
        return None
    for index, stamp in enumerate(stamps):
        status = await async_validate_pdf_timestamp(
            stamp, validation_context(roots, crls, extra_certs, now))
        if not (status.intact and status.valid):
            run.problem(PdfCheckId.DOCUMENT_TIMESTAMP, SubIndication.TIMESTAMP_FAILURE,
                        f"document timestamp {index + 1} does not verify")
            return None
        if not status.trusted:
            sub, why = _trust_problem(status, extra_certs, crls)
            run.problem(PdfCheckId.DOCUMENT_TIMESTAMP, sub,
                        f"document timestamp {index + 1}: {why}")
            return None
    run.passed(PdfCheckId.DOCUMENT_TIMESTAMP, f"{len(stamps)} document timestamp(s)")
    return token_time(stamps[0].signed_data)


def _check_signature_timestamp(run: CheckRun, status: PdfSignatureStatus,
                               claimed_time: datetime | None, required_level: PadesLevel,
                               known_certs: list[asn1_x509.Certificate],
                               crls: list[asn1_crl.CertificateList]) -> bool:
    stamp = status.timestamp_validity
    if claimed_time is None:
        if required_level.rank >= PadesLevel.B_T.rank:
            run.problem(PdfCheckId.SIGNATURE_TIMESTAMP, SubIndication.SIG_CONSTRAINTS_FAILURE,
                        "the signature has no timestamp")
        else:
            run.not_run(PdfCheckId.SIGNATURE_TIMESTAMP, "no signature timestamp")
        return False
    if stamp is None or not (stamp.intact and stamp.valid):
        run.problem(PdfCheckId.SIGNATURE_TIMESTAMP, SubIndication.TIMESTAMP_FAILURE,
                    "the signature timestamp does not verify")
        return False
    if not stamp.trusted:
        sub, why = _trust_problem(stamp, known_certs, crls)
        run.problem(PdfCheckId.SIGNATURE_TIMESTAMP, sub, f"signature timestamp: {why}")
        return False
    run.passed(PdfCheckId.SIGNATURE_TIMESTAMP, claimed_time.isoformat())
    return True


def _check_chain(run: CheckRun, status: PdfSignatureStatus, signer: x509.Certificate,
                 proven_time: datetime | None, known_certs: list[asn1_x509.Certificate],
                 crls: list[asn1_crl.CertificateList]) -> None:
    """The signer's chain at the signature timestamp's time (``proven_time``, ``None`` if the
    timestamp did not validate: then the chain was checked at the claimed or current time and
    revocation or expiry cannot be placed before or after the signature)."""
    check = PdfCheckId.CERTIFICATE_CHAIN
    if proven_time is not None:
        if proven_time < signer.not_valid_before_utc:
            run.problem(check, SubIndication.NOT_YET_VALID,
                        "signed before the signing certificate's notBefore")
            return
        if proven_time > signer.not_valid_after_utc:
            run.problem(check, SubIndication.EXPIRED,
                        "signed after the signing certificate's notAfter")
            return
    if status.trusted:
        run.passed(check, "chains to the pinned root; not revoked at the signing time")
        return
    sub, why = _trust_problem(status, known_certs, crls)
    if sub is SubIndication.REVOKED_NO_POE and proven_time is not None:
        run.problem(check, SubIndication.REVOKED,
                    "the signing certificate was revoked before the signature timestamp")
        return
    run.problem(check, sub, f"signing certificate: {why}")


def _trust_problem(status: SignatureStatus, known_certs: list[asn1_x509.Certificate],
                   crls: list[asn1_crl.CertificateList]) -> tuple[SubIndication, str]:
    """Our sub-indication and a detail for a signature or timestamp whose certificate did not
    validate. pyHanko reports missing revocation information as a general chain failure; it is
    TRY_LATER (fail closed until CRLs are supplied)."""
    sub = map_sub_indication(status.trust_problem_indic)
    if sub is SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE:
        gap = revocation_gap(status.signing_cert, known_certs, crls)
        if gap is not None:
            return SubIndication.TRY_LATER, gap
    return sub, f"the certificate does not validate ({sub})"
