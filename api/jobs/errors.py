"""Errors of ``api.jobs``: a ``jobs_url`` that names no queue backend we support, a job that ran
past its deadline."""

from __future__ import annotations

from core import ErrorCode, ZhengzhaoError


class JobsError(ZhengzhaoError):
    """Root of the errors raised by ``api.jobs``."""


class JobsConfigError(JobsError):
    """``Settings.jobs_url`` is neither unset (embedded SQLite queue) nor a Redis URL."""

    def __init__(self, scheme: str) -> None:
        super().__init__(
            ErrorCode.CONFIG_INVALID,
            f"jobs_url scheme {scheme!r} is not supported (leave it unset for the embedded "
            "SQLite queue, or use redis:// / rediss://)",
            f"不支持的 jobs_url 协议 {scheme!r}（不设置则使用内置 SQLite 队列，或使用 redis:// / rediss://）",
        )
        self.scheme = scheme


class JobTimeoutError(JobsError):
    """A job ran longer than ``job_deadline_seconds``."""

    def __init__(self, deadline: float) -> None:
        super().__init__(ErrorCode.JOBS_TIMEOUT,
                         f"processing took longer than {deadline:g} s and was abandoned",
                         f"处理时间超过 {deadline:g} 秒，已放弃")
