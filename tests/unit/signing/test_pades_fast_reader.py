"""The strict readers under the PAdES fast path: PDF values and revisions
(signing.pdf_revisions), embedded files (signing.read_pdf_attachments, compared with what
pyHanko reads) and DER elements as received (signing.der_walk)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pades_fixtures import signed_licence, simple_pdf  # noqa: F401 - fixture
from pyhanko.pdf_utils import embed
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from signing import der_walk, read_pdf_attachments
from signing.pdf_revisions import (
    HexString,
    LayoutError,
    Name,
    Ref,
    parse_value,
    read_document,
)


@pytest.mark.parametrize(("text", "expected"), [
    (b"<< /Type /Annot /P 3 0 R /Rect [0 0 0 0] >>",
     {"/Type": "/Annot", "/P": Ref(3, 0), "/Rect": [0, 0, 0, 0]}),
    (b"[1 2 0 R -3.5 true false null]", [1, Ref(2, 0), -3.5, True, False, None]),
    (b"/application#2Fjson", "/application/json"),
    (rb"(a\(b\)c \101\12 (nested))", b"a(b)c A\n (nested)"),
    (b"<48 65 6C6C6F7>", HexString(b"Hellop")),  # an odd last digit is followed by 0
    (b"<<>>", {}),
    (b"% a comment\n<< /A 1 >>", {"/A": 1}),
    (b"[/A/B(x)<41>]", ["/A", "/B", b"x", HexString(b"A")]),
    (b"[1 %split\n0 R 2 0 R]", [Ref(1, 0), Ref(2, 0)]),
    (b"[0 0 595 842]", [0, 0, 595, 842]),
])
def test_values(text: bytes, expected: object) -> None:
    value, end = parse_value(text, 0)
    assert value == expected
    assert end == len(text)
    if isinstance(expected, str):
        assert isinstance(value, Name)


@pytest.mark.parametrize("text", [
    b"<< /A 1 /A 2 >>",  # repeated key
    b"<< /A >>",  # odd dictionary
    b"[1 R]",  # a reference without a generation
    b"[1 0 R",  # unterminated
    b"<< /A [1 2 >> ]",  # crossed containers
    b"/A#zz",  # bad name escape
    b"(abc",  # unterminated string
    b"(a\rb)",  # bare CR inside a string
    b"{1}",  # PostScript braces
    b"1.2.3",
    b"[" * 40 + b"]" * 40,  # nested too deeply
])
def test_refused_values(text: bytes) -> None:
    with pytest.raises(LayoutError):
        parse_value(text, 0)


def test_revisions_of_a_signed_licence(signed_licence: bytes) -> None:  # noqa: F811
    document = read_document(signed_licence)
    reader = PdfFileReader(io.BytesIO(signed_licence), strict=False)
    assert len(document.revisions) == reader.xrefs.total_revisions
    assert document.revisions[-1].end == len(signed_licence)
    for earlier, later in zip(document.revisions, document.revisions[1:], strict=False):
        assert later.start == earlier.end
    root = document.revisions[-1].trailer["/Root"]
    assert isinstance(root, Ref)
    assert root.number == reader.root_ref.idnum
    assert document.get(root.number)["/Type"] == "/Catalog"


@pytest.mark.parametrize("mutate", [
    pytest.param(lambda pdf: pdf + b"\n\n", id="two-eols"),
    pytest.param(lambda pdf: pdf.replace(b"\nxref\n", b"\nxreg\n"), id="no-xref"),
    pytest.param(lambda pdf: pdf[:-30] + pdf[-29:], id="startxref-offset"),
    pytest.param(lambda pdf: pdf.replace(b"/Prev ", b"/Prev 1", 1), id="prev"),
])
def test_refused_layouts(signed_licence: bytes, mutate) -> None:  # noqa: F811, ANN001
    with pytest.raises(LayoutError):
        read_document(mutate(signed_licence))


def _with_attachment(pdf: bytes, name: str, data: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    moment = datetime(2026, 3, 1, tzinfo=UTC)
    params = embed.EmbeddedFileParams(creation_date=moment, modification_date=moment)
    stream = embed.EmbeddedFileObject.from_file_data(writer, data=data, params=params,
                                                     mime_type="application/json")
    embed.embed_file(writer, embed.FileSpec(file_spec_string=name, file_name=name,
                                            embedded_data=stream))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_attachments_read_as_pyhanko_reads_them() -> None:
    payload = b'{"format": 1, "token": "ZZ1:' + b"A" * 2000 + b'"}'
    pdf = _with_attachment(simple_pdf(), "licence.json", payload)
    files = read_pdf_attachments(pdf, {"licence.json": 64 * 1024, "photo.jpg": 1024,
                                       "small.json": 10})
    assert files == {"licence.json": payload, "photo.jpg": None, "small.json": None}
    over = read_pdf_attachments(pdf, {"licence.json": len(payload) - 1})
    assert over == {"licence.json": None}  # over its ceiling: not read


def test_attachments_of_a_file_the_strict_reader_cannot_read() -> None:
    assert read_pdf_attachments(b"not a pdf", {"licence.json": 10}) is None
    assert read_pdf_attachments(simple_pdf() + b"trailing", {"licence.json": 10}) is None


def test_der_elements_are_the_bytes_received() -> None:
    data = bytes.fromhex("3006020101020102")
    element = der_walk.load(data)
    assert element.der == data
    assert [der_walk.integer(child) for child in element.children()] == [1, 2]
    with pytest.raises(der_walk.DerError):
        der_walk.load(data + b"\x00")  # trailing bytes
    with pytest.raises(der_walk.DerError):
        der_walk.load(bytes.fromhex("30810300 0000")[:5])  # non-minimal length
    with pytest.raises(der_walk.DerError):
        der_walk.load(bytes.fromhex("3005020101"))  # truncated
