"""The FastAPI application factory. ``create_app(settings)`` builds a fresh app — nothing is
created at import time — with its settings, user source, trust cache, metrics registry, rate
limiter and verification audit on ``app.state``, the problem+json error handlers, the routes
and the offline API docs. ``/metrics`` also reads the database (applications, licences,
audit chain) and the job queue, and counts the jobs this process runs;
the audit writer thread starts and stops with the app."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.auth import UserSource
from api.data_dir import prepare_data_dir
from api.deps import TrustCache
from api.docs_ui import install_offline_docs
from api.errors_http import install_error_handlers
from api.jobs.metrics import register_job_metrics
from api.login_guard import LoginGuard, SqlThrottleStore
from api.metrics import ServiceMetrics, install_metrics
from api.ratelimit import RateLimiter
from api.routes import (
    auth,
    docs,
    pages,
    pki,
    public,
    web_applicant,
    web_clerk,
    web_home,
    web_login,
    web_offline,
)
from api.security_headers import install_http_hardening
from api.service_api import ServiceContext, install_service_api
from api.service_metrics import ServiceDbCollector
from api.users_db import DbUsers
from api.verification_audit import (
    BufferedVerificationAudit,
    ClientTagger,
)
from api.web_session import LoginRequired, login_required_handler
from api.workflow.trust import ImportedTrust
from core import Settings
from elicense import LicenceRegistry

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
API_VERSION = "1.0"


def create_app(settings: Settings, *, users: UserSource | None = None,
               registry: LicenceRegistry | None = None,
               refresh_trust_on_startup: bool = True,
               service: ServiceContext | None = None) -> FastAPI:
    """A new service app. ``service`` holds the database, file store and jobs (default: built
    from ``settings``, opened at startup, the database migrated); ``users`` is where accounts
    come from and ``registry`` the licence register the published status list is built from
    (default: both from that database). On startup the published trust folder is refreshed
    (keys created in dev)."""
    context = service if service is not None else ServiceContext(settings)
    users = users if users is not None else DbUsers(lambda: context.db)
    trust = TrustCache(settings, context.licence_registry if registry is None
                       else lambda: registry)
    metrics = ServiceMetrics()
    audit = BufferedVerificationAudit(lambda: context.db, metrics)
    metrics.registry.register(ServiceDbCollector(lambda: context.db))

    job_counters: list[Any] = []  # made at the first startup, reconnected at later ones

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        job_metrics = None
        # The data dir owner-only, the secrets settled (generated in dev); prod refuses
        # generated or short secrets, a demo PKI and readable data here (config.invalid).
        prepare_data_dir(settings)
        context.open()  # migrate and open the database, the store and the job queue
        job_metrics = _count_jobs(metrics, context, job_counters)
        if refresh_trust_on_startup:
            trust.refresh()
            trust.get()
        audit.start()
        try:
            yield
        finally:
            audit.stop()  # appends what is still buffered
            if job_metrics is not None:
                job_metrics.disconnect()

    app = FastAPI(title="zhengzhao", version=API_VERSION, lifespan=lifespan,
                  summary="Zero-original applications and e-licence verification",
                  openapi_url="/api/v1/openapi.json", docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.users = users
    app.state.trust = trust
    # Other offices' keys: the public verification falls back to them for a key id ours lack.
    app.state.imported_trust = ImportedTrust(settings)
    app.state.metrics = metrics
    app.state.verify_audit = audit
    app.state.client_tagger = ClientTagger(settings)
    # Sign-ins (token endpoint and /login) throttled per account and client (api.login_guard).
    app.state.login_guard = LoginGuard(
        app.state.users, SqlThrottleStore(lambda: context.db), app.state.client_tagger)
    app.state.limiter = RateLimiter(settings.verify_rate_per_minute)
    app.state.templates = pages.make_templates()
    install_error_handlers(app)
    # The pages' guards (WebApplicant, WebClerk) raise it: a 303 to /login.
    app.add_exception_handler(LoginRequired, login_required_handler)
    install_http_hardening(app, settings)  # proxies, trusted hosts, security headers
    install_metrics(app, app.state.metrics)
    app.include_router(public.router)
    app.include_router(pki.router)
    app.include_router(auth.router)
    app.include_router(pages.router)
    install_offline_docs(app)
    app.include_router(docs.router)
    install_service_api(app, context)
    app.include_router(web_login.router)
    app.include_router(web_applicant.router)
    app.include_router(web_clerk.router)
    app.include_router(web_home.router)
    app.include_router(web_offline.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def _count_jobs(metrics: ServiceMetrics, service: ServiceContext, made: list[Any]) -> Any:
    """Count the jobs of the service's queue in ``metrics`` (queue sizes from the broker; done
    and failed from this process's consumer, the embedded worker of ``serve``). None when the
    context's dispatcher is not a huey queue (tests may hand in their own)."""
    huey = getattr(service.jobs, "huey", None)
    if huey is None:
        return None
    if made:
        made[0].connect(huey)
        return made[0]
    made.append(register_job_metrics(metrics.registry, huey))
    return made[0]
