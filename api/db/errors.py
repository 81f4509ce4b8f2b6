"""Errors of ``api.db``: a forbidden application state change, an account that exists already or
whose name or password is unusable. Messages carry ids and states, never personal data."""

from __future__ import annotations

from core import ErrorCode, ZhengzhaoError


class DatabaseError(ZhengzhaoError):
    """Root of the errors raised by ``api.db``."""


class InvalidTransitionError(DatabaseError):
    """The application's state machine does not allow going from ``current`` to ``target``."""

    def __init__(self, current: str, target: str, allowed: list[str]) -> None:
        listing = ", ".join(allowed) or "none (final state)"
        super().__init__(
            ErrorCode.INVALID_TRANSITION,
            f"an application in state {current!r} cannot move to {target!r} (allowed: {listing})",
            f"办件状态“{current}”不能变更为“{target}”（允许：{listing}）",
        )
        self.current = current
        self.target = target


class AccountExistsError(DatabaseError):
    """An account with that login name exists already."""

    def __init__(self) -> None:
        super().__init__(
            ErrorCode.CONFLICT,
            "an account with that name exists already",
            "该账号名已存在",
        )


class AccountInvalidError(DatabaseError):
    """A login name or password that cannot be used; ``problem`` says why (no values in it)."""

    def __init__(self, problem_en: str, problem_zh: str) -> None:
        super().__init__(ErrorCode.VALIDATION_FAILED, problem_en, problem_zh)
