"""Builders shared by the photo-check tests: encoding, ID-photo framing of a real portrait by
plain image geometry, and hand-made analyses for rules that need exact inputs."""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from verify.photo import FaceLandmarks, PortraitAnalysis, PortraitAnalyzer


def encode(rgb: np.ndarray, fmt: str = "JPEG", **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, fmt, **options)
    return buffer.getvalue()


@dataclass(frozen=True)
class Framed:
    """A framed photo and the geometry the transform gives it (profile pixels)."""

    rgb: np.ndarray
    face_width: float
    crown_margin: float
    eye_line_from_bottom: float
    center_offset: float


def frame(rgb: np.ndarray, analyzer: PortraitAnalyzer, *, face_width: float = 207.0,
          crown_margin: float = 14.0, shift_x: float = 0.0, width: int = 358,
          height: int = 441, fill: tuple[int, int, int] = (128, 128, 128)) -> Framed:
    """Scale and translate ``rgb`` (one affine warp) so that its face, as measured once on the
    original, gets ``face_width`` px, its crown ``crown_margin`` px below the top edge and its
    centre ``shift_x`` px right of the image centre.

    The expected geometry of the result follows from the transform alone; the tests then check
    that the rules, measuring afresh on the new photo, agree with it."""
    face = analyzer.analyze(rgb).face
    assert face is not None and face.crown_from_mask
    scale = face_width / face.face_width
    tx = width / 2.0 + shift_x - scale * face.center_x
    ty = crown_margin - scale * face.crown_y
    matrix = np.float32([[scale, 0, tx], [0, scale, ty]])
    out = cv2.warpAffine(rgb, matrix, (width, height), flags=cv2.INTER_AREA,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=fill)
    return Framed(rgb=out, face_width=face_width, crown_margin=crown_margin,
                  eye_line_from_bottom=height - (scale * face.eye_line_y + ty),
                  center_offset=shift_x)


def rotate(rgb: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate about the centre (positive: counter-clockwise on screen), edges replicated."""
    height, width = rgb.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2.0, height / 2.0), degrees, 1.0)
    return cv2.warpAffine(rgb, matrix, (width, height), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)


def hand_made_analysis(width: int = 358, height: int = 441, *, person: np.ndarray | None = None,
                       crown_y: float = 14.0, crown_from_mask: bool = True,
                       face_left_x: float = 75.0, face_right_x: float = 283.0,
                       eye_line_y: float = 180.0, chin_y: float = 330.0, roll: float = 0.0,
                       faces: int = 1) -> PortraitAnalysis:
    """An analysis with exactly the measurements given (no model involved)."""
    center = (face_left_x + face_right_x) / 2.0
    face = FaceLandmarks(
        points=np.zeros((478, 3), np.float32), left_eye=(center - 40, eye_line_y),
        right_eye=(center + 40, eye_line_y), eye_line_y=eye_line_y, chin=(center, chin_y),
        crown_y=crown_y, crown_from_mask=crown_from_mask, face_left_x=face_left_x,
        face_right_x=face_right_x, center_x=center, roll=roll, yaw=0.0, pitch=0.0,
        eye_openness=(0.3, 0.3), mouth_openness=0.0)
    mask = person if person is not None else np.zeros((height, width), np.float32)
    box = (face_left_x, crown_y, face_right_x, chin_y)
    return PortraitAnalysis(width=width, height=height, face_count=faces,
                            face_boxes=(box,) * faces, face=face if faces else None,
                            person_mask=mask)


def ellipse_person(width: int, height: int) -> np.ndarray:
    """A head-and-shoulders silhouette as a float mask: head ellipse plus a shoulder block."""
    mask = np.zeros((height, width), np.uint8)
    cv2.ellipse(mask, (width // 2, height // 2 - 20), (width // 4, height // 3), 0, 0, 360, 1, -1)
    mask[int(height * 0.75):, width // 8: width - width // 8] = 1
    return mask.astype(np.float32)
