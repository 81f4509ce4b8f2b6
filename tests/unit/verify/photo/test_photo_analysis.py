"""PortraitAnalyzer on real portraits. Ground truth comes from the images themselves (what the
photos visibly show) and from transforms applied in the test: scaling, shifting, padding,
rotating and mirroring a photo must move the measurements by exactly what was done."""

from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
import pytest
from photo_helpers import rotate
from skimage import data

from core import ErrorCode
from verify.photo import PhotoModelError, PortraitAnalyzer
from verify.photo.checks_face import MAX_MOUTH_OPENNESS, MIN_EYE_OPENNESS
from verify.photo.decode import decode_photo


def test_a_real_portrait_gets_sane_measurements(photo_analyzer, obama_rgb) -> None:
    result = photo_analyzer.analyze(obama_rgb)
    assert (result.width, result.height) == (obama_rgb.shape[1], obama_rgb.shape[0])
    assert result.face_count == 1 and result.face is not None
    face = result.face
    assert face.points.shape == (478, 3)
    x0, y0, x1, y1 = result.face_boxes[0]
    for x, y in (face.left_eye, face.right_eye, face.chin):  # inside the detector's box
        assert x0 <= x <= x1 and y0 <= y <= y1 + 0.1 * (y1 - y0)
    assert face.left_eye[0] < face.right_eye[0]
    assert face.crown_from_mask and face.crown_y < face.eye_line_y < face.chin[1]
    # The photo shows a frontal, upright face with open eyes, smiling with the teeth visible.
    assert abs(face.roll) < 3 and abs(face.yaw) < 8
    assert min(face.eye_openness) >= MIN_EYE_OPENNESS
    assert face.mouth_openness > MAX_MOUTH_OPENNESS
    assert result.person_mask.shape == obama_rgb.shape[:2]
    assert result.person_mask.dtype == np.float32
    assert 0.0 <= result.person_mask.min() and result.person_mask.max() <= 1.0


def test_closed_lips_read_as_a_closed_mouth(photo_analyzer, biden_rgb) -> None:
    face = photo_analyzer.analyze(biden_rgb).face
    assert face is not None
    assert face.mouth_openness <= MAX_MOUTH_OPENNESS  # the photo shows closed lips
    assert min(face.eye_openness) >= MIN_EYE_OPENNESS


def test_scaling_scales_the_measurements(photo_analyzer, obama_rgb) -> None:
    small = cv2.resize(obama_rgb, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    full, half = photo_analyzer.analyze(obama_rgb).face, photo_analyzer.analyze(small).face
    assert half.face_width == pytest.approx(full.face_width / 2, rel=0.04)
    assert half.eye_line_y == pytest.approx(full.eye_line_y / 2, rel=0.03)
    assert half.chin[1] == pytest.approx(full.chin[1] / 2, rel=0.03)


def test_padding_moves_the_face_and_the_crown(photo_analyzer, obama_rgb) -> None:
    base = photo_analyzer.analyze(obama_rgb).face
    padded = cv2.copyMakeBorder(obama_rgb, 80, 0, 120, 0, cv2.BORDER_REPLICATE)
    moved = photo_analyzer.analyze(padded).face
    assert moved.center_x - base.center_x == pytest.approx(120, abs=3)
    assert moved.eye_line_y - base.eye_line_y == pytest.approx(80, abs=3)
    assert moved.crown_y - base.crown_y == pytest.approx(80, abs=6)


@pytest.mark.parametrize("degrees", [15.0, -15.0])
def test_rotation_shows_up_as_roll(photo_analyzer, obama_rgb, degrees: float) -> None:
    base = photo_analyzer.analyze(obama_rgb).face.roll
    rolled = photo_analyzer.analyze(rotate(obama_rgb, degrees)).face.roll
    # cv2 turns the picture counter-clockwise for positive angles; with y pointing down that
    # lowers the image-left eye, i.e. a negative roll in our convention.
    assert rolled - base == pytest.approx(-degrees, abs=2.0)


def test_mirroring_flips_roll_and_yaw(photo_analyzer, biden_rgb) -> None:
    face = photo_analyzer.analyze(biden_rgb).face
    mirrored = photo_analyzer.analyze(np.ascontiguousarray(biden_rgb[:, ::-1])).face
    assert mirrored.roll == pytest.approx(-face.roll, abs=1.5)
    assert mirrored.yaw == pytest.approx(-face.yaw, abs=3.0)
    assert mirrored.pitch == pytest.approx(face.pitch, abs=3.0)
    width = biden_rgb.shape[1]
    assert mirrored.center_x == pytest.approx(width - face.center_x, abs=0.03 * face.face_width)


def test_no_face_is_a_result_not_an_error(photo_analyzer) -> None:
    texture = np.ascontiguousarray(data.brick()[:, :, None].repeat(3, axis=2))
    result = photo_analyzer.analyze(texture)
    assert result.face_count == 0 and result.face is None and result.face_boxes == ()


def test_two_people_are_two_faces(photo_analyzer, group_photo: bytes) -> None:
    result = photo_analyzer.analyze(decode_photo(group_photo).rgb)
    assert result.face_count == 2 and len(result.face_boxes) == 2
    left, right = sorted(result.face_boxes)
    assert left[2] <= right[0]  # side by side, not overlapping
    assert result.face is not None  # the larger one is measured


def test_concurrent_use_gives_the_same_answers(obama_rgb, biden_rgb) -> None:
    images = [obama_rgb, biden_rgb] * 3
    with PortraitAnalyzer(threads=2) as analyzer:
        alone = [analyzer.analyze(image).face.face_width for image in images[:2]]
        with ThreadPoolExecutor(max_workers=4) as pool:
            together = list(pool.map(lambda im: analyzer.analyze(im).face.face_width, images))
    assert together == pytest.approx(alone * 3, abs=1e-3)


def test_wrong_arrays_are_a_programming_error(photo_analyzer) -> None:
    with pytest.raises(ValueError):
        photo_analyzer.analyze(np.zeros((10, 10), np.uint8))
    with pytest.raises(ValueError):
        photo_analyzer.analyze(np.zeros((10, 10, 3), np.float32))


def test_missing_mediapipe_is_photo_model_unavailable(monkeypatch, obama_rgb) -> None:
    monkeypatch.setitem(sys.modules, "mediapipe", None)  # makes `import mediapipe` fail
    with pytest.raises(PhotoModelError) as caught:
        PortraitAnalyzer().analyze(obama_rgb)
    assert caught.value.code is ErrorCode.PHOTO_MODEL_UNAVAILABLE


def test_native_start_up_noise_is_dropped_but_real_errors_are_kept(capfd) -> None:
    from verify.photo.native_log import quiet_native_stderr

    with quiet_native_stderr():
        os.write(2, b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n")
        os.write(2, b"W0000 00:00:1.2 7 inference_feedback_manager.cc:114] Feedback manager "
                    b"requires a model with a single signature inference.\n")
        os.write(2, b"E0000 calculator_graph.cc:887] something really broke\n")
    err = capfd.readouterr().err
    assert "something really broke" in err
    assert "XNNPACK" not in err and "Feedback manager" not in err
