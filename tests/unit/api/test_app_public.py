"""The public service endpoints through FastAPI's TestClient, against a real office (keys, a
licence issued with ``elicense`` into the app's data dir): verification by token and by PDF,
revocation seen at once, the verifier pages, the trust material, health, metrics, and every kind
of bad input answered with a 4xx problem+json carrying a code — never a 500."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core import Settings
from elicense import FileRegistry, load_licence, load_templates, load_trust, revoke_licence
from elicense import issue_licence as issue
from signing import KeyStore, b45encode

ROOT = Path(__file__).resolve().parents[3]
RECORDS = ROOT / "samples" / "licences"


def loopback(client: TestClient) -> TestClient:
    """The same app asked from 127.0.0.1: ``/metrics`` answers loopback peers only by
    default, and TestClient's own peer is the host name ``testclient``."""
    return TestClient(client.app, client=("127.0.0.1", 50000))


def issue_into(settings: Settings, record: str):
    licence = load_licence(RECORDS / record)
    template = load_templates().get(licence.type_code)
    photo = (RECORDS / "holder_photo.jpg").read_bytes() if template.photo else None
    return issue(licence, template, photo=photo,
                 store=KeyStore.from_settings(settings),
                 registry=FileRegistry(settings.data_dir / "licences"),
                 issuer_code=settings.issuer_code, published_dir=settings.data_dir / "published")


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("office"),
                    verify_rate_per_minute=10_000)


@pytest.fixture(scope="module")
def client(settings: Settings):
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def issued(client: TestClient, settings: Settings):
    """A residence permit issued after the app started (its keys were made at startup)."""
    return issue_into(settings, "residence_permit.json")


@pytest.fixture(scope="module")
def to_revoke(client: TestClient, settings: Settings):
    return issue_into(settings, "food_business_licence.json")


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code and body["status"] == status
    assert body["detail"] and body["detail_zh"] and body["type"].endswith(code)
    assert "Traceback" not in response.text
    return body


def test_startup_created_keys_and_published_the_trust_folder(client, settings) -> None:
    trust = load_trust(settings.data_dir / "published")
    assert trust.status_list is not None and trust.trusted_keys
    assert client.get("/healthz").json() == {"status": "ok", "trust_loaded": True}


def test_a_valid_token_passes(client, issued) -> None:
    response = client.post("/api/v1/verify", json={"token": issued.token})
    assert response.status_code == 200
    body = response.json()
    assert body["indication"] == "PASSED" and body["valid"] is True
    assert body["licence"]["holder_code"].count("*") >= 10  # masked, never in clear


def test_a_valid_pdf_passes(client, issued) -> None:
    response = client.post("/api/v1/verify",
                           files={"file": ("p.pdf", issued.pdf, "application/pdf")})
    assert response.status_code == 200
    body = response.json()
    assert body["indication"] == "PASSED", body
    assert body["pdf"]["level"] == "B-LTA"


def test_a_tampered_pdf_fails_with_http_200(client, issued) -> None:
    pdf = bytearray(issued.pdf)
    middle = len(pdf) // 2
    pdf[middle] ^= 0x01
    response = client.post("/api/v1/verify",
                           files={"file": ("p.pdf", bytes(pdf), "application/pdf")})
    assert response.status_code == 200
    assert response.json()["indication"] != "PASSED"


def test_a_well_formed_forged_token_is_a_failed_verdict_not_an_error(client, issued) -> None:
    forged = "ZZ1:" + b45encode(b"\x78\x9c" + bytes(40))  # framing fine, content nonsense
    response = client.post("/api/v1/verify", json={"token": forged})
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        assert response.json()["indication"] != "PASSED"
    else:
        assert_problem(response, 422, "token.malformed")


def test_a_token_with_a_changed_character_is_not_passed(client, issued) -> None:
    token = issued.token
    changed = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    response = client.post("/api/v1/verify", json={"token": changed})
    if response.status_code == 200:
        assert response.json()["indication"] != "PASSED"
    else:
        assert_problem(response, 422, "token.malformed")


