"""Plugging the applicant, clerk and admin API into an app: :func:`build_service_context`
describes the database, file store, service catalogue and job dispatcher (built lazily from
Settings unless handed in); :func:`install_service_api` puts the context on
``app.state.service`` and adds the routers. ``create_app`` calls both by default; tests pass
their own context (e.g. jobs run inline)."""

from __future__ import annotations

from fastapi import FastAPI

from api.db import Database
from api.routes import admin, applicant, clerk
from api.service_context import ContextRegistry, JobDispatcher, ServiceContext
from api.storage import FileStore
from core import Settings

__all__ = ["ContextRegistry", "ServiceContext", "build_service_context", "install_service_api"]


def build_service_context(settings: Settings, *, db: Database | None = None,
                          store: FileStore | None = None,
                          jobs: JobDispatcher | None = None) -> ServiceContext:
    """The service context for ``settings``; nothing is built or written until first use or
    :meth:`ServiceContext.open` (see :class:`ServiceContext` for the defaults)."""
    return ServiceContext(settings, db=db, store=store, jobs=jobs)


def install_service_api(app: FastAPI, context: ServiceContext) -> None:
    """Serve the applicant, clerk and admin routes of ``app`` from ``context``."""
    app.state.service = context
    app.include_router(applicant.router)
    app.include_router(clerk.router)
    app.include_router(admin.router)
