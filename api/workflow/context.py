"""The one dependency bundle the use cases take: what issuing, reviewing and the rest really
need, and nothing request- or job-shaped. The request side (``ServiceContext.workflow``) and the
job side (``JobContext``'s settings, database, store and catalogue) both build one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from api.db import Database
from api.storage import FileStore
from core import Settings
from signing import KeyStore
from verify.forms import Service, ServiceCatalog

__all__ = ["WorkflowContext"]


@dataclass(frozen=True)
class WorkflowContext:
    """Settings, the database (use cases open their own short transactions), the
    content-addressed file store and the service catalogue. The key store is opened on demand
    (:meth:`key_store`), so a use case that signs nothing never reads a key."""

    settings: Settings
    db: Database
    store: FileStore
    catalog: ServiceCatalog

    @property
    def published_dir(self) -> Path:
        """Where the signed status list and trust list are published."""
        return self.settings.resolved_published_dir

    def key_store(self) -> KeyStore:
        """This office's signing keys (the passphrase is resolved when a key is first used)."""
        return KeyStore.from_settings(self.settings)

    def service(self, service_id: str) -> Service:
        """The service definition (``ServiceNotFoundError``, ``service.not_found``, if none)."""
        return self.catalog.get(service_id)