def test_revocation_shows_at_once_on_the_api_and_the_page(client, settings, to_revoke) -> None:
    url = "/v/" + quote(to_revoke.token, safe="")
    page = client.get(url)
    assert page.status_code == 200 and 'data-indication="PASSED"' in page.text
    revoke_licence(load_licence(RECORDS / "food_business_licence.json").identifier, "test",
                   store=KeyStore.from_settings(settings),
                   registry=FileRegistry(settings.data_dir / "licences"),
                   issuer_code=settings.issuer_code,
                   published_dir=settings.data_dir / "published")
    body = client.post("/api/v1/verify", json={"token": to_revoke.token}).json()
    assert body["indication"] == "FAILED" and body["sub_indication"] == "licence.revoked"
    page = client.get(url)
    assert 'data-indication="FAILED"' in page.text and "已被吊销" in page.text


def test_the_qr_page_shows_public_fields_in_chinese_and_english(client, issued) -> None:
    page = client.get("/v/" + quote(issued.token, safe="") + "?lang=en")
    assert page.status_code == 200
    assert 'class="lang-en"' in page.text
    assert "证照有效" in page.text and "Valid licence" in page.text
    assert "林晓雨" in page.text  # the holder, as signed in the token
    masked = re.search(r"<td>([0-9X]\*{10,}[0-9X])</td>", page.text)
    assert masked, "the masked holder code is on the page"
    assert "/static/style.css" in page.text
    assert client.get("/static/style.css").status_code == 200


def test_the_qr_page_answers_garbage_with_a_red_page(client) -> None:
    page = client.get("/v/not-a-token")
    assert page.status_code == 422
    assert 'data-indication="FAILED"' in page.text and "token.malformed" in page.text


def test_the_upload_page_verifies_a_pdf(client, issued) -> None:
    form = client.get("/verify")
    assert form.status_code == 200 and 'name="file"' in form.text
    page = client.post("/verify", files={"file": ("p.pdf", issued.pdf, "application/pdf")})
    assert page.status_code == 200 and 'data-indication="PASSED"' in page.text
    page = client.post("/verify", files={"file": ("p.pdf", b"hello", "application/pdf")})
    assert page.status_code == 415 and "input.unsupported_type" in page.text


@pytest.mark.parametrize(("kwargs", "status", "code"), [
    ({"files": {"file": ("p.pdf", b"", "application/pdf")}}, 422, "input.empty"),
    ({"files": {"file": ("p.pdf", b"GIF89a not a pdf", "application/pdf")}}, 415,
     "input.unsupported_type"),
    ({"files": {"other": ("p.pdf", b"%PDF-1.7", "application/pdf")}}, 422,
     "api.validation_failed"),
    ({"json": {"token": "hello"}}, 422, "token.malformed"),
    ({"json": {"token": "ZZ1:%%%%"}}, 422, "token.malformed"),
    ({"json": {"token": ""}}, 422, "api.validation_failed"),
    ({"json": {"nope": 1}}, 422, "api.validation_failed"),
    ({"json": [1, 2]}, 422, "api.validation_failed"),
    ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 422,
     "api.validation_failed"),
    ({"content": b"ZZ1:abc", "headers": {"content-type": "text/plain"}}, 415,
     "input.unsupported_type"),
    ({"content": b"--x\r\nbroken", "headers": {"content-type": "multipart/form-data; boundary=x"}},
     422, "api.validation_failed"),
    ({}, 415, "input.unsupported_type"),
])
def test_bad_verify_requests_are_4xx_problems(client, kwargs, status, code) -> None:
    assert_problem(client.post("/api/v1/verify", **kwargs), status, code)


