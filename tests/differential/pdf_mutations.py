"""Mutated licences for the fast-versus-full differential test: a deterministic stream of
:class:`Mutant` from a seed, over the genuine licences of :mod:`licence_material`.

Kinds (:class:`Kind`): byte flips (in the signed ByteRanges, in the signature's ``/Contents``, in
the revisions after the signature, in xref tables and trailers, anywhere), truncations (at a
random point, at and around each ``%%EOF``), trailing bytes, incremental updates written with
pyHanko's ``IncrementalPdfFileWriter`` (a new content stream on the page, a new annotation, a
replaced ``licence.json``, a new ``/Info``, a rewritten page or catalogue, a DSS-only update, a
removed DSS, a removed document timestamp field), appended copies of revisions, splices of two
licences, re-signed files (our unsigned licence signed by another office, with our timestamp
key, with our old key after a change, at a lower PAdES level, a second signature on top), swapped
timestamps (the signature timestamp token or the document timestamp of another licence, ours or
foreign) and document timestamp extensions (ours: a genuine B-LTA renewal; foreign).

Re-signing costs a PAdES signature (about a second), so each re-signing recipe is made at most
:data:`POOL` times per genuine licence and later draws reuse one of those with a cheap second
mutation on top (a flip, a truncation or nothing).
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from asn1crypto import cms, core
from licence_material import EOF_MARK, Genuine, Layout, Material
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.validation import DocumentSecurityStore

from elicense.publish import fresh_crls
from signing import FileSigner, KeyStore, PadesLevel, pyhanko_timestamper, sign_pdf

POOL = 3
_TIMESTAMP_OID = core.ObjectIdentifier("1.2.840.113549.1.9.16.2.14").dump()
WRITER_RAISED = "writer raised"
_XREF_MARKS = (b"xref", b"trailer", b"startxref", b"/Type /XRef", b"/Prev", b"/Size", b"/Root")


class Kind(StrEnum):
    FLIP_SIGNED = "flip_signed_range"
    FLIP_CONTENTS = "flip_signature_contents"
    FLIP_LATER = "flip_after_signature"
    FLIP_DOC_TS = "flip_doc_timestamp_contents"
    FLIP_XREF = "flip_xref_trailer"
    FLIP_MANY = "flip_many_anywhere"
    TRUNCATE = "truncate_random"
    TRUNCATE_EOF = "truncate_at_eof"
    TRAILING = "trailing_bytes"
    ADD_CONTENT = "update_content_stream"
    ADD_ANNOT = "update_annots"
    REPLACE_JSON = "update_licence_json"
    NEW_INFO = "update_info"
    REPLACE_OBJECT = "update_replace_object"
    DSS_ONLY = "update_dss_only"
    REMOVE_DSS = "remove_dss"
    REMOVE_DOC_TS = "remove_doc_timestamp"
    DUPLICATE = "duplicate_revision"
    SPLICE = "splice_licences"
    RESIGN_OTHER_CA = "resign_other_ca"
    RESIGN_TSA_KEY = "resign_timestamp_key"
    RESIGN_MODIFIED = "resign_after_modification"
    RESIGN_LOWER = "resign_lower_level"
    RESIGN_ON_TOP = "second_signature_on_top"
    SWAP_SIG_TS = "swap_signature_timestamp"
    SWAP_DOC_TS = "swap_document_timestamp"
    EXTEND_LTA = "extend_document_timestamp"


@dataclass(frozen=True)
class Mutant:
    index: int
    kind: Kind
    base: str
    detail: str
    pdf: bytes


Mutation = Callable[[random.Random, Genuine, Material], tuple[bytes, str]]


# --- byte level -------------------------------------------------------------------------------

def _flip_at(pdf: bytes, rng: random.Random, at: int) -> bytes:
    out = bytearray(pdf)
    out[at] ^= 1 << rng.randrange(8) if rng.random() < 0.7 else rng.randrange(1, 256)
    return bytes(out)


def _flip_in(rng: random.Random, pdf: bytes, spans: list[tuple[int, int]]) -> tuple[bytes, str]:
    start, end = rng.choice([s for s in spans if s[1] > s[0]])
    at = rng.randrange(start, end)
    return _flip_at(pdf, rng, at), f"at {at}"


def flip_signed(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    return _flip_in(rng, g.pdf, list(g.layout.signed_spans(0)))


def flip_contents(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    start, end = g.layout.contents_span(0)
    at = rng.randrange(start, end)
    if rng.random() < 0.5:  # stay valid hex: another hex digit
        out = bytearray(g.pdf)
        out[at] = ord(rng.choice([c for c in "0123456789abcdef" if ord(c) != out[at]]))
        return bytes(out), f"hex digit at {at}"
    return _flip_at(g.pdf, rng, at), f"at {at}"


def flip_later(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    return _flip_in(rng, g.pdf, [(g.layout.ranges[0][2] + g.layout.ranges[0][3], len(g.pdf))])


def flip_doc_ts(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    return _flip_in(rng, g.pdf, [g.layout.contents_span(len(g.layout.ranges) - 1)])


def flip_xref(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    spans = []
    for mark in _XREF_MARKS:
        at = g.pdf.find(mark)
        while at >= 0:
            spans.append((at, min(len(g.pdf), at + len(mark) + 40)))
            at = g.pdf.find(mark, at + 1)
    return _flip_in(rng, g.pdf, spans)


def flip_many(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    pdf, count = g.pdf, rng.randint(2, 12)
    for _ in range(count):
        pdf = _flip_at(pdf, rng, rng.randrange(len(pdf)))
    return pdf, f"{count} flips"


def truncate(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    at = rng.randrange(len(g.pdf))
    return g.pdf[:at], f"to {at}"


def truncate_eof(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    end = rng.choice(g.layout.eofs)
    at = max(0, end + rng.choice((0, 0, -1, -2, -6, -7, 1)))
    return g.pdf[:at], f"to {at} (revision end {end})"


def trailing(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    tails = (b"\n", b"\r\n", b"\n\n", b" ", b"%%EOF\n", b"\x00" * rng.randint(1, 64),
             b"1 0 obj\n<< >>\nendobj\n", bytes(rng.randrange(256) for _ in range(32)))
    tail = rng.choice(tails)
    return g.pdf + tail, f"{len(tail)} bytes"


def duplicate(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    eofs = (0, *g.layout.eofs)
    i = rng.randrange(1, len(eofs))
    section = g.pdf[eofs[i - 1]:eofs[i]]
    return g.pdf + section, f"revision {i} appended again"


def splice(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    other = rng.choice([x for x in m.ours + m.foreign if x is not g])
    cut_a = rng.choice(g.layout.eofs[:-1])
    cut_b = rng.choice(other.layout.eofs[:-1])
    return g.pdf[:cut_a] + other.pdf[cut_b:], f"{g.name}[:{cut_a}] + {other.name}[{cut_b}:]"


# --- incremental updates ----------------------------------------------------------------------

def _writer(pdf: bytes) -> IncrementalPdfFileWriter:
    return IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)


def _written(writer: IncrementalPdfFileWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _page(writer: IncrementalPdfFileWriter) -> tuple[generic.DictionaryObject, generic.Reference]:
    ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    return ref.get_object(), ref.reference


def overlay(pdf: bytes, text: str = "FORGED") -> bytes:
    writer = _writer(pdf)
    data = (f"q 1 1 1 rg 150 500 200 40 re f Q BT /Helvetica 18 Tf 160 515 Td ({text}) Tj ET"
            ).encode("ascii")
    writer.add_stream_to_page(0, writer.add_object(generic.StreamObject(stream_data=data)))
    return _written(writer)


def add_content(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    return overlay(g.pdf, rng.choice(("FORGED", "Li Si", "2099-12-31"))), "overlay stream"


def add_annot(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    writer = _writer(g.pdf)
    page, ref = _page(writer)
    annot = generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Annot"),
        generic.NameObject("/Subtype"): generic.NameObject(rng.choice(("/FreeText", "/Text",
                                                                       "/Square"))),
        generic.NameObject("/Rect"): generic.ArrayObject(
            [generic.NumberObject(v) for v in (100, 400, 300, 440)]),
        generic.NameObject("/Contents"): generic.TextStringObject("forged"),
        generic.NameObject("/DA"): generic.TextStringObject("/Helv 12 Tf 0 g"),
    })
    annot_ref = writer.add_object(annot)
    if rng.random() < 0.5:
        annots = generic.ArrayObject(list(page.get("/Annots", generic.ArrayObject())))
        annots.append(annot_ref)
        detail = "annotation appended"
    else:
        annots = generic.ArrayObject([annot_ref])
        detail = "/Annots replaced"
    page[generic.NameObject("/Annots")] = annots
    writer.mark_update(ref)
    return _written(writer), detail


def _json_filespec(writer: IncrementalPdfFileWriter) -> generic.DictionaryObject | None:
    names = writer.root["/Names"]["/EmbeddedFiles"]["/Names"]
    for i in range(0, len(names), 2):
        if str(names[i]) == "licence.json":
            return names.raw_get(i + 1)
    return None


def replace_json(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    writer = _writer(g.pdf)
    spec_ref = _json_filespec(writer)
    assert spec_ref is not None
    spec = spec_ref.get_object()
    old = spec["/EF"]["/F"].get_object().data
    data = json.loads(old)
    choice = rng.randrange(3)
    if choice == 0:
        data["licence"]["holder"] = "李四"
        detail = "holder changed"
    elif choice == 1:
        data["licence"]["valid_until"] = "2099-12-31"
        detail = "valid_until changed"
    else:
        detail = "same JSON, new stream"
    stream = generic.StreamObject(
        {generic.NameObject("/Type"): generic.NameObject("/EmbeddedFile")},
        stream_data=json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    ef = generic.DictionaryObject({generic.NameObject("/F"): writer.add_object(stream),
                                   generic.NameObject("/UF"): writer.add_object(stream)})
    spec[generic.NameObject("/EF")] = ef
    if isinstance(spec_ref, generic.IndirectObject):
        writer.mark_update(spec_ref)
    else:
        writer.update_container(spec)
    return _written(writer), detail


def new_info(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    writer = _writer(g.pdf)
    info = generic.DictionaryObject({
        generic.NameObject("/Title"): generic.TextStringObject(rng.choice(("Forged", "证照"))),
        generic.NameObject("/Producer"): generic.TextStringObject("differential"),
    })
    writer.set_info(info)
    return _written(writer), "new /Info"


def replace_object(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    writer = _writer(g.pdf)
    choice = rng.randrange(4)
    if choice == 0:
        page, ref = _page(writer)
        page[generic.NameObject("/MediaBox")] = generic.ArrayObject(
            [generic.NumberObject(v) for v in (0, 0, 300, 300)])
        writer.mark_update(ref)
        detail = "page MediaBox"
    elif choice == 1:
        _page_obj, ref = _page(writer)
        writer.mark_update(ref)
        detail = "page rewritten unchanged"
    elif choice == 2:
        writer.root[generic.NameObject("/OpenAction")] = generic.DictionaryObject({
            generic.NameObject("/S"): generic.NameObject("/JavaScript"),
            generic.NameObject("/JS"): generic.TextStringObject("app.alert(1)")})
        writer.update_root()
        detail = "catalogue /OpenAction"
    else:
        writer.update_root()
        detail = "catalogue rewritten unchanged"
    return _written(writer), detail


def dss_only(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    writer = _writer(g.pdf)
    certs = [c for c in cms.ContentInfo.load(_cms(g.pdf, g.layout, 0))["content"]["certificates"]]
    DocumentSecurityStore.supply_dss_in_writer(writer, None, certs=[c.chosen for c in certs])
    return _written(writer), "DSS with the signature's certificates again"


def remove_dss(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    writer = _writer(g.pdf)
    del writer.root["/DSS"]
    writer.update_root()
    return _written(writer), "/DSS removed from the catalogue"


def remove_doc_ts(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    if rng.random() < 0.5:
        return g.pdf[:g.layout.revision_start(len(g.layout.ranges) - 1)], "last revision cut"
    writer = _writer(g.pdf)
    form = writer.root["/AcroForm"]
    fields = generic.ArrayObject(list(form["/Fields"])[:1])
    form[generic.NameObject("/Fields")] = fields
    form_ref = writer.root.raw_get("/AcroForm")
    if isinstance(form_ref, generic.IndirectObject):
        writer.mark_update(form_ref)
    else:
        writer.update_root()
    return _written(writer), "document timestamp field dropped from /Fields"


# --- re-signing and timestamps ------------------------------------------------------------------

def _sign(pdf: bytes, signer: FileSigner, tsa: KeyStore, m: Material,
          level: PadesLevel = PadesLevel.B_LTA, field: str = "Signature1") -> bytes:
    at = m.now - timedelta(minutes=30)
    stamper = pyhanko_timestamper(tsa.timestamp_signer(), fixed_time=at)
    return sign_pdf(pdf, signer, stamper, crls=fresh_crls(tsa, at), level=level,
                    signing_time=at, reason="re-signed", field_name=field)


def _pooled(rng: random.Random, m: Material, key: tuple[str, ...],
            make: Callable[[], bytes]) -> tuple[bytes, str]:
    pool = m.cache.setdefault(key, [])
    if len(pool) < POOL:
        pool.append(make())
        return pool[-1], f"fresh #{len(pool)}"
    pdf = rng.choice(pool)
    second = rng.randrange(3)
    if second == 0:
        return pdf, "pooled"
    if second == 1:
        at = rng.randrange(len(pdf))
        return _flip_at(pdf, rng, at), f"pooled, flip at {at}"
    eofs = [e.end() for e in EOF_MARK.finditer(pdf)]
    return pdf[:rng.choice(eofs)], "pooled, cut at a revision end"


def resign_other_ca(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    variant = rng.randrange(2)
    tsa = m.other if variant == 0 else m.store
    return _pooled(rng, m, (Kind.RESIGN_OTHER_CA, g.name, str(variant)),
                   lambda: _sign(g.unsigned, m.other.signer(), tsa, m))


def resign_tsa_key(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    return _pooled(rng, m, (Kind.RESIGN_TSA_KEY, g.name),
                   lambda: _sign(g.unsigned, m.store.timestamp_signer(), m.store, m))


def resign_modified(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    variant = rng.randrange(3)

    def make() -> bytes:
        base = overlay(g.unsigned) if variant == 0 else g.unsigned
        signer = m.old_signer if variant < 2 else m.store.signer()
        signed = _sign(base, signer, m.store, m)
        if variant == 1:  # the licence data changed after signing, then signed again on top
            changed, _ = replace_json(rng, Genuine.of(g.name, signed), m)
            signed = _sign(changed, signer, m.store, m, PadesLevel.B_T, "Signature2")
        return signed

    return _pooled(rng, m, (Kind.RESIGN_MODIFIED, g.name, str(variant)), make)


def resign_lower(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    level = rng.choice((PadesLevel.B_B, PadesLevel.B_T, PadesLevel.B_LT))
    return _pooled(rng, m, (Kind.RESIGN_LOWER, g.name, level.value),
                   lambda: _sign(g.unsigned, m.store.signer(), m.store, m, level))


def resign_on_top(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    variant = rng.randrange(3)

    def make() -> bytes:
        if variant == 0:
            return _sign(overlay(g.pdf), m.store.signer(), m.store, m, PadesLevel.B_T, "Signature2")
        if variant == 1:
            return _sign(g.pdf, m.other.signer(), m.other, m, PadesLevel.B_T, "Signature2")
        return _sign(g.pdf, m.store.signer(), m.store, m, PadesLevel.B_T, "Signature2")

    return _pooled(rng, m, (Kind.RESIGN_ON_TOP, g.name, str(variant)), make)


def extend_lta(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    tsa = m.store if rng.random() < 0.5 else m.other

    def make() -> bytes:
        writer = _writer(g.pdf)
        stamper = signers.PdfTimeStamper(
            pyhanko_timestamper(tsa.timestamp_signer(), fixed_time=m.now - timedelta(minutes=5)),
            field_name="DocTimeStamp2")
        return stamper.timestamp_pdf(writer, "sha256", output=io.BytesIO()).getvalue()

    return _pooled(rng, m, (Kind.EXTEND_LTA, g.name, "ours" if tsa is m.store else "other"),
                   make)


def _cms(pdf: bytes, layout: Layout, index: int) -> bytes:
    start, end = layout.contents_span(index)
    return cms.ContentInfo.load(bytes.fromhex(pdf[start:end].decode("ascii"))).dump()


def _put_cms(pdf: bytes, layout: Layout, index: int, der: bytes) -> bytes | None:
    start, end = layout.contents_span(index)
    text = der.hex().encode("ascii")
    if len(text) > end - start:
        return None
    return pdf[:start] + text + b"0" * (end - start - len(text)) + pdf[end:]


def _token_of(der: bytes) -> cms.ContentInfo | None:
    attrs = cms.ContentInfo.load(der)["content"]["signer_infos"][0]["unsigned_attrs"]
    for attr in attrs or ():
        if attr["type"].native == "signature_time_stamp_token":
            return attr["values"][0]
    return None


def _tlv(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    octets = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(octets)]) + octets + content


def _with_token(der: bytes, token: bytes) -> bytes:
    """The CMS ``der`` with its unsigned attributes replaced by one signature timestamp
    ``token``, spliced at the DER level (asn1crypto re-encoding a changed tree took seconds)."""
    parsed = cms.ContentInfo.load(der)
    signed_data = parsed["content"]
    signer_infos = signed_data["signer_infos"]
    info = signer_infos[0]
    unsigned = info["unsigned_attrs"].dump()
    head = info.contents[:len(info.contents) - len(unsigned)]
    attribute = _tlv(0x30, _TIMESTAMP_OID + _tlv(0x31, token))
    new_info = _tlv(0x30, head + _tlv(0xA1, attribute))
    body = signed_data.contents
    prefix = body[:len(body) - len(signer_infos.dump())]
    new_signed_data = _tlv(0x30, prefix + _tlv(0x31, new_info))
    return _tlv(0x30, parsed["content_type"].dump() + _tlv(0xA0, new_signed_data))


def swap_sig_ts(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    donor = rng.choice([x for x in m.ours + m.foreign if x is not g])
    token = _token_of(_cms(donor.pdf, donor.layout, 0))
    assert token is not None
    out = _put_cms(g.pdf, g.layout, 0, _with_token(_cms(g.pdf, g.layout, 0), token.dump()))
    return (out, f"token of {donor.name}") if out is not None else (g.pdf + b"\n", "too long")


def swap_doc_ts(rng: random.Random, g: Genuine, m: Material) -> tuple[bytes, str]:
    donor = rng.choice([x for x in m.ours + m.foreign if x is not g])
    last = len(g.layout.ranges) - 1
    out = _put_cms(g.pdf, g.layout, last,
                   _cms(donor.pdf, donor.layout, len(donor.layout.ranges) - 1))
    return (out, f"doc timestamp of {donor.name}") if out is not None else (g.pdf + b"\n",
                                                                             "too long")


MUTATIONS: dict[Kind, Mutation] = {
    Kind.FLIP_SIGNED: flip_signed, Kind.FLIP_CONTENTS: flip_contents,
    Kind.FLIP_LATER: flip_later, Kind.FLIP_DOC_TS: flip_doc_ts, Kind.FLIP_XREF: flip_xref,
    Kind.FLIP_MANY: flip_many, Kind.TRUNCATE: truncate, Kind.TRUNCATE_EOF: truncate_eof,
    Kind.TRAILING: trailing, Kind.ADD_CONTENT: add_content, Kind.ADD_ANNOT: add_annot,
    Kind.REPLACE_JSON: replace_json, Kind.NEW_INFO: new_info,
    Kind.REPLACE_OBJECT: replace_object, Kind.DSS_ONLY: dss_only, Kind.REMOVE_DSS: remove_dss,
    Kind.REMOVE_DOC_TS: remove_doc_ts, Kind.DUPLICATE: duplicate, Kind.SPLICE: splice,
    Kind.RESIGN_OTHER_CA: resign_other_ca, Kind.RESIGN_TSA_KEY: resign_tsa_key,
    Kind.RESIGN_MODIFIED: resign_modified, Kind.RESIGN_LOWER: resign_lower,
    Kind.RESIGN_ON_TOP: resign_on_top, Kind.SWAP_SIG_TS: swap_sig_ts,
    Kind.SWAP_DOC_TS: swap_doc_ts, Kind.EXTEND_LTA: extend_lta,
}


def mutants(material: Material, seed: int, count: int) -> Iterator[Mutant]:
    """``count`` mutants, the kinds in turn (so every kind appears once ``count`` reaches the
    number of kinds), base licence and position drawn from ``seed``. A mutation whose writer
    raises (pyHanko refusing its own input) yields the genuine file with one flipped byte, so
    the count holds; its detail says so."""
    rng = random.Random(seed)
    kinds = list(Kind)
    for index in range(count):
        kind = kinds[index % len(kinds)]
        base = rng.choice(material.ours)
        try:
            pdf, detail = MUTATIONS[kind](rng, base, material)
        except Exception as exc:  # noqa: BLE001 - a generator failure is recorded, not fatal
            pdf = _flip_at(base.pdf, rng, rng.randrange(len(base.pdf)))
            detail = f"{WRITER_RAISED} {type(exc).__name__}; random flip instead"
        yield Mutant(index=index, kind=kind, base=base.name, detail=detail, pdf=pdf)
