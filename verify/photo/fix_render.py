"""Pixels for the auto-fix: level the eyes, cut the planned crop out of the source photo, scale
it to the profile size and mark what lies outside the source.

One affine map takes an output pixel to the source photo: output ``(u, v)`` -> upright
``(left + u / s, top + v / s)`` -> source (the inverse of the roll correction). The crop is
warped at the source's own resolution first and then resized with ``INTER_AREA`` (the
resampling that averages, so a downscale does not alias); an enlargement uses ``INTER_CUBIC``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import cv2
import numpy as np

from verify.photo.fix_geometry import CropPlan, HeadGeometry

# Landmarks of the MediaPipe face mesh used for the upright geometry.
CHIN_POINT: Final = 152
CHEEK_POINTS: Final = (234, 454)


@dataclass(frozen=True)
class Leveling:
    """A rotation by ``angle`` degrees (counter-clockwise on screen) about ``center`` that makes
    the line through the irises horizontal; ``angle`` 0 means the photo is used as it is."""

    angle: float
    center: tuple[float, float]

    def matrix(self) -> np.ndarray:
        """The 2x3 map from source pixels to upright pixels."""
        return cv2.getRotationMatrix2D(self.center, self.angle, 1.0)

    def apply(self, points: np.ndarray) -> np.ndarray:
        """Upright positions of source ``points`` (N x 2)."""
        m = self.matrix()
        return points @ m[:, :2].T + m[:, 2]


def leveling(left_eye: tuple[float, float], right_eye: tuple[float, float],
             min_angle: float, roll: float | None = None) -> Leveling:
    """The rotation that levels the head, or none when it is within ``min_angle`` degrees.

    ``roll`` is the head's measured roll (the pose fit's, which the checks judge); without it
    the line through the irises is levelled. Either way the rotation turns about the eyes'
    midpoint."""
    angle = roll if roll is not None else \
        math.degrees(math.atan2(right_eye[1] - left_eye[1], right_eye[0] - left_eye[0]))
    center = ((left_eye[0] + right_eye[0]) / 2.0, (left_eye[1] + right_eye[1]) / 2.0)
    return Leveling(angle if abs(angle) >= min_angle else 0.0, center)


def upright_head(points: np.ndarray, left_eye: tuple[float, float],
                 right_eye: tuple[float, float], crown_y: float, level: Leveling) -> HeadGeometry:
    """The head's geometry after ``level``: landmarks are rotated exactly (the face centre is
    the midpoint of the cheek points, as ``verify.photo.analysis`` measures it); the crown, a
    height measured on the person mask, keeps its distance above the eye line (for the small
    angles corrected here the top of a round head moves by well under a pixel per degree)."""
    eye_y = (left_eye[1] + right_eye[1]) / 2.0
    named = np.array([
        points[CHEEK_POINTS[0], :2], points[CHEEK_POINTS[1], :2], points[CHIN_POINT, :2],
        left_eye, right_eye,
    ], dtype=np.float64)
    moved = level.apply(named) if level.angle else named
    cheek_xs = sorted((moved[0, 0], moved[1, 0]))
    eye_line = (moved[3, 1] + moved[4, 1]) / 2.0
    return HeadGeometry(
        face_left_x=float(cheek_xs[0]),
        face_right_x=float(cheek_xs[1]),
        center_x=float((cheek_xs[0] + cheek_xs[1]) / 2.0),
        eye_line_y=float(eye_line),
        chin_y=float(moved[2, 1]),
        crown_y=float(eye_line - (eye_y - crown_y)),
    )


@dataclass(frozen=True, eq=False)
class Rendered:
    """The output-size photo and person mask, and where the source did not reach."""

    rgb: np.ndarray
    mask: np.ndarray
    outside: np.ndarray  # bool HxW: left, right or above the source photo
    below: np.ndarray  # bool HxW: under the source's bottom edge (filled by repeating it)
    scale: float
    plan: CropPlan
    step: tuple[float, float]  # upright source pixels per output pixel, (x, y)

    def to_upright(self, x: float, y: float) -> tuple[float, float]:
        """The upright source position of output position ``(x, y)`` (pixel centres at .5)."""
        return (self.plan.left + x * self.step[0], self.plan.top + y * self.step[1])


def render(rgb: np.ndarray, mask: np.ndarray, plan: CropPlan, level: Leveling) -> Rendered:
    """Cut ``plan`` out of the source ``rgb`` and ``mask`` and scale it to the output size."""
    height, width = rgb.shape[:2]
    crop_w = max(1, round(plan.width / plan.scale))
    crop_h = max(1, round(plan.height / plan.scale))
    # crop pixel (i, j) -> upright (left + i, top + j) -> source.
    to_source = _inverse(level.matrix()) if level.angle else np.eye(2, 3)
    crop_to_upright = np.array([[1.0, 0.0, plan.left], [0.0, 1.0, plan.top], [0, 0, 1]])
    crop_map = to_source @ crop_to_upright
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    crop = cv2.warpAffine(rgb, crop_map, (crop_w, crop_h), flags=flags,
                          borderMode=cv2.BORDER_REPLICATE)
    crop_mask = cv2.warpAffine(mask.astype(np.float32, copy=False), crop_map, (crop_w, crop_h),
                               flags=flags, borderMode=cv2.BORDER_REPLICATE)
    size = (plan.width, plan.height)
    enlarging = plan.width > crop_w
    out = cv2.resize(crop, size, interpolation=cv2.INTER_CUBIC if enlarging else cv2.INTER_AREA)
    out_mask = cv2.resize(crop_mask, size, interpolation=cv2.INTER_LINEAR if enlarging
                          else cv2.INTER_AREA)
    # Where each output pixel centre comes from in the source photo.
    sx, sy = crop_w / plan.width, crop_h / plan.height
    u = (np.arange(plan.width, dtype=np.float32) + 0.5) * sx - 0.5
    v = (np.arange(plan.height, dtype=np.float32) + 0.5) * sy - 0.5
    xs = crop_map[0, 0] * u[None, :] + crop_map[0, 1] * v[:, None] + crop_map[0, 2]
    ys = crop_map[1, 0] * u[None, :] + crop_map[1, 1] * v[:, None] + crop_map[1, 2]
    below = ys > height - 0.5
    outside = ~below & ((xs < -0.5) | (xs > width - 0.5) | (ys < -0.5))
    return Rendered(out, np.clip(out_mask, 0.0, 1.0), outside, below,
                    scale=plan.width / crop_w, plan=plan, step=(sx, sy))


def carry_mask(mask: np.ndarray, before: Rendered, after: Rendered) -> np.ndarray:
    """``mask``, given in the pixels of the ``before`` output, moved into those of ``after``
    (both cut from the same upright photo; outside ``before`` counts as person, so that the
    caller's minimum with another mask leaves those pixels to the other mask)."""
    # after (u, v) -> upright -> before pixel: x_b = (left_a + u * step_a - left_b) / step_b.
    ax, ay = after.step[0] / before.step[0], after.step[1] / before.step[1]
    bx = (after.plan.left - before.plan.left) / before.step[0]
    by = (after.plan.top - before.plan.top) / before.step[1]
    matrix = np.array([[ax, 0.0, bx], [0.0, ay, by]])
    height, width = after.mask.shape
    return cv2.warpAffine(mask.astype(np.float32, copy=False), matrix, (width, height),
                          flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=1.0)


def _inverse(matrix: np.ndarray) -> np.ndarray:
    return cv2.invertAffineTransform(matrix).astype(np.float64)
