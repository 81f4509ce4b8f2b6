"""check_photo on real portraits, framed and spoiled in the test by known transforms: the
verdicts must follow from what the test did to the photo."""

from __future__ import annotations

import cv2
import mediapipe as mp
import numpy as np
import pytest
from photo_helpers import encode, frame, rotate
from skimage import data

from verify.photo import (
    BACKGROUND_CHECKS,
    GEOMETRY_CHECKS,
    CheckStatus,
    PhotoCheck,
    PhotoReport,
    check_photo,
    decode_photo,
    get_profile,
)

PASS, FAIL, WARN = CheckStatus.PASS, CheckStatus.FAIL, CheckStatus.WARN
FILE_CHECKS = (PhotoCheck.FILE_TYPE, PhotoCheck.PIXEL_SIZE, PhotoCheck.DPI, PhotoCheck.COLOR_MODE)


def status(report: PhotoReport, check: PhotoCheck) -> CheckStatus:
    return report.result(check).status


@pytest.fixture(scope="module")
def framed(obama_rgb, photo_analyzer):
    """obama.jpg framed as a GA 461 photo: face 207 px wide, crown 14 px down, centred."""
    return frame(obama_rgb, photo_analyzer)


@pytest.fixture(scope="module")
def check(photo_analyzer, resident_profile):
    def run(rgb: np.ndarray, fmt: str = "JPEG", dpi: int | None = 350,
            profile_id: str | None = None) -> PhotoReport:
        options: dict[str, object] = {"dpi": (dpi, dpi)} if dpi else {}
        if fmt == "JPEG":
            options["quality"] = 95
        photo = decode_photo(encode(rgb, fmt, **options))
        profile = get_profile(profile_id) if profile_id else resident_profile
        return check_photo(photo, profile, photo_analyzer)
    return run


def test_a_well_framed_portrait_passes_file_geometry_pose_and_quality(framed, check) -> None:
    report = check(framed.rgb)
    assert len(report.checks) == len(PhotoCheck)
    for item in (*FILE_CHECKS, *GEOMETRY_CHECKS - {PhotoCheck.HEAD_HEIGHT}, PhotoCheck.ROLL,
                 PhotoCheck.YAW, PhotoCheck.PITCH, PhotoCheck.EYES_OPEN, PhotoCheck.SHARPNESS,
                 PhotoCheck.EXPOSURE, PhotoCheck.FACE_LIGHTING, PhotoCheck.FACE_COUNT):
        assert status(report, item) is PASS, report.result(item)
    # GA 461 sets no head height and no file size: not applicable, not passed.
    assert status(report, PhotoCheck.HEAD_HEIGHT) is CheckStatus.NOT_APPLICABLE
    assert status(report, PhotoCheck.FILE_SIZE) is CheckStatus.NOT_APPLICABLE
    # What the rules measured agrees with what the transform did.
    assert report.result(PhotoCheck.FACE_WIDTH).measured == pytest.approx(207, abs=6)
    assert report.result(PhotoCheck.CROWN_MARGIN).measured == pytest.approx(14, abs=5)
    assert report.result(PhotoCheck.EYE_LINE).measured == pytest.approx(
        framed.eye_line_from_bottom, abs=4)
    assert report.result(PhotoCheck.CENTERING).measured == pytest.approx(0, abs=4)
    # The office behind him is not a white background, and he smiles with his teeth.
    assert status(report, PhotoCheck.BACKGROUND_COLOR) is FAIL
    assert status(report, PhotoCheck.MOUTH_CLOSED) is FAIL
    assert not report.passed


