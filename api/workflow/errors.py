"""The errors the use cases raise themselves (each with a stable code; ``api.errors_http`` maps
the code to an HTTP status, the CLI prints the message)."""

from __future__ import annotations

from core import ErrorCode, ZhengzhaoError

__all__ = ["WorkflowConflictError"]


class WorkflowConflictError(ZhengzhaoError):
    """The application is not in a state the use case can act on (``api.conflict``): a
    service that issues no licence, a field the licence needs is missing."""

    def __init__(self, message_en: str, message_zh: str) -> None:
        super().__init__(ErrorCode.CONFLICT, message_en, message_zh)
