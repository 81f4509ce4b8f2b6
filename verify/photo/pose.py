"""Head pose (roll, yaw, pitch) from a perspective fit of mediapipe's canonical face to FaceMesh.

The 2-D FaceMesh landmarks of the rigid part of the face (the 33 points mediapipe's own face
geometry pipeline uses for its Procrustes fit: nose, eye corners, brows, cheekbones, jaw angles)
are matched with ``cv2.solvePnP`` against the same points of mediapipe's canonical face model.
The mesh's own z estimates are not used: they lean the face's vertical axis by 10-20° on real,
level portraits (issue 10), while the 2-D landmarks are what the model is trained on and
accurate. The canonical coordinates (centimetres; x to the image's right for a frontal face,
y up, z towards the camera) are copied from ``mediapipe/modules/face_geometry/data/
canonical_face_model.obj`` (Apache-2.0, The MediaPipe Authors): the mediapipe 0.10.21 wheel
ships neither that file nor ``face_landmarker.task``, and nothing is downloaded at run time.

Camera. A photo file does not say its focal length, and ID photos are routinely cropped, so the
image width says nothing about the lens. The fit therefore puts the principal point at the face
(the angles are relative to the line of sight to the face, which is what "facing the camera"
means on a photo, and a crop or shift of the photo cannot change them) and derives the focal
length from the face's own size: the face as it would look from :data:`CAMERA_DISTANCE_CM`, the
distance ID photos are taken from (1-1.5 m in photo booths and studios). The angles hardly depend
on that choice: on the real portraits, 0.6 m or 3 m instead of 1.2 m move pitch and yaw by less
than 1°.

Conventions (as in :mod:`verify.photo.analysis`): pixel coordinates, y down; ``roll`` is positive
when the eye on the image's right is lower; ``yaw`` is positive when the face turns towards the
image's right; ``pitch`` is positive when the chin is raised.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import cv2
import numpy as np

# The image-left half and the midline of the fit's landmarks (canonical_face_model.obj vertex
# index = FaceMesh landmark index); the image-right half is their mirror image (x -> -x).
_CANONICAL_HALF: Final[dict[int, tuple[float, float, float]]] = {
    4: (0.000000, -0.463170, 7.586580),
    6: (0.000000, 2.473255, 5.788627),
    10: (0.000000, 8.261778, 4.481535),
    33: (-4.445859, 2.663991, 3.173422),
    54: (-6.279331, 6.615427, 1.425850),
    67: (-3.523964, 8.005976, 3.729163),
    117: (-5.258659, 0.945811, 2.974312),
    119: (-3.300681, 0.861641, 3.872784),
    121: (-1.820731, 1.467954, 4.224124),
    127: (-7.743095, 2.364999, -2.005167),
    129: (-1.785794, -0.978284, 4.850470),
    132: (-7.270895, -2.890917, -2.252455),
    133: (-1.856432, 2.585245, 3.757904),
    136: (-5.085276, -7.178590, 0.714711),
    143: (-6.407571, 2.236021, 1.560843),
    147: (-6.234883, -1.944430, 1.663542),
    198: (-1.246815, 0.230297, 5.681036),
    205: (-3.832928, -1.537326, 4.137731),
}
_MIRROR: Final[dict[int, int]] = {
    33: 263, 54: 284, 67: 297, 117: 346, 119: 348, 121: 350, 127: 356, 129: 358, 132: 361,
    133: 362, 136: 365, 143: 372, 147: 376, 198: 420, 205: 425,
}


def _model() -> tuple[tuple[int, ...], np.ndarray]:
    ids: list[int] = []
    coords: list[tuple[float, float, float]] = []
    for index, (x, y, z) in _CANONICAL_HALF.items():
        ids.append(index)
        coords.append((x, y, z))
        if index in _MIRROR:
            ids.append(_MIRROR[index])
            coords.append((-x, y, z))
    return tuple(ids), np.array(coords, dtype=np.float64)


LANDMARKS, CANONICAL = _model()
CAMERA_DISTANCE_CM: Final = 120.0
# The canonical face is seen from the camera with its y and z axes reversed (OpenCV's camera
# looks along +z with y down; the model's face looks along +z with y up).
_FRONTAL: Final = np.diag([1.0, -1.0, -1.0])
_MODEL_XY: Final = CANONICAL[:, :2] - CANONICAL[:, :2].mean(axis=0)
_MODEL_SPREAD: Final = float(np.sqrt((_MODEL_XY ** 2).sum(axis=1).mean()))


@dataclass(frozen=True)
class HeadPose:
    """The head's rotation in degrees (conventions in the module docstring) and how well the
    canonical face fits the landmarks (RMS reprojection error over the face's fit spread)."""

    roll: float
    yaw: float
    pitch: float
    fit_error: float


def estimate_pose(points: np.ndarray) -> HeadPose:
    """Fit the canonical face to FaceMesh landmarks ``points`` (``(N >= 468, 2 or 3)``, pixels;
    only x and y are used) and return the head pose."""
    image = np.ascontiguousarray(points[list(LANDMARKS), :2], dtype=np.float64)
    centre = image.mean(axis=0)
    spread = float(np.sqrt(((image - centre) ** 2).sum(axis=1).mean()))
    if not math.isfinite(spread) or spread <= 0:
        return HeadPose(roll=0.0, yaw=0.0, pitch=0.0, fit_error=math.inf)
    px_per_cm = spread / _MODEL_SPREAD
    focal = px_per_cm * CAMERA_DISTANCE_CM
    camera = np.array([[focal, 0.0, centre[0]], [0.0, focal, centre[1]], [0.0, 0.0, 1.0]])
    ok, rvec, tvec = cv2.solvePnP(CANONICAL, image, camera, None, flags=cv2.SOLVEPNP_SQPNP)
    if not ok:
        return HeadPose(roll=0.0, yaw=0.0, pitch=0.0, fit_error=math.inf)
    rvec, tvec = cv2.solvePnPRefineLM(CANONICAL, image, camera, None, rvec, tvec)
    projected, _ = cv2.projectPoints(CANONICAL, rvec, tvec, camera, None)
    error = float(np.sqrt(((projected.reshape(-1, 2) - image) ** 2).sum(axis=1).mean()))
    rotation = cv2.Rodrigues(rvec)[0] @ _FRONTAL  # identity for a face looking into the lens
    roll, yaw, pitch = angles(rotation)
    return HeadPose(roll=roll, yaw=yaw, pitch=pitch, fit_error=error / spread)


def angles(rotation: np.ndarray) -> tuple[float, float, float]:
    """Roll, yaw and pitch in degrees of a face rotation in camera coordinates (x right, y down,
    z away from the camera; identity: the face looks straight into the lens, upright)."""
    facing = -rotation[:, 2]  # the face's forward direction, towards the camera when frontal
    across = rotation[:, 0]  # from the image-left eye to the image-right eye when frontal
    yaw = math.degrees(math.atan2(facing[0], -facing[2]))
    pitch = math.degrees(math.atan2(-facing[1], math.hypot(facing[0], facing[2])))
    roll = math.degrees(math.atan2(across[1], math.hypot(across[0], across[2])))
    return roll, yaw, pitch
