"""The engine protocol every OCR backend implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from core import TextLine


@dataclass(slots=True)
class EngineOutput:
    """Lines found on one image, top-to-bottom then left-to-right, with per-stage timings (s)."""

    lines: list[TextLine]
    timings: dict[str, float] = field(default_factory=dict)
    upside_down: bool = False  # the page was read turned 180°; boxes are still in input pixels


@runtime_checkable
class OCREngine(Protocol):
    """Reads text lines from a BGR ``uint8`` image (H×W×3)."""

    name: str

    def recognize(
        self, image: np.ndarray, *, page: int = 0, det_max_side: int | None = None
    ) -> EngineOutput:
        """Detect and recognise every text line on ``image``; ``det_max_side`` caps the
        detector's input size (engines that cannot honour it ignore it)."""
        ...

    def recognize_crops(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Recognise already-cropped single-line images (text, score), in order."""
        ...
