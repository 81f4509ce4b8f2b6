"""Errors raised by ``ocr``: unreadable inputs and unavailable engines."""

from __future__ import annotations

from core import ErrorCode, ZhengzhaoError


class InputError(ZhengzhaoError):
    """An uploaded file cannot be read as a document (empty, too large, corrupt, lying, ...)."""


class EngineError(ZhengzhaoError):
    """An OCR engine cannot be used: not installed, model files missing, or it failed."""


def engine_unavailable(engine: str, why_en: str, why_zh: str) -> EngineError:
    return EngineError(
        ErrorCode.ENGINE_UNAVAILABLE,
        f"OCR engine '{engine}' is unavailable: {why_en}",
        f"OCR 引擎 '{engine}' 不可用：{why_zh}",
    )


def model_missing(engine: str, path: str) -> EngineError:
    return EngineError(
        ErrorCode.ENGINE_MODEL_MISSING,
        f"OCR engine '{engine}' model files are missing at {path}",
        f"OCR 引擎 '{engine}' 的模型文件缺失：{path}",
    )
