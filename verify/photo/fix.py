"""The auto-fix: turn an ordinary portrait into a photo that meets a profile's geometry and
background rules (``zhengzhao check-photo FILE --fix OUT``).

Steps: analyse the portrait (one face, landmarks, crown, person mask); level the head when it
tilt by :data:`MIN_ROLL_CORRECTION` degrees or more; plan the scale and crop from the landmarks
(:mod:`verify.photo.fix_geometry`); cut and resize (:mod:`verify.photo.fix_render`); paint
what the source does not cover above and beside the person in the background colour; replace
the background using the person mask (:mod:`verify.photo.fix_background`); analyse that result
once more, as the re-check will, and re-plan from those measurements (see :func:`fix_photo`);
encode in the profile's first format at its dpi, lowering the JPEG quality only as far as
``file.max_kb`` requires. About 45 ms for a typical portrait (``bench/photo.py``).

What the fix refuses (:class:`PhotoFixError`, ``PHOTO_FIX_IMPOSSIBLE``), and why:

* no face, or more than one face: there is no single person to frame;
* a face that would have to be enlarged more than :data:`MAX_UPSCALE` times: beyond that the
  detail is visibly interpolated (a conservative limit, not tuned on data);
* yaw or pitch beyond :data:`MAX_FIXABLE_YAW` / :data:`MAX_FIXABLE_PITCH` degrees: a crop cannot
  turn a head, and the landmark geometry of a turned head (cheek-to-cheek width, crown) is no
  longer a frontal one. Smaller turns that still break the profile's pose limits are fixed and
  noted: the re-check reports them;
* a photo that ends too close under the chin: if more than :data:`MAX_BOTTOM_FILL` of the output
  height would lie below the source photo, the shoulders would be invented. A thinner band is
  filled by repeating the last row (the suit continues); padding at the top and the sides is
  always acceptable and is painted in the background colour;
* a face whose proportions cannot meet all the profile's geometry rules at once (the planner's
  best compromise still breaks one).

Expression (eyes, mouth), sharpness and lighting cannot be fixed by a crop; the re-check reports
them. The fix never logs image content, only sizes and the decisions taken.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import Final

import cv2
import numpy as np
from PIL import Image

from verify.photo.analysis import FaceLandmarks, PortraitAnalysis, PortraitAnalyzer
from verify.photo.decode import PhotoFile, PhotoFormat, encode_photo
from verify.photo.errors import PhotoFixError
from verify.photo.fix_background import replace_background
from verify.photo.fix_geometry import CropPlan, HeadGeometry, plan_crop
from verify.photo.fix_render import (
    Leveling,
    Rendered,
    carry_mask,
    leveling,
    render,
    upright_head,
)
from verify.photo.profiles import PhotoProfile
from verify.photo.report import number

logger = logging.getLogger(__name__)

MAX_UPSCALE: Final = 2.5
MIN_ROLL_CORRECTION: Final = 1.0
MAX_FIXABLE_YAW: Final = 25.0
MAX_FIXABLE_PITCH: Final = 25.0
MAX_BOTTOM_FILL: Final = 0.05
JPEG_QUALITY: Final = 95
MIN_JPEG_QUALITY: Final = 40


@dataclass(frozen=True, eq=False)
class FixResult:
    """A fixed photo: ``data`` encoded in the profile's first format with its dpi, ``rgb`` the
    same pixels (HxWx3 uint8), ``scale`` output pixels per source pixel, ``padded`` whether any
    output pixel lies outside the source photo, ``notes`` what was done, in English."""

    data: bytes
    rgb: np.ndarray
    scale: float
    padded: bool
    background_replaced: bool
    notes: tuple[str, ...]


def fix_photo(photo: PhotoFile, profile: PhotoProfile, analyzer: PortraitAnalyzer) -> FixResult:
    """A photo meeting ``profile``'s size, geometry and background from an ordinary portrait,
    or :class:`PhotoFixError` when that is impossible (see the module docstring).

    The framing is planned from the landmarks of the source photo, then checked once: the first
    result is analysed again, as a re-check would analyse it, and the crop is re-planned from
    those measurements. The crown is found on the person mask, which changes with the new
    background, so this removes the few pixels by which the crown and the eye line otherwise
    move between source and result. The second analysis also gives a person mask at the
    result's scale, which sees the outline in more detail than the mask of a large source
    photo; the final background replacement keeps only what both masks call person.
    """
    analysis = analyzer.analyze(photo.rgb)
    face = _single_face(analysis)
    notes = _check_pose(face, profile)
    level = leveling(face.left_eye, face.right_eye, MIN_ROLL_CORRECTION, face.roll)
    head = upright_head(face.points, face.left_eye, face.right_eye, face.crown_y, level)
    result = _compose(photo.rgb, analysis.person_mask, _plan(head, profile), level, profile)
    second = analyzer.analyze(result.rgb)
    remeasured = _remeasure(second, result.rendered)
    if remeasured is not None:
        plan = plan_crop(remeasured, profile.geometry, profile.size.width_px,
                         profile.size.height_px, max_scale=MAX_UPSCALE)
        if plan.feasible:
            rendered = render(photo.rgb, analysis.person_mask, plan, level)
            detail = carry_mask(second.person_mask, result.rendered, rendered)
            result = _compose(photo.rgb, analysis.person_mask, plan, level, profile,
                              rendered=rendered, detail_mask=detail)
    if level.angle:
        notes.append(f"rotated by {level.angle:.1f}° to level the head")
    notes += result.notes
    scale = result.rendered.scale
    if scale > 1.0:
        notes.append(f"enlarged {scale:.2f}x: fine detail is interpolated")
    else:
        notes.append(f"scaled by {scale:.3f}")
    data = _encode(result.rgb, profile, notes)
    logger.info("photo fixed for profile %s: scale %.3f, padded %s", profile.id, scale,
                result.padded)
    return FixResult(data=data, rgb=result.rgb, scale=scale, padded=result.padded,
                     background_replaced=profile.background is not None, notes=tuple(notes))


@dataclass(frozen=True, eq=False)
class _Composed:
    rgb: np.ndarray
    rendered: Rendered
    padded: bool
    notes: tuple[str, ...]


def _compose(source: np.ndarray, mask: np.ndarray, plan: CropPlan, level: Leveling,
             profile: PhotoProfile, *, rendered: Rendered | None = None,
             detail_mask: np.ndarray | None = None) -> _Composed:
    """Render ``plan``, fill what the source lacks, replace the background (with the person
    being what both the source mask and ``detail_mask``, if given, call person)."""
    if rendered is None:
        rendered = render(source, mask, plan, level)
    notes: list[str] = []
    rgb, person, padded = _fill(rendered, profile, notes)
    if profile.background is not None:
        if detail_mask is not None:
            person = np.minimum(person, detail_mask)
        rgb = replace_background(rgb, person, profile.background.color)
        notes.append("background replaced with the profile colour "
                     f"{tuple(profile.background.color)}")
    if profile.file.color_mode == "L":  # grey pixels in ``rgb``; encoded as mode L
        grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        rgb = cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB)
    return _Composed(rgb, rendered, padded, tuple(notes))


def _remeasure(analysis: PortraitAnalysis, rendered: Rendered) -> HeadGeometry | None:
    """The head as measured on a first result, in upright source pixels, or ``None`` if that
    result does not show exactly one measurable face (then the first plan stands)."""
    face = analysis.face
    if face is None or analysis.face_count != 1:
        return None
    left_x, eye_y = rendered.to_upright(face.face_left_x, face.eye_line_y)
    right_x, chin_y = rendered.to_upright(face.face_right_x, face.chin[1])
    _, crown_y = rendered.to_upright(0.0, face.crown_y)
    try:
        return HeadGeometry(face_left_x=left_x, face_right_x=right_x,
                            center_x=(left_x + right_x) / 2.0, eye_line_y=eye_y, chin_y=chin_y,
                            crown_y=crown_y)
    except ValueError:
        return None


def _single_face(analysis: PortraitAnalysis) -> FaceLandmarks:
    if analysis.face_count > 1:
        raise PhotoFixError(
            f"The photo shows {analysis.face_count} faces; an ID photo needs exactly one person. "
            "Crop the photo to one person or take a new one.",
            f"照片中有 {analysis.face_count} 张人脸，证件照只能有一个人。"
            "请裁剪为单人照片或重新拍摄。",
        )
    if analysis.face is None or analysis.face_count == 0:
        raise PhotoFixError(
            "No face was found in the photo, so there is nothing to frame. Use a frontal "
            "portrait with the whole face visible.",
            "照片中未检测到人脸，无法自动裁剪。请使用露出完整面部的正面人像。",
        )
    return analysis.face


def _check_pose(face: FaceLandmarks, profile: PhotoProfile) -> list[str]:
    turned = [(name, value, limit) for name, value, limit in (
        ("yaw", face.yaw, MAX_FIXABLE_YAW), ("pitch", face.pitch, MAX_FIXABLE_PITCH),
    ) if abs(value) > limit]
    if turned:
        name, value, limit = turned[0]
        name_zh = {"yaw": "左右转头", "pitch": "抬头或低头"}[name]
        shown = number(round(value, 1))  # never "25°, handles up to 25°" for 25.3°
        raise PhotoFixError(
            f"The head is turned too far ({name} {shown}°, the fix handles up to "
            f"{limit:g}°); a crop cannot turn a head. Take a photo facing the camera.",
            f"头部偏转过大（{name_zh} {shown}°，自动修正最多 {limit:g}°），"
            "裁剪无法纠正头部朝向。请正对镜头重新拍摄。",
        )
    notes = []
    for name, value, limit in (("yaw", face.yaw, profile.pose.max_yaw),
                               ("pitch", face.pitch, profile.pose.max_pitch)):
        if limit is not None and abs(value) > limit:
            notes.append(f"{name} {value:.1f}° exceeds the profile's {limit:g}°; "
                         "a crop cannot change it")
    return notes


def _plan(head: HeadGeometry, profile: PhotoProfile) -> CropPlan:
    """The first plan, or the reason why no crop within :data:`MAX_UPSCALE` can work."""
    width, height = profile.size.width_px, profile.size.height_px
    plan = plan_crop(head, profile.geometry, width, height, max_scale=MAX_UPSCALE)
    if plan.feasible:
        return plan
    free = plan_crop(head, profile.geometry, width, height)
    if free.feasible and free.scale > MAX_UPSCALE:
        raise PhotoFixError(
            f"The face is too small: it would have to be enlarged {free.scale:.1f} times "
            f"(at most {MAX_UPSCALE:g}) and would look blurred. Use a photo in which the face "
            f"is at least {_face_width_needed(free, head.face_width):.0f} px wide.",
            f"人脸太小：需要放大 {free.scale:.1f} 倍（最多 {MAX_UPSCALE:g} 倍），会明显模糊。"
            f"请使用人脸宽度至少 {_face_width_needed(free, head.face_width):.0f} 像素的照片。",
        )
    raise PhotoFixError(
        "The proportions of this face cannot meet all of the profile's geometry rules at once "
        f"(face width {free.face_width:.0f} px, crown margin {free.crown_margin:.0f} px, eye "
        f"line {free.eye_line_from_bottom:.0f} px from the bottom at best).",
        "此人像的比例无法同时满足该规格的全部尺寸要求（最佳方案：脸宽 "
        f"{free.face_width:.0f} 像素，头顶距上边 {free.crown_margin:.0f} 像素，"
        f"眼线距下边 {free.eye_line_from_bottom:.0f} 像素）。",
    )


def _face_width_needed(plan: CropPlan, face_width: float) -> float:
    """The source face width that a scale of :data:`MAX_UPSCALE` would bring to ``plan``'s."""
    return face_width * plan.scale / MAX_UPSCALE


