"""schemathesis against the applicant, clerk and admin operations of the app's own OpenAPI
schema, each generated request sent as each role in turn (200 derandomized examples per
operation): no 5xx, and every response — 401/403/404/409 problems included — matches the schema.

schemathesis needs the app when the module is collected, so its offices — one on SQLite, one on
PostgreSQL (a database of its own, marked ``integration``) — are made at import and removed when
the module's tests are done."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from office_db import office_database_url  # a sibling module

from api.app import create_app
from api.db import Database, Role, SqlLicenceRegistry, create_account, create_db, upgrade
from api.service_api import ServiceContext
from api.users_db import DbUsers
from core import Settings

PASSWORD = "correct horse battery"
USERS = {"alice": Role.APPLICANT, "carol": Role.CLERK, "dave": Role.ADMIN}
SERVICE_PATHS = r"^/api/v1/(services|applications|review|admin)"
# Examples per operation and backend, each sent as every role (derandomized: the same cases
# every run).
EXAMPLES = 200


class NoJobs:
    """Submitted applications simply stay ``submitted`` here."""

    def submit(self, application_id: int) -> None:
        del application_id


def service_app(settings: Settings, db: Database, context: ServiceContext) -> FastAPI:
    """The app serving ``context``, with accounts and the licence register in ``db``."""
    return create_app(settings, users=DbUsers(db), registry=SqlLicenceRegistry(db),
                      service=context)


def _office(url: str, directory: Path) -> tuple[FastAPI, Database, dict[str, str]]:
    office = Settings(_env_file=None, data_dir=directory, database_url=url,
                      verify_rate_per_minute=1_000_000, max_upload_bytes=64 * 1024)
    upgrade(office)
    db = create_db(office)
    with db.transaction() as session:
        for name, role in USERS.items():
            create_account(session, name, role, PASSWORD)
    app = service_app(office, db, ServiceContext(office, db=db, jobs=NoJobs()))
    app.state.trust.refresh()  # what the startup does; schemathesis's ASGI calls skip lifespan
    client = TestClient(app)
    tokens = {}
    for name in USERS:
        response = client.post("/api/v1/auth/token", data={"username": name,
                                                            "password": PASSWORD})
        tokens[name] = f"Bearer {response.json()['access_token']}"
    created = client.post("/api/v1/applications", json={"service_id": "id-card-renewal"},
                          headers={"Authorization": tokens["alice"]})
    assert created.status_code == 201
    return app, db, tokens


_CLEANUP = ExitStack()
DIRECTORY = Path(tempfile.mkdtemp(prefix="zz-routes-schema-"))
OFFICES = {}
for _backend in ("sqlite", "postgresql"):
    _directory = DIRECTORY / _backend
    _directory.mkdir()
    OFFICES[_backend] = _office(
        _CLEANUP.enter_context(office_database_url(_backend, _directory)), _directory)
SQLITE_SCHEMA = schemathesis.openapi.from_asgi(
    "/api/v1/openapi.json", OFFICES["sqlite"][0]).include(path_regex=SERVICE_PATHS)
POSTGRES_SCHEMA = schemathesis.openapi.from_asgi(
    "/api/v1/openapi.json", OFFICES["postgresql"][0]).include(path_regex=SERVICE_PATHS)


@pytest.fixture(scope="module", autouse=True)
def _remove_offices() -> Iterator[None]:
    yield
    for _app, db, _tokens in OFFICES.values():
        db.dispose()
    _CLEANUP.close()
    shutil.rmtree(DIRECTORY, ignore_errors=True)


def _call_as_every_role(case, tokens: dict[str, str]) -> None:
    # Schema-valid bodies are rightly refused (wrong state, not a document), so "positive data
    # is accepted" does not apply.
    for who in sorted(USERS):
        case.call_and_validate(headers={"Authorization": tokens[who]}, excluded_checks=[
            schemathesis.checks.positive_data_acceptance])


@SQLITE_SCHEMA.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_responses_match_the_schema(case) -> None:
    _call_as_every_role(case, OFFICES["sqlite"][2])


@pytest.mark.integration
@POSTGRES_SCHEMA.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_responses_match_the_schema_on_postgresql(case) -> None:
    _call_as_every_role(case, OFFICES["postgresql"][2])
