"""The fast path of :func:`signing.validate_pdf` for the licences this office issues.

Our issuer (:mod:`signing.pades_sign`) always writes the same layout on top of the rendered,
attachment-carrying PDF: a revision signed by one ``/Sig`` (``/ETSI.CAdES.detached``, ECDSA
P-256 / SHA-256, an RFC 3161 signature timestamp, the chain root -> issuing CA -> signer), then
one incremental revision that adds the DSS (certificates and CRLs), a ``/DocTimeStamp`` field
and signature covering everything before its ``/Contents``, and nothing else; nothing follows
the last ``%%EOF`` but one end-of-line. :func:`fast_validate` accepts exactly that layout
(:mod:`signing.pdf_revisions` reads it, strictly) and returns ``None`` for anything else, and
for anything that does not pass: the full pyHanko validator then decides, so the verdicts this
module gives are PASSED verdicts the full validator also gives.

Every cryptographic and time check is still made on every call: the CMS signature over the
signed attributes, the message digest over the ByteRange, the signing-certificate attribute,
the signature timestamp (its imprint over the signature value, its signature, its TSA's chain
at the first document timestamp's time), the document timestamp (its imprint over its
ByteRange, its signature, its TSA's chain now), the signer's chain at the signature timestamp's
time, and for every certificate below the pinned root a CRL from its issuer that verifies, is
current now (``thisUpdate`` <= now <= ``nextUpdate``) and does not list it. There is no path
building: each chain must be exactly root -> issuing CA -> leaf, with the root one of
``trust_roots``. Only time-independent facts are cached (:mod:`signing.pades_fast_cache`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from asn1crypto import core
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from signing import der_walk
from signing.pades_checks import CheckRun
from signing.pades_fast_cache import (
    CertFacts,
    cert_facts,
    crl_facts,
    crl_signed_by,
    signed_by,
)
from signing.pades_policy import _REFRESHED_XMP, key_usage_problem
from signing.pades_verdict import PadesLevel, PdfCheckId, PdfSignatureVerdict
from signing.pdf_revisions import (
    Document,
    HexString,
    LayoutError,
    Ref,
    Stream,
    parse_value,
    read_document_cached,
    stream_data,
)
from signing.signer import key_id
from signing.trustlist import encode_kid

log = logging.getLogger(__name__)

_ALLOWED_TRAILER = frozenset({"/ID", "/Info", "/Root", "/Size", "/Prev"})
_SIG_KEYS = frozenset({"/Contents", "/ByteRange", "/Type", "/Filter", "/SubFilter", "/M",
                       "/Location", "/Reason", "/Name", "/ContactInfo"})
_STAMP_KEYS = frozenset({"/Contents", "/ByteRange", "/Type", "/Filter", "/SubFilter"})
_FIELD_KEYS = frozenset({"/FT", "/T", "/Type", "/Subtype", "/F", "/Rect", "/P", "/V", "/TU"})
_REFRESHED_INFO = frozenset({"/ModDate", "/Producer"})
_MAX_XMP = 1024 * 1024
_MAX_DSS_ENTRIES = 16
_MAX_DSS_BYTES = 64 * 1024

_CONTENT_TYPE = der_walk.oid("1.2.840.113549.1.9.3")
_MESSAGE_DIGEST = der_walk.oid("1.2.840.113549.1.9.4")
_SIGNING_TIME = der_walk.oid("1.2.840.113549.1.9.5")
_SIGNING_CERT_V2 = der_walk.oid("1.2.840.113549.1.9.16.2.47")
_TIMESTAMP_TOKEN = der_walk.oid("1.2.840.113549.1.9.16.2.14")
_ID_DATA = der_walk.oid("1.2.840.113549.1.7.1")
_ID_SIGNED_DATA = der_walk.oid("1.2.840.113549.1.7.2")
_ID_TST_INFO = der_walk.oid("1.2.840.113549.1.9.16.1.4")
_SHA256 = der_walk.oid("2.16.840.1.101.3.4.2.1")
_ECDSA_SHA256 = der_walk.oid("1.2.840.10045.4.3.2")
_ECDSA = ec.ECDSA(hashes.SHA256())
GENERALIZED_TIME = 0x18


class NotOurs(Exception):  # noqa: N818 - a decision, not an error: hand over to pyHanko
    """The file is not exactly our layout, or a check did not pass: the full validator
    decides."""


@dataclass(frozen=True)
class _Layout:
    signature: dict  # the /Sig dictionary
    stamp: dict  # the /DocTimeStamp dictionary
    signature_range: tuple[int, int, int]  # (a, b, end): bytes [0, a) + [b, end)
    stamp_range: tuple[int, int, int]
    dss_certs: list[bytes]
    dss_crls: list[bytes]


def fast_validate(pdf: bytes, *, trust_roots: Sequence[x509.Certificate],
                  crls: Sequence[x509.CertificateRevocationList] = (),
                  now: datetime | None = None,
                  required_level: PadesLevel = PadesLevel.B_LTA) -> PdfSignatureVerdict | None:
    """The PASSED verdict the full validator gives on ``pdf``, or ``None`` when the file is not
    exactly our issuer's layout or anything in it does not pass (then call the full validator).
    Never raises."""
    try:
        return _validate(bytes(pdf), trust_roots, crls, now or datetime.now(UTC),
                         required_level)
    except (NotOurs, LayoutError):
        return None
    except Exception as exc:  # noqa: BLE001 - anything unexpected: the full validator decides
        log.debug("fast path gave up: %s", type(exc).__name__)
        return None


def _validate(pdf: bytes, trust_roots: Sequence[x509.Certificate],
              crls: Sequence[x509.CertificateRevocationList], now: datetime,
              required_level: PadesLevel) -> PdfSignatureVerdict:
    _require(required_level.rank <= PadesLevel.B_LTA.rank)
    layout = read_layout(pdf)
    roots = {r.public_bytes(serialization.Encoding.DER) for r in trust_roots}
    crl_ders = _unique([c.public_bytes(serialization.Encoding.DER) for c in crls]
                       + layout.dss_crls)

    # 1. The document timestamp, its TSA chain now.
    stamp_token = _token(_der(layout.stamp["/Contents"]))
    stamp_time, stamp_tsa = _check_token(stamp_token, _range_digest(pdf, layout.stamp_range))
    _require(stamp_time <= now and stamp_tsa.timestamping)
    _check_chain(stamp_tsa, stamp_token.certificates + layout.dss_certs, roots, crl_ders, now,
                 now)

    # 2. The CMS signature over the signed bytes.
    signed_data = _signed_data(_der(layout.signature["/Contents"]))
    _require(signed_data.content_type == _ID_DATA and signed_data.content is None)
    info = _signer_info(signed_data.signer_info)
    signer = _sid_certificate(info, signed_data.certificates)
    _check_signer_info(info, signer, _range_digest(pdf, layout.signature_range), _ID_DATA)
    _require(key_usage_problem(signer.cert) is None and not signer.is_ca)

    # 3. The signature timestamp: over the signature value, at the document timestamp's time.
    _require(info.unsigned_attrs is not None)
    unsigned = _attributes(info.unsigned_attrs)
    _require(set(unsigned) == {_TIMESTAMP_TOKEN})
    sig_token = _token(unsigned[_TIMESTAMP_TOKEN].der)
    signing_time, sig_tsa = _check_token(sig_token, hashlib.sha256(info.signature).digest())
    _require(signing_time <= stamp_time and sig_tsa.timestamping)
    _check_chain(sig_tsa, sig_token.certificates + layout.dss_certs, roots, crl_ders,
                 stamp_time, now)

    # 4. The signer's chain at the signature timestamp's time.
    _check_chain(signer, signed_data.certificates + layout.dss_certs, roots, crl_ders,
                 signing_time, now)
    return _verdict(signer, signing_time)


def _verdict(signer: CertFacts, signing_time: datetime) -> PdfSignatureVerdict:
    """The verdict the full validator writes for a licence that passes every check."""
    run = CheckRun()
    run.passed(PdfCheckId.FORMAT, "1 signature(s), 1 later document timestamp(s)")
    run.signer_kid = encode_kid(key_id(signer.cert))
    run.signer_subject = signer.cert.subject.rfc4514_string()
    run.passed(PdfCheckId.DOCUMENT_TIMESTAMP, "1 document timestamp(s)")
    run.passed(PdfCheckId.SIGNATURE_INTACT)
    run.passed(PdfCheckId.MODIFICATIONS, "ENTIRE_REVISION")
    run.passed(PdfCheckId.ALGORITHMS)
    run.passed(PdfCheckId.SIGNATURE_TIMESTAMP, signing_time.isoformat())
    run.signing_time = signing_time
    run.passed(PdfCheckId.CERTIFICATE_CHAIN,
               "chains to the pinned root; not revoked at the signing time")
    run.passed(PdfCheckId.KEY_USAGE)
    run.level = PadesLevel.B_LTA
    run.passed(PdfCheckId.LEVEL, run.level.value)
    return run.verdict()


def _require(condition: bool) -> None:
    if not condition:
        raise NotOurs


def _unique(items: Iterable[bytes]) -> list[bytes]:
    return list(dict.fromkeys(items))


# --- the layout ----------------------------------------------------------------------------

def read_layout(pdf: bytes) -> _Layout:
    """The signature, the document timestamp and the DSS of a file in exactly our layout
    (raises :class:`NotOurs` or :class:`signing.pdf_revisions.LayoutError` otherwise)."""
    doc = read_document_cached(pdf)
    _require(len(doc.revisions) >= 2)
    last, signed = doc.revisions[-1], doc.revisions[-2]
    for revision in doc.revisions:
        _require(set(revision.trailer) <= _ALLOWED_TRAILER)
    size_before, size = signed.trailer.get("/Size"), last.trailer.get("/Size")
    _require(type(size_before) is int and type(size) is int and size > size_before)
    root, info = last.trailer.get("/Root"), last.trailer.get("/Info")
    _require(isinstance(root, Ref) and root == signed.trailer.get("/Root")
             and info == signed.trailer.get("/Info") and (info is None or isinstance(info, Ref)))
    _require(last.free <= {0})
    _check_body(doc)
    upto = len(doc.revisions) - 2

    catalog, old_catalog = doc.get(root.number), doc.get(root.number, upto)
    _require(isinstance(catalog, dict) and isinstance(old_catalog, dict))
    _require("/DSS" not in old_catalog and "/Perms" not in old_catalog)
    dss_ref = catalog.get("/DSS")
    _require(isinstance(dss_ref, Ref) and _without(catalog, {"/DSS"}) == old_catalog)
    acro_ref = catalog.get("/AcroForm")
    _require(isinstance(acro_ref, Ref))
    acro, old_acro = doc.get(acro_ref.number), doc.get(acro_ref.number, upto)
    _require(isinstance(acro, dict) and isinstance(old_acro, dict)
             and set(old_acro) <= {"/Fields", "/SigFlags"})
    old_fields = old_acro.get("/Fields")
    _require(isinstance(old_fields, list) and len(old_fields) == 1
             and isinstance(old_fields[0], Ref))
    fields = acro.get("/Fields")
    _require(isinstance(fields, list) and len(fields) == 2 and fields[0] == old_fields[0]
             and isinstance(fields[1], Ref)
             and _without(acro, {"/Fields"}) == _without(old_acro, {"/Fields"}))
    sig_field_ref, stamp_field_ref = old_fields[0], fields[1]

    sig_field = doc.get(sig_field_ref.number)
    _require(sig_field_ref.number not in last.entries)
    _check_field(sig_field)
    page_ref, sig_ref = sig_field["/P"], sig_field["/V"]
    _require(sig_ref.number not in last.entries)
    signature = doc.get(sig_ref.number)
    _require(isinstance(signature, dict) and set(signature) <= _SIG_KEYS
             and signature.get("/Type") == "/Sig" and signature.get("/Filter") == "/Adobe.PPKLite"
             and signature.get("/SubFilter") == "/ETSI.CAdES.detached")
    signature_range = _byte_range(doc, sig_ref.number, signature, signed.end)
    _require(signature_range[1] <= signed.end)

    stamp_field = doc.get(stamp_field_ref.number)
    _check_field(stamp_field)
    _require(stamp_field["/P"] == page_ref and stamp_field.get("/T") != sig_field.get("/T"))
    stamp_ref = stamp_field["/V"]
    stamp = doc.get(stamp_ref.number)
    _require(isinstance(stamp, dict) and set(stamp) == _STAMP_KEYS
             and stamp["/Type"] == "/DocTimeStamp" and stamp["/Filter"] == "/Adobe.PPKLite"
             and stamp["/SubFilter"] == "/ETSI.RFC3161")
    stamp_range = _byte_range(doc, stamp_ref.number, stamp, len(pdf))
    _require(stamp_range[0] >= last.start)

    page, old_page = doc.get(page_ref.number), doc.get(page_ref.number, upto)
    _require(isinstance(page, dict) and isinstance(old_page, dict))
    old_annots = old_page.get("/Annots")
    _require(isinstance(old_annots, list) and sig_field_ref in old_annots
             and page.get("/Annots") == [*old_annots, stamp_field_ref]
             and _without(page, {"/Annots"}) == _without(old_page, {"/Annots"}))

    dss = doc.get(dss_ref.number)
    _require(isinstance(dss, dict) and set(dss) <= {"/Certs", "/CRLs"})
    cert_refs, crl_refs = dss.get("/Certs", []), dss.get("/CRLs", [])
    _require(isinstance(cert_refs, list) and isinstance(crl_refs, list)
             and len(cert_refs) <= _MAX_DSS_ENTRIES and len(crl_refs) <= _MAX_DSS_ENTRIES)
    dss_certs = [_dss_stream(doc, ref) for ref in cert_refs]
    dss_crls = [_dss_stream(doc, ref) for ref in crl_refs]

    # Exactly these objects are new, and only these old ones were rewritten.
    new = {dss_ref, stamp_field_ref, stamp_ref, *cert_refs, *crl_refs}
    _require(len(new) == 3 + len(cert_refs) + len(crl_refs)
             and all(isinstance(r, Ref) and r.generation == 0 for r in new))
    fresh = {n for n in last.entries if n >= size_before}
    _require({r.number for r in new} == fresh and max(fresh) < size
             and set(last.entries) - fresh <= {
                 root.number, acro_ref.number, page_ref.number,
                 *((info.number,) if info else ()), *_metadata_number(catalog)})
    _require(root.number in last.entries and acro_ref.number in last.entries
             and page_ref.number in last.entries)
    if info is not None and info.number in last.entries and not _rewritten_as_is(
            doc, info.number, upto):
        _check_info(doc.get(info.number), doc.get(info.number, upto))
    for number in _metadata_number(catalog):
        if number in last.entries and not _rewritten_as_is(doc, number, upto):
            _check_xmp(doc.get(number), doc.get(number, upto))
    return _Layout(signature, stamp, signature_range, stamp_range, dss_certs, dss_crls)


def _check_body(doc: Document) -> None:
    """The last revision holds its objects, one after the other in xref order of offsets,
    then its xref: no other bytes."""
    last = doc.revisions[-1]
    data = doc.data
    pos = last.start
    for offset, number in sorted((o, n) for n, o in last.entries.items()):
        _require(not data[pos:offset].strip(b"\x00\t\n\f\r "))
        _, pos = doc.object_span(offset, number)
    _require(not data[pos:last.xref_offset].strip(b"\x00\t\n\f\r "))


def _rewritten_as_is(doc: Document, number: int, upto: int) -> bool:
    """Whether object ``number`` of the last revision is byte for byte its previous version
    (from ``N 0 obj`` to ``endobj``: the same bytes parse to the same object)."""
    new_offset, old_offset = doc.offset(number), doc.offset(number, upto)
    if new_offset is None or old_offset is None:
        return False
    _, new_end = doc.object_span(new_offset, number)
    length = new_end - new_offset
    return doc.data[old_offset:old_offset + length] == doc.data[new_offset:new_end]


def _check_field(field: object) -> None:
    _require(isinstance(field, dict) and set(field) <= _FIELD_KEYS
             and field.get("/FT") == "/Sig" and field.get("/Type") == "/Annot"
             and field.get("/Subtype") == "/Widget" and field.get("/Rect") == [0, 0, 0, 0]
             and isinstance(field.get("/P"), Ref) and isinstance(field.get("/V"), Ref)
             and isinstance(field.get("/T"), bytes))


def _byte_range(doc: Document, number: int, dictionary: dict, end: int) -> tuple[int, int, int]:
    """``/ByteRange [0 a b c]`` of the signature dictionary ``number``: ``[a, b)`` must be
    exactly its ``/Contents`` hex string and ``b + c`` must be ``end``."""
    byte_range, contents = dictionary.get("/ByteRange"), dictionary.get("/Contents")
    _require(isinstance(byte_range, list) and len(byte_range) == 4
             and all(type(v) is int for v in byte_range) and isinstance(contents, HexString))
    zero, a, b, c = byte_range
    _require(zero == 0 and 0 < a < b and b + c == end and c >= 0)
    offset = doc.offset(number)
    _require(offset is not None)
    _, obj_end = doc.object_span(offset, number)
    _require(offset < a and b < obj_end and doc.data[a:a + 1] == b"<")
    value, value_end = parse_value(doc.data, a, 0)
    _require(value_end == b and value == contents)
    _require(doc.data[offset:a].rstrip(b"\x00\t\n\f\r ").endswith(b"/Contents"))
    return a, b, end


def _dss_stream(doc: Document, ref: object) -> bytes:
    _require(isinstance(ref, Ref))
    stream = doc.get(ref.number)
    _require(isinstance(stream, Stream) and set(stream.dictionary) == {"/Length"})
    data = stream_data(stream, _MAX_DSS_BYTES)
    _require(data is not None)
    return data


def _metadata_number(catalog: dict) -> tuple[int, ...]:
    metadata = catalog.get("/Metadata")
    return (metadata.number,) if isinstance(metadata, Ref) else ()


def _without(values: dict, keys: set[str]) -> dict:
    return {k: v for k, v in values.items() if k not in keys}


def _check_info(new: object, old: object) -> None:
    _require(isinstance(new, dict) and isinstance(old, dict)
             and _without(new, _REFRESHED_INFO) == _without(old, _REFRESHED_INFO))


def _check_xmp(new: object, old: object) -> None:
    _require(isinstance(new, Stream) and isinstance(old, Stream)
             and _without(new.dictionary, {"/Length"}) == _without(old.dictionary, {"/Length"}))
    before, after = stream_data(old, _MAX_XMP), stream_data(new, _MAX_XMP)
    _require(before is not None and after is not None
             and _REFRESHED_XMP.sub(b"", before) == _REFRESHED_XMP.sub(b"", after))


# --- CMS and timestamps --------------------------------------------------------------------

@dataclass(frozen=True)
class _SignedData:
    """The parts of a CMS SignedData the fast path reads, as the bytes received."""

    content_type: bytes  # DER of the encapsulated content type
    content: bytes | None  # the encapsulated content's octets (None: detached)
    certificates: list[bytes]
    signer_info: der_walk.Element


def _der(contents: HexString) -> bytes:
    """The DER in a ``/Contents`` string, without its zero padding (which must be zeros)."""
    data = contents.value
    element, end = der_walk.read(data)
    _require(element.tag == der_walk.SEQUENCE and not data[end:].strip(b"\x00"))
    return element.der


def _signed_data(der: bytes) -> _SignedData:
    """ContentInfo { id-signedData, [0] SignedData } with one signer info, SHA-256 as the only
    digest algorithm, certificates (plain ones only) and no CRLs."""
    outer = der_walk.load(der).expect(der_walk.SEQUENCE).children()
    _require(len(outer) == 2 and outer[0].der == _ID_SIGNED_DATA and outer[1].tag == 0xA0)
    inner = der_walk.load(outer[1].content).expect(der_walk.SEQUENCE).children()
    _require(len(inner) in (4, 5) and inner[0].tag == der_walk.INTEGER)
    digests = inner[1].expect(der_walk.SET).children()
    _require(len(digests) == 1 and _algorithm(digests[0], _SHA256))
    encap = inner[2].expect(der_walk.SEQUENCE).children()
    _require(len(encap) in (1, 2) and encap[0].tag == der_walk.OID)
    content = None
    if len(encap) == 2:
        _require(encap[1].tag == 0xA0)
        content = der_walk.load(encap[1].content).expect(der_walk.OCTET_STRING).content
    certificates: list[bytes] = []
    if len(inner) == 5:
        _require(inner[3].tag == 0xA0)  # no [1] CRLs
        certificates = [c.expect(der_walk.SEQUENCE).der for c in inner[3].children()]
    infos = inner[-1].expect(der_walk.SET).children()
    _require(len(infos) == 1)
    return _SignedData(encap[0].der, content, certificates, infos[0])


def _algorithm(element: der_walk.Element, oid: bytes) -> bool:
    """AlgorithmIdentifier ``oid`` with absent or NULL parameters."""
    parts = element.expect(der_walk.SEQUENCE).children()
    return parts[0].der == oid and (len(parts) == 1 or (len(parts) == 2
                                                         and parts[1].der == b"\x05\x00"))


@dataclass(frozen=True)
class _SignerInfo:
    issuer: bytes
    serial: int
    signed_attrs: der_walk.Element
    signature: bytes
    unsigned_attrs: der_walk.Element | None


def _signer_info(element: der_walk.Element) -> _SignerInfo:
    """SignerInfo v1 (issuer and serial number), SHA-256 and ecdsa-with-SHA256, with signed
    attributes."""
    parts = element.expect(der_walk.SEQUENCE).children()
    _require(len(parts) in (6, 7) and der_walk.integer(parts[0]) == 1)
    sid = parts[1].expect(der_walk.SEQUENCE).children()
    _require(len(sid) == 2 and sid[0].tag == der_walk.SEQUENCE)
    _require(_algorithm(parts[2], _SHA256) and parts[3].tag == 0xA0
             and _algorithm(parts[4], _ECDSA_SHA256))
    unsigned = None
    if len(parts) == 7:
        unsigned = parts[6]
        _require(unsigned.tag == 0xA1)
    return _SignerInfo(sid[0].der, der_walk.integer(sid[1]), parts[3],
                       parts[5].expect(der_walk.OCTET_STRING).content, unsigned)


def _attributes(element: der_walk.Element) -> dict[bytes, der_walk.Element]:
    """Attribute type (OID DER) -> its one value; each type at most once."""
    seen: dict[bytes, der_walk.Element] = {}
    for attribute in element.children():
        parts = attribute.expect(der_walk.SEQUENCE).children()
        _require(len(parts) == 2 and parts[0].tag == der_walk.OID and parts[0].der not in seen)
        values = parts[1].expect(der_walk.SET).children()
        _require(len(values) == 1)
        seen[parts[0].der] = values[0]
    return seen


def _token(der: bytes) -> _SignedData:
    token = _signed_data(der)
    _require(token.content_type == _ID_TST_INFO and token.content is not None)
    return token


def _sid_certificate(info: _SignerInfo, certs: list[bytes]) -> CertFacts:
    matches = [f for f in map(cert_facts, _unique(certs))
               if f.issuer == info.issuer and f.serial == info.serial]
    _require(len(matches) == 1)
    return matches[0]


def _check_signer_info(info: _SignerInfo, signer: CertFacts, digest: bytes,
                       content_type: bytes) -> None:
    """Signed attributes (content type, message digest, ESS signing certificate v2 naming
    ``signer``; each once, nothing else but a timestamp token's signing time), and the ECDSA
    signature over them by ``signer``'s P-256 key."""
    _require(signer.p256_ecdsa_sha256)
    seen = _attributes(info.signed_attrs)
    # A PAdES signature carries no signing-time attribute (the timestamp proves the time); a
    # timestamp token's may.
    allowed = {_CONTENT_TYPE, _MESSAGE_DIGEST, _SIGNING_CERT_V2} | (
        {_SIGNING_TIME} if content_type == _ID_TST_INFO else set())
    _require(set(seen) <= allowed and _SIGNING_CERT_V2 in seen)
    _require(seen[_CONTENT_TYPE].der == content_type
             and seen[_MESSAGE_DIGEST].expect(der_walk.OCTET_STRING).content == digest)
    _check_ess(seen[_SIGNING_CERT_V2].der, signer)
    try:
        signer.cert.public_key().verify(info.signature, b"\x31" + info.signed_attrs.der[1:],
                                        _ECDSA)
    except InvalidSignature as exc:
        raise NotOurs from exc


def _check_ess(der: bytes, signer: CertFacts) -> None:
    """The ESS signing-certificate-v2 attribute names ``signer`` first: its SHA-256 hash and,
    when present, its issuer (one directoryName) and serial number."""
    value = der_walk.load(der).expect(der_walk.SEQUENCE).children()
    _require(1 <= len(value) <= 2)
    cert_ids = value[0].expect(der_walk.SEQUENCE).children()
    _require(len(cert_ids) >= 1)
    parts = cert_ids[0].expect(der_walk.SEQUENCE).children()
    if parts and parts[0].tag == der_walk.SEQUENCE:  # hashAlgorithm, DEFAULT sha256
        _require(_algorithm(parts[0], _SHA256))
        parts = parts[1:]
    _require(1 <= len(parts) <= 2 and parts[0].expect(der_walk.OCTET_STRING).content
             == hashlib.sha256(signer.der).digest())
    if len(parts) == 2:
        issuer_serial = parts[1].expect(der_walk.SEQUENCE).children()
        _require(len(issuer_serial) == 2)
        names = issuer_serial[0].expect(der_walk.SEQUENCE).children()
        _require(len(names) == 1 and names[0].tag == 0xA4
                 and names[0].content == signer.issuer
                 and der_walk.integer(issuer_serial[1]) == signer.serial)


def _check_token(token: _SignedData, imprint: bytes) -> tuple[datetime, CertFacts]:
    """A timestamp token's genTime and its TSA's certificate, after checking its imprint is
    SHA-256 ``imprint`` and the TSA's signature (not yet the TSA's chain)."""
    assert token.content is not None
    tst_info = der_walk.load(token.content).expect(der_walk.SEQUENCE).children()
    _require(len(tst_info) >= 5 and der_walk.integer(tst_info[0]) == 1
             and tst_info[1].tag == der_walk.OID)
    message = tst_info[2].expect(der_walk.SEQUENCE).children()
    _require(len(message) == 2 and _algorithm(message[0], _SHA256)
             and message[1].expect(der_walk.OCTET_STRING).content == imprint)
    gen_time = core.GeneralizedTime.load(tst_info[4].expect(GENERALIZED_TIME).der).native
    _require(isinstance(gen_time, datetime) and gen_time.tzinfo is not None)
    info = _signer_info(token.signer_info)
    _require(info.unsigned_attrs is None)
    tsa = _sid_certificate(info, token.certificates)
    _check_signer_info(info, tsa, hashlib.sha256(token.content).digest(), _ID_TST_INFO)
    return gen_time, tsa


def _range_digest(pdf: bytes, span: tuple[int, int, int]) -> bytes:
    a, b, end = span
    digest = hashlib.sha256()
    view = memoryview(pdf)
    digest.update(view[:a])
    digest.update(view[b:end])
    return digest.digest()


# --- chains and revocation -----------------------------------------------------------------

def _check_chain(leaf: CertFacts, pool: list[bytes], roots: set[bytes], crls: list[bytes],
                 moment: datetime, now: datetime) -> None:
    """``leaf`` -> issuing CA (from ``pool``) -> one of ``roots``, every certificate valid at
    ``moment`` and without an unknown critical extension, both below the root covered by a CRL
    that is current ``now`` and does not list them."""
    _require(moment <= now and leaf.der not in roots)
    parents = [f for f in map(cert_facts, _unique(pool))
               if f.subject == leaf.issuer and f.der not in roots]
    _require(len(parents) == 1)
    ca = parents[0]
    root_matches = [r for r in roots if cert_facts(r).subject == ca.issuer]
    _require(len(root_matches) == 1)
    root = cert_facts(root_matches[0])
    _require(signed_by(leaf.der, ca.der) and signed_by(ca.der, root.der))
    _require(ca.is_ca and ca.crl_signer and root.is_ca and root.crl_signer)
    for facts in (leaf, ca, root):
        _require(facts.only_known_critical and facts.p256_ecdsa_sha256
                 and facts.not_before <= moment <= facts.not_after)
    _check_revocation(leaf, ca, crls, now)
    _check_revocation(ca, root, crls, now)


def _check_revocation(cert: CertFacts, issuer: CertFacts, crls: list[bytes],
                      now: datetime) -> None:
    """Every CRL naming ``issuer`` verifies and does not list ``cert``; one of them is
    current ``now``."""
    current = False
    for der in crls:
        facts = crl_facts(der)
        if facts.issuer != issuer.subject:
            continue
        _require(facts.usable and crl_signed_by(der, issuer.der))
        _require(cert.serial not in facts.revoked)
        if facts.this_update <= now and facts.next_update is not None \
                and now <= facts.next_update:
            current = True
    _require(current)
