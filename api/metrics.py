"""Prometheus metrics of one app, in a registry of its own (never the process-global one, so two
apps in one process — tests — do not collide): request latency by route template, verify
verdict counts by indication and input kind, what became of the verifications' audit rows
(written, dropped, failed, not recorded). The job counters (``api.jobs.metrics``) and the
scrape-time service collectors (``api.service_metrics``) register into the same registry.
Served as text at ``GET /metrics`` to the networks in ``ZZ_METRICS_ALLOW`` (loopback by default)
or a request bearing ``ZZ_METRICS_TOKEN`` (:func:`metrics_allowed`); 403 to anyone else."""

from __future__ import annotations

import hmac
import time
from enum import StrEnum
from ipaddress import IPv6Address, ip_address

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core import Settings

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class VerifyKind(StrEnum):
    """What a verification request carried."""

    TOKEN = "token"
    PDF = "pdf"
    OFD = "ofd"  # an OFD licence (issue 15)


class ServiceMetrics:
    """The collectors of one app."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Histogram(
            "zz_http_request_duration_seconds", "HTTP request latency by route template",
            ("method", "route", "status"), buckets=_BUCKETS, registry=self.registry)
        self.verdicts = Counter(
            "zz_verify_verdicts", "E-licence verifications by indication and input kind",
            ("indication", "kind"), registry=self.registry)
        self.verify_seconds = Histogram(
            "zz_verify_duration_seconds", "Time spent verifying one e-licence",
            ("kind",), buckets=_BUCKETS, registry=self.registry)
        # One increment per row: "written" to the audit log, "dropped" (buffer full),
        # "failed" (a failed append attempt, retried while the buffer has room).
        self.audit_events = Counter(
            "zz_verify_audit_rows", "Verification audit rows by what became of them",
            ("result",), registry=self.registry)
        self.audit_buffer = Gauge(
            "zz_verify_audit_buffered", "Verification audit rows waiting to be appended",
            registry=self.registry)

    def record_verdict(self, kind: VerifyKind, indication: str, seconds: float) -> None:
        self.verdicts.labels(indication=indication, kind=kind.value).inc()
        self.verify_seconds.labels(kind=kind.value).observe(seconds)

    def render(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Pure ASGI (no ``BaseHTTPMiddleware`` overhead): time every HTTP request, labelled by its
    route *template* (``/v/{token:path}``, never the token itself)."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = [500]

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            self.metrics.requests.labels(
                method=scope.get("method", ""), route=getattr(route, "path", "unmatched"),
                status=str(status[0])).observe(time.perf_counter() - start)


def metrics_allowed(request: Request, settings: Settings) -> bool:
    """Whether ``/metrics`` may answer this request: the socket peer (forwarded headers count
    only from trusted proxies, which set ``request.client``) is in ``metrics_allow``, or the
    request carries ``Authorization: Bearer <metrics_token>``. Closed to everyone else: the
    counters tell sign-in failures and traffic, nobody's business outside operations."""
    token = settings.metrics_token
    if token is not None and token.get_secret_value():
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
                given.strip().encode(), token.get_secret_value().encode()):
            return True
    host = request.client.host if request.client is not None else None
    try:
        peer = ip_address(host or "")
    except ValueError:
        return False
    if isinstance(peer, IPv6Address) and peer.ipv4_mapped is not None:
        peer = peer.ipv4_mapped
    return any(peer in network for network in settings.metrics_networks)


def install_metrics(app: FastAPI, metrics: ServiceMetrics) -> None:
    """Add the timing middleware to ``app``."""
    app.add_middleware(MetricsMiddleware, metrics=metrics)
