"""An OFD package is read from strangers (issue 15, item 7): each attack on the zip or its XML is
refused with its own stable ``ofd.*`` code, never another exception, and within bounded memory.
The hostile zips are built byte by byte here (``_zip``), since ``zipfile`` will not write lying
sizes, duplicate names or encryption flags."""

from __future__ import annotations

import io
import random
import struct
import tracemalloc
import zipfile
import zlib
from dataclasses import dataclass

import pytest

from core import ErrorCode
from signing.errors import OfdFormatError
from signing.ofd_package import (
    OfdLimits,
    normalise_entry_name,
    read_ofd,
    resolve_loc,
    write_ofd,
)

NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'
OFD_XML = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {NS} Version="1.0" DocType="OFD">'
           "<ofd:DocBody><ofd:DocInfo><ofd:DocID>x</ofd:DocID></ofd:DocInfo>"
           "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>"
           "<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>"
           "</ofd:DocBody></ofd:OFD>").encode()
DOCUMENT_XML = (f'<ofd:Document {NS}><ofd:CommonData><ofd:MaxUnitID>2</ofd:MaxUnitID>'
                "</ofd:CommonData><ofd:Pages>"
                '<ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages>'
                "</ofd:Document>").encode()
PAGE_XML = f'<ofd:Page {NS}><ofd:Content/></ofd:Page>'.encode()
GOOD = {"OFD.xml": OFD_XML, "Doc_0/Document.xml": DOCUMENT_XML,
        "Doc_0/Pages/Page_0/Content.xml": PAGE_XML}
MB = 1024 * 1024


@dataclass
class Entry:
    """One entry of a hand-built zip; ``declared`` overrides the size the headers state."""

    name: str
    data: bytes
    deflate: bool = True
    declared: int | None = None
    flags: int = 0
    method: int | None = None
    mode: int = 0


def _deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def _zip(entries: list[Entry], compressed: dict[str, bytes] | None = None) -> bytes:
    """A zip with exactly these entries (names, flags, sizes as given, in this order)."""
    out = bytearray()
    central = bytearray()
    for entry in entries:
        body = (compressed or {}).get(entry.name)
        if body is None:
            body = _deflate(entry.data) if entry.deflate else entry.data
        method = entry.method if entry.method is not None else (8 if entry.deflate else 0)
        size = entry.declared if entry.declared is not None else len(entry.data)
        crc = zlib.crc32(entry.data)
        name = entry.name.encode("utf-8")
        flags = entry.flags | 0x800
        offset = len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, flags, method, 0, 0x21, crc,
                           len(body), size, len(name), 0) + name + body
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 0x0314, 20, flags, method, 0, 0x21,
                               crc, len(body), size, len(name), 0, 0, 0, 0, entry.mode << 16,
                               offset) + name
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries),
                       len(central), len(out), 0)
    return bytes(out + central + eocd)


def _good(*extra: Entry, drop: str = "") -> list[Entry]:
    return [Entry(name, data) for name, data in GOOD.items() if name != drop] + list(extra)


def _refused(data: bytes, limits: OfdLimits | None = None) -> OfdFormatError:
    with pytest.raises(OfdFormatError) as caught:
        read_ofd(data, limits) if limits else read_ofd(data)
    error = caught.value
    assert error.message_en.startswith("OFD package refused: ")
    assert error.message_zh.startswith("OFD 文件被拒绝：")
    return error


def _peak(data: bytes, limits: OfdLimits | None = None) -> tuple[OfdFormatError, int]:
    tracemalloc.start()
    try:
        error = _refused(data, limits)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return error, peak


def test_a_well_formed_package_reads_and_names_its_parts() -> None:
    package = read_ofd(write_ofd(GOOD))
    assert package.files == GOOD
    assert package.document_paths() == ["Doc_0/Document.xml"]
    assert package.page_paths("Doc_0/Document.xml") == ["Doc_0/Pages/Page_0/Content.xml"]
    assert package.signatures_path(0) == "Doc_0/Signs/Signatures.xml"
    assert package.signatures_path("Doc_0/Document.xml") == "Doc_0/Signs/Signatures.xml"
    assert package.xml("OFD.xml").tag == "{http://www.ofdspec.org/2016}OFD"


def test_the_hand_built_zip_of_the_good_files_reads_too() -> None:
    # The attack tests below change one thing each in this zip; it must be fine as it is.
    assert read_ofd(_zip(_good())).files == GOOD


def test_write_is_deterministic_sorted_and_fixed_in_time() -> None:
    one = write_ofd(GOOD)
    two = write_ofd(dict(reversed(list(GOOD.items()))))
    assert one == two
    with zipfile.ZipFile(io.BytesIO(one)) as archive:
        infos = archive.infolist()
    assert [info.filename for info in infos] == sorted(GOOD)
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}


