"""The embedded ``licence.json`` is decoded with a cap (issue 11, finding 3): a 64 KB PDF whose
attachment is a FlateDecode bomb made every unauthenticated ``POST /api/v1/verify`` decode it
whole. These tests replay that attack and check the genuine attachment still reads."""

from __future__ import annotations

import io
import tracemalloc
import zlib
from datetime import UTC, datetime

import pytest
from pyhanko.pdf_utils import embed, generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.pdfgen import canvas

from elicense.attachment import (
    ATTACHMENT_NAME,
    MAX_ATTACHMENT_BYTES,
    embed_licence_json,
    read_licence_json,
)

CREATED = datetime(2026, 12, 6, tzinfo=UTC)
BOMB_BYTES = 64 * 1024 * 1024


def _blank_pdf() -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "licence")
    page.save()
    return out.getvalue()


def _with_attachment(stream: generic.StreamObject) -> bytes:
    """A PDF whose ``licence.json`` is ``stream`` as given (filters and bytes untouched)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(_blank_pdf()))
    file_object = embed.EmbeddedFileObject(writer, dict_data=dict(stream),
                                           encoded_data=stream.encoded_data)
    spec = embed.FileSpec(file_spec_string=ATTACHMENT_NAME, file_name=ATTACHMENT_NAME,
                          embedded_data=file_object)
    embed.embed_file(writer, spec)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _flate_bomb(size: int) -> bytes:
    """``{"format": 1, "pad": "`` followed by ``size`` spaces, deflated chunk by chunk."""
    packer = zlib.compressobj(9)
    parts = [packer.compress(b'{"format": 1, "pad": "')]
    chunk = b" " * (1024 * 1024)
    parts += [packer.compress(chunk) for _ in range(size // len(chunk))]
    parts.append(packer.compress(b'"}') + packer.flush())
    return b"".join(parts)


def _read(pdf: bytes) -> tuple[dict | None, int]:
    """What ``read_licence_json`` returns, and the peak memory it allocated doing it."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    tracemalloc.start()
    try:
        got = read_licence_json(reader)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return got, peak


def test_the_genuine_attachment_reads() -> None:
    pdf = embed_licence_json(_blank_pdf(), {"token": "ZZ1:abc"}, CREATED)
    got, _peak = _read(pdf)
    assert got == {"format": 1, "token": "ZZ1:abc"}


def test_a_flate_bomb_attachment_is_refused_without_inflating_it() -> None:
    bomb = _flate_bomb(BOMB_BYTES)
    assert len(bomb) < 256 * 1024  # small on the wire
    stream = generic.StreamObject({generic.NameObject("/Filter"):
                                   generic.NameObject("/FlateDecode")}, encoded_data=bomb)
    got, peak = _read(_with_attachment(stream))
    assert got is None
    # Decoding stops at the cap: nowhere near the 64 MiB the stream inflates to.
    assert peak < 8 * MAX_ATTACHMENT_BYTES + len(bomb) * 4


@pytest.mark.parametrize("filters", [
    generic.NameObject("/ASCIIHexDecode"),
    generic.ArrayObject([generic.NameObject("/FlateDecode"), generic.NameObject("/FlateDecode")]),
])
def test_filters_we_never_write_are_refused(filters: generic.PdfObject) -> None:
    data = b'{"format": 1, "token": "ZZ1:abc"}'
    encoded = data.hex().encode() + b">" if str(filters) == "/ASCIIHexDecode" else zlib.compress(
        zlib.compress(data))
    stream = generic.StreamObject({generic.NameObject("/Filter"): filters}, encoded_data=encoded)
    got, _peak = _read(_with_attachment(stream))
    assert got is None


def test_a_plain_attachment_over_the_cap_is_refused() -> None:
    data = b'{"format": 1, "pad": "' + b" " * MAX_ATTACHMENT_BYTES + b'"}'
    got, _peak = _read(_with_attachment(generic.StreamObject({}, encoded_data=data)))
    assert got is None
