"""The default engine: PP-OCR det/cls/rec ONNX models shipped in the ``rapidocr`` wheel, run on
ONNX Runtime with one session per model reused for every call.

RapidOCR's own pipeline pads every recognition batch to at least 320 px and re-reads settings per
call; on a 2-core machine that made recognition three times slower than needed. We keep its
pre/post-processing (``DetPreProcess``, ``DBPostProcess``) and the models, and drive the sessions
ourselves: recognition batches are sorted by aspect ratio and padded only to the batch's widest
line. Model paths are always explicit, so a missing model fails instead of downloading.

Recognition sees a line at 48 px high and emits one character step per few pixels of width, so
narrow glyphs in a row (``100000.0000``) can share steps and collapse. A line with a run of
digits read without full confidence is read again stretched to 1.5× its width; the second
reading is kept when it is surer and has lost no character.
"""

from __future__ import annotations

import logging
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from core import TextLine
from ocr.engines.base import EngineOutput
from ocr.engines.crops import crop_quad, order_quad, reading_order
from ocr.engines.runtimes import Runtime, load_runner, model_metadata
from ocr.errors import engine_unavailable, model_missing

log = logging.getLogger(__name__)

DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
CLS_MODEL = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"
REC_HEIGHT = 48
# Batch widths are rounded up to this step: fewer distinct input shapes keep ONNX Runtime on
# kernels it has already prepared.
REC_WIDTH_STEP = 32
CLS_SHAPE = (48, 192)
# Lines read again stretched: a run of digits read with a mean probability below this.
RESTRETCH_BELOW = 0.97
RESTRETCH = 1.5
_DIGIT_RUN = re.compile(r"\d{3,}")


@dataclass(frozen=True, slots=True)
class RapidModels:
    """Paths of the three ONNX models."""

    det: Path
    rec: Path
    cls: Path

    @classmethod
    def bundled(cls) -> RapidModels:
        """The models inside the installed ``rapidocr`` wheel."""
        try:
            import rapidocr  # noqa: PLC0415 - only to find the wheel's model folder
        except ImportError as exc:  # pragma: no cover - rapidocr is a hard dependency
            raise engine_unavailable(
                "rapidocr", "the rapidocr package is not installed", "未安装 rapidocr 包"
            ) from exc
        root = Path(rapidocr.__file__).parent / "models"
        return cls(root / DET_MODEL, root / REC_MODEL, root / CLS_MODEL)


