"""Prometheus metrics of the job queue. :class:`JobMetrics` counts what the consumer threads of
*this process* do, from huey's signals (``done``, failed attempts, final failures, retries, run
time, by task name): it belongs in the process that runs a consumer — ``serve`` with its
embedded worker, or ``zhengzhao worker --metrics-port``. :class:`QueueCollector` reads the
number of queued and scheduled (retry-delayed) jobs from the broker itself at scrape time, so it
is right from any process on the same SQLite file or Redis queue."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

from huey import Huey
from huey import signals as huey_signals
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

_DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
_SIGNALS = (huey_signals.SIGNAL_EXECUTING, huey_signals.SIGNAL_COMPLETE,
            huey_signals.SIGNAL_ERROR, huey_signals.SIGNAL_RETRYING,
            huey_signals.SIGNAL_ENQUEUED)


class JobMetrics:
    """Job counters in ``registry``, fed by :meth:`connect`-ed huey instances."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.enqueued = Counter("zz_jobs_enqueued", "Jobs enqueued by this process, by task",
                                ("task",), registry=registry)
        self.done = Counter("zz_jobs_done", "Jobs that completed in this process, by task",
                            ("task",), registry=registry)
        self.errors = Counter(
            "zz_jobs_errors", "Job runs that raised in this process (each attempt), by task",
            ("task",), registry=registry)
        self.failed = Counter(
            "zz_jobs_failed", "Jobs that raised with no retry left in this process, by task",
            ("task",), registry=registry)
        self.retried = Counter("zz_jobs_retried", "Jobs re-enqueued for a retry, by task",
                               ("task",), registry=registry)
        self.duration = Histogram("zz_job_duration_seconds", "Run time of one job, by task",
                                  ("task",), buckets=_DURATION_BUCKETS, registry=registry)
        self._started: dict[str, float] = {}
        self._lock = threading.Lock()
        self._connected: list[Huey] = []

    def connect(self, huey: Huey) -> None:
        """Start counting the jobs of ``huey`` (its signals fire in the consumer's threads)."""
        huey.signal(*_SIGNALS)(self._on_signal)
        self._connected.append(huey)

    def disconnect(self) -> None:
        for huey in self._connected:
            huey.disconnect_signal(self._on_signal, *_SIGNALS)
        self._connected.clear()

    def _on_signal(self, signal: str, task: Any, *_args: Any, **_kwargs: Any) -> None:
        name = getattr(task, "name", None) or "unknown"
        if signal == huey_signals.SIGNAL_ENQUEUED:
            self.enqueued.labels(task=name).inc()
        elif signal == huey_signals.SIGNAL_EXECUTING:
            with self._lock:
                self._started[task.id] = time.perf_counter()
        elif signal == huey_signals.SIGNAL_COMPLETE:
            self.done.labels(task=name).inc()
            self._observe(task, name)
        elif signal == huey_signals.SIGNAL_ERROR:
            self.errors.labels(task=name).inc()
            # huey emits the error before it decides: no retry left means this was the last try.
            if not getattr(task, "retries", 0):
                self.failed.labels(task=name).inc()
            self._observe(task, name)
        elif signal == huey_signals.SIGNAL_RETRYING:
            self.retried.labels(task=name).inc()

    def _observe(self, task: Any, name: str) -> None:
        with self._lock:
            started = self._started.pop(task.id, None)
        if started is not None:
            self.duration.labels(task=name).observe(time.perf_counter() - started)


class QueueCollector(Collector):
    """``zz_jobs_queued`` and ``zz_jobs_scheduled`` read from the broker at every scrape. A
    broker that does not answer leaves the two out of that scrape (logged), never an error."""

    def __init__(self, huey: Huey) -> None:
        self._huey = huey

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Registering must not reach the broker.
        yield GaugeMetricFamily("zz_jobs_queued", "Jobs waiting in the queue (all processes)")
        yield GaugeMetricFamily("zz_jobs_scheduled", "Jobs scheduled for later, e.g. retries")

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            queued = self._huey.pending_count()
            scheduled = self._huey.scheduled_count()
        except Exception as exc:  # noqa: BLE001 - a scrape must not fail for a broker hiccup
            log.warning("job queue size unavailable: %s", type(exc).__name__)
            return
        yield GaugeMetricFamily("zz_jobs_queued", "Jobs waiting in the queue (all processes)",
                                value=queued)
        yield GaugeMetricFamily(
            "zz_jobs_scheduled", "Jobs scheduled for later, e.g. retries (all processes)",
            value=scheduled)


def register_job_metrics(registry: CollectorRegistry, huey: Huey) -> JobMetrics:
    """Count ``huey``'s jobs into ``registry`` and collect its queue sizes; returns the
    counters (``disconnect()`` them when the app or worker stops)."""
    metrics = JobMetrics(registry)
    metrics.connect(huey)
    registry.register(QueueCollector(huey))
    return metrics
