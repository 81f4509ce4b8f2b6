"""No public input makes the service allocate more than 64 MB over its baseline, or answer 500
(issue 11, finding 3). A bounded, seeded fuzz run over everything an anonymous client can send:
``POST /api/v1/verify`` with a token or a PDF and ``GET /v/{token}``, through FastAPI's
TestClient in this process, with ``tracemalloc``'s peak measured around every request.

The inputs: a real issued licence and its token, randomly mutated (bytes flipped, cut, repeated,
spliced) and hand-made hostile ones — CBOR nested 100,000 deep, CBOR lengths of 2**62, zlib
bombs inside tokens, 1 GiB Flate bombs in every kind of stream a verifier touches (the
attachment, XMP metadata, DSS CRLs and certificates, an object stream, the page content),
incremental updates whose ``/Prev`` points at themselves or at each other, a cross-reference
section claiming a billion objects, 100,000 tiny objects, arrays nested 50,000 deep. Seeded, so a
failure is reproducible; bounded in count and time (under 60 s)."""

from __future__ import annotations

import io
import random
import time
import tracemalloc
import zlib
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from pyhanko.pdf_utils.reader import PdfFileReader

from api.app import create_app
from core import Settings
from elicense import FileRegistry, load_licence, load_templates
from elicense import issue_licence as issue
from signing import KeyStore, b45encode

pytestmark = pytest.mark.integration

RECORDS = Path(__file__).resolve().parents[2] / "samples" / "licences"
SEED = 20261111
BUDGET = 64 * 1000 * 1000  # bytes over the baseline, per request
TIME_LIMIT = 50.0  # seconds for the mutated inputs; the hand-made ones always run
GIB = 1024 * 1024 * 1024


def flate_bomb(size: int) -> bytes:
    """A zlib stream inflating to ``size`` zero bytes, made by repeating the bytes of one fully
    flushed megabyte (the compressor's state is reset by each full flush)."""
    chunk = bytes(1024 * 1024)
    packer = zlib.compressobj(9)
    first = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    return first + block * (size // len(chunk)) + packer.flush()


def token_of(cose: bytes) -> str:
    return "ZZ1:" + b45encode(zlib.compress(cose, 9))


class Office:
    def __init__(self, client: TestClient, settings: Settings) -> None:
        licence = load_licence(RECORDS / "residence_permit.json")
        template = load_templates().get(licence.type_code)
        photo = (RECORDS / "holder_photo.jpg").read_bytes() if template.photo else None
        issued = issue(licence, template, photo=photo, store=KeyStore.from_settings(settings),
                       registry=FileRegistry(settings.data_dir / "licences"),
                       issuer_code=settings.issuer_code,
                       published_dir=settings.data_dir / "published")
        self.client = client
        self.max_upload = settings.max_upload_bytes
        self.pdf: bytes = issued.pdf
        self.token: str = issued.token
        self.reader = PdfFileReader(io.BytesIO(self.pdf), strict=False)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory):
    settings = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("fuzz-office"),
                        verify_rate_per_minute=100_000)
    with TestClient(create_app(settings)) as client:
        yield Office(client, settings)


# --- hand-made hostile PDFs -------------------------------------------------------------------

