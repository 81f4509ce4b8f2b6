"""The layout of ``api/`` shows its architecture (issue 12): every router lives in
``api/routes/`` and that package holds routers only; the use cases in ``api/workflow/`` know no
HTTP, no huey and no CLI, and never import the layers that call them."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from fastapi import APIRouter

API = Path(__file__).resolve().parents[3] / "api"
ROUTE_MODULES = sorted(p.stem for p in (API / "routes").glob("*.py") if p.stem != "__init__")
# What a use case may not import: the web framework, the job queue, and every caller of
# workflow (routes, pages, jobs, the CLI, the request-scoped context, the HTTP error type).
FORBIDDEN_IN_WORKFLOW = ("fastapi", "starlette", "huey", "argparse", "api.routes", "api.jobs",
                         "api.cli", "api.service_context", "api.service_api", "api.errors_http",
                         "api.web_session", "api.request_body", "api.schemas", "api.app")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


_ROUTE_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "api_route",
                  "add_api_route", "websocket"}


def _makes_a_router(path: Path) -> bool:
    """An ``APIRouter(...)``, or a route added to an app directly (``@app.get(...)``,
    ``app.add_api_route(...)``): both put HTTP handlers in the module."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        if ast.unparse(node.func).endswith("APIRouter"):
            return True
        func = node.func
        if (isinstance(func, ast.Attribute) and func.attr in _ROUTE_METHODS
                and isinstance(func.value, ast.Name) and func.value.id == "app"):
            return True
    return False


@pytest.mark.parametrize("name", ROUTE_MODULES)
def test_every_module_in_routes_is_a_router(name: str) -> None:
    module = importlib.import_module(f"api.routes.{name}")
    assert isinstance(getattr(module, "router", None), APIRouter), f"api/routes/{name}.py"


def test_no_router_outside_routes() -> None:
    outside = [str(path.relative_to(API)) for path in sorted(API.rglob("*.py"))
               if "routes" not in path.relative_to(API).parts and _makes_a_router(path)]
    assert not outside


def test_workflow_knows_no_http_jobs_or_cli() -> None:
    bad = [f"{path.name} imports {name}" for path in sorted((API / "workflow").glob("*.py"))
           for name in sorted(_imports(path))
           if any(name == f or name.startswith(f + ".") for f in FORBIDDEN_IN_WORKFLOW)]
    assert not bad, "\n".join(bad)


def test_the_checks_see_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from fastapi import APIRouter\nfrom api.errors_http import ApiError\n"
                   "router = APIRouter()\n")
    assert _makes_a_router(bad)
    assert {"fastapi", "api.errors_http"} <= _imports(bad)
    on_the_app = tmp_path / "on_the_app.py"
    on_the_app.write_text("def install(app):\n    @app.get('/x')\n    def x():\n        pass\n")
    assert _makes_a_router(on_the_app)