@pytest.mark.parametrize("name", ["../OFD.xml", "Doc_0/../../x", "/etc/passwd", "C:x.xml",
                                  "Doc_0\\Document.xml", "a\x00b", ""])
def test_write_refuses_unsafe_names(name: str) -> None:
    with pytest.raises(ValueError):
        write_ofd({**GOOD, name: b"x"})


def test_not_a_zip() -> None:
    assert _refused(b"%PDF-1.7\n" + b"x" * 100).code is ErrorCode.OFD_NOT_ZIP
    assert _refused(b"").code is ErrorCode.OFD_NOT_ZIP
    assert _refused(b"PK\x03\x04garbage").code is ErrorCode.OFD_NOT_ZIP


@pytest.mark.parametrize("cut", [10, 200, -30, -1])
def test_truncated_zip(cut: int) -> None:
    data = write_ofd(GOOD)
    assert _refused(data[:cut]).code in {ErrorCode.OFD_NOT_ZIP, ErrorCode.OFD_CORRUPT}


def test_corrupt_entry_data_is_ofd_corrupt() -> None:
    entries = _good()
    body = bytearray(_deflate(PAGE_XML))
    body[5] ^= 0xFF
    data = _zip(entries, {"Doc_0/Pages/Page_0/Content.xml": bytes(body)})
    assert _refused(data).code is ErrorCode.OFD_CORRUPT


@pytest.mark.parametrize("name", ["../evil.xml", "Doc_0/../../evil.xml", "/OFD2.xml",
                                  "/etc/passwd", "C:/Windows/x.xml", "Doc_0\\x.xml",
                                  "Doc_0/..\\..\\x", "a\nb.xml"])
def test_unsafe_entry_names(name: str) -> None:
    error = _refused(_zip(_good(Entry(name, b"x"))))
    assert error.code is ErrorCode.OFD_PATH_NAME


def test_a_symbolic_link_entry_is_refused() -> None:
    error = _refused(_zip(_good(Entry("Doc_0/Res/link", b"/etc/passwd", mode=0o120777))))
    assert error.code is ErrorCode.OFD_PATH_NAME


@pytest.mark.parametrize("twin", ["OFD.xml", "./OFD.xml", "Doc_0//Document.xml",
                                  "Doc_0/./Document.xml", "ofd.XML",
                                  "Doc_0/Pages/Page_0/Content.xml/"])
def test_duplicate_entries_also_after_normalisation(twin: str) -> None:
    error = _refused(_zip(_good(Entry(twin, b"<x/>"))))
    assert error.code is ErrorCode.OFD_DUPLICATE_ENTRY


def test_unicode_forms_of_one_name_are_duplicates() -> None:
    composed, decomposed = "Doc_0/Res/\u00e9.png", "Doc_0/Res/e\u0301.png"
    error = _refused(_zip(_good(Entry(composed, b"1"), Entry(decomposed, b"2"))))
    assert error.code is ErrorCode.OFD_DUPLICATE_ENTRY


@pytest.mark.parametrize("missing", list(GOOD))
def test_missing_parts(missing: str) -> None:
    assert _refused(_zip(_good(drop=missing))).code is ErrorCode.OFD_MISSING_ENTRY


def test_ofd_xml_naming_no_document_is_missing_entry() -> None:
    ofd = f'<ofd:OFD {NS} Version="1.0"><ofd:DocBody/></ofd:OFD>'.encode()
    files = {**GOOD, "OFD.xml": ofd}
    assert _refused(write_ofd(files)).code is ErrorCode.OFD_MISSING_ENTRY


def test_a_part_with_the_wrong_root_element() -> None:
    files = {**GOOD, "Doc_0/Pages/Page_0/Content.xml": DOCUMENT_XML}
    assert _refused(write_ofd(files)).code is ErrorCode.OFD_XML_INVALID


def test_xml_that_is_not_well_formed() -> None:
    files = {**GOOD, "Doc_0/Document.xml": b"<ofd:Document " + NS.encode() + b"><unclosed>"}
    assert _refused(write_ofd(files)).code is ErrorCode.OFD_XML_INVALID


