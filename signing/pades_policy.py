"""The validation policy behind :func:`signing.validate_pdf`, as small pure functions over
pyHanko / asn1crypto objects: the validation contexts (pinned roots only, CRLs given or embedded,
no fetching, revocation required), the algorithm allow-list, the key-usage rule for licence
signing certificates, which later modifications are permitted (pyHanko's difference analysis,
stricter for revisions without a document timestamp; no bytes after the last ``%%EOF``), and the
mapping of pyHanko's AdES sub-indications to ours.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta

from asn1crypto import cms, tsp
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader, RawPdfPath
from pyhanko.sign.ades.report import AdESSubIndic
from pyhanko.sign.diff_analysis import (
    CatalogModificationRule,
    DSSCompareRule,
    ModificationLevel,
    ObjectStreamRule,
    ReferenceUpdate,
    StandardDiffPolicy,
    SuspiciousModification,
    WhitelistRule,
    XrefStreamRule,
)
from pyhanko.sign.diff_analysis.rules_api import Context
from pyhanko.sign.validation import SignatureCoverageLevel
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko_certvalidator import ValidationContext

from signing.pades_verdict import SubIndication

# Digest algorithms allowed for the document digest, the signed attributes and timestamps.
ALLOWED_DIGESTS = frozenset({"sha256", "sha384", "sha512", "sha3_256", "sha3_384", "sha3_512"})
# Signature algorithms (asn1crypto names): ECDSA and RSA PKCS#1 v1.5 with SHA-256 or better;
# RSA-PSS and plain "ecdsa"/"rsassa_pkcs1v15" take their hash from the digest algorithm or the
# PSS parameters, which must then be on ALLOWED_DIGESTS.
ALLOWED_SIGNATURES = frozenset({
    "sha256_ecdsa", "sha384_ecdsa", "sha512_ecdsa",
    "sha3_256_ecdsa", "sha3_384_ecdsa", "sha3_512_ecdsa",
    "sha256_rsa", "sha384_rsa", "sha512_rsa",
    "ecdsa", "rsassa_pkcs1v15", "rsassa_pss",
})
# Extended key usages a licence-signing certificate may carry (none at all is what we issue).
ALLOWED_SIGNER_EKUS = frozenset({
    "1.3.6.1.5.5.7.3.36",  # id-kp-documentSigning (RFC 9336)
    "1.3.6.1.5.5.7.3.4",  # id-kp-emailProtection
    "2.5.29.37.0",  # anyExtendedKeyUsage
    "1.2.840.113583.1.1.5",  # Adobe Authentic Documents Trust
})
# Modification levels after the signed revision that leave a licence untouched.
PERMITTED_LEVELS = frozenset({ModificationLevel.NONE, ModificationLevel.LTA_UPDATES})
# Clock skew tolerated between the certificates, CRLs and the time being checked.
TIME_TOLERANCE = timedelta(seconds=1)
# The document-information keys and XMP properties a PDF writer refreshes on every save
# (pyHanko's does, also when it only adds a DSS): a change to these alone is no change.
_REFRESHED_INFO_KEYS = frozenset({"/ModDate", "/Producer"})
_REFRESHED_XMP = re.compile(
    rb"""\s(?:xmp:ModifyDate|xmp:MetadataDate|pdf:Producer|x:xmptk)=(?:"[^"<>]*"|'[^'<>]*')"""
    rb"|<(xmp:ModifyDate|xmp:MetadataDate|pdf:Producer)>[^<>]*</\1>")
_MAX_XMP_BYTES = 1024 * 1024


class MetadataRefreshRule(WhitelistRule):
    """Allows the ``/Info`` dictionary and the XMP metadata stream to be rewritten in place
    when nothing but the modification date and the producer changed. A new title, author,
    subject or any other property (or a new object for either) is not allowed."""

    def apply(self, old: HistoricalResolver, new: HistoricalResolver
              ) -> Iterable[ReferenceUpdate]:
        info = _same_reference(old.trailer_view, new.trailer_view, "/Info")
        if info is not None:
            before, after = old(info), new(info)
            if (isinstance(before, generic.DictionaryObject)
                    and isinstance(after, generic.DictionaryObject)
                    and _without(before, _REFRESHED_INFO_KEYS)
                    == _without(after, _REFRESHED_INFO_KEYS)):
                yield ReferenceUpdate(info, context_checked=Context.from_absolute(
                    old, RawPdfPath("/Info")))
        metadata = _same_reference(old.root, new.root, "/Metadata")
        if metadata is not None:
            before_xmp, after_xmp = _xmp(old(metadata)), _xmp(new(metadata))
            if before_xmp is not None and before_xmp == after_xmp:
                yield ReferenceUpdate(metadata, context_checked=Context.from_absolute(
                    old, RawPdfPath("/Root", "/Metadata")))


