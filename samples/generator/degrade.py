"""Degradations that make a clean rendering look photographed or scanned, with every parameter
recorded for the truth file.

Geometry is one homography (rotation up to ±10°, optional 180°, perspective, scale) from the
document onto a textured canvas, so the document's four corners in the output (``card_quad``)
are exact. Photometric effects follow: shadow, uneven lighting, glare, blur, noise, grey scan;
JPEG quality is chosen here and applied when the file is written. Levels stay where a person can
still read every field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import cv2
import numpy as np
from PIL import Image

from core.documents import DocType
from samples.generator import textures


class Preset(StrEnum):
    """Kinds of degraded capture."""

    DESK = "desk"  # a phone photo on a desk, at an angle
    DESK_FLIPPED = "desk_flipped"  # the same, the document lying upside down
    SCAN = "scan"  # a flatbed scan: flat, crooked, noisy, heavily compressed


@dataclass(slots=True)
class Degraded:
    """A degraded RGB image, the document's corners in it and the parameters used."""

    image: np.ndarray
    quad: list[list[float]]
    params: dict[str, Any]
    jpeg_quality: int


def _canvas(doc_type: DocType, doc_size: tuple[int, int], preset: Preset,
            rng: np.random.Generator) -> tuple[int, int, float]:
    """Output width, height and the document's target share of the width."""
    w, h = doc_size
    if doc_type in (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK):
        width = int(rng.integers(1000, 1301))
        return width, round(width * 0.75), rng.uniform(0.55, 0.85)
    if preset is Preset.SCAN:
        width = int(rng.integers(1100, 1401)) if h > w else int(rng.integers(1400, 1701))
        return width, round(width * h / w), rng.uniform(0.9, 0.97)
    if h > w:
        width = int(rng.integers(1100, 1401))
        return width, round(width * 4 / 3), rng.uniform(0.72, 0.9)
    width = int(rng.integers(1400, 1801))
    return width, round(width * 0.75), rng.uniform(0.75, 0.92)


def _place(doc_size: tuple[float, float], canvas: tuple[int, int], fraction: float,
           angle: float, perspective: float, rng: np.random.Generator) -> np.ndarray:
    """Corners (4 × 2, clockwise from the document's top-left) of the placed document."""
    w, h = doc_size
    cw, ch = canvas
    target = fraction * cw
    quad = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]],
                    np.float64) * (target / w)
    if perspective:
        keystone = rng.uniform(-perspective, perspective) * target
        quad[:2, 0] += np.array([keystone, -keystone]) / 2  # the far edge looks shorter
        quad += rng.uniform(-perspective / 3, perspective / 3, (4, 2)) * target
    a = math.radians(angle)  # positive = clockwise in image coordinates (y down)
    rotation = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    quad = quad @ rotation.T
    span = quad.max(axis=0) - quad.min(axis=0)
    quad *= min(1.0, 0.96 * cw / span[0], 0.96 * ch / span[1])
    low, high = -quad.min(axis=0), np.array([cw, ch]) - quad.max(axis=0)
    centre = low + (high - low) * rng.uniform(0.2, 0.8, 2)
    return quad + centre


def _lighting(height: int, width: int, rng: np.random.Generator, strength: float,
              ) -> tuple[np.ndarray, dict[str, Any]]:
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    if rng.random() < 0.5:
        angle = rng.uniform(0, 2 * math.pi)
        ramp = (x / width - 0.5) * math.cos(angle) + (y / height - 0.5) * math.sin(angle)
        field = 1 - strength * (ramp + 0.71) / 1.42
        return field, {"type": "gradient", "strength": round(strength, 3),
                       "angle_deg": round(math.degrees(angle), 1)}
    cx, cy = rng.uniform(0.3, 0.7) * width, rng.uniform(0.3, 0.7) * height
    r2 = ((x - cx) ** 2 + (y - cy) ** 2) / (0.25 * (width ** 2 + height ** 2))
    field = 1 - strength * np.clip(r2, 0, 1.5)
    return field, {"type": "vignette", "strength": round(strength, 3),
                   "centre": [round(cx, 1), round(cy, 1)]}


