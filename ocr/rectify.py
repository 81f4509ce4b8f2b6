"""Find a card or sheet photographed on a background and warp it flat.

A resident ID card is 85.6 × 54 mm (aspect 1.585). A photo of one on a desk, at an angle, is
found as the largest convex quadrilateral whose corners are inside the frame, then warped to a
canonical upright rectangle. The homography is kept so boxes found on the flat card can be mapped
back to the pixels of the photo.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ocr.engines.crops import order_quad

ID_CARD_SIZE = (1000, 631)  # canonical flat card, about 300 dpi
WORK_SIDE = 640  # the quad search runs on a copy this large
MAX_SHEET_SIDE = 2000  # a flattened sheet is at most this large


@dataclass(frozen=True, slots=True)
class Rectified:
    """A flattened view of the document and how to map its pixels back."""

    image: np.ndarray
    quad: np.ndarray | None  # corners in the source image, clockwise from top-left
    to_source: np.ndarray | None  # 3×3 homography flat → source
    touches_border: bool  # a corner lies on (or outside) the frame: the border may be cut

    def map_box(self, box: list[list[float]]) -> list[list[float]]:
        """Map a box from the flat image back to source pixels."""
        if self.to_source is None:
            return box
        pts = np.asarray(box, dtype=np.float32).reshape(-1, 1, 2)
        return cv2.perspectiveTransform(pts, self.to_source).reshape(-1, 2).tolist()


def find_document_quad(image: np.ndarray) -> tuple[np.ndarray | None, float]:
    """The most plausible document quadrilateral and the fraction of the frame it covers.

    Returns ``(None, 0.0)`` when nothing card-like stands out from the background.
    """
    h, w = image.shape[:2]
    scale = WORK_SIDE / max(h, w)
    small = cv2.resize(image, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
    sh, sw = small.shape[:2]
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    gray = cv2.GaussianBlur(gray, (5, 5), 0)
    candidates: list[np.ndarray] = []
    # Two views of the same edges: Canny catches a card against a textured desk; Otsu catches a
    # pale card on a dark or even background where Canny breaks the outline.
    edges = cv2.Canny(gray, 30, 100)
    edges = cv2.dilate(edges, np.ones((5, 5), np.uint8))
    edges = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    _t, otsu = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    otsu = cv2.morphologyEx(otsu, cv2.MORPH_OPEN, np.ones((7, 7), np.uint8))
    for mask in (edges, otsu, 255 - otsu):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
            quad = _approximate_quad(contour)
            if quad is not None:
                candidates.append(quad)
    best: np.ndarray | None = None
    best_area = 0.0
    margin = 0.01 * max(sh, sw)
    for quad in candidates:
        area = cv2.contourArea(quad) / float(sh * sw)
        if not 0.12 <= area <= 0.97 or not cv2.isContourConvex(quad.astype(np.int32)):
            continue
        on_frame = ((quad[:, 0] <= margin) | (quad[:, 1] <= margin)
                    | (quad[:, 0] >= sw - 1 - margin) | (quad[:, 1] >= sh - 1 - margin))
        if on_frame.sum() >= 2:  # a shadow or vignette along the frame, not a document
            continue
        if area > best_area:
            best, best_area = quad, area
    if best is None:
        return None, 0.0
    return order_quad(best / scale), best_area


def _approximate_quad(contour: np.ndarray) -> np.ndarray | None:
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    for eps in (0.02, 0.03, 0.05):
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4:
            return approx.reshape(4, 2).astype(np.float32)
    # Rounded card corners sometimes leave 5–8 vertices: the min-area rectangle still fits.
    if len(hull) >= 4:
        rect = cv2.boxPoints(cv2.minAreaRect(hull))
        fill = cv2.contourArea(hull) / max(1.0, cv2.contourArea(rect))
        if fill > 0.93:
            return rect.astype(np.float32)
    return None


def quad_aspect(quad: np.ndarray) -> float:
    """Long side over short side of a quadrilateral (averaged opposite sides)."""
    top = np.linalg.norm(quad[1] - quad[0])
    bottom = np.linalg.norm(quad[2] - quad[3])
    left = np.linalg.norm(quad[3] - quad[0])
    right = np.linalg.norm(quad[2] - quad[1])
    a, b = (top + bottom) / 2, (left + right) / 2
    return float(max(a, b) / max(1.0, min(a, b)))


def rectify(image: np.ndarray) -> Rectified:
    """Flatten a card or sheet found in ``image``; otherwise return ``image`` unchanged.

    A quadrilateral is only taken for a document when it stands out from what surrounds it (a
    card on a desk), not when it is a frame or table printed on the page itself.
    """
    h, w = image.shape[:2]
    quad, _area = find_document_quad(image)
    if quad is None or not _stands_out(image, quad, card=_card_aspect(quad_aspect(quad))):
        return Rectified(image, None, None, touches_border=False)
    margin = 0.01 * max(h, w)
    touches = bool(
        (quad[:, 0] <= margin).any()
        or (quad[:, 1] <= margin).any()
        or (quad[:, 0] >= w - 1 - margin).any()
        or (quad[:, 1] >= h - 1 - margin).any()
    )
    top_len = (np.linalg.norm(quad[1] - quad[0]) + np.linalg.norm(quad[2] - quad[3])) / 2
    side_len = (np.linalg.norm(quad[3] - quad[0]) + np.linalg.norm(quad[2] - quad[1])) / 2
    if _card_aspect(quad_aspect(quad)):
        # A card: text runs along the long side; a card held upright is turned a quarter
        # (the engine's direction classifier settles the remaining 180°).
        if side_len > top_len:
            quad = np.roll(quad, -1, axis=0)
        tw, th = ID_CARD_SIZE
    else:
        # A sheet keeps its own proportions and is never enlarged.
        tw, th = int(round(top_len)), int(round(side_len))
        scale = min(1.0, MAX_SHEET_SIDE / max(tw, th))
        tw, th = max(32, int(tw * scale)), max(32, int(th * scale))
    target = np.array([[0, 0], [tw - 1, 0], [tw - 1, th - 1], [0, th - 1]], dtype=np.float32)
    forward = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    flat = cv2.warpPerspective(image, forward, (tw, th), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)
    return Rectified(flat, quad, np.linalg.inv(forward), touches_border=touches)


def is_card(rect: Rectified) -> bool:
    """Whether the flattened document has an ID card's proportions."""
    h, w = rect.image.shape[:2]
    return _card_aspect(max(h, w) / max(1, min(h, w)))