def _same_reference(old: generic.PdfObject, new: generic.PdfObject, key: str
                    ) -> generic.Reference | None:
    if not isinstance(old, generic.DictionaryObject) or not isinstance(
            new, generic.DictionaryObject):
        return None
    try:
        before, after = old.raw_get(key), new.raw_get(key)
    except KeyError:
        return None
    if not isinstance(before, generic.IndirectObject) or before != after:
        return None
    return before.reference


def _without(values: generic.DictionaryObject, keys: frozenset[str]) -> dict[str, object]:
    return {str(k): v for k, v in values.items() if str(k) not in keys}


def _xmp(stream: generic.PdfObject) -> bytes | None:
    """The XMP packet without the refreshed properties (decoded under the reader's limits)."""
    if not isinstance(stream, generic.StreamObject):
        return None
    data = stream.read_data(DecodePurpose.XMP_METADATA)
    if len(data) > _MAX_XMP_BYTES:
        return None
    return _REFRESHED_XMP.sub(b"", data)


# What a revision after the signature that carries no document timestamp may do: add or extend
# the DSS (certificates, CRLs, OCSP responses, VRI), and refresh the modification date and
# producer in /Info and the XMP metadata as PDF writers do on every save; nothing else. Unlike
# pyHanko's default policy it allows no other /Info or XMP change (a new title or author shown
# by every reader), nor form or signature fields. The revision with a document timestamp (ours
# writes the DSS into it) is judged by pyHanko's policy: the timestamp, which must chain to the
# pinned root, covers it.
VALIDATION_DATA_ONLY = StandardDiffPolicy(
    global_rules=[
        CatalogModificationRule(ignored_keys=frozenset({"/DSS", "/Extensions", "/Version"})),
        MetadataRefreshRule().as_qualified(ModificationLevel.LTA_UPDATES),
        XrefStreamRule().as_qualified(ModificationLevel.LTA_UPDATES),
        ObjectStreamRule().as_qualified(ModificationLevel.LTA_UPDATES),
        DSSCompareRule().as_qualified(ModificationLevel.LTA_UPDATES),
    ],
    form_rule=None,
)
# The end of a PDF: startxref, its offset and %%EOF, then at most one end-of-line.
_FILE_END = re.compile(rb"startxref[\x00\t\n\f\r ]+(\d+)[\x00\t\n\f\r ]*%%EOF(\r\n|\r|\n)?")


def asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def asn1_crl_list(crl: x509.CertificateRevocationList) -> asn1_crl.CertificateList:
    return asn1_crl.CertificateList.load(crl.public_bytes(serialization.Encoding.DER))


def validation_context(trust_roots: Sequence[asn1_x509.Certificate],
                       crls: Sequence[asn1_crl.CertificateList],
                       other_certs: Iterable[asn1_x509.Certificate],
                       moment: datetime) -> ValidationContext:
    """A context that trusts ``trust_roots`` only (never the OS store), never fetches, and
    requires revocation information for every certificate below the root ("require": missing
    CRLs are a failure, not a pass). Point-in-time at ``moment``; CRLs issued after ``moment``
    count (a CRL that says "not revoked" later also says so about ``moment``)."""
    return ValidationContext(
        trust_roots=list(trust_roots), other_certs=list(other_certs), crls=list(crls),
        allow_fetching=False, revocation_mode="require", moment=moment,
        retroactive_revinfo=True, time_tolerance=TIME_TOLERANCE)


def signature_timestamp_token(signer_info: cms.SignerInfo) -> cms.SignedData | None:
    """The RFC 3161 signature timestamp token in the unsigned attributes, if any."""
    return next(iter(extract_tst_data_iter(signer_info, signed=False)), None)


def token_time(token: cms.SignedData) -> datetime:
    """genTime of a timestamp token (not yet verified: the caller validates the token)."""
    tst_info = token["encap_content_info"]["content"].parsed
    assert isinstance(tst_info, tsp.TSTInfo)
    return tst_info["gen_time"].native


def algorithm_problem(signer_info: cms.SignerInfo) -> str | None:
    """Why the digest or signature algorithm of ``signer_info`` is not allowed, or ``None``."""
    digest = signer_info["digest_algorithm"]["algorithm"].native
    if digest not in ALLOWED_DIGESTS:
        return f"digest algorithm {digest} is not allowed"
    signature = signer_info["signature_algorithm"]
    name = signature["algorithm"].native
    if name not in ALLOWED_SIGNATURES:
        return f"signature algorithm {name} is not allowed"
    if name == "rsassa_pss":
        pss_hash = signature["parameters"]["hash_algorithm"]["algorithm"].native
        if pss_hash not in ALLOWED_DIGESTS:
            return f"RSA-PSS hash {pss_hash} is not allowed"
    return None


