"""What one run of a job did. Idempotency shows here: a second run reports ``ALREADY_DONE``."""

from __future__ import annotations

from enum import StrEnum


class JobOutcome(StrEnum):
    """The result of one run of a job function."""

    APPLIED = "applied"  # this run applied the job's effect
    ALREADY_DONE = "already_done"  # an earlier run applied it; nothing changed
    NOT_READY = "not_ready"  # the application is not in a state where the job applies
    NOT_FOUND = "not_found"  # the row is gone (e.g. the application was deleted)
