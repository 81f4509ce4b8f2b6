"""Property-based API testing with schemathesis against the app's own OpenAPI schema: for every
documented operation, generated requests (50 per operation, derandomized) never get a 5xx and
every response conforms to the schema (status codes, content types, bodies).

schemathesis needs the app when the module is collected, before any tmp_path fixture exists, so
its office lives under ``var/test-artifacts/schema-office`` (git-ignored; keys reused)."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from api.app import create_app
from core import Settings

_OFFICE = Path(__file__).resolve().parents[3] / "var" / "test-artifacts" / "schema-office"


def _app() -> FastAPI:
    office = Settings(_env_file=None, data_dir=_OFFICE, verify_rate_per_minute=1_000_000)
    app = create_app(office)
    app.state.trust.refresh()  # what the startup does; schemathesis's ASGI calls skip lifespan
    return app


APP = _app()
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=50, derandomize=True, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_responses_match_the_schema(case) -> None:
    # A schema cannot say "a signed PDF" or "a well-framed token": schema-valid bodies that are
    # neither are rightly refused (415/422), so "positive data is accepted" does not apply here.
    case.call_and_validate(excluded_checks=[schemathesis.checks.positive_data_acceptance])


def test_the_schema_documents_the_public_operations() -> None:
    raw = TestClient(APP).get("/api/v1/openapi.json").json()
    paths = raw["paths"]
    assert {"/api/v1/verify", "/api/v1/trust-list", "/api/v1/auth/token", "/healthz"} <= set(paths)
    body = paths["/api/v1/verify"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(body)
    for operations in paths.values():
        for operation in operations.values():
            errors = {k: v for k, v in operation["responses"].items() if k[0] in "45d"}
            assert errors and all(set(v["content"]) == {"application/problem+json"}
                                  for v in errors.values())
