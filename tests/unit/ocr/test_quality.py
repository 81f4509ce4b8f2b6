"""Quality measures respond to the defect they measure, and stay quiet on a good image."""

from __future__ import annotations

import cv2
import numpy as np

from core import DocType, QualityCode
from ocr.quality import (
    QualityInput,
    assess,
    blur_score,
    glare_score,
    moire_score,
    photocopy_score,
)


def card() -> np.ndarray:
    img = np.full((631, 1000, 3), (232, 236, 214), np.uint8)
    cv2.rectangle(img, (0, 0), (999, 630), (200, 215, 180), 6)
    for i, text in enumerate(["NAME ZHANG WEI", "SEX M  ETH HAN", "BORN 1990 3 7", "ADDR HEFEI 12",
                              "NO 340104199003071234"]):
        cv2.putText(img, text, (60, 90 + 100 * i), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (20, 20, 20), 3)
    return img


def gray(img: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def test_blur_score_grows_with_blur() -> None:
    sharp = card()
    scores = [blur_score(gray(cv2.GaussianBlur(sharp, (0, 0), s))) if s else blur_score(gray(sharp))
              for s in (0, 1.5, 3, 6)]
    assert scores[0] < 0.5 <= scores[-1]
    assert scores == sorted(scores)


def test_glare_blob_is_found_only_when_present() -> None:
    clean = card()
    glared = clean.copy()
    cv2.circle(glared, (700, 300), 90, (255, 255, 255), -1)
    assert glare_score(clean) < 0.5 <= glare_score(glared)


def test_photocopy_is_grey() -> None:
    colour = card()
    copy = cv2.cvtColor(gray(colour), cv2.COLOR_GRAY2BGR)
    assert photocopy_score(colour) < 0.5 <= photocopy_score(copy)


def test_moire_from_a_screen() -> None:
    img = card().astype(np.float32)
    yy, xx = np.mgrid[: img.shape[0], : img.shape[1]]
    pattern = 18 * np.sin(2 * np.pi * (xx * 0.31 + yy * 0.07))
    screen = np.clip(img + pattern[..., None], 0, 255).astype(np.uint8)
    assert moire_score(gray(card())) < 0.5 <= moire_score(gray(screen))


def test_assess_reports_codes_with_scores() -> None:
    bad = cv2.GaussianBlur(cv2.cvtColor(gray(card()), cv2.COLOR_GRAY2BGR), (0, 0), 6)
    warnings = assess(QualityInput(bad, DocType.ID_CARD_FRONT, source_width=420,
                                   border_cut=True, median_line_height=30, mean_confidence=0.6))
    codes = {w.code for w in warnings}
    assert {QualityCode.BLURRED, QualityCode.PHOTOCOPY, QualityCode.LOW_RESOLUTION,
            QualityCode.BORDER_CUT, QualityCode.LOW_CONFIDENCE} <= codes
    assert all(0.5 <= w.score <= 1.0 for w in warnings)
    good = assess(QualityInput(card(), DocType.ID_CARD_FRONT, source_width=1000,
                               border_cut=False, median_line_height=30, mean_confidence=0.99))
    assert good == []
