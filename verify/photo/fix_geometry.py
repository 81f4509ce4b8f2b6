"""Where to crop and how much to scale: from a head's measurements to a profile's geometry.

Pure arithmetic on numbers (no image, no model), so every rule can be tested by hand. The output
pixel ``(u, v)`` shows the source pixel ``(left + u / scale, top + v / scale)`` of the upright
(roll-corrected) photo.

The plan meets every geometry rule of the profile at once. Each rule's value is a linear function
of the scale ``s`` and of the crown margin ``c`` (output px):

* face width ``= s * face_width``, head height ``= s * head_height``,
* crown margin ``= c``, eye line from the bottom ``= H - c - s * (eye_y - crown_y)``,
* the face centre is put on the vertical centre line exactly.

Every rule gets a *closeness* in ``(-inf, 1]``: 1 at the range's target, 0 on its bound, linear in
between (an open end never penalises). The plan maximises the smallest closeness, so values sit
on their targets when the ranges allow it and otherwise move inside all ranges together, as far
from the bounds as possible; a plan whose closeness is below 0 breaks a rule and is refused by
the caller. Keeping away from bounds is what makes a re-check of the fixed photo pass although
its landmarks are measured again, on other pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Protocol

import numpy as np

# The vertical placement used when a profile constrains neither the crown nor the eye line:
# the eye line at 45 % of the height from the top, as on the ICAO and GA 461 specimens.
DEFAULT_EYE_LINE_FROM_TOP: Final = 0.45
# The head height used when a profile gives no face width, head height or pair of vertical rules
# that would fix the scale: ICAO's 70-80 % chin-to-crown, centred.
DEFAULT_HEAD_HEIGHT: Final = 0.75
# The least crown margin wanted when a profile sets none (the top of the head is never cut).
DEFAULT_CROWN_MARGIN: Final = 0.04
# The half-width of those default ranges, as a fraction of the height.
DEFAULT_TOLERANCE: Final = 0.05
_SCALE_STEPS: Final = 256
_OFFSET_STEPS: Final = 65
# A degenerate range (min == max) still allows this much either way, in output pixels.
_MIN_HALF_WIDTH: Final = 0.5


class RangeLike(Protocol):
    """What the planner needs of :class:`verify.photo.profiles.Range`."""

    @property
    def min(self) -> float | None: ...

    @property
    def max(self) -> float | None: ...

    @property
    def target(self) -> float: ...


class GeometryLike(Protocol):
    """What the planner needs of :class:`verify.photo.profiles.GeometrySpec`."""

    @property
    def face_width(self) -> RangeLike | None: ...

    @property
    def head_height(self) -> RangeLike | None: ...

    @property
    def crown_margin(self) -> RangeLike | None: ...

    @property
    def eye_line_from_bottom(self) -> RangeLike | None: ...


@dataclass(frozen=True)
class Band:
    """A plain range for the planner's own defaults (same shape as ``profiles.Range``)."""

    min: float | None
    max: float | None
    target: float


@dataclass(frozen=True)
class HeadGeometry:
    """Where the head is in the upright source photo, in source pixels (y grows downwards)."""

    face_left_x: float
    face_right_x: float
    center_x: float
    eye_line_y: float
    chin_y: float
    crown_y: float

    def __post_init__(self) -> None:
        if not self.face_right_x > self.face_left_x:
            raise ValueError("the face's right edge must lie right of its left edge")
        if not self.crown_y < self.eye_line_y < self.chin_y:
            raise ValueError("expected crown above the eye line above the chin")

    @property
    def face_width(self) -> float:
        return self.face_right_x - self.face_left_x

    @property
    def head_height(self) -> float:
        return self.chin_y - self.crown_y

    @property
    def crown_to_eyes(self) -> float:
        return self.eye_line_y - self.crown_y


@dataclass(frozen=True)
class Padding:
    """Output pixels of each edge that lie outside the source photo."""

    top: int
    bottom: int
    left: int
    right: int

    @property
    def any(self) -> bool:
        return max(self.top, self.bottom, self.left, self.right) > 0


@dataclass(frozen=True)
class CropPlan:
    """The chosen scale and crop, with the geometry it predicts in output pixels."""

    scale: float
    left: float
    top: float
    width: int
    height: int
    closeness: float
    face_width: float
    head_height: float
    crown_margin: float
    eye_line_from_bottom: float

    @property
    def feasible(self) -> bool:
        """True when every rule is predicted inside its range."""
        return self.closeness >= 0.0

    def source_box(self) -> tuple[float, float, float, float]:
        """``(x0, y0, x1, y1)`` of the crop in upright source pixels."""
        return (self.left, self.top, self.left + self.width / self.scale,
                self.top + self.height / self.scale)

    def padding(self, source_width: int, source_height: int) -> Padding:
        """How many output pixels at each edge the source photo does not cover."""
        x0, y0, x1, y1 = self.source_box()

        def out(extent: float) -> int:
            return max(0, int(np.ceil(extent * self.scale - 1e-6)))

        return Padding(top=out(-y0), bottom=out(y1 - source_height), left=out(-x0),
                       right=out(x1 - source_width))


