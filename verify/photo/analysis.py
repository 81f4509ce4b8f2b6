"""Face and person analysis with the models bundled in the ``mediapipe`` wheel (no downloads).

:class:`PortraitAnalyzer` runs three ``mp.solutions`` graphs on an RGB image: FaceDetection
(full-range model) counts faces, FaceMesh (478 landmarks with irises) measures the largest face,
SelfieSegmentation gives the person mask used for the crown and the background. The result is a
frozen :class:`PortraitAnalysis`; nothing here judges a photo against a profile.

Conventions: pixel coordinates of the analysed image, y down. ``roll`` is positive when the eye
on the image's right is lower; ``yaw`` is positive when the face turns towards the image's right;
``pitch`` is positive when the chin is raised. All three come from a perspective fit of
mediapipe's canonical face to the 2-D landmarks (:mod:`verify.photo.pose`); the mesh's own depth
estimates, used before issue 10, read level heads as 5-20° chin-down.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from verify.photo.errors import model_unavailable
from verify.photo.native_log import import_mediapipe, quiet_native_stderr
from verify.photo.pose import estimate_pose

logger = logging.getLogger(__name__)

# FaceMesh landmark indices (mediapipe face_mesh topology).
FOREHEAD: Final = 10
CHIN: Final = 152
CHEEK_LEFT: Final = 234  # image left for a frontal face (the subject's right)
CHEEK_RIGHT: Final = 454
IRIS_A: Final = 468
IRIS_B: Final = 473
_EYE_A: Final = ((159, 158, 160), (145, 153, 144), (33, 133))  # upper lids, lower lids, corners
_EYE_B: Final = ((386, 385, 387), (374, 380, 373), (362, 263))
_LIPS_INNER: Final = (13, 14)
_MOUTH_CORNERS: Final = (61, 291)
# Where the forehead landmark sits between chin and crown, averaged over real portraits with a
# clean person mask (0.65-0.76): used only when the mask cannot give the crown.
FOREHEAD_TO_HEAD_RATIO: Final = 0.72
_MASK_THRESHOLD: Final = 0.5
_CROWN_ROW_FILL: Final = 0.15  # a mask row belongs to the head while this much of it is person
_MAX_FACES: Final = 4


@dataclass(frozen=True, eq=False)
class FaceLandmarks:
    """The measurements of one face, in pixels of the analysed image (see module docstring)."""

    points: np.ndarray  # (478, 3) float32: x, y in px, z in px (x scale)
    left_eye: tuple[float, float]  # iris centre with the smaller x
    right_eye: tuple[float, float]
    eye_line_y: float
    chin: tuple[float, float]
    crown_y: float
    crown_from_mask: bool
    face_left_x: float
    face_right_x: float
    center_x: float
    roll: float
    yaw: float
    pitch: float
    eye_openness: tuple[float, float]  # lid gap / eye width, (left, right) as above
    mouth_openness: float  # inner-lip gap / mouth width

    @property
    def face_width(self) -> float:
        return self.face_right_x - self.face_left_x

    @property
    def head_height(self) -> float:
        return self.chin[1] - self.crown_y


@dataclass(frozen=True, eq=False)
class PortraitAnalysis:
    """Everything the models saw in one image. ``face`` is the largest face the mesh found."""

    width: int
    height: int
    face_count: int
    face_boxes: tuple[tuple[float, float, float, float], ...]  # (x0, y0, x1, y1) px
    face: FaceLandmarks | None
    person_mask: np.ndarray  # float32 HxW in [0, 1]


class _Models:
    """One set of the three graphs; mediapipe graphs are not safe to share between threads."""

    def __init__(self, mp: Any) -> None:
        solutions = mp.solutions
        self.detection = solutions.face_detection.FaceDetection(
            model_selection=1, min_detection_confidence=0.5)
        self.mesh = solutions.face_mesh.FaceMesh(
            static_image_mode=True, max_num_faces=_MAX_FACES, refine_landmarks=True,
            min_detection_confidence=0.5)
        self.segmentation = solutions.selfie_segmentation.SelfieSegmentation(model_selection=0)
        # The landmark graph warns once, on the first image that has a face: stay quiet till then.
        self.quiet = True

    def run(self, image: np.ndarray) -> tuple[list[Any], list[Any], Any]:
        detections = self.detection.process(image).detections or []
        meshes = self.mesh.process(image).multi_face_landmarks or []
        mask = self.segmentation.process(image).segmentation_mask
        return list(detections), list(meshes), mask

    def close(self) -> None:
        for graph in (self.detection, self.mesh, self.segmentation):
            graph.close()


class PortraitAnalyzer:
    """Runs the face and person models. Thread-safe; at most ``threads`` analyses run at once,
    each with its own set of graphs, created on first use (the first call costs ~0.5 s)."""

    def __init__(self, threads: int = 1) -> None:
        if threads < 1:
            raise ValueError("threads must be at least 1")
        self._threads = threads
        self._lock = threading.Lock()
        self._created = 0
        self._idle: queue.LifoQueue[_Models] = queue.LifoQueue()
        self._all: list[_Models] = []

    def analyze(self, rgb: np.ndarray) -> PortraitAnalysis:
        """Analyse an ``HxWx3`` ``uint8`` RGB image."""
        if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
            raise ValueError("analyze() needs an HxWx3 uint8 RGB array")
        image = np.ascontiguousarray(rgb)
        models = self._acquire()
        try:
            if models.quiet:
                with quiet_native_stderr():
                    detections, meshes, mask = models.run(image)
                models.quiet = not meshes
            else:
                detections, meshes, mask = models.run(image)
        finally:
            self._idle.put(models)
        return _build(image, detections, meshes, mask)

    def warm_up(self) -> None:
        """Create the models now (and silence their start-up chatter) instead of on first use."""
        self._idle.put(self._acquire())

    def close(self) -> None:
        with self._lock:
            for models in self._all:
                models.close()
            self._all.clear()
            self._created = 0
            self._idle = queue.LifoQueue()

    def _acquire(self) -> _Models:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if self._created < self._threads:
                self._created += 1
                try:
                    models = _create_models()
                except BaseException:
                    self._created -= 1
                    raise
                self._all.append(models)
                return models
        return self._idle.get()

    def __enter__(self) -> PortraitAnalyzer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _create_models() -> _Models:
    mp = import_mediapipe()
    try:
        with quiet_native_stderr():
            models = _Models(mp)
            # The graphs print their start-up warnings on the first run: do it while quiet.
            models.run(np.full((80, 64, 3), 128, np.uint8))
    except Exception as exc:
        raise model_unavailable(f"mediapipe could not start its graphs ({type(exc).__name__})") \
            from exc
    logger.debug("mediapipe face and segmentation graphs created")
    return models


def _build(image: np.ndarray, detections: list[Any], meshes: list[Any], mask: Any
           ) -> PortraitAnalysis:
    height, width = image.shape[:2]
    person = np.clip(np.asarray(mask, dtype=np.float32), 0.0, 1.0)
    boxes = [_detection_box(d, width, height) for d in detections]
    faces = [_mesh_points(m, width, height) for m in meshes]
    for points in faces:  # A face the mesh found but the detector missed still counts.
        box = (float(points[:, 0].min()), float(points[:, 1].min()),
               float(points[:, 0].max()), float(points[:, 1].max()))
        if all(_iou(box, other) < 0.3 for other in boxes):
            boxes.append(box)
    largest = max(faces, key=lambda p: p[CHEEK_RIGHT, 0] - p[CHEEK_LEFT, 0], default=None)
    face = _measure(largest, person) if largest is not None else None
    return PortraitAnalysis(width=width, height=height, face_count=len(boxes),
                            face_boxes=tuple(boxes), face=face, person_mask=person)


def _detection_box(detection: Any, width: int, height: int) -> tuple[float, float, float, float]:
    rel = detection.location_data.relative_bounding_box
    x0, y0 = max(0.0, rel.xmin * width), max(0.0, rel.ymin * height)
    x1 = min(float(width), (rel.xmin + rel.width) * width)
    y1 = min(float(height), (rel.ymin + rel.height) * height)
    return (x0, y0, x1, y1)


def _mesh_points(mesh: Any, width: int, height: int) -> np.ndarray:
    return np.array([(p.x * width, p.y * height, p.z * width) for p in mesh.landmark],
                    dtype=np.float32)


def _iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _measure(points: np.ndarray, person: np.ndarray) -> FaceLandmarks:
    iris = sorted((tuple(map(float, points[i, :2])) for i in (IRIS_A, IRIS_B)),
                  key=lambda p: p[0])
    left_eye, right_eye = iris[0], iris[1]
    openness = sorted(((_eye_openness(points, *_EYE_A), float(points[IRIS_A, 0])),
                       (_eye_openness(points, *_EYE_B), float(points[IRIS_B, 0]))),
                      key=lambda item: item[1])
    chin = (float(points[CHIN, 0]), float(points[CHIN, 1]))
    left_x, right_x = float(points[CHEEK_LEFT, 0]), float(points[CHEEK_RIGHT, 0])
    if left_x > right_x:  # A face turned past profile or mirrored: keep left < right.
        left_x, right_x = right_x, left_x
    crown, from_mask = _crown(points, person, left_x, right_x)
    pose = estimate_pose(points)
    mouth_width = _distance(points, *_MOUTH_CORNERS)
    mouth = _distance(points, *_LIPS_INNER) / mouth_width if mouth_width > 0 else 0.0
    return FaceLandmarks(
        points=points, left_eye=left_eye, right_eye=right_eye,
        eye_line_y=(left_eye[1] + right_eye[1]) / 2.0, chin=chin, crown_y=crown,
        crown_from_mask=from_mask, face_left_x=left_x, face_right_x=right_x,
        center_x=(left_x + right_x) / 2.0, roll=pose.roll, yaw=pose.yaw, pitch=pose.pitch,
        eye_openness=(openness[0][0], openness[1][0]), mouth_openness=mouth,
    )


def _eye_openness(points: np.ndarray, upper: tuple[int, ...], lower: tuple[int, ...],
                  corners: tuple[int, int]) -> float:
    width = _distance(points, *corners)
    if width <= 0:
        return 0.0
    gaps = [_distance(points, u, lo) for u, lo in zip(upper, lower, strict=True)]
    return float(np.mean(gaps)) / width


def _distance(points: np.ndarray, a: int, b: int) -> float:
    return float(np.hypot(*(points[a, :2] - points[b, :2])))


def _crown(points: np.ndarray, person: np.ndarray, left_x: float, right_x: float
           ) -> tuple[float, bool]:
    """Top of the head: the highest row above the forehead that the person mask still fills
    across the middle of the face, or a landmark estimate when the mask cannot tell."""
    forehead_y, chin_y = float(points[FOREHEAD, 1]), float(points[CHIN, 1])
    estimate = chin_y - (chin_y - forehead_y) / FOREHEAD_TO_HEAD_RATIO
    height, width = person.shape
    span = right_x - left_x
    x0 = int(np.clip(round(left_x + 0.2 * span), 0, width - 1))
    x1 = int(np.clip(round(right_x - 0.2 * span), x0 + 1, width))
    start = int(np.clip(round(forehead_y), 0, height - 1))
    band = person[: start + 1, x0:x1] > _MASK_THRESHOLD
    fill = band.mean(axis=1)
    if fill[start] < 0.5:  # The mask does not even cover the forehead: it is unusable here.
        return estimate, False
    empty = np.flatnonzero(fill[:start] < _CROWN_ROW_FILL)
    crown = float(empty[-1] + 1) if empty.size else 0.0
    face_length = chin_y - forehead_y
    # Hair more than a face length above the forehead is not hair (a raised hand, a hat, a wall
    # the mask took for the person): fall back to the estimate.
    if forehead_y - crown > face_length:
        return estimate, False
    return crown, True
