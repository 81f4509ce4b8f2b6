"""Rules on inputs the test controls exactly: synthetic backgrounds with known colours (ΔE
checked against scikit-image's independent CIELAB), hand-made face measurements for the
geometry edge cases, and the file rules on files built here."""

from __future__ import annotations

import io

import numpy as np
import pytest
from photo_helpers import ellipse_person, encode, hand_made_analysis
from PIL import Image
from skimage.color import deltaE_cie76, rgb2lab

from verify.photo import CheckStatus, PhotoCheck, decode_photo, get_profile
from verify.photo.checks_background import background_checks
from verify.photo.checks_face import face_checks
from verify.photo.checks_file import file_checks

W, H = 358, 441
SKIN = (205, 160, 130)


def portrait_on(background: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A skin-coloured silhouette over ``background`` (HxWx3), and its person mask."""
    person = ellipse_person(W, H)
    rgb = background.copy()
    rgb[person > 0.5] = SKIN
    return rgb, person


def plain(colour: tuple[int, int, int]) -> np.ndarray:
    return np.full((H, W, 3), colour, np.uint8)


def reference_delta_e(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    lab = rgb2lab(np.array([[a, b]], np.uint8))
    return float(deltaE_cie76(lab[0, 0], lab[0, 1]))


def by_check(results: list) -> dict:
    return {r.check: r for r in results}


@pytest.mark.parametrize("colour", [(255, 255, 255), (250, 250, 246), (236, 236, 236),
                                    (225, 225, 225), (230, 240, 255), (200, 200, 200)])
def test_background_colour_distance_matches_an_independent_cielab(colour) -> None:
    rgb, person = portrait_on(plain(colour))
    profile = get_profile("cn-resident-id")
    results = by_check(background_checks(rgb, hand_made_analysis(person=person), profile))
    expected = reference_delta_e(colour, (255, 255, 255))
    result = results[PhotoCheck.BACKGROUND_COLOR]
    assert result.measured == pytest.approx(expected, abs=0.3)
    wanted = CheckStatus.PASS if expected <= profile.background.tolerance else CheckStatus.FAIL
    assert result.status is wanted
    assert results[PhotoCheck.BACKGROUND_UNIFORM].status is CheckStatus.PASS


def test_the_skin_of_the_person_is_not_background() -> None:
    # Without a correct mask this photo would be half skin-coloured "background".
    rgb, person = portrait_on(plain((255, 255, 255)))
    results = by_check(background_checks(rgb, hand_made_analysis(person=person),
                                         get_profile("cn-resident-id")))
    assert results[PhotoCheck.BACKGROUND_COLOR].measured == pytest.approx(0, abs=0.1)
    assert results[PhotoCheck.BACKGROUND_UNIFORM].measured == pytest.approx(0, abs=0.1)


def test_blue_background_suits_an_exam_photo_but_not_the_id_card() -> None:
    rgb, person = portrait_on(plain((98, 139, 206)))
    analysis = hand_made_analysis(person=person)
    exam = by_check(background_checks(rgb, analysis, get_profile("cn-1inch")))
    card = by_check(background_checks(rgb, analysis, get_profile("cn-resident-id")))
    assert exam[PhotoCheck.BACKGROUND_COLOR].status is CheckStatus.PASS
    assert card[PhotoCheck.BACKGROUND_COLOR].status is CheckStatus.FAIL


def test_shading_and_noise() -> None:
    profile = get_profile("cn-resident-id")
    ramp = np.linspace(255, 185, W).astype(np.uint8)  # a wall lit from one side
    shaded, person = portrait_on(np.repeat(np.repeat(ramp[None, :, None], H, 0), 3, 2))
    uniform = by_check(background_checks(shaded, hand_made_analysis(person=person), profile))
    assert uniform[PhotoCheck.BACKGROUND_UNIFORM].status is CheckStatus.FAIL
    rng = np.random.default_rng(3)
    noise = np.clip(250 + rng.normal(0, 1.5, (H, W, 3)), 0, 255).astype(np.uint8)
    grainy, person = portrait_on(noise)
    results = by_check(background_checks(grainy, hand_made_analysis(person=person), profile))
    assert results[PhotoCheck.BACKGROUND_UNIFORM].status is CheckStatus.PASS
    assert results[PhotoCheck.BACKGROUND_COLOR].status is CheckStatus.PASS


def test_a_person_filling_the_frame_leaves_no_background_to_judge() -> None:
    analysis = hand_made_analysis(person=np.ones((H, W), np.float32))
    results = by_check(background_checks(plain((255, 255, 255)), analysis,
                                         get_profile("cn-resident-id")))
    assert {r.status for r in results.values()} == {CheckStatus.UNCHECKABLE}


def test_a_face_the_mask_missed_is_not_background() -> None:
    rgb = plain((255, 255, 255))
    rgb[150:300, 120:240] = SKIN  # a face, but the person mask is empty
    analysis = hand_made_analysis(face_left_x=120, face_right_x=240, crown_y=150, chin_y=300)
    results = by_check(background_checks(rgb, analysis, get_profile("cn-resident-id")))
    assert results[PhotoCheck.BACKGROUND_UNIFORM].status is CheckStatus.PASS


def test_a_profile_without_background_rule_is_not_applicable() -> None:
    profile = get_profile("cn-resident-id").model_copy(update={"background": None})
    results = background_checks(plain((0, 0, 0)), hand_made_analysis(), profile)
    assert {r.status for r in results} == {CheckStatus.NOT_APPLICABLE}


# --- geometry edge cases ---------------------------------------------------------------------


def test_an_estimated_crown_warns_instead_of_failing() -> None:
    profile = get_profile("cn-resident-id")
    measured = by_check(face_checks(hand_made_analysis(crown_y=40.0), profile))
    estimated = by_check(face_checks(hand_made_analysis(crown_y=40.0, crown_from_mask=False),
                                     profile))
    assert measured[PhotoCheck.CROWN_MARGIN].status is CheckStatus.FAIL
    assert estimated[PhotoCheck.CROWN_MARGIN].status is CheckStatus.WARN
    assert "estimated" in estimated[PhotoCheck.CROWN_MARGIN].message_en


def test_advisory_geometry_warns() -> None:
    profile = get_profile("cn-1inch")  # 295x413, no official head figures
    analysis = hand_made_analysis(295, 413, crown_y=100.0, chin_y=300.0, face_left_x=10,
                                  face_right_x=150)
    results = by_check(face_checks(analysis, profile))
    for check in (PhotoCheck.CROWN_MARGIN, PhotoCheck.CENTERING, PhotoCheck.HEAD_HEIGHT):
        assert results[check].status is CheckStatus.WARN, results[check]
        assert "Advisory" in results[check].message_en


def test_geometry_verdicts_follow_the_numbers() -> None:
    profile = get_profile("cn-resident-id")  # face 193-221, crown 7-21, eyes >= 207, centre 18
    good = by_check(face_checks(hand_made_analysis(), profile))
    assert good[PhotoCheck.FACE_WIDTH].measured == 208
    assert good[PhotoCheck.EYE_LINE].measured == H - 180
    for check in (PhotoCheck.FACE_WIDTH, PhotoCheck.CROWN_MARGIN, PhotoCheck.EYE_LINE,
                  PhotoCheck.CENTERING, PhotoCheck.ROLL):
        assert good[check].status is CheckStatus.PASS
    bad = by_check(face_checks(hand_made_analysis(face_left_x=10, face_right_x=290,
                                                  eye_line_y=250, roll=7.0), profile))
    assert bad[PhotoCheck.FACE_WIDTH].status is CheckStatus.FAIL  # 280 px
    assert bad[PhotoCheck.EYE_LINE].status is CheckStatus.FAIL  # 191 px above the bottom
    assert bad[PhotoCheck.ROLL].status is CheckStatus.FAIL  # 7° > 5°
    assert bad[PhotoCheck.CENTERING].status is CheckStatus.FAIL  # centre 150, 29 px left of 179
    assert bad[PhotoCheck.CENTERING].measured == -29


# --- file rules ------------------------------------------------------------------------------


def test_file_size_limits_in_kb() -> None:
    rng = np.random.default_rng(0)
    noisy = rng.integers(0, 256, (600, 600, 3), dtype=np.uint8)
    big = decode_photo(encode(noisy, "JPEG", quality=95))
    small = decode_photo(encode(np.full((600, 600, 3), 250, np.uint8), "JPEG", quality=95))
    visa = get_profile("us-visa")  # at most 240 KB
    assert big.byte_size > 240 * 1024 > small.byte_size
    assert by_check(file_checks(big, visa))[PhotoCheck.FILE_SIZE].status is CheckStatus.FAIL
    assert by_check(file_checks(small, visa))[PhotoCheck.FILE_SIZE].status is CheckStatus.PASS


@pytest.mark.parametrize(("size", "ok"), [((600, 600), True), ((1200, 1200), True),
                                          ((900, 900), True), ((1300, 1300), False),
                                          ((599, 599), False), ((600, 700), False)])
def test_us_visa_accepts_a_range_of_square_sizes(size: tuple[int, int], ok: bool) -> None:
    photo = decode_photo(encode(np.full((size[1], size[0], 3), 250, np.uint8), "JPEG"))
    result = by_check(file_checks(photo, get_profile("us-visa")))[PhotoCheck.PIXEL_SIZE]
    assert result.status is (CheckStatus.PASS if ok else CheckStatus.FAIL)


def test_grey_and_cmyk_files_fail_the_colour_mode() -> None:
    profile = get_profile("cn-resident-id")
    grey = Image.fromarray(np.full((441, 358), 128, np.uint8), "L")
    cmyk = Image.fromarray(np.full((441, 358, 3), 128, np.uint8)).convert("CMYK")
    for image in (grey, cmyk):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", dpi=(350, 350))
        result = by_check(file_checks(decode_photo(buffer.getvalue()), profile))
        assert result[PhotoCheck.COLOR_MODE].status is CheckStatus.FAIL
        assert result[PhotoCheck.DPI].status is CheckStatus.PASS
