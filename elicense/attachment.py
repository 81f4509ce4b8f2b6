"""The machine-readable copy of a licence inside its PDF: ``licence.json``, a standard PDF file
attachment (like the XML of a ZUGFeRD invoice) holding the GB/T 36903 metadata and the QR token.

It is embedded before the PDF is signed, so the signature covers it. A verifier reads the token
from it instead of scanning the QR image, and checks that the token and the metadata agree.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import signing

if TYPE_CHECKING:
    from pyhanko.pdf_utils.reader import PdfFileReader

ATTACHMENT_NAME = "licence.json"
ATTACHMENT_FORMAT = 1
MAX_ATTACHMENT_BYTES = 64 * 1024


def embed_licence_json(pdf: bytes, payload: dict[str, Any], created: datetime) -> bytes:
    """``pdf`` with ``licence.json`` attached (one incremental update)."""
    # pyHanko (half a second to import) loads when a licence is issued, not with the package.
    from pyhanko.pdf_utils import embed, generic  # noqa: PLC0415
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: PLC0415

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    data = json.dumps({"format": ATTACHMENT_FORMAT, **payload}, ensure_ascii=False,
                      sort_keys=True).encode("utf-8")
    params = embed.EmbeddedFileParams(creation_date=created, modification_date=created)
    file_object = embed.EmbeddedFileObject.from_file_data(
        writer, data=data, params=params, mime_type="application/json")
    spec = embed.FileSpec(file_spec_string=ATTACHMENT_NAME, file_name=ATTACHMENT_NAME,
                          embedded_data=file_object,
                          description="电子证照元数据与令牌 / e-licence metadata and token",
                          af_relationship=generic.NameObject("/Data"))
    embed.embed_file(writer, spec)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def read_licence_json(reader: PdfFileReader) -> dict[str, Any] | None:
    """The attached ``licence.json`` of an opened PDF, or ``None`` when there is none or it is
    not a JSON object of our format. Raises only what pyHanko raises on a broken file."""
    names = reader.root.get("/Names")
    if names is None:
        return None
    files = names.get_object().get("/EmbeddedFiles")
    if files is None:
        return None
    pairs = files.get_object().get("/Names")
    if pairs is None:
        return None
    pairs = pairs.get_object()
    for index in range(0, len(pairs) - 1, 2):
        if str(pairs[index]) != ATTACHMENT_NAME:
            continue
        stream = pairs[index + 1].get_object()["/EF"]["/F"].get_object()
        data = signing.bounded_stream_data(stream, MAX_ATTACHMENT_BYTES)
        if data is None:
            return None
        try:
            parsed = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
        if isinstance(parsed, dict) and parsed.get("format") == ATTACHMENT_FORMAT:
            return parsed
        return None
    return None