def _fill(rendered: Rendered, profile: PhotoProfile, notes: list[str]
          ) -> tuple[np.ndarray, np.ndarray, bool]:
    """Refuse a photo cut off under the chin; paint the top and sides beyond the source in
    the background colour and take them out of the person mask. Returns the pixels, the
    person mask and whether anything was filled."""
    height = rendered.rgb.shape[0]
    below_rows = int(rendered.below.any(axis=1).sum())
    if below_rows > MAX_BOTTOM_FILL * height:
        raise PhotoFixError(
            f"The photo ends too close under the chin: {below_rows} of {height} rows at the "
            "bottom of the result would have no picture (shoulders missing). Use a photo that "
            "shows the shoulders.",
            f"照片在下巴下方截断过多：结果底部 {height} 行中有 {below_rows} 行没有画面"
            "（缺少肩部）。请使用拍到肩部的照片。",
        )
    rgb, mask = rendered.rgb, rendered.mask
    if below_rows:
        notes.append(f"extended the bottom {below_rows} px by repeating the photo's last row")
    if rendered.outside.any():
        colour = profile.background.color if profile.background is not None else (255, 255, 255)
        rgb, mask = rgb.copy(), mask.copy()
        rgb[rendered.outside] = colour
        mask[rendered.outside] = 0.0
        edges = _padded_edges(rendered.outside)
        notes.append(f"padded the {edges} with the background colour: the photo did not "
                     "reach that far")
    return rgb, mask, bool(rendered.outside.any() or below_rows)


