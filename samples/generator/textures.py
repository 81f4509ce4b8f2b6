"""Procedural backgrounds a document is photographed or scanned on: wood, fabric, desk, scanner.

Each returns a float32 RGB array in [0, 255]; they are built from low-resolution noise scaled up
with OpenCV so that a 1300 px canvas costs a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

Texture = Callable[[np.random.Generator, int, int], np.ndarray]


def smooth_noise(rng: np.random.Generator, height: int, width: int, cell: int) -> np.ndarray:
    """Value noise in [0, 1] with features about ``cell`` pixels across (float32, h × w)."""
    small = rng.random((height // cell + 2, width // cell + 2)).astype(np.float32)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC).clip(0, 1)


def _colourise(shade: np.ndarray, colour: tuple[float, float, float]) -> np.ndarray:
    return shade[..., None] * np.array(colour, np.float32)


def wood(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """Planks of wood grain: warped rings along the plank, streaks and dark seams."""
    colour = [(196, 158, 116), (128, 86, 54), (166, 104, 66), (214, 188, 150)][rng.integers(4)]
    y = np.arange(height, dtype=np.float32)[:, None]
    warp = smooth_noise(rng, height, width, 96) * 60 + smooth_noise(rng, height, width, 24) * 8
    rings = np.sin(2 * np.pi * (y + warp) / rng.uniform(14, 30))
    streaks = rng.standard_normal((height, max(1, width // 24)), dtype=np.float32)
    streaks = cv2.resize(streaks, (width, height), interpolation=cv2.INTER_LINEAR)
    shade = 0.86 + 0.07 * rings + 0.03 * streaks
    plank = int(rng.integers(140, 260))
    shade[(np.arange(height) % plank) < 2, :] *= 0.6
    shade *= 0.9 + 0.2 * smooth_noise(rng, height, width, 300)
    return _colourise(shade, colour)


def fabric(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A woven cloth: crossed threads with slub noise, in a muted colour."""
    colour = [(70, 82, 110), (120, 120, 116), (90, 110, 84), (150, 70, 66), (200, 194, 180)][
        rng.integers(5)]
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    period = rng.uniform(4, 7)
    weave = np.sin(2 * np.pi * x / period) * np.sin(2 * np.pi * y / period)
    shade = 0.9 + 0.06 * weave + 0.05 * (smooth_noise(rng, height, width, 6) - 0.5)
    shade *= 0.92 + 0.16 * smooth_noise(rng, height, width, 200)
    return _colourise(shade, colour)


def desk(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A plain laminate desk top (white, grey or dark), slightly mottled."""
    colour = [(232, 230, 224), (170, 170, 168), (60, 60, 64), (200, 190, 170)][rng.integers(4)]
    shade = 0.95 + 0.08 * smooth_noise(rng, height, width, 180)
    shade += 0.02 * rng.standard_normal((height, width), dtype=np.float32)
    return _colourise(shade, colour)


def scanner(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A scanner lid: near white with a faint uneven tone."""
    level = rng.uniform(236, 252)
    shade = 1 - 0.03 * smooth_noise(rng, height, width, 250)
    return _colourise(shade, (level, level, level - rng.uniform(0, 4)))


DESK_TEXTURES: dict[str, Texture] = {"wood": wood, "fabric": fabric, "desk": desk}