@pytest.mark.parametrize(("kwargs", "check_id"), [
    ({"face_width": 150.0}, PhotoCheck.FACE_WIDTH),
    ({"face_width": 250.0}, PhotoCheck.FACE_WIDTH),
    ({"crown_margin": 45.0}, PhotoCheck.CROWN_MARGIN),
    ({"crown_margin": 0.0}, PhotoCheck.CROWN_MARGIN),
    ({"shift_x": 45.0}, PhotoCheck.CENTERING),
    ({"shift_x": -45.0}, PhotoCheck.CENTERING),
])
def test_misframed_portraits_fail_the_rule_that_was_broken(obama_rgb, photo_analyzer, check,
                                                           kwargs, check_id) -> None:
    report = check(frame(obama_rgb, photo_analyzer, **kwargs).rgb)
    assert status(report, check_id) is FAIL, report.result(check_id)
    assert status(report, PhotoCheck.FACE_COUNT) is PASS


def test_eye_line_too_low(obama_rgb, photo_analyzer, check) -> None:
    # A big face pushed down: the eyes end up below the 207 px GA 461 minimum.
    framed = frame(obama_rgb, photo_analyzer, face_width=207.0, crown_margin=120.0)
    assert framed.eye_line_from_bottom < 207 - 10
    assert status(check(framed.rgb), PhotoCheck.EYE_LINE) is FAIL


def test_rolled_portrait_fails_roll(framed, check) -> None:
    report = check(rotate(framed.rgb, 15.0))
    assert status(report, PhotoCheck.ROLL) is FAIL
    assert abs(report.result(PhotoCheck.ROLL).measured) == pytest.approx(15, abs=3)


def test_blurred_portrait_fails_sharpness(framed, check) -> None:
    report = check(cv2.GaussianBlur(framed.rgb, (0, 0), 3.0))
    assert status(report, PhotoCheck.SHARPNESS) is FAIL
    assert status(report, PhotoCheck.FACE_COUNT) is PASS


def test_dark_and_burnt_out_portraits_fail_exposure(framed, check) -> None:
    dark = (framed.rgb.astype(np.float32) * 0.25).astype(np.uint8)
    burnt = np.clip(framed.rgb.astype(np.int16) + 150, 0, 255).astype(np.uint8)
    for spoiled in (dark, burnt):
        report = check(spoiled)
        assert status(report, PhotoCheck.FACE_COUNT) is PASS
        assert status(report, PhotoCheck.EXPOSURE) is FAIL, report.result(PhotoCheck.EXPOSURE)


def test_light_from_one_side_fails_face_lighting(framed, check) -> None:
    ramp = np.linspace(0.3, 1.0, framed.rgb.shape[1], dtype=np.float32)
    side_lit = (framed.rgb * ramp[None, :, None]).astype(np.uint8)
    assert status(check(side_lit), PhotoCheck.FACE_LIGHTING) is FAIL


def test_wrong_format_pixel_size_and_dpi_fail_the_file_rules(framed, check) -> None:
    png = check(framed.rgb, fmt="PNG", dpi=300)
    assert status(png, PhotoCheck.FILE_TYPE) is FAIL and status(png, PhotoCheck.DPI) is FAIL
    assert status(png, PhotoCheck.PIXEL_SIZE) is PASS
    no_dpi = check(framed.rgb, dpi=None)
    assert status(no_dpi, PhotoCheck.DPI) is FAIL
    grey = check(cv2.cvtColor(cv2.cvtColor(framed.rgb, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB))
    assert status(grey, PhotoCheck.COLOR_MODE) is FAIL  # 24-bit file, black-and-white picture


def test_a_photo_at_twice_the_size_fails_only_pixel_size_among_geometry(framed, check) -> None:
    double = cv2.resize(framed.rgb, (716, 882), interpolation=cv2.INTER_CUBIC)
    report = check(double)
    assert status(report, PhotoCheck.PIXEL_SIZE) is FAIL
    for item in GEOMETRY_CHECKS - {PhotoCheck.HEAD_HEIGHT}:
        assert status(report, item) is PASS, report.result(item)


def test_group_photo_fails_face_count(group_photo: bytes, photo_analyzer,
                                      resident_profile) -> None:
    report = check_photo(decode_photo(group_photo), resident_profile, photo_analyzer)
    result = report.result(PhotoCheck.FACE_COUNT)
    assert result.status is FAIL and result.measured == 2
    assert "2" in result.message_en and "2" in result.message_zh


def test_busy_background_fails_the_background_rules(busy_background_portrait: bytes,
                                                    photo_analyzer, resident_profile) -> None:
    report = check_photo(decode_photo(busy_background_portrait), resident_profile, photo_analyzer)
    assert status(report, PhotoCheck.FACE_COUNT) is PASS
    for item in BACKGROUND_CHECKS:
        assert status(report, item) is FAIL, report.result(item)


def test_white_background_from_an_independent_mask_passes(framed, check) -> None:
    # The person is cut out with mediapipe's *landscape* segmentation model (the checker uses
    # the general one) and pasted on pure white.
    with mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=1) as model:
        mask = model.process(framed.rgb).segmentation_mask
    alpha = cv2.GaussianBlur((mask > 0.5).astype(np.float32), (5, 5), 0)[..., None]
    white = (alpha * framed.rgb + (1 - alpha) * 255.0).round().astype(np.uint8)
    report = check(white)
    for item in BACKGROUND_CHECKS:
        assert status(report, item) is PASS, report.result(item)
    assert report.result(PhotoCheck.BACKGROUND_COLOR).measured < 3


