"""The errors the use cases raise themselves (each with a stable code; ``api.errors_http`` maps
the code to an HTTP status, the CLI prints the message)."""

from __future__ import annotations

from core import ErrorCode, ZhengzhaoError

__all__ = ["AccountGoneError", "HolderIdInvalidError", "MaterialInvalidError", "QuotaExceededError",
           "UploadRejectedError", "VerificationInputError", "WorkflowConflictError",
           "WorkflowInputError", "WorkflowNotFoundError"]


class WorkflowConflictError(ZhengzhaoError):
    """The application is not in a state the use case can act on (``api.conflict``): a
    service that issues no licence, a field the licence needs is missing."""

    def __init__(self, message_en: str, message_zh: str) -> None:
        super().__init__(ErrorCode.CONFLICT, message_en, message_zh)


class WorkflowNotFoundError(ZhengzhaoError):
    """No such application (or material, page, licence) for this caller (``api.not_found``).
    An applicant asking for someone else's application gets this too, so ids reveal nothing."""

    def __init__(self, what: str = "application", what_zh: str = "办件") -> None:
        super().__init__(ErrorCode.NOT_FOUND, f"no such {what}", f"{what_zh}不存在")


class WorkflowInputError(ZhengzhaoError):
    """A value the use case cannot take (``api.validation_failed``): a corrected field value
    with line breaks, a field the service does not have."""

    def __init__(self, message_en: str, message_zh: str) -> None:
        super().__init__(ErrorCode.VALIDATION_FAILED, message_en, message_zh)


class AccountGoneError(ZhengzhaoError):
    """The signed-in caller's account has gone or been deactivated meanwhile
    (``auth.unauthorized``)."""

    def __init__(self) -> None:
        super().__init__(ErrorCode.UNAUTHORIZED, "account not found", "账户不存在")


class MaterialInvalidError(ZhengzhaoError):
    """A material the service does not have, or a required one missing at submission
    (``material.invalid``)."""

    def __init__(self, message_en: str, message_zh: str) -> None:
        super().__init__(ErrorCode.MATERIAL_INVALID, message_en, message_zh)


class UploadRejectedError(ZhengzhaoError):
    """An uploaded file refused for its content: empty (``input.empty``), of a type we do not
    take (``input.unsupported_type``), cut short (``input.truncated``) or declaring too many
    pixels (``input.too_many_pixels``)."""


class QuotaExceededError(ZhengzhaoError):
    """One more material would take the account past its fair-jobs cap
    (``jobs.quota_exceeded``). ``retry_after_seconds`` says when trying again makes sense (the
    HTTP side sends it as ``Retry-After``)."""

    def __init__(self, message_en: str, message_zh: str, *, retry_after_seconds: int) -> None:
        super().__init__(ErrorCode.JOBS_QUOTA_EXCEEDED, message_en, message_zh)
        self.retry_after_seconds = retry_after_seconds


class HolderIdInvalidError(ZhengzhaoError):
    """The number given to bind an account is not a valid resident ID number."""

    def __init__(self) -> None:
        super().__init__(ErrorCode.HOLDER_ID_INVALID,
                         "not a valid 18-character resident ID number (GB 11643 check "
                         "character, province and birth date)",
                         "不是有效的 18 位公民身份号码（校验码、省份或出生日期不符）")


class VerificationInputError(ZhengzhaoError):
    """What was sent is not a licence to verify: no ``ZZ1:`` token (``token.malformed``), an
    empty file (``input.empty``) or not a PDF (``input.unsupported_type``)."""

    def __init__(self, code: ErrorCode, message_en: str, message_zh: str) -> None:
        super().__init__(code, message_en, message_zh)
