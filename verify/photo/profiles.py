"""ID-photo specifications as data: :class:`PhotoProfile`, loaded from YAML or JSON files.

The built-in profiles live in ``verify/photo/profiles/*.yaml`` (package data); a user adds one by
writing a file with the same keys in ``Settings.photo_profiles_dir``. A file there whose ``id``
equals a built-in one replaces it. Every geometry figure is in pixels of the profile's own size
(``size.width_px`` x ``size.height_px``); ranges are ``[min, max]`` with ``null`` for an open end.
"""

from __future__ import annotations

import json
import logging
import math
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from verify.photo.decode import PhotoFormat
from verify.photo.errors import profile_invalid, profile_not_found

logger = logging.getLogger(__name__)

BUILTIN_DIR: Final = Path(__file__).resolve().parent / "profiles"
_SUFFIXES: Final = (".yaml", ".yml", ".json")
_MAX_FILE_BYTES: Final = 256 * 1024


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Range(_Frozen):
    """A closed interval with optional ends. In files: ``[min, max]``, either may be ``null``."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            if len(value) != 2:
                raise ValueError("a range is [min, max] (use null for an open end)")
            return {"min": value[0], "max": value[1]}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min is None and self.max is None:
            raise ValueError("a range needs at least one end; use null for the whole rule instead")
        for end in (self.min, self.max):
            if end is not None and not math.isfinite(end):
                raise ValueError("range ends must be finite numbers")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"range min {self.min} is above max {self.max}")
        return self

    def contains(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    @property
    def target(self) -> float:
        """A value well inside: the midpoint, or 10 % beyond the one end of a half-open range."""
        if self.min is not None and self.max is not None:
            return (self.min + self.max) / 2.0
        if self.min is not None:
            return self.min * 1.1 if self.min > 0 else self.min + 1.0
        assert self.max is not None
        return self.max * 0.9 if self.max > 0 else self.max - 1.0

    def describe(self) -> str:
        """``"193–221"``, ``"≥ 207"`` or ``"≤ 21"``."""
        if self.min is not None and self.max is not None:
            return f"{_num(self.min)}–{_num(self.max)}"
        return f"≥ {_num(self.min)}" if self.min is not None else f"≤ {_num(self.max)}"


class LocalizedText(_Frozen):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class SizeSpec(_Frozen):
    """Pixel size, physical size and resolution. ``max_scale`` > 1 also accepts the same aspect
    ratio up to that many times the pixel size (US visa: 600x600 up to 1200x1200)."""

    width_px: int = Field(ge=16, le=10_000)
    height_px: int = Field(ge=16, le=10_000)
    width_mm: float | None = Field(default=None, gt=0, le=1000)
    height_mm: float | None = Field(default=None, gt=0, le=1000)
    dpi: int | None = Field(default=None, ge=50, le=2400)
    max_scale: float = Field(default=1.0, ge=1.0, le=10.0)



class FileSpec(_Frozen):
    """File format(s) (the first one is what the auto-fix writes), colour mode and size in kB."""

    formats: tuple[PhotoFormat, ...] = Field(default=(PhotoFormat.JPEG,), min_length=1)
    color_mode: str | None = "RGB"
    min_kb: float | None = Field(default=None, ge=0)
    max_kb: float | None = Field(default=None, gt=0)

    @field_validator("color_mode")
    @classmethod
    def _known_mode(cls, value: str | None) -> str | None:
        if value is not None and value not in {"RGB", "L"}:
            raise ValueError("color_mode must be RGB (24-bit colour), L (8-bit grey) or null")
        return value


class BackgroundSpec(_Frozen):
    """Background colour(s) and tolerances, both as CIELAB ΔE (CIE76) distances:
    ``tolerance`` bounds the distance of the background's median colour from the nearest allowed
    colour; ``max_spread`` bounds the 90th percentile distance of background pixels from that
    median (uniformity)."""

    color: tuple[int, int, int]
    other_colors: tuple[tuple[int, int, int], ...] = ()
    tolerance: float = Field(default=10.0, gt=0, le=100)
    max_spread: float = Field(default=8.0, gt=0, le=100)

    @field_validator("color", "other_colors")
    @classmethod
    def _rgb(cls, value: Any) -> Any:
        colours = [value] if value and isinstance(value[0], int) else value
        for colour in colours:
            if any(not 0 <= c <= 255 for c in colour):
                raise ValueError("colour components must be 0..255")
        return value

    @property
    def colors(self) -> tuple[tuple[int, int, int], ...]:
        return (self.color, *self.other_colors)


class GeometrySpec(_Frozen):
    """Head position and size in profile pixels. ``advisory``: the issuer publishes no figures,
    so a miss is a warning rather than a failure (the figures are a composition convention)."""

    face_width: Range | None = None
    head_height: Range | None = None
    crown_margin: Range | None = None
    eye_line_from_bottom: Range | None = None
    center_tolerance: float | None = Field(default=None, gt=0)
    advisory: bool = False


class PoseSpec(_Frozen):
    max_roll: float | None = Field(default=None, gt=0, le=90)
    max_yaw: float | None = Field(default=None, gt=0, le=90)
    max_pitch: float | None = Field(default=None, gt=0, le=90)


class ExpressionSpec(_Frozen):
    eyes_open: bool = True
    mouth_closed: bool = True


class QualitySpec(_Frozen):
    """Image-quality limits; docs/photo-checks.md explains each measure and its calibration.

    ``min_sharpness``: variance of the Laplacian over the variance of the grey values inside the
    face, resampled to a face width of 96 px (contrast-independent). ``face_brightness``: mean
    CIELAB L* (0-100) inside the face outline. ``max_clipped``: fraction of face pixels with a
    channel at 0 or 255. ``max_lighting_difference``: L* difference between the two cheeks.
    ``null`` switches a limit off."""

    min_sharpness: float | None = Field(default=0.06, gt=0)
    face_brightness: Range | None = Range(min=25.0, max=90.0)
    max_clipped: float | None = Field(default=0.05, gt=0, le=1)
    max_lighting_difference: float | None = Field(default=15.0, gt=0, le=100)


class PhotoProfile(_Frozen):
    """One ID-photo specification. ``source`` cites where the figures come from."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    name: LocalizedText
    source: str = ""
    size: SizeSpec
    file: FileSpec = FileSpec()
    background: BackgroundSpec | None = None
    geometry: GeometrySpec = GeometrySpec()
    pose: PoseSpec = PoseSpec()
    expression: ExpressionSpec = ExpressionSpec()
    quality: QualitySpec = QualitySpec()

    @model_validator(mode="after")
    def _consistent(self) -> PhotoProfile:
        width, height = self.size.width_px, self.size.height_px
        limits = {"face_width": width, "head_height": height, "crown_margin": height,
                  "eye_line_from_bottom": height}
        for name, limit in limits.items():
            rule: Range | None = getattr(self.geometry, name)
            if rule is not None and (rule.min or 0) > limit:
                raise ValueError(f"geometry.{name} starts beyond the {limit} px of the photo")
        if self.file.min_kb and self.file.max_kb and self.file.min_kb > self.file.max_kb:
            raise ValueError("file.min_kb is above file.max_kb")
        return self