def test_a_pdf_is_never_read_from_a_truncated_upload(client, issued) -> None:
    response = client.post("/api/v1/verify",
                           files={"file": ("p.pdf", issued.pdf[: len(issued.pdf) // 3],
                                           "application/pdf")})
    assert response.status_code == 200 and response.json()["indication"] != "PASSED"


def test_oversized_uploads_are_413(tmp_path: Path) -> None:
    small = Settings(_env_file=None, data_dir=tmp_path, max_upload_bytes=4096)
    with TestClient(create_app(small)) as test_client:
        big = b"%PDF-1.7\n" + bytes(10_000)
        assert_problem(test_client.post("/api/v1/verify",
                                        files={"file": ("p.pdf", big, "application/pdf")}),
                       413, "input.too_large")

        def chunks():  # no Content-Length: counted while reading
            for _ in range(40):
                yield bytes(1024)

        assert_problem(test_client.post(
            "/api/v1/verify", content=chunks(),
            headers={"content-type": "multipart/form-data; boundary=x"}), 413, "input.too_large")
        assert_problem(test_client.post("/api/v1/verify", json={"token": "ZZ1:" + "A" * 20_000}),
                       413, "input.too_large")


def test_the_trust_material_is_published(client, settings) -> None:
    listing = client.get("/api/v1/trust-list")
    assert listing.status_code == 200 and listing.json()["format"] == "zhengzhao-trust-list"
    root = client.get("/api/v1/trust-list/root.pem")
    assert root.status_code == 200
    assert root.content == (settings.data_dir / "published" / "root.pem").read_bytes()
    assert root.content.startswith(b"-----BEGIN CERTIFICATE-----")
    status = client.get("/api/v1/status-list")
    assert status.status_code == 200 and status.headers["content-type"] == "application/cose"


def test_unknown_routes_and_methods_are_problems(client) -> None:
    assert_problem(client.get("/api/v1/nothing-here"), 404, "api.not_found")
    assert_problem(client.get("/api/v1/verify"), 405, "api.validation_failed")


def test_metrics_count_verdicts_by_indication(client, issued) -> None:
    def count(indication: str) -> float:
        text = loopback(client).get("/metrics").text
        line = f'zz_verify_verdicts_total{{indication="{indication}",kind="token"}}'
        values = [float(row.split()[-1]) for row in text.splitlines() if row.startswith(line)]
        return values[0] if values else 0.0

    before = count("PASSED")
    client.post("/api/v1/verify", json={"token": issued.token})
    assert count("PASSED") == before + 1
    text = loopback(client).get("/metrics").text
    assert 'route="/api/v1/verify"' in text
    assert issued.token[:12] not in text  # route templates, never the token


def test_public_endpoints_are_rate_limited_per_client(tmp_path: Path) -> None:
    tight = Settings(_env_file=None, data_dir=tmp_path, verify_rate_per_minute=3)
    with TestClient(create_app(tight)) as test_client:
        answers = [test_client.post("/api/v1/verify", json={"token": "x"}) for _ in range(4)]
    assert [a.status_code for a in answers[:3]] == [422, 422, 422]
    body = assert_problem(answers[3], 429, "api.rate_limited")
    assert body["detail_zh"]
    assert int(answers[3].headers["retry-after"]) >= 1


def test_two_apps_do_not_share_metrics(tmp_path: Path) -> None:
    first = create_app(Settings(_env_file=None, data_dir=tmp_path / "a"))
    second = create_app(Settings(_env_file=None, data_dir=tmp_path / "b"))
    assert first.state.metrics.registry is not second.state.metrics.registry


def test_a_running_service_re_signs_its_status_list(tmp_path: Path, monkeypatch) -> None:
    import api.deps

    cache = api.deps.TrustCache(Settings(_env_file=None, data_dir=tmp_path))
    cache.refresh()
    status = tmp_path / "published" / "status-list.cose"
    first = status.stat().st_mtime_ns
    cache.get()
    assert status.stat().st_mtime_ns == first  # within the interval: untouched
    monkeypatch.setattr(api.deps, "REPUBLISH_EVERY_SECONDS", -1.0)
    trust = cache.get()
    assert status.stat().st_mtime_ns != first  # re-published (replaced atomically)
    assert trust.status_list == status.read_bytes()
