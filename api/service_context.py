"""What the applicant, clerk and admin routes work with, built once per app and kept on
``app.state.service``: the database, the content-addressed file store, the service catalogue,
the office's key store and published folder, and the :class:`JobDispatcher` that enqueues an
application's processing (``api.jobs.Jobs`` satisfies it).

Reached from a route through the ``ServiceDep`` alias; tests build their own context."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Protocol

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from api.auth import Principal
from api.db import Account, Database, SqlLicenceRegistry, create_db, upgrade
from api.jobs import JobContext, create_jobs
from api.storage import FileStore
from api.workflow.applications import account_of
from api.workflow.context import WorkflowContext
from api.workflow.issuing import check_service_licences
from core import Settings
from signing import KeyStore
from verify.forms import Service, ServiceCatalog, load_service_catalog

__all__ = ["JobDispatcher", "ServiceContext", "ServiceDep", "actor", "get_service_context"]

log = logging.getLogger(__name__)


class JobDispatcher(Protocol):
    """Enqueues the processing of a submitted application (OCR, photo checks, validation),
    and of one material as soon as it is uploaded (so the applicant sees its findings before
    submitting). Called only after the transaction that wrote the row has committed. A lost
    ``submit`` is found again by the jobs' recovery sweep (the application is still
    ``submitted``); a lost ``material_added`` costs only the early findings, since submitting
    processes every material without a result."""

    def submit(self, application_id: int) -> None: ...

    def material_added(self, material_id: int) -> None: ...


class ServiceContext:
    """The service's moving parts, shared by every request of one app. Whatever is not handed
    in is built on first use (or by :meth:`open` at startup), so building an app writes
    nothing: the database is migrated to the newest revision and opened, the file store
    rooted at ``settings.resolved_storage_dir``, the catalogue is the bundled services plus
    ``settings.services_dir``, and the jobs are ``api.jobs.create_jobs`` on the queue
    ``settings.jobs_url`` names, over the same database and store."""

    def __init__(self, settings: Settings, *, db: Database | None = None,
                 store: FileStore | None = None, catalog: ServiceCatalog | None = None,
                 jobs: JobDispatcher | None = None) -> None:
        self.settings = settings
        self._db, self._store, self._catalog, self._jobs = db, store, catalog, jobs
        self._lock = threading.RLock()

    def open(self) -> None:
        """Build everything now (the app's startup calls this)."""
        _ = self.db, self.store, self.catalog, self.jobs

    @property
    def db(self) -> Database:
        with self._lock:
            if self._db is None:
                upgrade(self.settings)
                self._db = create_db(self.settings)
            return self._db

    @property
    def store(self) -> FileStore:
        with self._lock:
            if self._store is None:
                self._store = FileStore(self.settings.resolved_storage_dir)
            return self._store

    @property
    def catalog(self) -> ServiceCatalog:
        with self._lock:
            if self._catalog is None:
                catalog = load_service_catalog(self.settings.services_dir)
                check_service_licences(catalog)  # a bad ``licence:`` fails at startup
                self._catalog = catalog
            return self._catalog

    @property
    def jobs(self) -> JobDispatcher:
        with self._lock:
            if self._jobs is None:
                self._jobs = create_jobs(self.settings, context=JobContext(
                    self.settings, self.db, self.store))
            return self._jobs

    @property
    def workflow(self) -> WorkflowContext:
        """The use cases' bundle (:mod:`api.workflow`) over this context's parts."""
        return WorkflowContext(self.settings, self.db, self.store, self.catalog)

    @property
    def published_dir(self) -> Path:
        return self.settings.resolved_published_dir

    def key_store(self) -> KeyStore:
        """This office's signing keys (created at startup in dev by the trust cache)."""
        return KeyStore.from_settings(self.settings)

    def material_added(self, material_id: int) -> None:
        """Enqueue the processing of a material just uploaded (after its row committed). A
        dispatcher without ``material_added`` (one written before it existed) and a queue that
        is down are no error: the material is then processed when the application is
        submitted."""
        dispatch = getattr(self.jobs, "material_added", None)
        if dispatch is None:
            return
        try:
            dispatch(material_id)
        except Exception as exc:  # noqa: BLE001 - the upload stands; submit processes it
            log.warning("material %s: early processing not enqueued (%s)", material_id,
                        type(exc).__name__)

    def service(self, service_id: str) -> Service:
        """The service definition; ``verify.forms.ServiceNotFoundError`` (``service.not_found``,
        a 404) when unknown."""
        return self.catalog.get(service_id)

    def licence_registry(self) -> SqlLicenceRegistry:
        """The SQL licence register over this context's database (opened now if need be): the
        app hands this method to its trust cache, which calls it only when it publishes."""
        return SqlLicenceRegistry(self.db)

    @contextmanager
    def transaction(self, *, read_only: bool = False) -> Iterator[Session]:
        """One transaction per request: everything commits together or nothing does."""
        with self.db.transaction(read_only=read_only) as session:
            yield session


def actor(session: Session, user: Principal) -> Account:
    """The account behind an authenticated caller (401 if it has gone meanwhile)."""
    return account_of(session, user.username)


def get_service_context(request: Request) -> ServiceContext:
    return request.app.state.service


ServiceDep = Annotated[ServiceContext, Depends(get_service_context)]
