"""OCR: from uploaded photos, scans and PDFs to typed, located fields.

Owns safe input loading (``ocr.loading``), the OCR engines behind one protocol
(``ocr.engines``: PP-OCR on ONNX Runtime by default, PaddleOCR optionally), flattening of cards
photographed at an angle (``ocr.rectify``), document classification and per-type field
extraction (``ocr.documents``) and image-quality warnings (``ocr.quality``). Imports only
``core``; ``verify`` and ``signing`` never import it, ``elicense`` and ``api`` may.
"""

from ocr.documents.text import compact as normalize_text
from ocr.engines import EngineOutput, OCREngine, create_engine
from ocr.engines.paddle_models import prepare_model_dir as prepare_paddle_models
from ocr.errors import EngineError, InputError
from ocr.loading import LoadLimits, load_document, load_path, pdf_render_pixels
from ocr.reader import DocumentReader

__all__ = [
    "DocumentReader",
    "EngineError",
    "EngineOutput",
    "InputError",
    "LoadLimits",
    "OCREngine",
    "create_engine",
    "load_document",
    "load_path",
    "normalize_text",
    "pdf_render_pixels",
    "prepare_paddle_models",
]
