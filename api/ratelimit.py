"""Rate limiting of the public endpoints: an in-process token bucket per client IP. Each client
may burst up to ``rate`` requests and regains ``rate`` per minute; past that it gets a 429 problem
(``api.rate_limited``) with ``Retry-After``. One process only — behind several workers each keeps
its own buckets, which a proxy-level limit should then back up."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from api.errors_http import ApiError
from core import ErrorCode

_MAX_CLIENTS = 100_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets keyed by client address; ``clock`` is injectable for tests."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def acquire(self, client: str) -> float:
        """Take one token for ``client``: 0.0 if allowed, else the seconds until one is free."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(client)
            if bucket is None:
                if len(self._buckets) >= _MAX_CLIENTS:
                    self._forget_full(now)
                bucket = self._buckets[client] = _Bucket(self.capacity, now)
            bucket.tokens = min(self.capacity,
                                bucket.tokens + (now - bucket.updated) * self.refill_per_second)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.refill_per_second

    def _forget_full(self, now: float) -> None:
        """Drop buckets that have refilled completely (they hold no state worth keeping)."""
        horizon = self.capacity / self.refill_per_second
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.updated < horizon}


async def rate_limited(request: Request) -> None:
    """A dependency for public endpoints: 429 with ``Retry-After`` once a client's bucket is
    empty. ``async`` because it never blocks: FastAPI would run a plain ``def`` dependency in
    its thread pool, a hand-off that cost more than the check itself."""
    limiter: RateLimiter = request.app.state.limiter
    client = request.client.host if request.client else "unknown"
    wait = limiter.acquire(client)
    if wait > 0:
        raise ApiError(ErrorCode.RATE_LIMITED, "too many requests, slow down",
                       "请求过于频繁，请稍后再试",
                       headers={"Retry-After": str(max(1, math.ceil(wait)))})