def _card_aspect(aspect: float) -> bool:
    """ID card 1.585 against A4 1.414: perspective moves a measured aspect by up to ~0.08, so
    the line is drawn at 1.50 (a card taken for a sheet is still flattened, only not resized)."""
    return 1.50 <= aspect <= 1.72


def _stands_out(image: np.ndarray, quad: np.ndarray, card: bool) -> bool:
    """Compare the colour just inside the quadrilateral with the colour just outside it.

    A card-shaped quad needs less contrast (a grey copy of a card on a scanner's lid) than a
    sheet-shaped one, which may be a table printed on the page."""
    h, w = image.shape[:2]
    scale = WORK_SIDE / max(h, w)
    small = cv2.resize(image, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
    lab = cv2.cvtColor(small, cv2.COLOR_BGR2LAB).astype(np.float32)
    q = quad * scale
    centre = q.mean(axis=0)
    inner = ((q - centre) * 0.95 + centre).astype(np.int32)
    outer = ((q - centre) * 1.05 + centre).astype(np.int32)
    mask_q = np.zeros(small.shape[:2], np.uint8)
    cv2.fillConvexPoly(mask_q, q.astype(np.int32), 1)
    mask_in = np.zeros_like(mask_q)
    cv2.fillConvexPoly(mask_in, inner, 1)
    mask_out = np.zeros_like(mask_q)
    cv2.fillConvexPoly(mask_out, outer, 1)
    band_in = (mask_q == 1) & (mask_in == 0)
    band_out = (mask_out == 1) & (mask_q == 0)
    if band_out.sum() < 50:  # the document fills the frame: nothing to compare with
        return True
    # Medians: a printed table's ruling lines or a shaded header row do not move them.
    diff = np.linalg.norm(np.median(lab[band_in], axis=0) - np.median(lab[band_out], axis=0))
    return bool(diff > (4.0 if card else 8.0))
