"""The one validated settings object, read from ``ZZ_*`` environment variables or ``.env``.

Never build :class:`Settings` at import time: entry points call :func:`get_settings` (cached)
and pass the object down, so tests can build their own.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class OcrEngineName(StrEnum):
    """The OCR backends zhengzhao knows."""

    RAPIDOCR = "rapidocr"
    PADDLEOCR = "paddleocr"


class OcrRuntime(StrEnum):
    """Where the default engine runs its ONNX models."""

    ONNXRUNTIME = "onnxruntime"
    OPENVINO = "openvino"


class Settings(BaseSettings):
    """All configuration, validated. Environment variables carry the ``ZZ_`` prefix."""

    model_config = SettingsConfigDict(env_prefix="ZZ_", env_file=".env", extra="ignore")

    data_dir: Path = Path("var")
    log_level: str = "WARNING"

    # OCR
    ocr_engine: OcrEngineName = OcrEngineName.RAPIDOCR
    # OpenVINO runs the same PP-OCR ONNX files about twice as fast as ONNX Runtime on the CPUs
    # measured (bench/ocr.py); ONNX Runtime remains one setting away.
    ocr_runtime: OcrRuntime = OcrRuntime.OPENVINO
    ocr_openvino_shape_cache: int = Field(
        default=5000, ge=0, description="OpenVINO kernels kept per input shape: speed vs memory"
    )
    ocr_threads: int = Field(default=2, ge=1, le=64, description="ONNX Runtime intra-op threads")
    ocr_det_max_side: int = Field(
        default=1280, ge=320, le=4096, description="Longest side fed to the text detector (pages)"
    )
    ocr_card_det_side: int = Field(
        default=640, ge=320, le=4096, description="Longest side fed to the detector for cards"
    )
    ocr_rec_batch: int = Field(default=8, ge=1, le=64)
    ocr_min_score: float = Field(default=0.5, ge=0.0, le=1.0)
    paddle_model_dir: Path | None = Field(
        default=None,
        description="Directory holding PaddleOCR det/rec/cls inference model folders",
    )

    # Validation (verify)
    services_dir: Path | None = Field(
        default=None,
        description="Extra service definitions (*.yaml/*.json); the bundled samples/services "
        "are always loaded, a file here with the same service id replaces the bundled one",
    )
    photo_profiles_dir: Path | None = Field(
        default=None,
        description="Extra ID-photo profiles (*.yaml/*.json), added to the built-in ones",
    )
    min_field_confidence: float = Field(
        default=0.80, ge=0.0, le=1.0,
        description="OCR confidence below which a field needs a clerk's attention",
    )
    photo_threads: int = Field(default=1, ge=1, le=64, description="Threads for the face models")

    # Input limits
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    max_image_pixels: int = Field(default=40_000_000, ge=10_000)
    min_image_side: int = Field(default=32, ge=1)
    max_pdf_pages: int = Field(default=10, ge=1)
    pdf_render_dpi: int = Field(default=200, ge=72, le=600)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()
