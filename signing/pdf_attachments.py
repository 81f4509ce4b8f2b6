"""Embedded files of a PDF read with the strict reader of :mod:`signing.pdf_revisions`, for the
licence verifier's fast path: the same lookup as ``elicense.attachment`` makes through pyHanko
(the catalog's ``/Names`` -> ``/EmbeddedFiles`` -> flat ``/Names`` array -> ``/EF`` ``/F``
stream, decoded by the rule of :func:`signing.pdf_streams.bounded_stream_data`), without
pyHanko. ``None`` means "this reader cannot say": the caller then reads the file with pyHanko.
"""

from __future__ import annotations

from collections.abc import Mapping

from signing.pdf_revisions import (
    Document,
    LayoutError,
    Ref,
    Stream,
    read_document_cached,
    stream_data,
)


def read_pdf_attachments(pdf: bytes, wanted: Mapping[str, int]
                         ) -> dict[str, bytes | None] | None:
    """For each name in ``wanted`` (name -> byte limit): the embedded file's bytes, or ``None``
    when there is no such file, it is larger than its limit or uses a filter other than a plain
    FlateDecode. ``None`` instead of the mapping when the PDF is not one this strict reader
    reads (the caller falls back to pyHanko). Never raises."""
    try:
        doc = read_document_cached(bytes(pdf))
        return {name: _attachment(doc, name, limit) for name, limit in wanted.items()}
    except (LayoutError, KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None


def _dict(doc: Document, value: object) -> dict | None:
    value = doc.resolve(value)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise LayoutError("not a dictionary")
    return value


def _attachment(doc: Document, name: str, limit: int) -> bytes | None:
    root = _dict(doc, doc.revisions[-1].trailer["/Root"])
    if root is None:
        raise LayoutError("no catalog")
    names = _dict(doc, root.get("/Names"))
    if names is None:
        return None
    files = _dict(doc, names.get("/EmbeddedFiles"))
    if files is None:
        return None
    pairs = doc.resolve(files.get("/Names"))
    if pairs is None:
        return None
    if not isinstance(pairs, list):
        raise LayoutError("/Names is not an array")
    for index in range(0, len(pairs) - 1, 2):
        key = doc.resolve(pairs[index])
        if not isinstance(key, bytes) or not key.isascii():
            raise LayoutError("a file name this reader does not decode")
        if key.decode("ascii") != name:
            continue
        spec = _dict(doc, pairs[index + 1])
        stream = doc.resolve(_dict(doc, spec["/EF"])["/F"])
        if isinstance(stream, Ref) or not isinstance(stream, Stream):
            raise LayoutError("the embedded file is not a stream")
        return stream_data(stream, limit)
    return None
