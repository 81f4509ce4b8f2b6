"""``POST /api/v1/verify`` and ``POST /verify`` with an OFD licence (issue 15, items 4 and 7),
through FastAPI's TestClient against a real office whose keys (ECDSA and SM2) the app made at
startup: a sealed licence OFD is PASSED with the same JSON verdict shape as a PDF's (``ofd`` in
place of ``pdf``), an edited one FAILED (HTTP 200 both), another implementation's sealed OFD
INDETERMINATE; every bad package — zip bomb, entry path names, duplicate or missing entries,
XML entities (XXE) in a part or in Signature.xml, a malformed seal — is a 4xx problem+json with
its stable ``ofd.*`` code and both messages, never a 500. The upload page shows an OFD's verdict
like a PDF's."""

from __future__ import annotations

import base64
import io
import random
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.schemas.verification import VerdictPublic
from core import Settings
from elicense import (
    FileRegistry,
    Seal,
    licence_ofd,
    load_licence,
    load_templates,
    seal_licence_ofd,
)
from elicense import issue_licence as issue
from signing import KeyStore, read_ofd, write_ofd

ROOT = Path(__file__).resolve().parents[3]
RECORDS = ROOT / "samples" / "licences"
OFDRW = ROOT / "tests" / "data" / "ofd" / "ofdrw"
HOLDER = "林晓雨"  # the residence permit's holder
OFD_TYPE = "application/ofd"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("ofd-office"),
                    verify_rate_per_minute=10_000)


@pytest.fixture(scope="module")
def client(settings: Settings):
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def sealed(client: TestClient, settings: Settings) -> bytes:
    """The residence permit as a sealed OFD, made as ``zhengzhao issue --format ofd`` makes it,
    with the keys the app created at startup."""
    licence = load_licence(RECORDS / "residence_permit.json")
    template = load_templates().get(licence.type_code)
    photo = (RECORDS / "holder_photo.jpg").read_bytes()
    store = KeyStore.from_settings(settings)
    issued = issue(licence, template, photo=photo, store=store,
                   registry=FileRegistry(settings.data_dir / "licences"),
                   issuer_code=settings.issuer_code,
                   published_dir=settings.data_dir / "published")
    ofd, placement = licence_ofd(issued, template, photo=photo, draw_seal=False)
    return seal_licence_ofd(ofd, placement, Seal(licence.issuer, colour=template.colours.seal),
                            store, datetime.now(UTC))


def post_ofd(client: TestClient, data: bytes, url: str = "/api/v1/verify"):
    return client.post(url, files={"file": ("licence.ofd", data, OFD_TYPE)})


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code and body["status"] == status
    assert body["detail"] and body["detail_zh"] and body["type"].endswith(code)
    assert "Traceback" not in response.text
    return body


def zipped(entries: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def replaced(ofd: bytes, path_end: str, data: bytes) -> bytes:
    files = dict(read_ofd(ofd).files)
    path = next(p for p in files if p.endswith(path_end))
    files[path] = data
    return write_ofd(files)


def test_a_sealed_licence_ofd_passes_with_the_pdf_verdict_shape(client, sealed) -> None:
    response = post_ofd(client, sealed)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["indication"] == "PASSED" and body["valid"] is True, body
    assert body["pdf"] is None and body["ofd"]["indication"] == "PASSED"
    assert body["ofd"]["anchor"] == "issuer"
    assert body["licence"]["holder_code"].count("*") >= 10
    VerdictPublic.model_validate(body)
    pdf_keys = {"indication", "sub_indication", "valid", "checks", "licence", "pdf", "token",
                "signed_by", "ofd"}
    assert set(body) == pdf_keys


def test_an_edited_licence_ofd_fails_with_http_200(client, sealed) -> None:
    page = read_ofd(sealed).files["Doc_0/Pages/Page_0/Content.xml"]
    response = post_ofd(client, replaced(sealed, "Content.xml",
                                         page.replace(HOLDER.encode(), "李四".encode())))
    assert response.status_code == 200
    body = response.json()
    assert body["indication"] == "FAILED" and body["ofd"]["indication"] == "FAILED"


def test_another_implementations_sealed_ofd_is_indeterminate(client) -> None:
    response = post_ofd(client, (OFDRW / "v4signed.ofd").read_bytes())
    assert response.status_code == 200
    body = response.json()
    assert body["indication"] == "INDETERMINATE" and body["licence"] is None


_XXE = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016">&x;</ofd:OFD>')
_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
           b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
           b'<r>&c;</r>')
