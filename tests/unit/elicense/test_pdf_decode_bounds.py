"""Every compressed stream a verifier decodes from an uploaded PDF is decoded with a ceiling
(issue 11, finding 3, beyond the attachment): the XMP metadata (read by the difference analysis),
the DSS's CRLs and certificates. Each test overwrites one stream of a real licence, in an
incremental update written by hand, with a FlateDecode bomb of 1 GiB (about 1 MB on the wire) and
measures what :func:`verify_licence_pdf` allocates. Before, pyHanko's ``read_dss`` decoded a CRL
up to 50 times its encoded size and the difference analysis the XMP up to 32 MiB (100 MiB
allocated, measured)."""

from __future__ import annotations

import io
import tracemalloc
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from pyhanko.pdf_utils.reader import PdfFileReader

from core import Settings
from elicense import load_licence, load_templates
from elicense.issue import issue_licence
from elicense.publish import TrustMaterial, load_trust, publish
from elicense.registry import FileRegistry
from elicense.verify import verify_licence_pdf
from signing import Indication, IssuerIdentity, KeyStore

RECORDS = Path(__file__).resolve().parents[3] / "samples" / "licences"
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
PASS = SecretStr("decode bounds tests passphrase")
GIB = 1024 * 1024 * 1024
# What one verification may allocate with a bomb inside: far below what the bombs inflate to.
CEILING = 24 * 1024 * 1024


def flate_bomb(size: int) -> bytes:
    """A zlib stream that inflates to ``size`` zero bytes, made in milliseconds: after a full
    flush the compressor's state is reset, so every further megabyte compresses to the same
    bytes and is repeated rather than compressed. (Its checksum is wrong; a decoder with a
    ceiling stops long before it.)"""
    chunk = bytes(1024 * 1024)
    packer = zlib.compressobj(9)
    first = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    assert packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH) == block
    return first + block * (size // len(chunk)) + packer.flush()


def test_the_bomb_is_one() -> None:
    bomb = flate_bomb(64 * 1024 * 1024)
    assert len(bomb) < 128 * 1024
    assert len(zlib.decompressobj().decompress(bomb, 64 * 1024 * 1024)) == 64 * 1024 * 1024


def overwrite(pdf: bytes, number: int, dictionary: bytes, data: bytes) -> bytes:
    """``pdf`` plus a hand-written incremental update that replaces object ``number`` with a
    stream (``dictionary`` entries, then ``/Length``)."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    trailer = reader.trailer
    offset = len(pdf)
    chunk = (b"%d 0 obj\n<< %s /Length %d >>\nstream\n" % (number, dictionary, len(data))
             + data + b"\nendstream\nendobj\n")
    xref = offset + len(chunk)
    return pdf + chunk + (
        b"xref\n%d 1\n%010d 00000 n \ntrailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /Prev %d >>"
        b"\nstartxref\n%d\n%%%%EOF\n" % (
            number, offset, int(trailer["/Size"]), trailer.raw_get("/Root").idnum,
            trailer.raw_get("/Info").idnum, reader.last_startxref, xref))


class Issued:
    def __init__(self, base: Path) -> None:
        store = KeyStore(base / "keys", PASS)
        store.initialise(IssuerIdentity.from_settings(Settings(_env_file=None)),
                         now=NOW - timedelta(days=10))
        registry = FileRegistry(base / "licences")
        code = Settings(_env_file=None).issuer_code
        licence = load_licence(RECORDS / "residence_permit.json")
        template = load_templates().get(licence.type_code)
        photo = (RECORDS / "holder_photo.jpg").read_bytes() if template.photo else None
        self.pdf = issue_licence(licence, template, photo=photo, store=store,
                                 registry=registry, issuer_code=code,
                                 published_dir=base / "published", now=NOW).pdf
        publish(store, registry, base / "published", code, NOW)
        self.trust: TrustMaterial = load_trust(base / "published")
        self.reader = PdfFileReader(io.BytesIO(self.pdf), strict=False)


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> Issued:
    return Issued(tmp_path_factory.mktemp("decode-bounds"))


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return flate_bomb(GIB)


def measured(issued: Issued, pdf: bytes):
    tracemalloc.start()
    try:
        result = verify_licence_pdf(pdf, issued.trust, now=NOW + timedelta(hours=1))
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def test_the_genuine_licence_passes_within_the_ceiling(issued: Issued) -> None:
    result, peak = measured(issued, issued.pdf)
    assert result.indication is Indication.PASSED
    assert peak < CEILING


def _target(issued: Issued, where: str) -> int:
    root = issued.reader.root
    if where == "xmp":
        return root.raw_get("/Metadata").idnum
    dss = root["/DSS"]
    return dss["/CRLs" if where == "crl" else "/Certs"].raw_get(0).idnum


@pytest.mark.parametrize(("where", "dictionary"), [
    ("xmp", b"/Type /Metadata /Subtype /XML /Filter /FlateDecode"),
    ("crl", b"/Filter /FlateDecode"),
    ("certificate", b"/Filter /FlateDecode"),
    ("crl", b"/Filter [/FlateDecode /FlateDecode]"),
])
def test_a_bomb_in_a_stream_is_not_inflated(issued: Issued, bomb: bytes, where: str,
                                             dictionary: bytes) -> None:
    data = zlib.compress(bomb) if b"[" in dictionary else bomb
    attacked = overwrite(issued.pdf, _target(issued, where), dictionary, data)
    assert len(attacked) < len(issued.pdf) + 2 * 1024 * 1024
    result, peak = measured(issued, attacked)
    assert result.indication is not Indication.PASSED
    assert peak < CEILING, f"{where}: {peak / 2**20:.0f} MiB"