def test_no_face_is_a_failed_count_and_uncheckable_rules(check) -> None:
    texture = cv2.resize(data.brick(), (358, 441))
    report = check(np.ascontiguousarray(np.repeat(texture[:, :, None], 3, axis=2)))
    result = report.result(PhotoCheck.FACE_COUNT)
    assert result.status is FAIL and result.measured == 0
    for item in (*GEOMETRY_CHECKS - {PhotoCheck.HEAD_HEIGHT}, PhotoCheck.ROLL, PhotoCheck.YAW,
                 PhotoCheck.PITCH, PhotoCheck.EYES_OPEN, PhotoCheck.MOUTH_CLOSED,
                 PhotoCheck.SHARPNESS, PhotoCheck.EXPOSURE, PhotoCheck.FACE_LIGHTING):
        assert status(report, item) is CheckStatus.UNCHECKABLE, report.result(item)
        assert report.result(item).measured is None
    assert status(report, PhotoCheck.HEAD_HEIGHT) is CheckStatus.NOT_APPLICABLE
    assert status(report, PhotoCheck.BACKGROUND_UNIFORM) is FAIL  # bricks are no backdrop
    assert not report.passed


def test_other_profiles_scale_the_photo_to_their_height(framed, check) -> None:
    # The GA 461 framing judged as an ICAO photo: 358x441 is not 413x531, but geometry is still
    # measured (after scaling to 531 px high), and face width has no ICAO rule.
    report = check(framed.rgb, profile_id="icao", dpi=300)
    assert status(report, PhotoCheck.PIXEL_SIZE) is FAIL
    assert status(report, PhotoCheck.FACE_WIDTH) is CheckStatus.NOT_APPLICABLE
    assert report.result(PhotoCheck.HEAD_HEIGHT).status in (PASS, FAIL)
    assert report.result(PhotoCheck.HEAD_HEIGHT).measured is not None


@pytest.mark.parametrize("shape", [(1, 5000), (5000, 1), (1, 1), (2, 3), (60, 400)])
def test_odd_shapes_are_reports_not_crashes(check, shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(5)
    report = check(rng.integers(0, 256, (*shape, 3), dtype=np.uint8), fmt="PNG")
    assert not report.passed and len(report.checks) == len(PhotoCheck)
    assert status(report, PhotoCheck.PIXEL_SIZE) is FAIL
    height, width = shape
    if not 0.25 <= (width / height) / (358 / 441) <= 4:  # far from the 358x441 format
        assert status(report, PhotoCheck.FACE_COUNT) is CheckStatus.UNCHECKABLE
        assert status(report, PhotoCheck.BACKGROUND_COLOR) is CheckStatus.UNCHECKABLE
        assert status(report, PhotoCheck.HEAD_HEIGHT) is CheckStatus.NOT_APPLICABLE
