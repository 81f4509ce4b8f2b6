"""The supervision view of the service's database (互联网+监管), read at scrape time: applications
by state, licences issued and by status, and the length of the audit chain. Three cheap
aggregate queries, cached for a few seconds so that several scrapers (or a dashboard refreshing
often) cost the database one round per ``ttl``. A database that does not answer leaves these
series out of that scrape (logged by exception type), never an error."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from api.db import Application, ApplicationState, AuditEntry, Database, LicenceRecord
from elicense import LicenceStatus

log = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class ServiceCounts:
    """One reading of the database."""

    applications: dict[str, int]
    licences: dict[str, int]
    audit_entries: int


def read_counts(db: Database) -> ServiceCounts:
    """Count applications by state, licences by status and audit rows (the last ``seq``: the
    chain runs 1, 2, 3, ... so that is its length, from the primary key alone)."""
    with db.transaction(read_only=True) as session:
        states = dict(session.execute(
            select(Application.state, func.count()).group_by(Application.state)).all())
        statuses = dict(session.execute(
            select(LicenceRecord.status, func.count()).group_by(LicenceRecord.status)).all())
        last_seq = session.scalar(select(func.max(AuditEntry.seq))) or 0
    return ServiceCounts(
        applications={s.value: int(states.get(s, 0)) for s in ApplicationState},
        licences={s.value: int(statuses.get(s, 0)) for s in LicenceStatus},
        audit_entries=int(last_seq))


class ServiceDbCollector(Collector):
    """Yields ``zz_applications{state}``, ``zz_licences{status}``, ``zz_licences_issued`` and
    ``zz_audit_entries`` from :func:`read_counts`, at most once per ``ttl`` seconds."""

    def __init__(self, db: Callable[[], Database], *, ttl: float = DEFAULT_TTL_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._db = db
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, ServiceCounts] | None = None

    def counts(self) -> ServiceCounts | None:
        with self._lock:
            now = self._clock()
            if self._cached is not None and now - self._cached[0] < self._ttl:
                return self._cached[1]
            try:
                counts = read_counts(self._db())
            except Exception as exc:  # noqa: BLE001 - a scrape must not fail for the database
                log.warning("service counts unavailable: %s", type(exc).__name__)
                return None
            self._cached = (now, counts)
            return counts

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Registering must not query the database (it may not be migrated yet).
        yield GaugeMetricFamily("zz_applications", "Applications by state", labels=("state",))
        yield GaugeMetricFamily("zz_licences", "E-licences in the register by status",
                                labels=("status",))
        yield GaugeMetricFamily("zz_licences_issued", "E-licences issued (any status)")
        yield GaugeMetricFamily("zz_audit_entries", "Length of the audit hash chain")

    def collect(self) -> Iterator[GaugeMetricFamily]:
        counts = self.counts()
        if counts is None:
            return
        applications = GaugeMetricFamily("zz_applications", "Applications by state",
                                         labels=("state",))
        for state, count in counts.applications.items():
            applications.add_metric((state,), count)
        yield applications
        licences = GaugeMetricFamily("zz_licences", "E-licences in the register by status",
                                     labels=("status",))
        for status, count in counts.licences.items():
            licences.add_metric((status,), count)
        yield licences
        yield GaugeMetricFamily("zz_licences_issued", "E-licences issued (any status)",
                                value=sum(counts.licences.values()))
        yield GaugeMetricFamily("zz_audit_entries", "Length of the audit hash chain",
                                value=counts.audit_entries)
