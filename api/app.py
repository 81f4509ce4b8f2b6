"""The FastAPI application factory. ``create_app(settings)`` builds a fresh app — nothing is
created at import time — with its settings, user source, trust cache, metrics registry and rate
limiter on ``app.state``, the problem+json error handlers, and the routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.auth import InMemoryUsers, UserSource
from api.auth import router as auth_router
from api.deps import TrustCache
from api.errors_http import install_error_handlers
from api.metrics import ServiceMetrics, install_metrics
from api.ratelimit import RateLimiter
from api.routes import pages, public, web_applicant, web_clerk
from api.service_api import (
    ContextRegistry,
    ServiceContext,
    build_service_context,
    install_service_api,
)
from api.users_db import DbUsers
from api.web_session import router as web_session_router
from core import Settings
from elicense import LicenceRegistry

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
API_VERSION = "1.0"


def create_app(settings: Settings, *, users: UserSource | None = None,
               registry: LicenceRegistry | None = None,
               refresh_trust_on_startup: bool = True,
               service: ServiceContext | None = None,
               with_service_api: bool = True) -> FastAPI:
    """A new service app. ``users`` is where accounts come from (default: an empty in-memory
    source); ``registry`` is the licence register the published status list is built from
    (default: the CLI's file register under the data dir). On startup the published trust
    folder is refreshed (keys created in dev). ``service`` holds the database, file store and
    jobs of the applicant/clerk/admin API (default: built from ``settings`` at startup, the
    database migrated); accounts and the licence register then default to that database.
    ``with_service_api=False`` serves the public routes only, as before."""
    if service is None and with_service_api:
        service = build_service_context(settings)
    if service is not None:
        context = service
        users = users if users is not None else DbUsers(lambda: context.db)
        registry = registry if registry is not None else ContextRegistry(context)
    trust = TrustCache(settings, registry)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if service is not None:
            service.open()  # migrate and open the database, the store and the job queue
        if refresh_trust_on_startup:
            trust.refresh()
            trust.get()
        yield

    app = FastAPI(title="zhengzhao", version=API_VERSION, lifespan=lifespan,
                  summary="Zero-original applications and e-licence verification",
                  openapi_url="/api/v1/openapi.json", docs_url="/api/v1/docs", redoc_url=None)
    app.state.settings = settings
    app.state.users = users if users is not None else InMemoryUsers()
    app.state.trust = trust
    app.state.metrics = ServiceMetrics()
    app.state.limiter = RateLimiter(settings.verify_rate_per_minute)
    app.state.templates = pages.make_templates()
    install_error_handlers(app)
    install_metrics(app, app.state.metrics)
    app.include_router(public.router)
    app.include_router(auth_router)
    app.include_router(pages.router)
    if service is not None:
        install_service_api(app, service)
        app.include_router(web_session_router)
        app.include_router(web_applicant.router)
        app.include_router(web_clerk.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
