"""Reading a PDF stream's bytes with a ceiling: a stream of a few kilobytes can inflate to
gigabytes, and pyHanko's ``StreamObject.data`` decodes it whole before anyone can look at its
size. Used for what a verifier reads out of an untrusted PDF (the licence attachment, the DSS's
CRLs)."""

from __future__ import annotations

import zlib

from pyhanko.pdf_utils import generic


def bounded_stream_data(stream: generic.StreamObject, limit: int) -> bytes | None:
    """A PDF stream's decoded bytes, or ``None`` when they would exceed ``limit`` or use any
    filter but a plain FlateDecode (the only one we write). Never decodes more than ``limit``
    + 1 bytes: a small stream may inflate to gigabytes, and pyHanko's ``.data`` decodes it all."""
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
