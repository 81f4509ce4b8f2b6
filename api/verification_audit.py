"""The audit trail of public verifications: every ``POST /api/v1/verify``, ``GET /v/{token}`` and
``POST /verify`` becomes one ``licence.verified`` row of the hash-chained audit log.

A row says what was checked and how it came out — input kind, channel, indication,
sub-indication, the licence identifier (public), the PDF's SHA-256, or the error code of a
refused input — and who asked only as a *client tag*: HMAC-SHA256 of the client address keyed
with ``ZZ_SECRET_KEY`` and the UTC day, 16 hex characters. The tag links one client's requests
within a day (enough to look into abuse) without storing the address; without the secret key it
cannot be reversed by trying all addresses, and it changes every day. Tokens, names and holder
codes never reach a row.

Rows are not written in the request. :class:`BufferedVerificationAudit` keeps events in a
bounded in-process buffer that a background thread appends in one transaction every
``interval`` seconds (a single writer, so the chain's lock is taken once per batch rather than
once per request). The request never waits: when the buffer is full the event is dropped and
counted. A crash loses at most the events of the last interval; shutdown flushes what is left.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from api.db import AuditAction, Database
from api.db.audit import AuditRecord, append_audit_many
from api.metrics import ServiceMetrics, VerifyKind
from core import Settings, secret_key_of

log = logging.getLogger(__name__)

SUBJECT_TYPE = "licence"
UNKNOWN_SUBJECT = "-"  # the licence could not be read (forged token, broken PDF, refused input)
DEFAULT_CAPACITY = 10_000
DEFAULT_INTERVAL_SECONDS = 0.2
_MAX_BATCH = 2_000


class VerifyChannel(StrEnum):
    """Where a verification came in."""

    API = "api"  # POST /api/v1/verify
    QR_PAGE = "qr_page"  # GET /v/{token}
    UPLOAD_PAGE = "upload_page"  # POST /verify


class VerifyOutcome(StrEnum):
    """Whether the input could be verified at all (a FAILED verdict is still ``verdict``)."""

    VERDICT = "verdict"
    REFUSED = "refused"  # not a licence: malformed token, not a PDF, too large, ...


@dataclass(frozen=True, slots=True)
class VerificationEvent:
    """One verification, holding nothing personal (see the module docstring)."""

    at: datetime
    kind: VerifyKind
    channel: VerifyChannel
    outcome: VerifyOutcome
    client_tag: str | None = None
    indication: str | None = None
    sub_indication: str | None = None
    identifier: str | None = None
    pdf_sha256: str | None = None
    error_code: str | None = None

    def details(self) -> dict[str, Any]:
        """The row's ``details``: only the facts that are set."""
        facts = {"kind": self.kind.value, "channel": self.channel.value,
                 "outcome": self.outcome.value, "passed": self.indication == "PASSED",
                 "indication": self.indication, "sub_indication": self.sub_indication,
                 "pdf_sha256": self.pdf_sha256, "error_code": self.error_code,
                 "client": self.client_tag}
        return {key: value for key, value in facts.items() if value is not None}


class VerificationAudit(Protocol):
    """Takes verification events; never raises and never blocks the caller."""

    def record(self, event: VerificationEvent) -> None: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


class ClientTagger:
    """The daily keyed hash of a client address (see the module docstring)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._key: bytes | None = None  # derived on first use: building an app writes nothing

    def tag(self, address: str | None, when: datetime) -> str | None:
        if not address:
            return None
        if self._key is None:
            secret = secret_key_of(self._settings).get_secret_value().encode("utf-8")
            self._key = hashlib.sha256(b"zz-audit-client\x00" + secret).digest()
        message = f"{when.astimezone(UTC).date().isoformat()}|{address}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:16]


class BufferedVerificationAudit:
    """Events buffered in memory and appended by one background thread, in batches.

    ``db`` is called in the writer thread (the service context's database opens lazily).
    A batch whose transaction fails is put back in front of the buffer (as far as capacity
    allows) and tried again on the next tick; every failure is logged and counted."""

    def __init__(self, db: Callable[[], Database], metrics: ServiceMetrics, *,
                 capacity: int = DEFAULT_CAPACITY,
                 interval: float = DEFAULT_INTERVAL_SECONDS) -> None:
        self._db = db
        self._metrics = metrics
        self._capacity = capacity
        self._interval = interval
        self._buffer: deque[VerificationEvent] = deque()
        self._lock = threading.Lock()
        self._flushing = threading.Lock()  # one flush at a time: rows keep the events' order
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        metrics.audit_buffer.set_function(lambda: len(self._buffer))

    def record(self, event: VerificationEvent) -> None:
        with self._lock:
            if len(self._buffer) >= self._capacity:
                accepted = False
            else:
                self._buffer.append(event)
                accepted = True
        if not accepted:
            self._metrics.audit_events.labels(result="dropped").inc()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="zz-verify-audit", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the writer and append what is still buffered (one last try)."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stopping.set()
            self._wake.set()
            thread.join(timeout=30)
        self.flush()

    def flush(self) -> int:
        """Append everything buffered now, in batches; returns the number of rows written.
        Waits for a flush under way, so every event recorded before the call is written (or
        back in the buffer after a failure) when it returns."""
        written = 0
        with self._flushing:
            while True:
                batch = self._take()
                if not batch:
                    return written
                if not self._write(batch):
                    return written
                written += len(batch)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self._interval)
            self._wake.clear()
            if self._stopping.is_set():
                return
            self.flush()

    def _take(self) -> list[VerificationEvent]:
        with self._lock:
            count = min(len(self._buffer), _MAX_BATCH)
            return [self._buffer.popleft() for _ in range(count)]

    def _write(self, batch: list[VerificationEvent]) -> bool:
        try:
            records = [AuditRecord(AuditAction.LICENCE_VERIFIED, actor_id=None,
                                   subject_type=SUBJECT_TYPE,
                                   subject_id=event.identifier or UNKNOWN_SUBJECT,
                                   details=event.details(), at=event.at) for event in batch]
            with self._db().transaction() as session:
                append_audit_many(session, records)
        except Exception as exc:  # noqa: BLE001 - auditing must never take the service down
            # The exception type only: a message could quote row contents.
            log.error("could not append %d verification audit row(s): %s",
                      len(batch), type(exc).__name__)
            self._metrics.audit_events.labels(result="failed").inc(len(batch))
            self._put_back(batch)
            return False
        self._metrics.audit_events.labels(result="written").inc(len(batch))
        return True

    def _put_back(self, batch: list[VerificationEvent]) -> None:
        with self._lock:
            room = max(0, self._capacity - len(self._buffer))
            kept = batch[:room]
            self._buffer.extendleft(reversed(kept))
        if len(kept) < len(batch):
            self._metrics.audit_events.labels(result="dropped").inc(len(batch) - len(kept))
