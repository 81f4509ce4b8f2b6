"""Plugging the applicant, clerk and admin API into an app: a :class:`ServiceContext`
describes the database, file store, service catalogue and job dispatcher (built lazily from
Settings unless handed in); :func:`install_service_api` puts the context on
``app.state.service`` and adds the routers. ``create_app`` builds a context from its settings
unless handed one; tests pass their own (e.g. jobs run inline)."""

from __future__ import annotations

from fastapi import FastAPI

from api.routes import admin, applicant, clerk
from api.service_context import ServiceContext

__all__ = ["ServiceContext", "install_service_api"]


def install_service_api(app: FastAPI, context: ServiceContext) -> None:
    """Serve the applicant, clerk and admin routes of ``app`` from ``context``."""
    app.state.service = context
    app.include_router(applicant.router)
    app.include_router(clerk.router)
    app.include_router(admin.router)
