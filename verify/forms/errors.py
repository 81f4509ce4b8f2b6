"""Errors of ``verify.forms``: a service definition that cannot be used, a service that does not
exist, a material file that is not an extraction result. An *invalid application* is never an
error: it is a :class:`verify.forms.ValidationReport`."""

from __future__ import annotations

from core import ErrorCode, ZhengzhaoError


class FormsError(ZhengzhaoError):
    """Root of the errors raised by ``verify.forms``."""


class ServiceInvalidError(FormsError):
    """A service definition file is unreadable or breaks the format; the message names the file
    and the offending path (``materials[1].fields[0].rules[2].pattern``)."""

    def __init__(self, source: str, problem: str, path: str = "") -> None:
        where = f"{source}: {path}" if path else source
        super().__init__(
            ErrorCode.SERVICE_INVALID,
            f"service definition {where}: {problem}",
            f"办事事项定义文件有误 {where}：{problem}",
        )
        self.source = source
        self.path = path
        self.problem = problem


class ServiceNotFoundError(FormsError):
    """No service with that id, name or alias."""

    def __init__(self, name: str, known: list[str]) -> None:
        listing = ", ".join(known) or "none"
        super().__init__(
            ErrorCode.SERVICE_NOT_FOUND,
            f"no service called {name!r} (known: {listing})",
            f"没有名为“{name}”的办事事项（已有：{listing}）",
        )
        self.name = name


class MaterialInvalidError(FormsError):
    """A material file is not a document extraction result (``zhengzhao ocr --json``)."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(
            ErrorCode.MATERIAL_INVALID,
            f"{source} is not an extraction result: {problem}",
            f"{source} 不是有效的识别结果：{problem}",
        )
        self.source = source