def _padded_edges(outside: np.ndarray) -> str:
    names = [name for name, edge in (("top", outside[0]), ("left side", outside[:, 0]),
                                     ("right side", outside[:, -1])) if edge.any()]
    return ", ".join(names) or "corners"


def _encode(rgb: np.ndarray, profile: PhotoProfile, notes: list[str]) -> bytes:
    """Encode in the profile's first format at its dpi; for JPEG and WebP, step the quality
    down from :data:`JPEG_QUALITY` until the file fits ``file.max_kb`` (not below
    :data:`MIN_JPEG_QUALITY`), or up to 100 towards ``file.min_kb``."""
    fmt, spec = profile.file.formats[0], profile.file
    grey = spec.color_mode == "L"

    def encode(quality: int) -> bytes:
        if grey:
            return _encode_grey(rgb, fmt, profile.size.dpi, quality)
        return encode_photo(rgb, fmt, profile.size.dpi, quality)

    quality = JPEG_QUALITY
    data = encode(quality)
    if fmt not in (PhotoFormat.JPEG, PhotoFormat.WEBP):
        return data
    if spec.max_kb is not None:
        while len(data) > spec.max_kb * 1024 and quality > MIN_JPEG_QUALITY:
            quality -= 5
            data = encode(quality)
    if spec.min_kb is not None and len(data) < spec.min_kb * 1024:
        quality = 100
        data = encode(quality)
    if quality != JPEG_QUALITY:
        notes.append(f"{fmt.value} quality set to {quality} for the profile's file size "
                     "limits")
    return data


def _encode_grey(rgb: np.ndarray, fmt: PhotoFormat, dpi: int | None, quality: int) -> bytes:
    """8-bit grey (mode ``L``) for profiles that require it; ``encode_photo`` writes RGB."""
    image = Image.fromarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), "L")
    options: dict[str, object] = {}
    if dpi is not None and fmt is not PhotoFormat.WEBP:
        options["dpi"] = (dpi, dpi)
    if fmt in (PhotoFormat.JPEG, PhotoFormat.WEBP):
        options["quality"] = quality
    buffer = io.BytesIO()
    image.save(buffer, format=fmt.pillow_name, **options)
    return buffer.getvalue()
