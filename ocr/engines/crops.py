"""Geometry shared by engines: ordering quad corners, cropping a text quadrilateral to an upright
line image, and putting lines in reading order."""

from __future__ import annotations

import cv2
import numpy as np

from core import TextLine


def order_quad(points: np.ndarray) -> np.ndarray:
    """Order four points clockwise (in image coordinates) starting from the top-left one.

    Sorting by angle around the centre stays correct at any rotation, where the usual
    sum/difference trick returns the same point twice near 45°.
    """
    pts = np.asarray(points, dtype=np.float32).reshape(4, 2)
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    pts = pts[np.argsort(angles)]  # clockwise on screen, where y grows downwards
    start = int(np.argmin(pts.sum(axis=1)))
    return np.roll(pts, -start, axis=0)


def crop_quad(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Warp the quadrilateral ``quad`` (clockwise from top-left) to an upright rectangle.

    A crop much taller than wide is a vertical line; it is turned to read left to right.
    """
    q = np.asarray(quad, dtype=np.float32).reshape(4, 2)
    width = int(max(np.linalg.norm(q[0] - q[1]), np.linalg.norm(q[2] - q[3])))
    height = int(max(np.linalg.norm(q[0] - q[3]), np.linalg.norm(q[1] - q[2])))
    width, height = max(width, 1), max(height, 1)
    dst = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(q, dst)
    crop = cv2.warpPerspective(
        image, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC
    )
    if height / width >= 1.5:
        crop = np.rot90(crop)
    return np.ascontiguousarray(crop)


def reading_order(lines: list[TextLine], flipped: bool = False) -> list[TextLine]:
    """Sort lines top-to-bottom, then left-to-right within a visual row.

    For a page read upside down, "top" is the largest y of the original image.
    """
    sign = -1.0 if flipped else 1.0

    def height(ln: TextLine) -> float:
        ys = [p[1] for p in ln.box]
        return max(ys) - min(ys)

    def centre_y(ln: TextLine) -> float:
        return sign * sum(p[1] for p in ln.box) / 4

    def left(ln: TextLine) -> float:
        return sign * sum(p[0] for p in ln.box) / 4

    ordered = sorted(lines, key=centre_y)
    rows: list[list[TextLine]] = []
    for ln in ordered:
        if rows and abs(centre_y(ln) - centre_y(rows[-1][0])) < 0.5 * max(height(ln), 1):
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return [ln for row in rows for ln in sorted(row, key=left)]
