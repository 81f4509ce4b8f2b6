"""Drawn decorations: guilloche backgrounds, an abstract emblem, seals, QR-like codes, portraits.

Everything here is abstract artwork made with numpy and PIL primitives. The emblem is a generic
red-and-gold roundel and the portrait a grey silhouette: no real insignia, no real faces.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from samples.generator.typesetting import Face, font

RGB = tuple[int, int, int]
GOLD: RGB = (222, 170, 40)
EMBLEM_RED: RGB = (200, 22, 38)
SEAL_RED: RGB = (214, 28, 36)


def gradient_background(width: int, height: int, top_left: RGB, bottom_right: RGB) -> np.ndarray:
    """A float32 RGB image fading diagonally between two colours."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    t = ((x / width + y / height) / 2)[..., None]
    return (1 - t) * np.array(top_left, np.float32) + t * np.array(bottom_right, np.float32)


def guilloche(width: int, height: int, rng: np.random.Generator, *, families: int = 3,
              spacing: float = 18.0, thickness: float = 0.05) -> np.ndarray:
    """A [0, 1] float32 map of interlaced wavy line families plus one rosette."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    out = np.zeros((height, width), np.float32)
    for _ in range(families):
        angle = rng.uniform(0, math.pi)
        u = x * math.cos(angle) + y * math.sin(angle)
        v = -x * math.sin(angle) + y * math.cos(angle)
        amp = rng.uniform(2.0, 5.0)
        phase = 2 * math.pi * u / spacing + amp * np.sin(2 * math.pi * v / rng.uniform(90, 220))
        out = np.maximum(out, np.exp(-np.sin(phase) ** 2 / thickness))
    cx, cy = rng.uniform(0.3, 0.7) * width, rng.uniform(0.3, 0.7) * height
    r = np.hypot(x - cx, y - cy)
    theta = np.arctan2(y - cy, x - cx)
    petals = int(rng.integers(8, 16))
    rosette = np.exp(-np.sin(2 * math.pi * r / spacing + 3 * np.sin(petals * theta)) ** 2
                     / thickness)
    rosette *= np.clip(1.2 - r / (0.45 * min(width, height)), 0, 1)
    return np.maximum(out, rosette)


def tint(base: np.ndarray, mask: np.ndarray, colour: RGB, strength: float) -> np.ndarray:
    """Blend ``colour`` into a float RGB image where ``mask`` is high."""
    alpha = (mask * strength)[..., None]
    return base * (1 - alpha) + np.array(colour, np.float32) * alpha


def star_points(cx: float, cy: float, radius: float, rotation: float = -90.0) -> list[tuple]:
    """Vertices of a five-pointed star (outer radius ``radius``, first point at ``rotation``°)."""
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.382
        a = math.radians(rotation + 36 * i)
        points.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return points


def emblem(size: int) -> Image.Image:
    """An abstract red/gold roundel (stars over a gate, framed by ears), RGBA, ``size`` square."""
    scale = 3  # draw large and shrink for smooth edges
    s = size * scale
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    c, r = s / 2, s / 2 - 2
    d.ellipse((c - r, c - r, c + r, c + r), fill=GOLD)
    inner = r * 0.8
    d.ellipse((c - inner, c - inner, c + inner, c + inner), fill=EMBLEM_RED)
    for k in range(14):  # ear-like strokes around the rim
        for side in (-1, 1):
            a = math.radians(90 + side * (35 + k * 9.5))
            px, py = c + r * 0.9 * math.cos(a), c + r * 0.9 * math.sin(a)
            d.ellipse((px - r * 0.07, py - r * 0.04, px + r * 0.07, py + r * 0.04), fill=EMBLEM_RED)
    d.polygon(star_points(c, c - r * 0.42, r * 0.2), fill=GOLD)
    for a in (160, 125, 55, 20):  # four small stars on an arc around the big one
        sx = c + r * 0.34 * math.cos(math.radians(a)) * 1.3
        sy = c - r * 0.42 + r * 0.3 * math.sin(math.radians(a))
        d.polygon(star_points(sx, sy, r * 0.07), fill=GOLD)
    # A stylised gate: roof, body with arches, steps.
    d.polygon([(c - r * 0.42, c + r * 0.02), (c + r * 0.42, c + r * 0.02),
               (c + r * 0.32, c - r * 0.1), (c - r * 0.32, c - r * 0.1)], fill=GOLD)
    d.rectangle((c - r * 0.36, c + r * 0.02, c + r * 0.36, c + r * 0.28), fill=GOLD)
    for k in range(5):
        ax = c + (k - 2) * r * 0.13
        d.rounded_rectangle((ax - r * 0.035, c + r * 0.12, ax + r * 0.035, c + r * 0.28),
                            radius=r * 0.03, fill=EMBLEM_RED)
    d.rectangle((c - r * 0.5, c + r * 0.3, c + r * 0.5, c + r * 0.36), fill=GOLD)
    d.ellipse((c - r * 0.14, c + r * 0.48, c + r * 0.14, c + r * 0.76), outline=GOLD,
              width=int(r * 0.05))
    return img.resize((size, size), Image.LANCZOS)


def seal(text: str, radius: int, rng: np.random.Generator, colour: RGB = SEAL_RED,
         bottom_text: str = "") -> Image.Image:
    """A round official seal: ring, star, arc text; ink unevenness in the alpha channel."""
    size = 2 * radius + 8
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    c = size / 2
    ring = max(3, radius // 16)
    d.ellipse((c - radius, c - radius, c + radius, c + radius), outline=colour + (255,),
              width=ring)
    d.polygon(star_points(c, c, radius * 0.3), fill=colour + (255,))
    char_size = max(12, int(radius * 0.24))
    fnt = font(Face.HEI, char_size)
    span = min(250.0, 21.0 * len(text))
    text_r = radius - ring - char_size * 0.62
    for i, char in enumerate(text):
        angle = -90 - span / 2 + span * (i + 0.5) / len(text)
        glyph = Image.new("RGBA", (char_size * 2, char_size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((char_size, char_size), char, font=fnt,
                                   fill=colour + (255,), anchor="mm")
        glyph = glyph.resize((char_size * 2, int(char_size * 2 * 1.1)))  # seal type is tall
        glyph = glyph.rotate(-angle - 90, resample=Image.BICUBIC, expand=False)
        px = c + text_r * math.cos(math.radians(angle)) - glyph.width / 2
        py = c + text_r * math.sin(math.radians(angle)) - glyph.height / 2
        img.alpha_composite(glyph, (int(round(px)), int(round(py))))
    if bottom_text:
        small = font(Face.HEI, max(10, int(radius * 0.16)))
        d.text((c, c + radius * 0.58), bottom_text, font=small, fill=colour + (255,), anchor="mm")
    alpha = np.asarray(img.getchannel("A"), np.float32) / 255
    coarse = rng.uniform(0.55, 1.0, (8, 8)).astype(np.float32)
    ink = np.asarray(Image.fromarray((coarse * 255).astype(np.uint8)).resize(
        (size, size), Image.BICUBIC), np.float32) / 255
    speckle = rng.uniform(0.75, 1.0, alpha.shape).astype(np.float32)
    alpha = alpha * np.clip(ink * speckle + 0.1, 0, 1) * rng.uniform(0.75, 0.9)
    img.putalpha(Image.fromarray((alpha * 255).astype(np.uint8)))
    return img.filter(ImageFilter.GaussianBlur(0.6))


def multiply_onto(base: Image.Image, overlay: Image.Image, xy: tuple[int, int]) -> None:
    """Composite an RGBA ``overlay`` onto RGB(A) ``base`` in place with multiply blending (ink)."""
    x, y = xy
    w, h = overlay.size
    region = base.crop((x, y, x + w, y + h)).convert("RGB")
    below = np.asarray(region, np.float32)
    ov = np.asarray(overlay, np.float32)
    alpha = ov[..., 3:4] / 255
    blended = below * (1 - alpha * (1 - ov[..., :3] / 255))
    base.paste(Image.fromarray(blended.astype(np.uint8)), (x, y))


def qr_like(rng: np.random.Generator, modules: int = 25, module_px: int = 6) -> Image.Image:
    """A QR-code-looking square: random data modules with finder and timing patterns (L mode)."""
    grid = rng.random((modules, modules)) < 0.5
    finder = np.ones((7, 7), bool)
    finder[1:6, 1:6] = False
    finder[2:5, 2:5] = True
    for oy, ox in ((0, 0), (0, modules - 7), (modules - 7, 0)):
        grid[max(0, oy - 1):oy + 8, max(0, ox - 1):ox + 8] = False
        grid[oy:oy + 7, ox:ox + 7] = finder
    grid[6, 8:modules - 8] = np.arange(8, modules - 8) % 2 == 0
    grid[8:modules - 8, 6] = np.arange(8, modules - 8) % 2 == 0
    quiet = np.pad(grid, 2)
    pixels = np.where(quiet, 0, 255).astype(np.uint8)
    pixels = np.kron(pixels, np.ones((module_px, module_px), np.uint8))
    return Image.fromarray(pixels, "L")


def silhouette(width: int, height: int) -> Image.Image:
    """A grey head-and-shoulders placeholder for the portrait area (RGBA)."""
    img = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    grey = (118, 124, 132, 235)
    cx = width / 2
    d.ellipse((cx - width * 0.62, height * 0.72, cx + width * 0.62, height * 1.5), fill=grey)
    d.rectangle((cx - width * 0.11, height * 0.5, cx + width * 0.11, height * 0.8), fill=grey)
    d.ellipse((cx - width * 0.28, height * 0.08, cx + width * 0.28, height * 0.6),
              fill=(66, 68, 74, 240))  # hair, showing round the top of the face
    d.ellipse((cx - width * 0.24, height * 0.16, cx + width * 0.24, height * 0.66), fill=grey)
    return img.filter(ImageFilter.GaussianBlur(1.2))


def draw_checkbox(draw: ImageDraw.ImageDraw, x: float, baseline: float, size: int,
                  checked: bool, colour: RGB = (0, 0, 0)) -> float:
    """A drawn square box (with a tick when ``checked``) sitting on ``baseline``; return end x."""
    top = baseline - size * 0.92
    draw.rectangle((x, top, x + size, top + size), outline=colour, width=max(2, size // 12))
    if checked:
        w = max(3, size // 7)
        draw.line([(x + size * 0.18, top + size * 0.5), (x + size * 0.42, top + size * 0.78),
                   (x + size * 0.88, top + size * 0.12)], fill=colour, width=w, joint="curve")
    return x + size
