"""Build the configured OCR engine, importing its backend lazily."""

from __future__ import annotations

from core import OcrEngineName, Settings
from ocr.engines.base import OCREngine


def create_engine(settings: Settings, name: OcrEngineName | None = None) -> OCREngine:
    """The engine named by ``name`` (default: ``settings.ocr_engine``), models loaded once.

    Raises :class:`ocr.errors.EngineError` when the backend or its models are missing.
    """
    chosen = name or settings.ocr_engine
    if chosen == OcrEngineName.PADDLEOCR:
        from ocr.engines.paddle import PaddleEngine  # noqa: PLC0415 - optional, heavy backend

        return PaddleEngine(
            settings.paddle_model_dir,
            threads=settings.ocr_threads,
            det_max_side=settings.ocr_det_max_side,
        )
    from ocr.engines.rapid import RapidOcrEngine  # noqa: PLC0415 - loads onnxruntime

    return RapidOcrEngine(
        threads=settings.ocr_threads,
        det_max_side=settings.ocr_det_max_side,
        rec_batch=settings.ocr_rec_batch,
        min_score=settings.ocr_min_score,
        runtime=settings.ocr_runtime.value,
        shape_cache=settings.ocr_openvino_shape_cache,
    )
