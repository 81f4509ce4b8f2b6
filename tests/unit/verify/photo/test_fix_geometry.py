"""The auto-fix's crop planning and rendering, on hand-made numbers and synthetic pixels.

Expected values are worked out in the comments from the profile figures, never read back from
the planner: every plan is checked by mapping the head's source points into the output with the
plan's own scale and offsets and measuring them there.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from verify.photo.fix_geometry import CropPlan, HeadGeometry, closeness, plan_crop
from verify.photo.fix_render import Leveling, leveling, render, upright_head
from verify.photo.profiles import GeometrySpec, Range

# GA 461 (cn-resident-id): 358 x 441 px, face width 193-221, crown 7-21 px below the top edge,
# eye line at least 207 px above the bottom edge.
GA461 = GeometrySpec(face_width=Range(min=193, max=221), crown_margin=Range(min=7, max=21),
                     eye_line_from_bottom=Range(min=207), center_tolerance=18)
W, H = 358, 441


def head(face_width: float = 200.0, crown_to_eyes: float = 180.0, eyes_to_chin: float = 170.0,
         center_x: float = 500.0, crown_y: float = 300.0) -> HeadGeometry:
    return HeadGeometry(
        face_left_x=center_x - face_width / 2, face_right_x=center_x + face_width / 2,
        center_x=center_x, eye_line_y=crown_y + crown_to_eyes,
        chin_y=crown_y + crown_to_eyes + eyes_to_chin, crown_y=crown_y,
    )


def measured(plan: CropPlan, h: HeadGeometry) -> dict[str, float]:
    """The head's geometry in output pixels, mapped with the plan's scale and offsets."""
    def x(v: float) -> float:
        return (v - plan.left) * plan.scale

    def y(v: float) -> float:
        return (v - plan.top) * plan.scale

    return {
        "face_width": x(h.face_right_x) - x(h.face_left_x),
        "head_height": y(h.chin_y) - y(h.crown_y),
        "crown_margin": y(h.crown_y),
        "eye_line_from_bottom": plan.height - y(h.eye_line_y),
        "center_offset": x(h.center_x) - plan.width / 2,
    }


def test_closeness_is_one_at_the_target_zero_on_the_bounds() -> None:
    rule = Range(min=193, max=221)  # target 207, 14 px either side
    values = closeness(np.array([207.0, 193.0, 221.0, 200.0, 186.0, 228.0]), rule)
    assert values == pytest.approx([1.0, 0.0, 0.0, 0.5, -0.5, -0.5])


def test_closeness_never_penalises_an_open_end() -> None:
    rule = Range(min=207)  # target 227.7 (10 % beyond the bound)
    assert closeness(np.array([207.0, 227.7, 400.0]), rule) == pytest.approx([0.0, 1.0, 1.0])
    assert closeness(186.3, rule) == pytest.approx(-1.0)


def test_an_ordinary_head_lands_on_the_ga461_targets() -> None:
    # Face 200 px wide, crown 180 px above the eyes: at the face-width target 207 the scale is
    # 1.035, the eyes sit 14 + 186.3 = 200.3 px from the top, 240.7 px above the bottom (>= 207).
    h = head()
    plan = plan_crop(h, GA461, W, H)
    got = measured(plan, h)
    assert plan.feasible and plan.closeness > 0.95
    assert got["face_width"] == pytest.approx(207, abs=0.5)
    assert got["crown_margin"] == pytest.approx(14, abs=0.5)
    assert got["eye_line_from_bottom"] == pytest.approx(240.7, abs=1.0)
    assert got["center_offset"] == pytest.approx(0, abs=1e-6)
    # The plan's own predictions agree with the mapping.
    assert plan.face_width == pytest.approx(got["face_width"])
    assert plan.eye_line_from_bottom == pytest.approx(got["eye_line_from_bottom"])


def test_a_tall_head_is_shrunk_within_the_face_width_range_to_keep_the_eye_line() -> None:
    # Crown 230 px above the eyes, face 200 px wide. The eye line needs crown margin + 230 s
    # <= 441 - 207 = 234, so with the crown margin >= 7: s <= 227 / 230 = 0.987, i.e. a face
    # width <= 197.4 -- below the 207 target but inside 193-221. The planner must find that.
    h = head(crown_to_eyes=230.0)
    plan = plan_crop(h, GA461, W, H)
    got = measured(plan, h)
    assert plan.feasible
    assert 193 <= got["face_width"] <= 197.4 + 1e-6
    assert 7 <= got["crown_margin"] <= 21
    assert got["eye_line_from_bottom"] >= 207


def test_a_head_whose_proportions_cannot_fit_is_reported_infeasible() -> None:
    # Crown 260 px above the eyes: s <= 227 / 260 = 0.873, face width <= 174.6 < 193.
    plan = plan_crop(head(crown_to_eyes=260.0), GA461, W, H)
    assert not plan.feasible


def test_max_scale_caps_the_enlargement() -> None:
    # A 50 px face needs s = 207 / 50 = 4.14; capped at 2.5 it can reach only 125 px.
    small = head(face_width=50.0, crown_to_eyes=45.0, eyes_to_chin=42.0)
    free = plan_crop(small, GA461, W, H)
    capped = plan_crop(small, GA461, W, H, max_scale=2.5)
    assert free.feasible and free.scale == pytest.approx(4.14, rel=0.01)
    assert not capped.feasible and capped.scale <= 2.5


def test_head_height_and_eye_line_rules_as_in_icao() -> None:
    # ICAO 35 x 45 mm at 300 dpi: head 372-425 px (70-80 % of 531), eye line 266-372 px above
    # the bottom, no crown rule (the planner still keeps the whole head in the picture).
    icao = GeometrySpec(head_height=Range(min=372, max=425),
                        eye_line_from_bottom=Range(min=266, max=372))
    h = head()
    plan = plan_crop(h, icao, 413, 531)
    got = measured(plan, h)
    assert plan.feasible
    assert 372 <= got["head_height"] <= 425
    assert 266 <= got["eye_line_from_bottom"] <= 372
    assert got["crown_margin"] >= 0


def test_without_any_rule_the_head_fills_three_quarters_with_the_eyes_at_45_percent() -> None:
    h = head()
    plan = plan_crop(h, GeometrySpec(), 400, 500)
    got = measured(plan, h)
    assert got["head_height"] == pytest.approx(375, abs=1.5)
    assert 500 - got["eye_line_from_bottom"] == pytest.approx(225, abs=1.5)


def test_padding_counts_output_pixels_beyond_the_source() -> None:
    # Crown 5 px below the top of a 1000 x 1200 source: at s = 1.035 with a 14 px crown margin
    # the crop starts 14 / 1.035 - 5 = 8.5 source px above the photo, i.e. 14 - 5.2 = 8.8
    # output px -> 9 rows of padding at the top.
    plan = plan_crop(head(crown_y=5.0, center_x=500.0), GA461, W, H)
    pad = plan.padding(1000, 1200)
    assert pad.top == math.ceil(14 - 5 * plan.scale - 1e-6) == 9
    assert (pad.bottom, pad.left, pad.right) == (0, 0, 0)
    assert pad.any


def test_head_geometry_rejects_impossible_orders() -> None:
    with pytest.raises(ValueError):
        HeadGeometry(face_left_x=10, face_right_x=5, center_x=7, eye_line_y=50, chin_y=80,
                     crown_y=10)
    with pytest.raises(ValueError):
        HeadGeometry(face_left_x=5, face_right_x=10, center_x=7, eye_line_y=90, chin_y=80,
                     crown_y=10)


def test_leveling_makes_the_eyes_horizontal() -> None:
    level = leveling((100.0, 100.0), (200.0, 120.0), min_angle=1.0)
    assert level.angle == pytest.approx(math.degrees(math.atan2(20, 100)))
    eyes = level.apply(np.array([[100.0, 100.0], [200.0, 120.0]]))
    assert eyes[0, 1] == pytest.approx(eyes[1, 1])
    assert eyes[1, 0] - eyes[0, 0] == pytest.approx(math.hypot(100, 20))
    assert leveling((100.0, 100.0), (200.0, 101.0), min_angle=1.0).angle == 0.0


def test_upright_head_rotates_the_landmarks_and_keeps_the_crown_distance() -> None:
    points = np.zeros((478, 3), np.float32)
    points[234, :2], points[454, :2], points[152, :2] = (50, 100), (250, 140), (130, 320)
    left_eye, right_eye = (100.0, 100.0), (200.0, 120.0)
    level = leveling(left_eye, right_eye, min_angle=1.0)
    h = upright_head(points, left_eye, right_eye, crown_y=-10.0, level=level)
    # Rotating about the eye midpoint (150, 110) by atan(0.2): the cheeks end up 200 * cos + 40
    # * sin = sqrt(200^2 + 40^2) * cos(atan(0.2) - atan(0.2)) = 203.96 px apart horizontally.
    assert h.face_width == pytest.approx(math.hypot(200, 40) * math.cos(0.0), rel=1e-6)
    assert h.eye_line_y == pytest.approx(110.0)
    assert h.eye_line_y - h.crown_y == pytest.approx(120.0)


def ramp_image(height: int, width: int) -> np.ndarray:
    """Pixels that encode their own position: R = x mod 256, G = y mod 256, B = x // 256."""
    ys, xs = np.mgrid[0:height, 0:width]
    return np.dstack([xs % 256, ys % 256, xs // 256]).astype(np.uint8)


def test_render_cuts_the_planned_box_and_marks_what_lies_outside() -> None:
    source = ramp_image(300, 200)
    mask = np.ones((300, 200), np.float32)
    # Scale 1, top-left at (-10, 20): the output's first 10 columns lie left of the source;
    # rows from 300 - 20 = 280 down lie below it (the corner counts as below: it is filled
    # by repeating the bottom row, not painted).
    plan = CropPlan(scale=1.0, left=-10.0, top=20.0, width=100, height=290, closeness=1.0,
                    face_width=0, head_height=0, crown_margin=0, eye_line_from_bottom=0)
    out = render(source, mask, plan, Leveling(0.0, (0.0, 0.0)))
    assert out.rgb.shape == (290, 100, 3)
    assert tuple(out.rgb[50, 40]) == (30, 70, 0)  # source (x=30, y=70)
    assert out.outside[:280, :10].all() and not out.outside[:, 10:].any()
    assert out.below[280:].all() and not out.below[:280].any()
    assert out.to_upright(40.0, 50.0) == pytest.approx((30.0, 70.0))


def test_render_downscales_with_area_averaging() -> None:
    # A one-pixel checkerboard halved must come out flat grey (nearest or linear sampling of
    # pixel centres would keep black or white).
    board = (np.indices((200, 200)).sum(axis=0) % 2 * 255).astype(np.uint8)
    source = np.dstack([board] * 3)
    plan = CropPlan(scale=0.5, left=0.0, top=0.0, width=100, height=100, closeness=1.0,
                    face_width=0, head_height=0, crown_margin=0, eye_line_from_bottom=0)
    out = render(source, np.ones((200, 200), np.float32), plan, Leveling(0.0, (0.0, 0.0)))
    assert np.abs(out.rgb.astype(int) - 128).max() <= 1
    assert out.scale == pytest.approx(0.5)