def degrade(doc: Image.Image, doc_type: DocType, preset: Preset,
            rng: np.random.Generator) -> Degraded:
    """Place ``doc`` (RGBA, transparent outside the document) on a canvas and degrade it."""
    cw, ch, fraction = _canvas(doc_type, doc.size, preset, rng)
    is_card = doc_type in (DocType.ID_CARD_FRONT, DocType.ID_CARD_BACK)
    max_angle = 10.0 if is_card or preset is not Preset.SCAN else 3.0
    angle = rng.uniform(-max_angle, max_angle)
    flipped = preset is Preset.DESK_FLIPPED or (preset is Preset.SCAN and rng.random() < 0.25)
    angle += 180.0 if flipped else 0.0
    perspective = 0.0 if preset is Preset.SCAN else rng.uniform(0.03, 0.09)
    quad = _place(doc.size, (cw, ch), fraction, angle, perspective, rng)

    # Shrink with area averaging first: warping straight from full size would alias the text.
    scale = float(np.linalg.norm(quad[1] - quad[0])) / doc.width
    source = np.asarray(doc.convert("RGBA"))
    if scale < 0.9:
        size = (max(1, round(doc.width * scale)), max(1, round(doc.height * scale)))
        source = cv2.resize(source, size, interpolation=cv2.INTER_AREA)
    sh, sw = source.shape[:2]
    src = np.array([[0, 0], [sw, 0], [sw, sh], [0, sh]], np.float32)
    matrix = cv2.getPerspectiveTransform(src, quad.astype(np.float32))
    warped = cv2.warpPerspective(source, matrix, (cw, ch), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))
    alpha = warped[..., 3].astype(np.float32) / 255

    if preset is Preset.SCAN:  # the scanner lamp leaves a thin shadow along the edges
        background_name = "scanner"
        canvas = textures.scanner(rng, ch, cw)
        blur, offset, darkness = cw * 0.002, cw * 0.0015, 0.35
    else:
        background_name = str(rng.choice(list(textures.DESK_TEXTURES)))
        canvas = textures.DESK_TEXTURES[background_name](rng, ch, cw)
        blur, offset, darkness = cw * 0.012, cw * 0.0075, 0.45
    # The shadow is soft, so blur and shift it at a quarter of the resolution (much faster).
    small = cv2.resize(alpha, (cw // 4, ch // 4), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), max(0.5, blur / 4))
    shift = np.float32([[1, 0, offset * 0.2], [0, 1, offset * 0.3]])
    shadow = cv2.resize(cv2.warpAffine(small, shift, (cw // 4, ch // 4)), (cw, ch),
                        interpolation=cv2.INTER_LINEAR)
    canvas *= (1 - darkness * shadow)[..., None]
    img = canvas * (1 - alpha[..., None]) + warped[..., :3].astype(np.float32) * alpha[..., None]

    params: dict[str, Any] = {
        "preset": preset.value,
        "background": background_name,
        "output_size": [cw, ch],
        "rotation_deg": round(angle, 2),
        "flipped_180": flipped,
        "perspective": round(perspective, 3),
        "card_width_fraction": round(float(np.ptp(quad[:, 0])) / cw, 3),
    }
    field, params["lighting"] = _lighting(ch, cw, rng, rng.uniform(0.04, 0.12)
                                          if preset is Preset.SCAN else rng.uniform(0.1, 0.3))
    cast_range = 0.015 if preset is Preset.SCAN else 0.04
    cast = (1 + rng.uniform(-cast_range, cast_range, 3)).astype(np.float32)
    img *= field[..., None] * cast
    params["colour_cast"] = [round(float(c), 3) for c in cast]

    params["glare"] = None
    if preset is not Preset.SCAN and rng.random() < 0.4:
        weights = rng.dirichlet(np.ones(4))
        gx, gy = weights @ quad
        radius, strength = rng.uniform(0.05, 0.13) * cw, rng.uniform(0.3, 0.5)
        x0, x1 = max(0, int(gx - 3 * radius)), min(cw, int(gx + 3 * radius) + 1)
        y0, y1 = max(0, int(gy - 3 * radius)), min(ch, int(gy + 3 * radius) + 1)
        y = np.arange(y0, y1, dtype=np.float32)[:, None] - np.float32(gy)
        x = np.arange(x0, x1, dtype=np.float32)[None, :] - np.float32(gx)
        spot = np.exp(-(x * x + y * y) / np.float32(2 * radius ** 2))
        window = img[y0:y1, x0:x1]
        window += (255 - np.clip(window, 0, 255)) * (strength * spot)[..., None]
        params["glare"] = {"centre": [round(float(gx), 1), round(float(gy), 1)],
                           "radius": round(float(radius), 1), "strength": round(strength, 3)}

    params["blur"] = None
    if rng.random() < 0.6:
        if rng.random() < 0.6:
            sigma = rng.uniform(0.5, 1.0)
            img = cv2.GaussianBlur(img, (0, 0), sigma)
            params["blur"] = {"type": "gaussian", "sigma": round(sigma, 2)}
        else:
            length, theta = int(rng.choice([3, 5])), rng.uniform(0, 180)
            kernel = np.zeros((length, length), np.float32)
            c = length // 2
            dx, dy = math.cos(math.radians(theta)) * c, math.sin(math.radians(theta)) * c
            cv2.line(kernel, (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy)), 1.0)
            img = cv2.filter2D(img, -1, kernel / kernel.sum())
            params["blur"] = {"type": "motion", "length": length, "angle_deg": round(theta, 1)}

    sigma = rng.uniform(2, 6)
    # Mostly luminance noise, as after a camera's demosaicing and JPEG; one plane is cheap.
    img += rng.standard_normal((ch, cw, 1), dtype=np.float32) * np.float32(sigma)
    params["noise_sigma"] = round(sigma, 2)
    grey = preset is Preset.SCAN and rng.random() < 0.3
    if grey:
        img = np.repeat(img @ np.float32([0.299, 0.587, 0.114])[:, None], 3, axis=2)
    params["grayscale"] = grey
    quality = int(rng.integers(30, 71) if preset is Preset.SCAN else rng.integers(45, 86))
    params["jpeg_quality"] = quality
    out = np.clip(img, 0, 255).astype(np.uint8)
    corners = [[round(float(x), 1), round(float(y), 1)] for x, y in quad]
    return Degraded(out, corners, params, quality)
