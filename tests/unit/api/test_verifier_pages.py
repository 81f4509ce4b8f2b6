"""The verifier's pages and the link form of a token (issue 13, items 3 and 9), through
FastAPI's TestClient against a real office: every token verifier takes the link a QR code
holds; ``POST /v`` answers the /v page's script with the verdict fragment; a valid licence
shows its name, issuer, photo, signer and check time; a FAILED one shows no holder data; an
ordinary PDF is "not an e-licence"; no raw code is the message."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.workflow.offline_trust import page_trust
from core import Settings
from elicense import (
    FileRegistry,
    load_licence,
    load_templates,
    load_trust,
    revoke_licence,
    verify_link,
)
from elicense import issue_licence as issue
from signing import KeyStore

ROOT = Path(__file__).resolve().parents[3]
RECORDS = ROOT / "samples" / "licences"
ORDINARY_PDF = ROOT / "samples" / "documents" / "0003_form_clean.pdf"
PUBLIC_URL = "https://zz.example.gov.cn"
HOLDER = "林晓雨"  # the residence permit's holder


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("verifier-office"),
                    verify_rate_per_minute=10_000, public_url=PUBLIC_URL)


@pytest.fixture(scope="module")
def client(settings: Settings):
    with TestClient(create_app(settings), base_url=PUBLIC_URL) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def issued(client: TestClient, settings: Settings):
    licence = load_licence(RECORDS / "residence_permit.json")
    photo = (RECORDS / "holder_photo.jpg").read_bytes()
    return issue(licence, load_templates().get(licence.type_code), photo=photo,
                 store=KeyStore.from_settings(settings),
                 registry=FileRegistry(settings.data_dir / "licences"),
                 issuer_code=settings.issuer_code, published_dir=settings.data_dir / "published",
                 public_url=settings.public_url)


def visible_text(html: str) -> str:
    """The page without its technical-details block (what a verifier reads)."""
    return re.sub(r"<details class=\"tech\">.*?</details>", "", html, flags=re.S)


def test_the_api_accepts_the_link_a_qr_code_holds(client, issued) -> None:
    link = verify_link(issued.token, PUBLIC_URL)
    assert link.startswith(PUBLIC_URL + "/v#ZZ1:")
    body = client.post("/api/v1/verify", json={"token": link}).json()
    assert body["indication"] == "PASSED", body
    assert body["licence"]["name"] == "居住证"


def test_the_link_page_reads_the_fragment_with_a_script(client) -> None:
    page = client.get("/v")
    assert page.status_code == 200
    assert 'id="verdict-slot"' in page.text and "/static/verify_link.js" in page.text
    assert "<script>" not in page.text  # no inline script (CSP)
    assert client.get("/static/verify_link.js").status_code == 200
    assert client.get("/static/verifier.css").status_code == 200


def test_the_link_page_carries_the_offline_check_and_links_the_offline_page(client) -> None:
    """Issue 14: /v checks the token in the page with the offline verifier's bundle against the
    root-signed trust material it carries; /v and /verify link to /verify/offline."""
    page = client.get("/v").text
    bundle, script = page.index("/static/offline/verifier.js"), page.index("/static/verify_link.js")
    assert bundle < script  # the bundle's zzLinkCheck is there before verify_link.js runs
    holder = re.search(r'<div id="link-trust"[^>]*>', page)
    assert holder, "the trust material holder"
    assert re.search(r'data-trust-cose="[A-Za-z0-9+/=]{100,}"', holder[0])
    assert re.search(r'data-root="[A-Za-z0-9+/=]{40,}"', holder[0])
    names = re.search(r"data-type-names='([^']*)'", holder[0])
    assert names and "居住证" in json.loads(names[1]).values()  # for tokens that carry none
    assert 'id="check-online"' in page  # the explicit online fallback
    for address in ("/v", "/verify"):
        assert 'href="/verify/offline"' in client.get(address).text, address


def test_post_v_answers_with_the_verdict_fragment(client, issued) -> None:
    response = client.post("/v", json={"token": verify_link(issued.token, PUBLIC_URL)})
    assert response.status_code == 200
    text = response.text
    assert "<html" not in text  # a fragment for the page's script
    assert 'data-indication="PASSED"' in text and 'data-kind="valid"' in text
    assert 'data-fact="name"' in text and "居住证" in text
    assert 'data-fact="issuer_name"' in text and HOLDER in text
    assert 'id="checked-at"' in text and 'id="signer"' in text
    assert "示例市行政审批局" in text  # the signer as the trust list names it


def test_post_v_refuses_what_is_not_a_token(client) -> None:
    for body in ({"token": "hello"}, {"token": PUBLIC_URL + "/elsewhere#ZZ1:AB"}, {"x": 1}):
        response = client.post("/v", json=body)
        assert response.status_code == 422, body
        assert 'data-indication="FAILED"' in response.text


def test_a_valid_pdf_shows_the_photo_checked_against_its_signed_hash(client, issued) -> None:
    page = client.post("/verify", files={"file": ("p.pdf", issued.pdf, "application/pdf")})
    assert page.status_code == 200 and 'data-indication="PASSED"' in page.text
    assert 'id="holder-photo" src="data:image/jpeg;base64,' in page.text
    assert "居住证" in page.text and HOLDER in page.text


def test_a_tampered_pdf_is_red_without_any_holder_data(client, issued) -> None:
    tampered = bytearray(issued.pdf)
    at = issued.pdf.index(b"stream", issued.pdf.index(b"/Length")) + 30
    tampered[at] ^= 0x01
    page = client.post("/verify", files={"file": ("p.pdf", bytes(tampered), "application/pdf")})
    assert page.status_code == 200 and 'data-indication="FAILED"' in page.text
    assert HOLDER not in page.text and "holder-photo" not in page.text
    assert 'id="licence-facts"' not in page.text
    shown = visible_text(page.text)
    for code in ("HASH_FAILURE", "MODIFIED", "SIG_CRYPTO_FAILURE", "licence.inconsistent",
                 "token.bad_signature"):
        assert code not in shown


def test_an_ordinary_pdf_is_not_an_e_licence(client) -> None:
    page = client.post("/verify", files={"file": ("form.pdf", ORDINARY_PDF.read_bytes(),
                                                   "application/pdf")})
    assert page.status_code == 200
    assert 'data-kind="not_elicence"' in page.text and "这不是电子证照" in page.text
    assert "NO_SIGNATURE" not in visible_text(page.text)


def test_a_revoked_licence_says_so_in_words_and_hides_the_holder(client, settings) -> None:
    licence = load_licence(RECORDS / "food_business_licence.json")
    issued = issue(licence, load_templates().get(licence.type_code), photo=None,
                   store=KeyStore.from_settings(settings),
                   registry=FileRegistry(settings.data_dir / "licences"),
                   issuer_code=settings.issuer_code,
                   published_dir=settings.data_dir / "published", public_url=PUBLIC_URL)
    revoke_licence(licence.identifier, "test", store=KeyStore.from_settings(settings),
                   registry=FileRegistry(settings.data_dir / "licences"),
                   issuer_code=settings.issuer_code,
                   published_dir=settings.data_dir / "published")
    response = client.post("/v", json={"token": verify_link(issued.token, PUBLIC_URL)})
    assert 'data-indication="FAILED"' in response.text
    assert "该证照已被吊销/注销。" in response.text
    assert licence.holder not in response.text
    assert "(revoked)" not in response.text


def test_the_pages_trust_material_is_signed_once_not_per_request(client, settings) -> None:
    """/v is what every QR scan opens, unauthenticated: it must not re-read the trust folders
    and sign with the root per request. ECDSA signatures are randomised, so the same signature
    twice means one signing; a new status list of this office (a revocation) is signed anew."""
    cose = re.compile(r'data-trust-cose="([A-Za-z0-9+/=]+)"')
    first, second = (cose.search(client.get("/v").text) for _ in range(2))
    assert first and second and first[1] == second[1]
    own = load_trust(settings.data_dir / "published")
    signed = page_trust(settings, own)
    assert page_trust(settings, own) is signed
    revoked = dataclasses.replace(own, status_list=(own.status_list or b"") + b"\0")
    assert page_trust(settings, revoked).cose != signed.cose
