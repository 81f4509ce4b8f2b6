"""Draw the sample holder "photo": a plain cartoon bust, not a real person.

Run ``python samples/licences/draw_photo.py`` to rewrite ``holder_photo.jpg`` (358 x 441 px, the
33 x 48 mm residence-permit size at about 280 dpi, light blue background).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

SIZE = (358, 441)
BACKGROUND = (208, 228, 246)


def draw_photo() -> Image.Image:
    image = Image.new("RGB", SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.ellipse((39, 300, 319, 560), fill=(46, 62, 92))  # shoulders in a dark jacket
    draw.rectangle((154, 250, 204, 320), fill=(236, 200, 170))  # neck
    draw.ellipse((104, 80, 254, 280), fill=(240, 206, 176))  # face
    draw.chord((96, 60, 262, 200), 180, 360, fill=(34, 30, 28))  # hair
    draw.ellipse((140, 160, 156, 172), fill=(40, 40, 40))  # eyes
    draw.ellipse((202, 160, 218, 172), fill=(40, 40, 40))
    draw.arc((150, 205, 208, 240), 20, 160, fill=(170, 80, 80), width=4)  # mouth
    return image


if __name__ == "__main__":
    target = Path(__file__).with_name("holder_photo.jpg")
    draw_photo().save(target, "JPEG", quality=88, optimize=True)
    print(f"wrote {target}")
