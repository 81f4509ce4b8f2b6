"""PAdES signing of licence PDFs with pyHanko: ECDSA P-256 / SHA-256, by default baseline B-LTA.

One call makes up to three revisions on top of the input PDF:

1. the signature (``/SubFilter /ETSI.CAdES.detached``, an invisible field) with an RFC 3161
   signature timestamp from our timestamp authority (B-T);
2. the certificates (signer, issuing CA, root, TSA) and the CRLs in the document security store
   (DSS), written in the same incremental update as
3. a document timestamp over everything (B-LTA).

Imports pyHanko (about half a second, once per process).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from asn1crypto import cms, core
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter

from core import ErrorCode
from signing.errors import PdfSigningError
from signing.pades_verdict import PadesLevel

log = logging.getLogger(__name__)

SIGNATURE_FIELD = "Licence"
TIMESTAMP_FIELD = "LicenceTimestamp"
DIGEST = "sha256"
# Space reserved for the CMS blobs, in hex digits. A signature with our three-certificate chain
# and a timestamp token carrying the TSA chain needs about 12,100; a document timestamp about
# 5,000. Guessing saves the dummy signature and dummy timestamp pyHanko's estimator would make;
# if a longer chain does not fit, the signature is made again with twice the space (and the
# document timestamp with pyHanko's estimate).
SIGNATURE_RESERVE = 14_336
TIMESTAMP_RESERVE = 8_192


@runtime_checkable
class PyHankoCapable(Protocol):
    """A :class:`signing.Signer` that can hand pyHanko a signer over the same key
    (:class:`signing.FileSigner`; a PKCS#11 signer would return a ``PKCS11Signer``)."""

    def pyhanko_signer(self) -> signers.Signer: ...


def sign_pdf(pdf: bytes, signer: PyHankoCapable | signers.Signer,
             timestamper: TimeStamper | None, *,
             crls: Sequence[x509.CertificateRevocationList] = (),
             level: PadesLevel = PadesLevel.B_LTA,
             reason: str | None = None, location: str | None = None, name: str | None = None,
             contact_info: str | None = None, signing_time: datetime | None = None,
             field_name: str = SIGNATURE_FIELD) -> bytes:
    """Sign ``pdf`` at PAdES baseline ``level`` and return the signed file.

    ``signer`` is a :class:`signing.FileSigner` (or anything with ``pyhanko_signer()``) or a
    pyHanko signer; ``timestamper`` (``signing.pyhanko_timestamper(store.timestamp_signer())``)
    is needed from B-T up; ``crls`` (``KeyStore.crls()``) go into the DSS from B-LT up.
    ``signing_time`` is the claimed time in the signature dictionary (``/M``; the clock if
    ``None``) — the timestamp, not this, is what a validator trusts.

    Raises :class:`signing.PdfSigningError` for an unreadable or encrypted PDF, ``ValueError``
    for a level that needs a timestamper without one. Must not be called from a running event
    loop (use :func:`async_sign_pdf` there).
    """
    return asyncio.run(async_sign_pdf(
        pdf, signer, timestamper, crls=crls, level=level, reason=reason, location=location,
        name=name, contact_info=contact_info, signing_time=signing_time, field_name=field_name))


async def async_sign_pdf(pdf: bytes, signer: PyHankoCapable | signers.Signer,
                         timestamper: TimeStamper | None, *,
                         crls: Sequence[x509.CertificateRevocationList] = (),
                         level: PadesLevel = PadesLevel.B_LTA,
                         reason: str | None = None, location: str | None = None,
                         name: str | None = None, contact_info: str | None = None,
                         signing_time: datetime | None = None,
                         field_name: str = SIGNATURE_FIELD) -> bytes:
    """:func:`sign_pdf` for callers inside an event loop."""
    if level.rank >= PadesLevel.B_T.rank and timestamper is None:
        raise ValueError(f"PAdES {level} needs a timestamper")
    hanko_signer = signer.pyhanko_signer() if isinstance(signer, PyHankoCapable) else signer
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, md_algorithm=DIGEST, subfilter=SigSeedSubFilter.PADES,
        reason=reason, location=location, name=name, contact_info=contact_info)
    pdf_signer = signers.PdfSigner(meta, hanko_signer)
    stamper = timestamper if level is not PadesLevel.B_B else None
    reserve = SIGNATURE_RESERVE
    while True:
        try:
            signed, signature = await _sign_revision(pdf_signer, _writer(pdf), stamper,
                                                     signing_time, reserve)
            break
        except PyHankoSigningError as exc:
            if "larger than expected" not in str(exc) or reserve > 16 * SIGNATURE_RESERVE:
                raise
            reserve *= 2
            log.info("signature larger than the reserve; signing again with %d", reserve)
    if level.rank < PadesLevel.B_LT.rank:
        return signed
    assert timestamper is not None
    return await _add_validation_data(signed, _certificates(signature), timestamper, crls,
                                      with_timestamp=level is PadesLevel.B_LTA)


def _writer(pdf: bytes) -> IncrementalPdfFileWriter:
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except (PdfError, ValueError, TypeError, KeyError, IndexError) as exc:
        raise PdfSigningError(ErrorCode.INPUT_CORRUPT, "the PDF to sign cannot be read",
                              "无法读取待签名的 PDF") from exc
    if writer.prev.encrypted:
        raise PdfSigningError(ErrorCode.INPUT_PDF_ENCRYPTED, "the PDF to sign is encrypted",
                              "待签名的 PDF 已加密")
    return writer