def key_usage_problem(certificate: x509.Certificate) -> str | None:
    """Why ``certificate`` may not sign licences, or ``None``: it must be an end-entity
    certificate with keyUsage digitalSignature or nonRepudiation and no extended key usage
    other than those in :data:`ALLOWED_SIGNER_EKUS` (a timestamp or TLS key must not sign)."""
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
        if constraints.value.ca:
            return "the signing certificate is a CA certificate"
    except x509.ExtensionNotFound:
        pass
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return "the signing certificate has no keyUsage extension"
    if not (usage.digital_signature or usage.content_commitment):
        return "keyUsage allows neither digitalSignature nor nonRepudiation"
    try:
        ekus = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return None
    foreign = sorted(oid.dotted_string for oid in ekus
                     if oid.dotted_string not in ALLOWED_SIGNER_EKUS)
    if foreign and not any(oid.dotted_string in ALLOWED_SIGNER_EKUS for oid in ekus):
        return f"extendedKeyUsage {', '.join(foreign)} does not allow document signing"
    return None


def modification_problem(coverage: SignatureCoverageLevel | None,
                         level: ModificationLevel | None) -> str | None:
    """Why the changes after a signed revision are not acceptable, or ``None``: the signature
    must cover the whole file, or its whole revision followed only by validation data and
    document timestamps."""
    if coverage is SignatureCoverageLevel.ENTIRE_FILE:
        return None
    if coverage is not SignatureCoverageLevel.ENTIRE_REVISION:
        return f"the signature covers {coverage.name if coverage else 'an unknown part'} only"
    if level is None:
        return "the later changes could not be analysed"
    if level not in PERMITTED_LEVELS:
        return f"later incremental updates changed the document ({level.name})"
    return None


def later_revision_problem(reader: PdfFileReader, signed_revision: int,
                           stamp_revisions: Collection[int]) -> tuple[str, str] | None:
    """Why a revision after ``signed_revision`` that is not one of ``stamp_revisions`` (those
    holding a document timestamp, which pyHanko's LTA policy judges) changes more than validation
    data, as (English, Chinese); ``None`` if none does. Each such revision is compared with the
    one before it under :data:`VALIDATION_DATA_ONLY`."""
    for revision in range(signed_revision + 1, reader.xrefs.total_revisions):
        if revision in stamp_revisions:
            continue
        try:
            result = VALIDATION_DATA_ONLY.apply(reader.get_historical_resolver(revision - 1),
                                                reader.get_historical_resolver(revision))
            level = result.modification_level
        except SuspiciousModification:
            level = ModificationLevel.OTHER
        if level is not ModificationLevel.LTA_UPDATES and level is not ModificationLevel.NONE:
            number = revision + 1
            return (f"incremental update {number} (after the signature, without a document "
                    "timestamp) changes more than validation data (DSS/VRI), e.g. the document "
                    "information or metadata",
                    f"签名之后的第 {number} 次增量更新（无文档时间戳）改动了验证数据（DSS/VRI）"
                    "以外的内容，例如文档信息或元数据")
    return None


def trailing_bytes(pdf: bytes, reader: PdfFileReader) -> int:
    """How many bytes follow the end of the last revision the reader uses (``startxref``, its
    offset, ``%%EOF`` and one end-of-line). No signature covers them, and a lenient reader may
    still make something of them. A file whose end cannot be found counts as all trailing."""
    revisions = reader.xrefs
    last = revisions.total_revisions - 1
    start = revisions.get_xref_container_info(last).end_location
    found = pdf.find(b"startxref", start)
    match = _FILE_END.match(pdf, found) if found >= 0 else None
    if match is None or int(match.group(1)) != revisions.get_startxref_for_revision(last):
        return len(pdf) - start
    return len(pdf) - match.end()


_SAME_NAME = {s.value for s in SubIndication}


def map_sub_indication(indic: AdESSubIndic | None) -> SubIndication:
    """Our code for pyHanko's AdES sub-indication (same name where we have it)."""
    name = getattr(indic, "name", None)
    if name in _SAME_NAME:
        return SubIndication(name)
    if name in {"CRYPTO_CONSTRAINTS_FAILURE_NO_POE"}:
        return SubIndication.CRYPTO_CONSTRAINTS_FAILURE
    return SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE


def revocation_gap(certificate: asn1_x509.Certificate,
                   known_certs: Sequence[asn1_x509.Certificate],
                   crls: Sequence[asn1_crl.CertificateList]) -> str | None:
    """The first certificate on the way up from ``certificate`` (issuers looked up by name
    among ``known_certs``) whose issuer published no CRL in ``crls``, or ``None``. Used to tell
    "no revocation information" (TRY_LATER) from other chain failures."""
    issuers = {crl["tbs_cert_list"]["issuer"].dump() for crl in crls}
    by_subject = {c.subject.dump(): c for c in known_certs}
    current, seen = certificate, set()
    while current.issuer.dump() != current.subject.dump() and current.dump() not in seen:
        seen.add(current.dump())
        if current.issuer.dump() not in issuers:
            return f"no CRL from {current.issuer.human_friendly} for " \
                   f"{current.subject.human_friendly}"
        parent = by_subject.get(current.issuer.dump())
        if parent is None:
            return None
        current = parent
    return None
