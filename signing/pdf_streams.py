"""Reading untrusted PDFs with ceilings: a stream of a few kilobytes can inflate to gigabytes.

Two layers. :func:`open_untrusted_pdf` opens a PDF under :data:`UNTRUSTED_PDF_LIMITS`, so that
every stream pyHanko itself decodes (object and cross-reference streams, XMP metadata during the
difference analysis, DSS certificates, OCSP responses and CRLs) is capped per stream, per purpose
and per document, far below pyHanko's defaults (256 MiB a stream). :func:`bounded_stream_data`
reads the streams a verifier takes out of the PDF itself (the licence attachment, the DSS's
certificates and CRLs) with an explicit ceiling and only the one filter we write, never through
pyHanko's ``.data``.
"""

from __future__ import annotations

import io
import re
import zlib

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.decode_limits import (
    DecodeLimits,
    DecodePurpose,
    DocumentDecodeBudget,
    StreamDecodeLimits,
)
from pyhanko.pdf_utils.reader import PdfFileReader

MiB = 1024 * 1024
# Our licences decode to well under a megabyte in all (validation never decodes page content);
# these ceilings leave room for other issuers' files while keeping one request's decoding in the
# tens of megabytes: at most 8 MiB a stream, 32 MiB (or twice the file) a document.
UNTRUSTED_PDF_LIMITS = DecodeLimits(
    per_stream=StreamDecodeLimits(max_ratio=1100, ratio_floor=MiB, max_output_size=8 * MiB),
    per_purpose={
        DecodePurpose.OBJECT_STREAM: StreamDecodeLimits(max_ratio=100, ratio_floor=MiB,
                                                        max_output_size=8 * MiB),
        DecodePurpose.XMP_METADATA: StreamDecodeLimits(max_ratio=None, max_output_size=MiB),
        DecodePurpose.CERTIFICATE: StreamDecodeLimits(max_ratio=None, max_output_size=64 * 1024),
        DecodePurpose.OCSP_RESPONSE: StreamDecodeLimits(max_ratio=None, max_output_size=MiB),
        DecodePurpose.CRL: StreamDecodeLimits(max_ratio=None, max_output_size=4 * MiB),
    },
    document_budget=DocumentDecodeBudget(base_allowance=32 * MiB, max_ratio=2),
)


# pyHanko keeps several hundred bytes per object and cross-reference entry, and its difference
# analysis reads every object: 100,000 one-line objects (5 MB) took 75 MB and seconds. A licence
# has about 40 objects; a PDF claiming more than this many is not read at all.
MAX_PDF_OBJECTS = 10_000
# Possessive, and never starting inside a run of digits: the plain \d+ ... form retried every
# digit of every number run in the file and took 43 ms on a 68 KB licence (half its verification).
_OBJECT_HEADER = re.compile(rb"(?<![0-9])[0-9]++[\x00\t\n\f\r ]++[0-9]++[\x00\t\n\f\r ]++obj\b")
_XREF_ENTRY = re.compile(rb"\d{10} \d{5} [nf]")
_SIZE = re.compile(rb"/Size[\x00\t\n\f\r ]*(\d+)")
# An embedded file's parameters (/Params << /Size bytes ... >>) give its length in bytes, not a
# count of objects: a licence carrying a 150 KB photo is not a PDF of 150,000 objects.
_PARAMS_SIZE = re.compile(rb"/Params[\x00\t\n\f\r ]*<<[^<>]*?/Size[\x00\t\n\f\r ]*(\d+)")
_INDEX = re.compile(rb"/Index[\x00\t\n\f\r ]*\[([\d\x00\t\n\f\r ]*)\]")


_TAIL = 1024


class PdfTooComplexError(ValueError):
    """A PDF with more objects (or cross-reference entries) than :data:`MAX_PDF_OBJECTS`, or
    without its end (``startxref`` and ``%%EOF``) in its last kilobyte.

    Internal, deliberately not a :class:`core.ZhengzhaoError` and not in ``signing.errors``: it
    is a bounded parser's refusal that its callers turn into a verdict
    (:func:`signing.validate_pdf`: a format failure; ``elicense.verify``: an unreadable PDF),
    never an error response."""


def open_untrusted_pdf(pdf: bytes) -> PdfFileReader:
    """A lenient pyHanko reader over ``pdf`` that decodes under :data:`UNTRUSTED_PDF_LIMITS`.
    Raises :class:`PdfTooComplexError` for a file that declares or holds more than
    :data:`MAX_PDF_OBJECTS` objects or does not end in its last kilobyte (checked on the raw
    bytes, before pyHanko parses anything), and what pyHanko raises for a file it cannot
    read."""
    data = bytes(pdf)
    # pyHanko finds %%EOF and startxref by reading lines backwards a byte at a time into a
    # tuple: a final "line" of 20 MB took a minute and 200 MB. It gives up unless %%EOF is in
    # the last kilobyte anyway; here both must be there before it starts.
    tail = data[-_TAIL:]
    end = tail.rfind(b"%%EOF")
    if end < 0 or tail.rfind(b"startxref", 0, end) < 0:
        raise PdfTooComplexError("no startxref and %%EOF in the last kilobyte")
    if _object_count(data) > MAX_PDF_OBJECTS:
        raise PdfTooComplexError(f"the PDF has more than {MAX_PDF_OBJECTS} objects")
    return PdfFileReader(io.BytesIO(data), strict=False, decode_limits=UNTRUSTED_PDF_LIMITS)


def _object_count(data: bytes) -> int:
    """The most objects ``data`` holds or claims: object headers, cross-reference table entries,
    the largest ``/Size`` and the entries an ``/Index`` lists (objects inside object streams are
    listed by a cross-reference stream's ``/Size`` or ``/Index``). An embedded file's
    ``/Params /Size`` is its length in bytes and is not counted."""
    counts = [len(_OBJECT_HEADER.findall(data)), len(_XREF_ENTRY.findall(data))]
    byte_sizes = {m.start(1) for m in _PARAMS_SIZE.finditer(data)}
    counts += [int(m.group(1)) for m in _SIZE.finditer(data) if m.start(1) not in byte_sizes]
    for index in _INDEX.findall(data):
        numbers = [int(n) for n in index.split()]
        counts.append(sum(numbers[1::2]))
    return max(counts)


def bounded_stream_data(stream: generic.StreamObject, limit: int) -> bytes | None:
    """A PDF stream's decoded bytes, or ``None`` when they would exceed ``limit`` or use any
    filter but a plain FlateDecode (the only one we write). Never decodes more than ``limit``
    + 1 bytes: a small stream may inflate to gigabytes."""
    if not isinstance(stream, generic.StreamObject):
        return None
    filters = stream.get("/Filter")
    names = ([str(f) for f in filters] if isinstance(filters, generic.ArrayObject)
             else [] if filters is None else [str(filters)])
    if names not in ([], ["/FlateDecode"]) or stream.get("/DecodeParms") is not None:
        return None
    raw = stream.encoded_data
    if not names:
        return raw if len(raw) <= limit else None
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(raw, limit + 1)
    except zlib.error:
        return None
    return data if len(data) <= limit else None