async def _sign_revision(pdf_signer: signers.PdfSigner, writer: IncrementalPdfFileWriter,
                         timestamper: TimeStamper | None, signing_time: datetime | None,
                         reserve: int) -> tuple[bytes, bytes]:
    """pyHanko's interrupted-signing flow: prepare the revision with a fixed ``/M`` time and a
    fixed reserve, make the CMS, add the signature timestamp, fill it in. Returns the signed
    file and the DER CMS."""
    session = pdf_signer.init_signing_session(writer)
    if signing_time is not None:
        session.system_time = signing_time
    tbs = session.prepare_tbs_document(validation_info=None, bytes_reserved=reserve)
    prepared, output = tbs.digest_tbs_document(output=io.BytesIO())
    signature = await pdf_signer.signer.async_sign(
        prepared.document_digest, DIGEST, use_pades=True,
        signed_attr_settings=PdfCMSSignedAttributes(signing_time=session.system_time))
    der = signature.dump() if timestamper is None else await _add_signature_timestamp(
        signature, timestamper)
    await PdfTBSDocument.async_finish_signing(output, prepared, der)
    return output.getvalue(), der


# id-aa-signatureTimeStampToken (RFC 3161 appendix A), DER-encoded.
_SIGNATURE_TIMESTAMP_OID = core.ObjectIdentifier("1.2.840.113549.1.9.16.2.14").dump()


def _tlv(tag: int, content: bytes) -> bytes:
    """One DER element: tag, definite length, content."""
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    octets = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(octets)]) + octets + content


async def _add_signature_timestamp(signature: cms.ContentInfo, timestamper: TimeStamper) -> bytes:
    """The DER of the CMS with an RFC 3161 token over its signature value added as the unsigned
    attribute signature-time-stamp-token (ETSI EN 319 122-1).

    Spliced in at the DER level rather than by handing pyHanko the timestamper or assigning the
    attribute with asn1crypto: both put the token into an asn1crypto tree that then re-encodes
    itself over and over, and in some processes one signature in three took 500 ms instead of
    18 (bench/signing.py). SignerInfo ends with the optional ``[1] IMPLICIT`` unsigned
    attributes and SignedData with its signer infos, so the splice is an append.
    """
    der = signature.dump()
    parsed = cms.ContentInfo.load(der)
    signed_data = parsed["content"]
    signer_infos = signed_data["signer_infos"]
    if len(signer_infos) != 1 or signer_infos[0]["unsigned_attrs"].native is not None:
        raise ValueError("expected one signer info without unsigned attributes")
    signer_info = signer_infos[0]
    imprint = hashlib.sha256(signer_info["signature"].native).digest()
    token = (await timestamper.async_timestamp(imprint, DIGEST)).dump()
    attribute = _tlv(0x30, _SIGNATURE_TIMESTAMP_OID + _tlv(0x31, token))
    new_signer_info = _tlv(0x30, signer_info.contents + _tlv(0xA1, attribute))
    body = signed_data.contents
    prefix = body[:len(body) - len(signer_infos.dump())]
    new_signed_data = _tlv(0x30, prefix + _tlv(0x31, new_signer_info))
    content_type = parsed["content_type"].dump()
    return _tlv(0x30, content_type + _tlv(0xA0, new_signed_data))


def _certificates(signature_der: bytes) -> list[asn1_x509.Certificate]:
    """The certificates in the signature's CMS and in its timestamp token (for the DSS)."""
    signed_data = cms.ContentInfo.load(signature_der)["content"]
    sources = [signed_data, *extract_tst_data_iter(signed_data["signer_infos"][0], signed=False)]
    certs: list[asn1_x509.Certificate] = []
    for source in sources:
        for choice in source["certificates"] or ():
            if choice.name == "certificate" and choice.chosen.dump() not in {
                    c.dump() for c in certs}:
                certs.append(choice.chosen)
    return certs


async def _add_validation_data(signed: bytes, certs: list[asn1_x509.Certificate],
                               timestamper: TimeStamper,
                               crls: Sequence[x509.CertificateRevocationList], *,
                               with_timestamp: bool) -> bytes:
    crl_list = [asn1_crl.CertificateList.load(c.public_bytes(serialization.Encoding.DER))
                for c in crls]
    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    DocumentSecurityStore.supply_dss_in_writer(writer, None, certs=certs, crls=crl_list)
    if not with_timestamp:
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    stamper = signers.PdfTimeStamper(timestamper, field_name=TIMESTAMP_FIELD)
    try:
        out = await stamper.async_timestamp_pdf(writer, DIGEST, output=io.BytesIO(),
                                                bytes_reserved=TIMESTAMP_RESERVE)
    except PyHankoSigningError as exc:
        if "larger than expected" not in str(exc):
            raise
        writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
        DocumentSecurityStore.supply_dss_in_writer(writer, None, certs=certs, crls=crl_list)
        out = await stamper.async_timestamp_pdf(writer, DIGEST, output=io.BytesIO())
    return out.getvalue()


__all__ = ["PyHankoCapable", "async_sign_pdf", "sign_pdf"]