def closeness(value: np.ndarray | float, rule: RangeLike) -> np.ndarray:
    """1 at ``rule.target``, 0 on a bound, below 0 outside; an open end never penalises."""
    value = np.asarray(value, dtype=np.float64)
    target = rule.target
    below = np.ones_like(value)
    above = np.ones_like(value)
    if rule.min is not None:
        below = (value - rule.min) / max(target - rule.min, _MIN_HALF_WIDTH)
    if rule.max is not None:
        above = (rule.max - value) / max(rule.max - target, _MIN_HALF_WIDTH)
    return np.minimum(np.where(value <= target, below, 1.0), np.where(value >= target, above, 1.0))


def plan_crop(head: HeadGeometry, geometry: GeometryLike, width: int, height: int,
              max_scale: float | None = None) -> CropPlan:
    """The scale and crop that put ``head`` where ``geometry`` wants it in a ``width`` x
    ``height`` photo (see the module docstring for the objective). ``max_scale`` caps the
    enlargement; the plan is then the best one within the cap, infeasible if none fits."""
    face_rule, head_rule = geometry.face_width, geometry.head_height
    crown_rule, eye_rule = geometry.crown_margin, geometry.eye_line_from_bottom
    if face_rule is None and head_rule is None and (crown_rule is None or eye_rule is None):
        head_rule = _default_band(DEFAULT_HEAD_HEIGHT * height, height)
    if crown_rule is None and eye_rule is None:
        eye_rule = _default_band((1.0 - DEFAULT_EYE_LINE_FROM_TOP) * height, height)
    if crown_rule is None:
        # Whatever the profile says, the whole head stays in the picture.
        crown_rule = Band(0.0, None, DEFAULT_CROWN_MARGIN * height)

    low, high = _scale_span(head, face_rule, head_rule, crown_rule, eye_rule, height)
    if max_scale is not None:
        high = min(high, max_scale)
        low = min(low, high)
    scales = np.geomspace(low, high, _SCALE_STEPS)
    score, offsets = _score(scales, head, face_rule, head_rule, crown_rule, eye_rule, height)
    best = int(np.argmax(score))
    # A second, finer pass between the neighbours of the best coarse scale.
    fine = np.linspace(scales[max(best - 1, 0)], scales[min(best + 1, _SCALE_STEPS - 1)],
                       _SCALE_STEPS)
    fine_score, fine_offsets = _score(fine, head, face_rule, head_rule, crown_rule, eye_rule,
                                      height)
    pick = int(np.argmax(fine_score))
    scale, crown_margin = float(fine[pick]), float(fine_offsets[pick])
    return CropPlan(
        scale=scale,
        left=head.center_x - width / (2.0 * scale),
        top=head.crown_y - crown_margin / scale,
        width=width,
        height=height,
        closeness=float(fine_score[pick]),
        face_width=scale * head.face_width,
        head_height=scale * head.head_height,
        crown_margin=crown_margin,
        eye_line_from_bottom=height - crown_margin - scale * head.crown_to_eyes,
    )


def _default_band(target: float, height: int) -> Band:
    return Band(target - DEFAULT_TOLERANCE * height, target + DEFAULT_TOLERANCE * height, target)


def _scale_span(head: HeadGeometry, face_rule: RangeLike | None, head_rule: RangeLike | None,
                crown_rule: RangeLike | None, eye_rule: RangeLike | None,
                height: int) -> tuple[float, float]:
    """A scale interval wide enough to hold every scale any rule could want."""
    candidates: list[float] = []
    for rule, size in ((face_rule, head.face_width), (head_rule, head.head_height)):
        if rule is not None:
            candidates += [v / size for v in _points(rule) if v > 0]
    if crown_rule is not None and eye_rule is not None:
        for crown in _points(crown_rule):
            for eye in _points(eye_rule):
                candidates.append((height - crown - eye) / head.crown_to_eyes)
    candidates = [c for c in candidates if c > 0]
    if not candidates:
        candidates = [DEFAULT_HEAD_HEIGHT * height / head.head_height]
    return min(candidates) / 1.5, max(candidates) * 1.5


def _points(rule: RangeLike) -> list[float]:
    return [v for v in (rule.min, rule.max, rule.target) if v is not None]


def _score(scales: np.ndarray, head: HeadGeometry, face_rule: RangeLike | None,
           head_rule: RangeLike | None, crown_rule: RangeLike | None, eye_rule: RangeLike | None,
           height: int) -> tuple[np.ndarray, np.ndarray]:
    """Per scale: the smallest closeness over all rules, and the best crown margin."""
    score = np.ones_like(scales)
    if face_rule is not None:
        score = np.minimum(score, closeness(scales * head.face_width, face_rule))
    if head_rule is not None:
        score = np.minimum(score, closeness(scales * head.head_height, head_rule))
    # The eye line's own favourite crown margin, per scale.
    drop = scales * head.crown_to_eyes
    if eye_rule is not None and crown_rule is not None:
        # Both closeness functions are tents in the crown margin, so the best compromise lies
        # between the two peaks: search that segment.
        eye_peak = height - drop - eye_rule.target
        steps = np.linspace(0.0, 1.0, _OFFSET_STEPS)[None, :]
        margins = crown_rule.target + (eye_peak[:, None] - crown_rule.target) * steps
        both = np.minimum(
            closeness(margins, crown_rule),
            closeness(height - margins - drop[:, None], eye_rule),
        )
        pick = np.argmax(both, axis=1)
        rows = np.arange(len(scales))
        return np.minimum(score, both[rows, pick]), margins[rows, pick]
    if eye_rule is not None:
        margins = height - drop - eye_rule.target
        return score, margins
    assert crown_rule is not None
    margins = np.full_like(scales, crown_rule.target)
    return score, margins
