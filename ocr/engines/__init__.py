"""OCR backends behind one protocol, and the factory that builds the configured one."""

from ocr.engines.base import EngineOutput, OCREngine
from ocr.engines.factory import create_engine

__all__ = ["EngineOutput", "OCREngine", "create_engine"]
