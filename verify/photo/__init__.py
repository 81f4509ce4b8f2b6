"""Portrait (ID) photo checking and fixing against specification profiles.

Owns safe decoding of photo files (``decode``), the profiles as data (``profiles`` and the
built-in ``profiles/*.yaml``), face and person analysis with the models bundled in mediapipe
(``analysis``), the rules and their verdicts (``check``, ``checks_*``, ``report``) and the
auto-fix (``fix``), and what the verdicts mean to the applicant (``advice``: whose item a rule
is, plain instructions, the measurements in words). Imports only ``core``; other packages use
the names in ``__all__`` only.
A photo that breaks a rule is a failed check in a :class:`PhotoReport`, never an exception.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from verify.photo.advice import (
    APPLICANT_CHECKS,
    MECHANICAL_CHECKS,
    CheckKind,
    explain,
    instruction,
    kind_of,
    lead_instructions,
    title,
)
from verify.photo.analysis import FaceLandmarks, PortraitAnalysis, PortraitAnalyzer
from verify.photo.check import check_photo
from verify.photo.decode import PhotoFile, PhotoFormat, decode_photo, encode_photo
from verify.photo.errors import PhotoFixError, PhotoInputError, PhotoModelError, PhotoProfileError
from verify.photo.profiles import PhotoProfile, Range, get_profile, load_profiles
from verify.photo.report import (
    BACKGROUND_CHECKS,
    CHECK_TITLES,
    GEOMETRY_CHECKS,
    CheckResult,
    CheckStatus,
    PhotoCheck,
    PhotoReport,
)

if TYPE_CHECKING:
    from verify.photo.fix import FixResult, fix_photo

__all__ = [
    "APPLICANT_CHECKS",
    "BACKGROUND_CHECKS",
    "CHECK_TITLES",
    "GEOMETRY_CHECKS",
    "MECHANICAL_CHECKS",
    "CheckKind",
    "CheckResult",
    "CheckStatus",
    "FaceLandmarks",
    "FixResult",
    "PhotoCheck",
    "PhotoFile",
    "PhotoFixError",
    "PhotoFormat",
    "PhotoInputError",
    "PhotoModelError",
    "PhotoProfile",
    "PhotoProfileError",
    "PhotoReport",
    "PortraitAnalysis",
    "PortraitAnalyzer",
    "Range",
    "check_photo",
    "decode_photo",
    "encode_photo",
    "explain",
    "fix_photo",
    "get_profile",
    "instruction",
    "kind_of",
    "lead_instructions",
    "load_profiles",
    "title",
]


def __getattr__(name: str) -> Any:
    # The auto-fix is imported on first use, so checking never pays for (or breaks on) it.
    if name in ("fix_photo", "FixResult"):
        from verify.photo import fix

        return getattr(fix, name)
    raise AttributeError(f"module 'verify.photo' has no attribute {name!r}")
