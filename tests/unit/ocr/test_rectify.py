"""Finding a card photographed on a desk and flattening it."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr.rectify import ID_CARD_SIZE, find_document_quad, rectify


def card(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = np.full((540, 856, 3), (236, 240, 228), np.uint8)
    for i in range(12):  # text-like dark strokes
        y = 60 + 35 * i
        cv2.rectangle(img, (60, y), (60 + int(rng.integers(150, 500)), y + 18), (30, 30, 30), -1)
    cv2.rectangle(img, (620, 80), (800, 320), (180, 180, 180), -1)
    return img


def on_desk(img: np.ndarray, corners: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    h, w = 900, 1300
    desk = np.zeros((h, w, 3), np.uint8)
    desk[:] = (60, 90, 130)  # wood brown
    noise = rng.normal(0, 18, (h, w, 1)).astype(np.float32)
    grain = cv2.GaussianBlur(noise, (0, 0), sigmaX=25, sigmaY=2)[..., None]
    desk = np.clip(desk.astype(np.float32) + grain * 3 + noise * 0.5, 0, 255).astype(np.uint8)
    ch, cw = img.shape[:2]
    src = np.float32([[0, 0], [cw, 0], [cw, ch], [0, ch]])
    m = cv2.getPerspectiveTransform(src, corners.astype(np.float32))
    warped = cv2.warpPerspective(img, m, (w, h))
    mask = cv2.warpPerspective(np.full((ch, cw), 255, np.uint8), m, (w, h))
    desk[mask > 0] = warped[mask > 0]
    return desk


@pytest.mark.parametrize(
    "corners",
    [
        [[250, 180], [1050, 230], [1000, 740], [220, 690]],  # tilted and in perspective
        [[300, 200], [1000, 200], [1000, 642], [300, 642]],  # square on
        np.roll(cv2.boxPoints(((650, 450), (700, 441), 35)), -1, axis=0).tolist(),  # turned 35°
    ],
)
def test_card_on_desk_is_found_and_flattened(corners: list[list[float]]) -> None:
    truth = np.array(corners, dtype=np.float32)
    photo = on_desk(card(1), truth, seed=2)
    quad, area = find_document_quad(photo)
    assert quad is not None and 0.12 < area < 0.97
    # Every corner within 2 % of the image width of the truth (any starting corner).
    err = min(np.abs(np.roll(quad, k, axis=0) - truth).max() for k in range(4))
    assert err < 0.02 * photo.shape[1]
    flat = rectify(photo)
    assert flat.image.shape[:2] == (ID_CARD_SIZE[1], ID_CARD_SIZE[0])
    assert not flat.touches_border
    # The flat card is the card: compare with the original resized (same orientation or 180°).
    ref = cv2.resize(card(1), ID_CARD_SIZE)
    diffs = [np.abs(flat.image.astype(int) - r.astype(int)).mean() for r in (ref, ref[::-1, ::-1])]
    assert min(diffs) < 25
    # A box on the flat card maps back inside the card's quadrilateral in the photo.
    mapped = np.array(flat.map_box([[100, 100], [200, 100], [200, 150], [100, 150]]))
    for x, y in mapped:
        assert cv2.pointPolygonTest(truth.reshape(-1, 1, 2), (float(x), float(y)), False) >= 0


def test_a_card_cut_by_the_frame_is_flagged() -> None:
    truth = np.array([[-60, 200], [800, 200], [800, 742], [-60, 742]], dtype=np.float32)
    photo = on_desk(card(3), truth, seed=4)
    flat = rectify(photo)
    assert flat.quad is None or flat.touches_border


def test_a_plain_page_is_left_alone() -> None:
    page = np.full((1754, 1240, 3), 255, np.uint8)
    for i in range(30):
        cv2.putText(page, f"line {i}", (100, 100 + 50 * i), cv2.FONT_HERSHEY_SIMPLEX, 1, 0, 2)
    flat = rectify(page)
    assert flat.quad is None and flat.image is page
