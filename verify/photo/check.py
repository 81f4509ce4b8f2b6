"""``check_photo``: every rule of a profile against one decoded photo, as a :class:`PhotoReport`.

The file rules look at the file as uploaded. Everything else is measured on the photo scaled to
the profile height (so a photo of the wrong pixel size fails PIXEL_SIZE but still gets a fair
geometry verdict), with the face and person models run once.
"""

from __future__ import annotations

import logging
import time
from typing import Final

import cv2
import numpy as np

from verify.photo.analysis import PortraitAnalysis, PortraitAnalyzer
from verify.photo.checks_background import background_checks
from verify.photo.checks_face import face_checks
from verify.photo.checks_file import file_checks
from verify.photo.checks_quality import quality_checks
from verify.photo.decode import PhotoFile
from verify.photo.profiles import PhotoProfile
from verify.photo.report import (
    CheckResult,
    CheckStatus,
    PhotoReport,
    build_report,
    uncheckable,
)

logger = logging.getLogger(__name__)

# A photo more than 4 times wider or narrower than the profile's format is not measured: scaled
# to the profile height it would be a sliver or a strip (a 1x5000 px file would become 2 million
# px wide).
MAX_ASPECT_MISMATCH: Final = 4.0


def check_photo(photo: PhotoFile, profile: PhotoProfile, analyzer: PortraitAnalyzer
                ) -> PhotoReport:
    """Check ``photo`` against ``profile``. Never raises for a bad photo (a bad photo is a report
    with failed checks); raises ``PhotoModelError`` only when the face models cannot run."""
    started = time.perf_counter()
    results = file_checks(photo, profile)
    aspect = (photo.width / photo.height) / (profile.size.width_px / profile.size.height_px)
    if not 1 / MAX_ASPECT_MISMATCH <= aspect <= MAX_ASPECT_MISMATCH:
        scaled = analysed = time.perf_counter()
        results += _unmeasurable(profile, aspect)
    else:
        work = scale_to_profile(photo.rgb, profile)
        scaled = time.perf_counter()
        analysis = analyzer.analyze(work)
        analysed = time.perf_counter()
        results += face_checks(analysis, profile)
        results += background_checks(work, analysis, profile)
        results += quality_checks(work, analysis, profile)
    finished = time.perf_counter()
    timings = {"scale": (scaled - started) * 1000, "models": (analysed - scaled) * 1000,
               "rules": (finished - analysed) * 1000, "total": (finished - started) * 1000}
    report = build_report(profile.id, results, timings)
    logger.info("photo checked against %s: %s, failed %s, %.1f ms", profile.id,
                "pass" if report.passed else "fail",
                ",".join(c.check.value for c in report.failed()) or "none", timings["total"])
    return report


def _unmeasurable(profile: PhotoProfile, aspect: float) -> list[CheckResult]:
    """Every picture rule as UNCHECKABLE (or NOT_APPLICABLE when the profile has no such rule)
    for a photo whose proportions are too far from the profile's to be scaled and measured."""
    height, width = profile.size.height_px, profile.size.width_px
    nothing = PortraitAnalysis(width=width, height=height, face_count=0, face_boxes=(),
                               face=None, person_mask=np.zeros((height, width), np.float32))
    blank = np.zeros((height, width, 3), np.uint8)
    why_en = (f"the photo's proportions are {aspect:.2f} times the profile's; it is not a "
              "portrait of this format.")
    why_zh = f"照片宽高比是规格的 {aspect:.2f} 倍，不是该规格的人像照片。"
    results = []
    for rule in (*face_checks(nothing, profile), *background_checks(blank, nothing, profile),
                 *quality_checks(blank, nothing, profile)):
        if rule.status is CheckStatus.NOT_APPLICABLE:
            results.append(rule)
        else:
            results.append(uncheckable(rule.check, rule.expected, rule.unit, why_en, why_zh))
    return results


def scale_to_profile(rgb: np.ndarray, profile: PhotoProfile) -> np.ndarray:
    """``rgb`` resized (aspect kept) to the profile's pixel height; unchanged when it already
    has that height."""
    height, width = rgb.shape[:2]
    target = profile.size.height_px
    if height == target:
        return rgb
    scale = target / height
    new_width = max(1, round(width * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.resize(rgb, (new_width, target), interpolation=interpolation)
