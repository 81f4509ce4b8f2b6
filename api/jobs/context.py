"""What a job needs to do its work, built once per worker process: the database, the file
store, the service catalogue, and the OCR reader and portrait analyzer, each created on first
use (loading the models costs seconds; a worker that only validates never pays it)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from api.db import Database
from api.storage import FileStore
from api.workflow.context import WorkflowContext
from core import Settings
from ocr import DocumentReader, create_engine
from verify.forms import Service, ServiceCatalog, ServiceNotFoundError, load_service_catalog
from verify.photo import PortraitAnalyzer

log = logging.getLogger(__name__)

# Importing ocr and verify.photo loads no model: the OCR engine's and the face models' weights
# load when the reader or the analyzer is first built (seconds), which is why they are lazy.
def _default_reader(settings: Settings) -> DocumentReader:
    return DocumentReader(create_engine(settings), settings)


def _default_analyzer(settings: Settings) -> PortraitAnalyzer:
    return PortraitAnalyzer(threads=settings.photo_threads)


@dataclass
class JobContext:
    """Shared by every job a worker process runs. ``reader_factory``/``analyzer_factory`` and
    ``today`` exist so tests can hand in a session-wide reader or a fixed date."""

    settings: Settings
    db: Database
    store: FileStore
    reader_factory: Callable[[Settings], DocumentReader] = _default_reader
    analyzer_factory: Callable[[Settings], PortraitAnalyzer] = _default_analyzer
    today: Callable[[], date] = date.today
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _reader: DocumentReader | None = field(default=None, repr=False)
    _analyzer: PortraitAnalyzer | None = field(default=None, repr=False)
    _catalog: ServiceCatalog | None = field(default=None, repr=False)

    def warm_up(self) -> None:
        """Build the OCR reader and the portrait analyzer now (a worker calls this on a thread
        at start), so the first application after a start does not wait for the models.
        A failure is logged and left for the first job to meet again."""
        for name in ("reader", "analyzer"):
            try:
                getattr(self, name)
            except Exception as exc:  # noqa: BLE001 - the job will report it properly
                log.warning("warming up the %s failed: %s", name, type(exc).__name__)

    @property
    def reader(self) -> DocumentReader:
        """The OCR reader, built on first use, once per process."""
        with self._lock:
            if self._reader is None:
                self._reader = self.reader_factory(self.settings)
            return self._reader

    @property
    def analyzer(self) -> PortraitAnalyzer:
        """The portrait analyzer, built on first use, once per process."""
        with self._lock:
            if self._analyzer is None:
                self._analyzer = self.analyzer_factory(self.settings)
            return self._analyzer

    @property
    def catalog(self) -> ServiceCatalog:
        """The bundled services plus ``settings.services_dir``, loaded once."""
        with self._lock:
            if self._catalog is None:
                self._catalog = load_service_catalog(self.settings.services_dir)
            return self._catalog

    @property
    def workflow(self) -> WorkflowContext:
        """The use cases' bundle (:mod:`api.workflow`) over this context's parts."""
        return WorkflowContext(self.settings, self.db, self.store, self.catalog)

    def service(self, service_id: str) -> Service | None:
        """The service definition with that id, or None when it is not (or no longer) known."""
        try:
            return self.catalog.get(service_id)
        except ServiceNotFoundError:
            return None

    def close(self) -> None:
        with self._lock:
            if self._analyzer is not None and hasattr(self._analyzer, "close"):
                self._analyzer.close()
            self._analyzer = None
        self.db.dispose()