# 3 MB of text that does not compress much (a zip bomb is another code): above the XML cap.
_NOISE = base64.b64encode(random.Random(15).randbytes(3 * 1024 * 1024 * 3 // 4))


@pytest.mark.parametrize(("data", "status", "code"), [
    (b"PK\x03\x04 not really a zip", 422, "ofd.not_zip"),
    (zipped([("OFD.xml", bytes(40 * 1024 * 1024))]), 413, "ofd.zip_bomb"),
    (zipped([("../../etc/OFD.xml", b"<x/>")]), 422, "ofd.path_name"),
    (zipped([("/OFD.xml", b"<x/>")]), 422, "ofd.path_name"),
    (zipped([("Doc_0\\Document.xml", b"<x/>")]), 422, "ofd.path_name"),
    (zipped([("OFD.xml", b"<x/>"), ("ofd.xml", b"<x/>")]), 422, "ofd.duplicate_entry"),
    (zipped([("Doc_0/Document.xml", b"<x/>")]), 422, "ofd.missing_entry"),
    (zipped([("OFD.xml", _XXE)]), 422, "ofd.xml_forbidden"),
    (zipped([("OFD.xml", _LAUGHS)]), 422, "ofd.xml_forbidden"),
    (zipped([("OFD.xml", b"<r>" + _NOISE + b"</r>")]), 413, "ofd.xml_too_large"),
])
def test_a_bad_package_is_a_4xx_with_its_code(client, data, status, code) -> None:
    assert_problem(post_ofd(client, data), status, code)


def test_a_malformed_seal_is_a_422_with_its_code(client, sealed) -> None:
    bad = replaced(sealed, "SignedValue.dat", b"\x30\x82\xff\xff\x02\x01\x04")
    assert_problem(post_ofd(client, bad), 422, "ofd.seal_malformed")


def test_entities_in_signature_xml_are_a_422(client, sealed) -> None:
    signature = next(p for p in read_ofd(sealed).files if p.endswith("Signature.xml"))
    text = read_ofd(sealed).files[signature]
    head = b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    bad = replaced(sealed, "Signature.xml", head + text.split(b"?>", 1)[1])
    assert_problem(post_ofd(client, bad), 422, "ofd.xml_forbidden")


def test_the_upload_page_shows_an_ofds_verdict_like_a_pdfs(client, sealed) -> None:
    page = post_ofd(client, sealed, "/verify")
    assert page.status_code == 200 and 'data-indication="PASSED"' in page.text
    assert HOLDER in page.text and 'id="holder-photo" src="data:image/jpeg;base64,' in page.text
    edited = replaced(sealed, "licence.json", b"{}")
    page = post_ofd(client, edited, "/verify")
    assert page.status_code == 200 and 'data-indication="FAILED"' in page.text
    assert HOLDER not in page.text
    bomb = zipped([("OFD.xml", bytes(40 * 1024 * 1024))])
    page = post_ofd(client, bomb, "/verify")
    assert page.status_code == 413 and "ofd.zip_bomb" in page.text


def test_ofd_verifications_are_counted_as_ofd(client, sealed) -> None:
    post_ofd(client, sealed)
    metrics = TestClient(client.app, client=("127.0.0.1", 50000)).get("/metrics")
    assert metrics.status_code == 200
    assert re.search(r'zz_verify_verdicts_total\{indication="PASSED",kind="ofd"\} [1-9]',
                     metrics.text), metrics.text[:2000]