class RapidOcrEngine:
    """PP-OCR on ONNX Runtime (or OpenVINO). Thread-safe for concurrent ``recognize`` calls."""

    name = "rapidocr"

    def __init__(
        self,
        models: RapidModels | None = None,
        *,
        threads: int = 2,
        det_max_side: int = 960,
        rec_batch: int = 8,
        min_score: float = 0.5,
        runtime: Runtime | str = Runtime.ONNXRUNTIME,
        shape_cache: int = 5000,
    ) -> None:
        from rapidocr.ch_ppocr_det.utils import DBPostProcess  # noqa: PLC0415

        self.models = models or RapidModels.bundled()
        for path in (self.models.det, self.models.rec, self.models.cls):
            if not path.is_file():
                raise model_missing(self.name, str(path))
        self.runtime = Runtime(runtime)
        self._det = load_runner(self.runtime, self.models.det, threads, shape_cache)
        self._rec = load_runner(self.runtime, self.models.rec, threads, shape_cache)
        self._cls = load_runner(self.runtime, self.models.cls, threads, shape_cache)
        meta = model_metadata(self.models.rec)
        if "character" not in meta:
            raise model_missing(self.name, f"{self.models.rec} (character table)")
        # CTC index 0 is the blank; the table's last entry is the space character.
        self._chars = ["<blank>", *meta["character"].splitlines(), " "]
        self._post = DBPostProcess(
            thresh=0.3, box_thresh=0.5, max_candidates=1000, unclip_ratio=1.6,
            score_mode="fast", use_dilation=True,
        )
        self.det_max_side = det_max_side
        self.rec_batch = rec_batch
        self.min_score = min_score

    # -- public API ---------------------------------------------------------------------------
    def recognize(
        self, image: np.ndarray, *, page: int = 0, det_max_side: int | None = None
    ) -> EngineOutput:
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        quads = self.detect(image, det_max_side or self.det_max_side)
        timings["det"] = time.perf_counter() - t0
        if not quads:
            return EngineOutput([], timings)
        crops = [crop_quad(image, q) for q in quads]
        t1 = time.perf_counter()
        upside_down = self.page_is_upside_down(crops)
        if upside_down:
            crops = [np.ascontiguousarray(c[::-1, ::-1]) for c in crops]
            quads = [np.roll(q, 2, axis=0) for q in quads]
        timings["cls"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        texts = self._recognize(crops)
        timings["rec"] = time.perf_counter() - t2
        lines = [
            TextLine(text, score, q.tolist(), page, chars)
            for (text, score, chars), q in zip(texts, quads, strict=True)
            if text.strip() and score >= self.min_score
        ]
        lines = reading_order(lines, flipped=upside_down)
        return EngineOutput(lines, timings, upside_down)

    def detect(self, image: np.ndarray, max_side: int) -> list[np.ndarray]:
        """Text quadrilaterals, each clockwise from top-left, in ``image`` pixels."""
        h, w = image.shape[:2]
        ratio = min(1.0, max_side / max(h, w))
        rh = max(32, int(round(h * ratio / 32) * 32))
        rw = max(32, int(round(w * ratio / 32) * 32))
        resized = cv2.resize(image, (rw, rh), interpolation=cv2.INTER_AREA)
        blob = (resized.astype(np.float32) * (2.0 / 255.0) - 1.0).transpose(2, 0, 1)[None]
        pred = self._det(blob)
        boxes, _scores = self._post(pred, (h, w))
        quads = []
        for box in boxes:
            q = order_quad(np.asarray(box, dtype=np.float32))
            if np.linalg.norm(q[0] - q[1]) < 4 or np.linalg.norm(q[0] - q[3]) < 4:
                continue
            quads.append(q)
        return quads

    def page_is_upside_down(self, crops: list[np.ndarray], sample: int = 8) -> bool:
        """Ask the direction classifier about the widest lines; a clear majority decides."""
        order = sorted(range(len(crops)), key=lambda i: -crops[i].shape[1])[:sample]
        if not order:
            return False
        h, w = CLS_SHAPE
        batch = np.stack([_resize_pad(crops[i], h, w) for i in order])
        probs = self._cls(batch)
        flipped = sum(1 for p in probs if p[1] > 0.9)
        upright = sum(1 for p in probs if p[0] > 0.9)
        return flipped > upright and flipped >= max(2, math.ceil(len(order) / 2))

    def recognize_crops(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Recognise single-line crops: (text, mean character probability) for each."""
        return [(text, score) for text, score, _chars in self._recognize(crops)]

    # -- internals ----------------------------------------------------------------------------
    def _recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float, tuple[float, ...]]]:
        """Text, mean and per-character probabilities of single-line crops; unsure runs of
        digits are read again stretched (see the module's docstring)."""
        results = self._recognize_batches(crops)
        again = [i for i, (text, score, _c) in enumerate(results)
                 if score < RESTRETCH_BELOW and _DIGIT_RUN.search(text)]
        if again:
            stretched = [cv2.resize(crops[i], None, fx=RESTRETCH, fy=1.0,
                                    interpolation=cv2.INTER_CUBIC) for i in again]
            for i, second in zip(again, self._recognize_batches(stretched), strict=True):
                # Stretching separates characters; a reading with fewer of them lost some.
                if second[1] > results[i][1] and len(second[0]) >= len(results[i][0]):
                    results[i] = second
        return results

    def _recognize_batches(
        self, crops: list[np.ndarray]
    ) -> list[tuple[str, float, tuple[float, ...]]]:
        """Text, mean and per-character probabilities of single-line crops. Cost grows with the
        padded width of every batch, so lines are sorted by aspect ratio and a batch closes
        before padding would waste >25 %."""
        results: list[tuple[str, float, tuple[float, ...]]] = [("", 0.0, ())] * len(crops)
        ratios = [max(1.0, c.shape[1] / max(1, c.shape[0])) for c in crops]
        order = [int(i) for i in np.argsort(ratios)]
        batches: list[list[int]] = []
        for i in order:
            if batches and len(batches[-1]) < self.rec_batch and ratios[i] <= 1.25 * ratios[
                batches[-1][0]
            ]:
                batches[-1].append(i)
            else:
                batches.append([i])
        for idx in batches:
            width = int(math.ceil(REC_HEIGHT * ratios[idx[-1]] / REC_WIDTH_STEP) * REC_WIDTH_STEP)
            batch = np.stack([_resize_pad(crops[i], REC_HEIGHT, width) for i in idx])
            preds = self._rec(batch)
            for i, pred in zip(idx, preds, strict=True):
                results[i] = self._decode(pred)
        return results

    def _decode(self, pred: np.ndarray) -> tuple[str, float, tuple[float, ...]]:
        idx = pred.argmax(axis=1)
        prob = pred.max(axis=1)
        keep = np.ones(len(idx), dtype=bool)
        keep[1:] = idx[1:] != idx[:-1]
        keep &= idx != 0
        chars = [self._chars[i] if i < len(self._chars) else "" for i in idx[keep]]
        if not chars:
            return "", 0.0, ()
        probs = prob[keep]
        # A table entry may hold more than one character: each of them gets its entry's score.
        per_char = tuple(float(p) for c, p in zip(chars, probs, strict=True) for _ in c)
        return "".join(chars), float(np.mean(probs)), per_char



def _resize_pad(crop: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize to ``height`` keeping the aspect ratio, normalise to [-1, 1], pad right to width."""
    h, w = crop.shape[:2]
    new_w = min(width, max(1, int(math.ceil(height * w / max(1, h)))))
    resized = cv2.resize(crop, (new_w, height), interpolation=cv2.INTER_LINEAR)
    out = np.zeros((3, height, width), dtype=np.float32)
    out[:, :, :new_w] = resized.astype(np.float32).transpose(2, 0, 1) * (2.0 / 255.0) - 1.0
    return out
