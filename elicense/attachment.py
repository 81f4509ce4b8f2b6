"""The machine-readable copy of a licence inside its PDF: ``licence.json``, a standard PDF file
attachment (like the XML of a ZUGFeRD invoice) holding the GB/T 36903 metadata and the QR token.

It is embedded before the PDF is signed, so the signature covers it. A verifier reads the token
from it instead of scanning the QR image, and checks that the token and the metadata agree.

A licence with a holder photo also carries the photo file as issued, ``photo.jpg`` or
``photo.png``: the token holds its SHA-256, so a verifier can show the photo and know it is the
one the office signed (issue 13, item 9); the image drawn on the page is re-encoded by the PDF
writer and has no hash anyone could check.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import signing
from core import FileFormat, sniff_format

if TYPE_CHECKING:
    from pyhanko.pdf_utils.reader import PdfFileReader

ATTACHMENT_NAME = "licence.json"
ATTACHMENT_FORMAT = 1
MAX_ATTACHMENT_BYTES = 64 * 1024
# The photo file as issued, by format; a larger one is not read back.
PHOTO_ATTACHMENTS = {FileFormat.JPEG: ("photo.jpg", "image/jpeg"),
                     FileFormat.PNG: ("photo.png", "image/png")}
MAX_PHOTO_BYTES = 4 * 1024 * 1024


def embed_licence_json(pdf: bytes, payload: dict[str, Any], created: datetime,
                       photo: bytes | None = None) -> bytes:
    """``pdf`` with ``licence.json`` and, when given, the holder's photo file attached (one
    incremental update)."""
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
    attachment = None if photo is None else PHOTO_ATTACHMENTS.get(sniff_format(photo))
    if photo is not None and attachment is not None:
        name, media = attachment
        # No /Size in the photo's parameters: verifiers bound a PDF's object count by the
        # largest /Size in it (signing.pdf_streams), and a photo's byte count would pass for
        # tens of thousands of objects. The checksum stays.
        photo_params = embed.EmbeddedFileParams(embed_size=False, creation_date=created,
                                                modification_date=created)
        photo_object = embed.EmbeddedFileObject.from_file_data(
            writer, data=photo, params=photo_params, mime_type=media)
        embed.embed_file(writer, embed.FileSpec(
            file_spec_string=name, file_name=name, embedded_data=photo_object,
            description="持证人相片 / holder photo",
            af_relationship=generic.NameObject("/Data")))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def read_licence_json(reader: PdfFileReader) -> dict[str, Any] | None:
    """The attached ``licence.json`` of an opened PDF, or ``None`` when there is none or it is
    not a JSON object of our format. Raises only what pyHanko raises on a broken file."""
    return parse_licence_json(_attachment(reader, ATTACHMENT_NAME, MAX_ATTACHMENT_BYTES))


def parse_licence_json(data: bytes | None) -> dict[str, Any] | None:
    """The bytes of an attached ``licence.json`` as :func:`read_licence_json` accepts them."""
    if data is None:
        return None
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if isinstance(parsed, dict) and parsed.get("format") == ATTACHMENT_FORMAT:
        return parsed
    return None


def read_photo(reader: PdfFileReader) -> bytes | None:
    """The attached holder photo of an opened PDF (``None`` when there is none, it is too
    large or not the image its name says). Whether it is the signed one is the caller's
    check (the token's photo hash). Raises only what pyHanko raises on a broken file."""
    for file_format, (name, _media) in PHOTO_ATTACHMENTS.items():
        data = _attachment(reader, name, MAX_PHOTO_BYTES)
        if data is not None:
            return data if sniff_format(data) is file_format else None
    return None


# Every attachment the verifier reads, with its ceiling (for ``signing.read_pdf_attachments``).
WANTED_ATTACHMENTS = {ATTACHMENT_NAME: MAX_ATTACHMENT_BYTES,
                      **{name: MAX_PHOTO_BYTES for name, _media in PHOTO_ATTACHMENTS.values()}}


def photo_from(files: Mapping[str, bytes | None]) -> bytes | None:
    """:func:`read_photo` over the attachments ``signing.read_pdf_attachments`` read."""
    for file_format, (name, _media) in PHOTO_ATTACHMENTS.items():
        data = files.get(name)
        if data is not None:
            return data if sniff_format(data) is file_format else None
    return None


def _attachment(reader: PdfFileReader, name: str, limit: int) -> bytes | None:
    """The bytes of the embedded file ``name`` (at most ``limit``), or ``None``."""
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
        if str(pairs[index]) != name:
            continue
        stream = pairs[index + 1].get_object()["/EF"]["/F"].get_object()
        return signing.bounded_stream_data(stream, limit)
    return None
