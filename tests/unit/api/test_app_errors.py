"""The HTTP error contract: every deliberate error is an RFC 9457 problem with its stable code and
both languages; request-validation errors are 422 without echoing the input; an unexpected
exception is a bare 500 problem with no traceback; and the token-bucket rate limiter."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from api.app import create_app
from api.errors_http import PROBLEM_JSON, status_for
from api.ratelimit import RateLimiter
from core import ErrorCode, Settings, ZhengzhaoError


class Body(BaseModel):
    number: int


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    app = create_app(Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("errors")),
                     refresh_trust_on_startup=False)

    @app.get("/test/raise/{code}")
    def raise_code(code: str) -> None:
        raise ZhengzhaoError(ErrorCode(code), "it went wrong", "出错了")

    @app.get("/test/crash")
    def crash() -> None:
        raise RuntimeError("secret internals 310101199001011234")

    @app.post("/test/body")
    def body(payload: Body) -> dict:
        return {"n": payload.number}

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.mark.parametrize(("code", "status"), [
    (ErrorCode.NOT_FOUND, 404), (ErrorCode.LICENCE_NOT_FOUND, 404), (ErrorCode.CRL_NOT_FOUND, 404),
    (ErrorCode.UNAUTHORIZED, 401), (ErrorCode.TOKEN_EXPIRED, 401), (ErrorCode.FORBIDDEN, 403),
    (ErrorCode.RATE_LIMITED, 429), (ErrorCode.INPUT_TOO_LARGE, 413),
    (ErrorCode.INPUT_UNSUPPORTED_TYPE, 415), (ErrorCode.INPUT_EMPTY, 422),
    (ErrorCode.VALIDATION_FAILED, 422), (ErrorCode.CONFLICT, 409),
    (ErrorCode.INVALID_TRANSITION, 409), (ErrorCode.PHOTO_MODEL_UNAVAILABLE, 503),
    (ErrorCode.KEYS_MISSING, 503), (ErrorCode.CONFIG_INVALID, 500),
    (ErrorCode.REGISTRY_CORRUPT, 500),
])
def test_each_error_code_maps_to_its_status_and_a_problem(client, code, status) -> None:
    response = client.get(f"/test/raise/{code.value}")
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json() == {
        "type": f"urn:zhengzhao:error:{code.value}", "title": response.json()["title"],
        "status": status, "code": code.value, "detail": "it went wrong", "detail_zh": "出错了",
        "instance": f"/test/raise/{code.value}"}
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"


def test_every_client_error_code_is_a_4xx() -> None:
    server_side = {ErrorCode.CONFIG_INVALID, ErrorCode.REGISTRY_CORRUPT, ErrorCode.ENGINE_FAILED,
                   ErrorCode.SERVICE_INVALID, ErrorCode.PHOTO_PROFILE_INVALID,
                   ErrorCode.KEYS_PASSPHRASE, ErrorCode.KEYS_INVALID,
                   ErrorCode.LICENCE_TEMPLATE_MISSING}
    for code in ErrorCode:
        if code.value.startswith(("input.", "auth.", "api.")):
            assert 400 <= status_for(code) < 500, code
        if code in server_side:
            assert status_for(code) == 500, code


def test_an_unexpected_exception_is_a_bare_500_problem(client) -> None:
    response = client.get("/test/crash")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["code"] == "api.internal"
    assert "Traceback" not in response.text and "310101" not in response.text
    assert "RuntimeError" not in response.text


def test_validation_errors_say_where_but_never_echo_the_input(client) -> None:
    response = client.post("/test/body", json={"number": "310101199001011234x"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "api.validation_failed"
    assert body["errors"][0]["loc"] == ["body", "number"]
    assert "310101199001011234" not in response.text


def test_the_token_bucket_bursts_then_refills() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=6, clock=lambda: now[0])
    assert [limiter.acquire("1.2.3.4") for _ in range(6)] == [0.0] * 6
    wait = limiter.acquire("1.2.3.4")
    assert wait == pytest.approx(10.0)  # one token per 10 s at 6 a minute
    assert limiter.acquire("5.6.7.8") == 0.0  # other clients have their own bucket
    now[0] = 10.0
    assert limiter.acquire("1.2.3.4") == 0.0
    assert limiter.acquire("1.2.3.4") > 0.0
    now[0] = 1000.0
    assert [limiter.acquire("1.2.3.4") for _ in range(6)] == [0.0] * 6  # capped at the burst


def test_the_app_is_built_per_call_with_its_own_settings(tmp_path: Path) -> None:
    first = create_app(Settings(_env_file=None, data_dir=tmp_path / "a"))
    second = create_app(Settings(_env_file=None, data_dir=tmp_path / "b"))
    assert first is not second
    assert first.state.settings.data_dir != second.state.settings.data_dir
    assert not (tmp_path / "a").exists()  # nothing is written before startup