def test_xxe_external_entity_is_refused_and_not_read() -> None:
    page = ('<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            f'<ofd:Page {NS}><ofd:Content>&x;</ofd:Content></ofd:Page>').encode()
    error = _refused(write_ofd({**GOOD, "Doc_0/Pages/Page_0/Content.xml": page}))
    assert error.code is ErrorCode.OFD_XML_FORBIDDEN
    assert "root:" not in str(error) + error.message_zh


def test_billion_laughs_is_refused_quickly_and_small() -> None:
    lol = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    page = (f'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY l0 "lol">{lol}]>'
            f'<ofd:Page {NS}><ofd:Content>&l9;</ofd:Content></ofd:Page>').encode()
    error, peak = _peak(write_ofd({**GOOD, "Doc_0/Pages/Page_0/Content.xml": page}))
    assert error.code is ErrorCode.OFD_XML_FORBIDDEN
    assert peak < 2 * MB


def test_a_dtd_alone_is_refused() -> None:
    ofd = b'<?xml version="1.0"?><!DOCTYPE OFD SYSTEM "http://example.org/ofd.dtd">' + OFD_XML[38:]
    assert _refused(write_ofd({**GOOD, "OFD.xml": ofd})).code is ErrorCode.OFD_XML_FORBIDDEN


def test_huge_xml_is_refused_before_parsing() -> None:
    # Hex text deflates about 2 to 1, so the XML cap, not the ratio, is what refuses it.
    filler = random.Random(0).randbytes(3 * MB // 2).hex().encode()
    page = (f'<ofd:Page {NS}><ofd:Content><x v="'.encode() + filler
            + b'"/></ofd:Content></ofd:Page>')
    error = _refused(write_ofd({**GOOD, "Doc_0/Pages/Page_0/Content.xml": page}))
    assert error.code is ErrorCode.OFD_XML_TOO_LARGE
    assert error.entry == "Doc_0/Pages/Page_0/Content.xml"


def test_huge_xml_that_compresses_well_is_refused_too() -> None:
    page = (f'<ofd:Page {NS}><ofd:Content>'.encode() + b"<x/>" * (3 * MB // 4)
            + b"</ofd:Content></ofd:Page>")
    data = write_ofd({**GOOD, "Doc_0/Pages/Page_0/Content.xml": page})
    assert len(data) < 64 * 1024  # small on the wire, 3 MB inflated
    assert _refused(data).code in {ErrorCode.OFD_ZIP_BOMB, ErrorCode.OFD_XML_TOO_LARGE}
    no_ratio = OfdLimits(max_ratio=10_000_000)
    assert _refused(data, no_ratio).code is ErrorCode.OFD_XML_TOO_LARGE


def test_an_encrypted_entry_is_refused() -> None:
    entries = _good(Entry("Doc_0/Res/photo.png", b"\x89PNG" + b"x" * 50, flags=0x1))
    assert _refused(_zip(entries)).code is ErrorCode.OFD_ENCRYPTED


def test_an_unknown_compression_method_is_refused() -> None:
    entries = _good(Entry("Doc_0/Res/a.bin", b"abc", deflate=False, method=12))
    assert _refused(_zip(entries)).code is ErrorCode.OFD_CORRUPT


def _zeros_deflated(size: int) -> bytes:
    """A raw deflate stream of ``size`` zero bytes, made fast: one megabyte deflated and
    full-flushed (byte-aligned, no back references across it) repeated, then an empty final
    block (``03 00``)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = packer.compress(bytes(MB)) + packer.flush(zlib.Z_FULL_FLUSH)
    return piece * (size // MB) + b"\x03\x00"


def test_the_fast_bomb_stream_inflates_to_what_it_claims() -> None:
    assert zlib.decompress(_zeros_deflated(8 * MB), -15) == bytes(8 * MB)


def test_a_bomb_declaring_its_huge_size_is_refused_unread() -> None:
    size = 1024 * MB
    bomb = _zeros_deflated(size)  # about 1 MB on the wire
    entry = Entry("Doc_0/Res/bomb.bin", b"", declared=size)
    error, peak = _peak(_zip(_good(entry), {"Doc_0/Res/bomb.bin": bomb}))
    assert error.code is ErrorCode.OFD_ZIP_BOMB
    assert peak < 4 * MB


def test_a_bomb_lying_about_its_size_stops_at_the_declared_size() -> None:
    bomb = _zeros_deflated(512 * MB)
    entry = Entry("Doc_0/Res/bomb.bin", b"", declared=1000)
    error, peak = _peak(_zip(_good(entry), {"Doc_0/Res/bomb.bin": bomb}))
    assert error.code in {ErrorCode.OFD_ZIP_BOMB, ErrorCode.OFD_CORRUPT}
    assert peak < 4 * MB


def test_a_high_ratio_entry_within_the_size_cap_is_refused() -> None:
    data = bytes(8 * MB)  # deflates about 1000 to 1, under the 16 MB entry cap
    error = _refused(write_ofd({**GOOD, "Doc_0/Res/zeros.bin": data}))
    assert error.code is ErrorCode.OFD_ZIP_BOMB
    assert "inflates more than 200 times" in error.message_en


def test_many_entries_inflating_past_the_total_are_refused() -> None:
    limits = OfdLimits(max_total_bytes=1 * MB, max_ratio=10_000)
    files = {**GOOD, **{f"Doc_0/Res/{i}.bin": bytes(300 * 1024) for i in range(5)}}
    assert _refused(write_ofd(files), limits).code is ErrorCode.OFD_ZIP_BOMB


def _overlapping_zip(body: bytes, size: int, names: list[str]) -> bytes:
    """The good files, then one local entry whose deflate stream every name in ``names`` shares
    (their central records all point at it): the "better zip bomb" layout."""
    good = _zip(_good())
    cut = good.index(b"PK\x01\x02")
    local_files, good_central = good[:cut], good[cut:good.index(b"PK\x05\x06")]
    shared_offset = len(local_files)
    first = names[0].encode()
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0x800, 8, 0, 0x21, 0, len(body), size,
                        len(first), 0) + first + body
    central = bytearray(good_central)
    for name in names:
        raw = name.encode()
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 0x0314, 20, 0x800, 8, 0, 0x21, 0,
                               len(body), size, len(raw), 0, 0, 0, 0, 0, shared_offset) + raw
    count = len(GOOD) + len(names)
    start = shared_offset + len(local)
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(central), start, 0)
    return local_files + local + bytes(central) + eocd


def test_overlapping_entries_are_refused_before_any_is_inflated() -> None:
    body = _zeros_deflated(4 * MB)
    names = [f"Doc_0/Res/{i}.bin" for i in range(3)]
    # With the ratio check off, what refuses them is the overlap itself.
    error, peak = _peak(_overlapping_zip(body, 4 * MB, names), OfdLimits(max_ratio=10_000))
    assert error.code is ErrorCode.OFD_ZIP_BOMB
    assert "overlap" in error.message_en
    assert peak < 2 * MB


def test_too_many_entries_are_refused_before_zipfile_parses_them() -> None:
    entries = _good(*(Entry(f"Doc_0/Res/{i}.bin", b"") for i in range(2100)))
    error, peak = _peak(_zip(entries))
    assert error.code is ErrorCode.OFD_TOO_LARGE
    assert peak < 1 * MB


def test_a_package_over_the_size_cap() -> None:
    data = write_ofd({**GOOD, "Doc_0/Res/noise.png": bytes(range(256)) * 8192})
    assert _refused(data, OfdLimits(max_package_bytes=1 * MB)).code is ErrorCode.OFD_TOO_LARGE


@pytest.mark.parametrize(("base", "loc", "expected"), [
    ("OFD.xml", "Doc_0/Document.xml", "Doc_0/Document.xml"),
    ("OFD.xml", "/Doc_0/Document.xml", "Doc_0/Document.xml"),
    ("Doc_0/Document.xml", "Pages/Page_0/Content.xml", "Doc_0/Pages/Page_0/Content.xml"),
    ("Doc_0/Document.xml", "/Doc_0/Res/a.png", "Doc_0/Res/a.png"),
    ("Doc_0/Signs/Sign_0/Signature.xml", "../../Document.xml", "Doc_0/Document.xml"),
])
def test_locations_resolve_inside_the_package(base: str, loc: str, expected: str) -> None:
    assert resolve_loc(base, loc) == expected


@pytest.mark.parametrize("loc", ["../x.xml", "/../x.xml", "Pages\\x.xml", ""])
def test_locations_that_leave_the_package(loc: str) -> None:
    with pytest.raises(OfdFormatError) as caught:
        resolve_loc("Doc_0/Document.xml" if loc != "../x.xml" else "OFD.xml", loc)
    assert caught.value.code is ErrorCode.OFD_PATH_NAME


def test_a_page_location_that_climbs_out_is_refused() -> None:
    document = DOCUMENT_XML.replace(b"Pages/Page_0/Content.xml", b"../../etc/passwd")
    assert _refused(write_ofd({**GOOD, "Doc_0/Document.xml": document})).code is \
        ErrorCode.OFD_PATH_NAME


def test_normalised_names() -> None:
    assert normalise_entry_name("Doc_0/./Res//a.png") == "Doc_0/Res/a.png"
    assert normalise_entry_name("Doc_0/Res/e\u0301.png") == "Doc_0/Res/\u00e9.png"


@pytest.mark.parametrize("seed", range(40))
def test_random_byte_damage_gives_an_ofd_error_or_a_package(seed: int) -> None:
    data = bytearray(write_ofd(GOOD))
    rng = random.Random(seed)
    for _ in range(rng.randint(1, 8)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    try:
        read_ofd(bytes(data))
    except OfdFormatError as error:
        assert error.code.value.startswith("ofd.")