def append_update(pdf: bytes, objects: list[tuple[int, bytes]], trailer: bytes,
                  prev: int | None = None) -> bytes:
    """``pdf`` plus a hand-written incremental update holding ``objects`` (number, body)."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    chunks, entries, offset = [], [], len(pdf)
    for number, body in objects:
        chunk = b"%d 0 obj\n%s\nendobj\n" % (number, body)
        entries.append(b"%d 1\n%010d 00000 n \n" % (number, offset))
        chunks.append(chunk)
        offset += len(chunk)
    size = max([int(reader.trailer["/Size"])] + [n + 1 for n, _ in objects])
    root = reader.trailer.raw_get("/Root").idnum
    return pdf + b"".join(chunks) + b"xref\n" + b"".join(entries) + (
        b"trailer\n<< /Size %010d /Root %d 0 R /Prev %010d %s >>\nstartxref\n%d\n%%%%EOF\n" % (
            size, root, reader.last_startxref if prev is None else prev, trailer, offset))


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n" % (dictionary, len(data)) + data + b"\nendstream"


def hostile_pdfs(office: Office, bomb: bytes) -> dict[str, bytes]:
    pdf, root = office.pdf, office.reader.root
    flate = b"/Filter /FlateDecode"
    dss = root["/DSS"]
    names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    attachment = names[1]["/EF"].raw_get("/F").idnum
    page = root["/Pages"]["/Kids"][0]
    contents = page.raw_get("/Contents")
    size = int(office.reader.trailer["/Size"])
    out = {
        "attachment bomb": append_update(pdf, [(attachment, stream(flate, bomb))], b""),
        "xmp bomb": append_update(pdf, [(root.raw_get("/Metadata").idnum, stream(
            b"/Type /Metadata /Subtype /XML " + flate, bomb))], b""),
        "dss crl bomb": append_update(pdf, [(dss["/CRLs"].raw_get(0).idnum,
                                             stream(flate, bomb))], b""),
        "dss certificate bomb": append_update(pdf, [(dss["/Certs"].raw_get(0).idnum,
                                                     stream(flate, bomb))], b""),
        "content stream bomb": append_update(pdf, [(contents.idnum, stream(flate, bomb))], b""),
        "object stream bomb": append_update(pdf, [(size, stream(
            b"/Type /ObjStm /N 1 /First 4 " + flate, bomb))], b""),
        "double flate bomb": append_update(pdf, [(attachment, stream(
            b"/Filter [/FlateDecode /FlateDecode]", zlib.compress(bomb)))], b""),
        "100,000 objects": append_update(pdf, [(size + i, b"null") for i in range(100_000)], b""),
        "arrays 50,000 deep": append_update(pdf, [(size, b"[" * 50_000 + b"]" * 50_000)],
                                            b"/Deep %d 0 R" % size),
        "dictionaries 20,000 deep": append_update(pdf, [(size, b"<< /A " * 20_000
                                                         + b">> " * 20_000)], b""),
        "huge stream length": pdf.replace(b"/Length ", b"/Length 9999999999", 1),
    }
    # /Size and /Prev are written with ten digits, so they can be rewritten in place.
    one = append_update(pdf, [(size, b"null")], b"")
    out["a billion objects"] = one.replace(b"/Size %010d" % (size + 1), b"/Size 1000000000")
    one_xref = int(one[one.rindex(b"startxref\n") + 10:].split(b"\n")[0])
    previous = b"/Prev %010d" % office.reader.last_startxref
    out["xref /Prev to itself"] = one.replace(previous, b"/Prev %010d" % one_xref)
    two = append_update(one, [(size + 1, b"null")], b"")
    two_xref = int(two[two.rindex(b"startxref\n") + 10:].split(b"\n")[0])
    out["xref /Prev loop of two"] = two.replace(previous, b"/Prev %010d" % two_xref)
    return out


# --- hand-made hostile tokens -----------------------------------------------------------------

def hostile_tokens() -> dict[str, str]:
    tokens = {
        "cbor nested 100,000 deep": token_of(b"\x81" * 100_000 + b"\x00"),
        "cbor bytes of 2**62": token_of(b"\x5b" + (2**62).to_bytes(8, "big") + b"x"),
        "cbor array of 2**62": token_of(b"\x9b" + (2**62).to_bytes(8, "big")),
        "cbor map of 2**62": token_of(b"\xbb" + (2**62).to_bytes(8, "big")),
        "cbor text of 2**40": token_of(b"\x7b" + (2**40).to_bytes(8, "big") + b"a"),
        "indefinite strings": token_of(b"\x5f" + b"\x41a" * 4000 + b"\xff"),
        "zlib bomb": "ZZ1:" + b45encode(zlib.compress(bytes(3_000_000), 9)),
        "tag 18 nested": token_of(b"\xd2" * 5000 + b"\x00"),
    }
    return {name: token for name, token in tokens.items() if len(token) <= 4296}


# --- mutations --------------------------------------------------------------------------------

def mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    kind = rng.randrange(5)
    if kind == 0:  # flip a few bytes
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    elif kind == 1:  # cut
        del out[rng.randrange(len(out)):]
    elif kind == 2:  # repeat a slice
        start = rng.randrange(len(out))
        piece = out[start:start + rng.randint(1, 4096)]
        out[start:start] = piece * rng.randint(2, 64)
    elif kind == 3:  # splice random bytes
        start = rng.randrange(len(out))
        out[start:start + rng.randint(0, 64)] = rng.randbytes(rng.randint(1, 512))
    else:  # overwrite a number with a huge one
        digits = [i for i in range(len(out) - 1) if chr(out[i]).isdigit()]
        if digits:
            at = rng.choice(digits)
            out[at:at + 1] = b"99999999999"
    return bytes(out)


def mutate_token(rng: random.Random, token: str) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
    body = list(token[4:])
    for _ in range(rng.randint(1, 6)):
        body[rng.randrange(len(body))] = rng.choice(alphabet)
    if rng.random() < 0.3:
        body = body[:rng.randrange(len(body))]
    return "ZZ1:" + "".join(body)


# --- the run ----------------------------------------------------------------------------------

class Meter:
    def __init__(self) -> None:
        self.worst: tuple[int, str] = (0, "")
        self.count = 0

    def request(self, client: TestClient, label: str, send) -> None:
        tracemalloc.reset_peak()
        baseline, _ = tracemalloc.get_traced_memory()
        response = send(client)
        _current, peak = tracemalloc.get_traced_memory()
        self.count += 1
        grew = peak - baseline
        self.worst = max(self.worst, (grew, label))
        assert response.status_code != 500 and response.status_code < 500, (
            label, response.status_code, response.text[:300])
        assert grew < BUDGET, f"{label}: {grew / 1e6:.1f} MB over the baseline"


BOUNDARY = b"zz-fuzz-boundary"


def post_pdf(pdf: bytes):
    # The multipart body is made here, before the measurement starts: what is measured is the
    # service (TestClient runs it in this process), not the client encoding a copy of the file.
    body = (b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="file"; '
            b'filename="licence.pdf"\r\nContent-Type: application/pdf\r\n\r\n' + pdf
            + b"\r\n--" + BOUNDARY + b"--\r\n")
    headers = {"content-type": "multipart/form-data; boundary=" + BOUNDARY.decode()}
    return lambda client: client.post("/api/v1/verify", content=body, headers=headers)


def post_token(token: str):
    return lambda client: client.post("/api/v1/verify", json={"token": token})


def get_page(token: str):
    return lambda client: client.get("/v/" + quote(token, safe=""))


def test_no_public_input_allocates_more_than_64_mb(office: Office) -> None:
    rng = random.Random(SEED)
    client, meter = office.client, Meter()
    bomb = flate_bomb(GIB)
    started = time.monotonic()
    tracemalloc.start()
    try:
        # Warm-up: the first verification loads pyHanko and the trust material.
        meter.request(client, "genuine pdf", post_pdf(office.pdf))
        meter.request(client, "genuine token", post_token(office.token))
        assert client.post("/api/v1/verify", json={"token": office.token}).json()["valid"]
        for name, pdf in hostile_pdfs(office, bomb).items():
            meter.request(client, f"pdf: {name}", post_pdf(pdf))
        # The largest upload accepted, as padding after %%EOF and as one big stream in an
        # update, then one byte more (refused with 413).
        largest = office.pdf + b"%" + bytes(office.max_upload - len(office.pdf) - 1)
        meter.request(client, "pdf: the largest upload, padded", post_pdf(largest))
        number = int(office.reader.trailer["/Size"])
        filler = bytes(office.max_upload - len(office.pdf) - 400)
        meter.request(client, "pdf: the largest upload, one stream", post_pdf(append_update(
            office.pdf, [(number, stream(b"", filler))], b"/Big %d 0 R" % number)))
        meter.request(client, "pdf: one byte too large", post_pdf(largest + b"\n"))
        for name, token in hostile_tokens().items():
            meter.request(client, f"token: {name}", post_token(token))
            meter.request(client, f"page: {name}", get_page(token))
        mutations = 0
        while time.monotonic() - started < TIME_LIMIT and mutations < 120:
            mutations += 1
            choice = rng.randrange(3)
            if choice == 0:
                meter.request(client, f"mutated pdf #{mutations}",
                              post_pdf(mutate(rng, office.pdf)))
            elif choice == 1:
                meter.request(client, f"mutated token #{mutations}",
                              post_token(mutate_token(rng, office.token)))
            else:
                meter.request(client, f"mutated page #{mutations}",
                              get_page(mutate_token(rng, office.token)))
    finally:
        tracemalloc.stop()
    elapsed = time.monotonic() - started
    print(f"\n[public input memory] {meter.count} requests in {elapsed:.1f} s; worst "
          f"{meter.worst[0] / 1e6:.1f} MB ({meter.worst[1]})")
    assert meter.count >= 40
    assert elapsed < 60