def load_profile_file(path: Path) -> PhotoProfile:
    """Read and validate one profile file (``PHOTO_PROFILE_INVALID`` with the file name and the
    problem when it cannot be parsed or does not fit the schema)."""
    try:
        if path.stat().st_size > _MAX_FILE_BYTES:
            raise profile_invalid(path.name, f"larger than {_MAX_FILE_BYTES} bytes")
        text = path.read_text("utf-8")
        raw = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise profile_invalid(path.name, f"cannot be read ({type(exc).__name__})") from None
    if not isinstance(raw, dict):
        raise profile_invalid(path.name, "the file must hold one mapping of profile keys")
    try:
        return PhotoProfile.model_validate(raw)
    except ValidationError as exc:
        raise profile_invalid(path.name, _describe(exc)) from None


def load_profiles(extra_dir: Path | None = None) -> dict[str, PhotoProfile]:
    """The built-in profiles plus those in ``extra_dir`` (which win on an equal ``id``).

    Raises ``PHOTO_PROFILE_INVALID`` for a malformed file, for two files with one ``id`` in the
    same directory, and for an ``extra_dir`` that is not a directory.
    """
    profiles = dict(_builtin_profiles())
    if extra_dir is not None:
        extra_dir = Path(extra_dir)
        if not extra_dir.is_dir():
            raise profile_invalid(str(extra_dir), "the photo profiles directory does not exist")
        profiles.update(_load_dir(extra_dir))
    return profiles


def get_profile(profile_id: str, extra_dir: Path | None = None) -> PhotoProfile:
    """One profile by id, or ``PHOTO_PROFILE_NOT_FOUND`` listing the known ids."""
    profiles = load_profiles(extra_dir)
    try:
        return profiles[profile_id]
    except KeyError:
        raise profile_not_found(profile_id, list(profiles)) from None


@lru_cache(maxsize=1)
def _builtin_profiles() -> dict[str, PhotoProfile]:
    return _load_dir(BUILTIN_DIR)


def _load_dir(directory: Path) -> dict[str, PhotoProfile]:
    found: dict[str, PhotoProfile] = {}
    origin: dict[str, str] = {}
    for path in sorted(directory.iterdir()):
        if path.suffix.lower() not in _SUFFIXES or not path.is_file():
            continue
        profile = load_profile_file(path)
        if profile.id in found:
            other = origin[profile.id]
            raise profile_invalid(path.name, f"id '{profile.id}' is also used by {other}")
        found[profile.id], origin[profile.id] = profile, path.name
    logger.debug("loaded %d photo profiles from %s", len(found), directory.name)
    return found


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors()[:5]:
        where = ".".join(str(part) for part in error["loc"]) or "(top level)"
        problems.append(f"{where}: {error['msg']}")
    more = f" (+{exc.error_count() - 5} more)" if exc.error_count() > 5 else ""
    return "; ".join(problems) + more


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
