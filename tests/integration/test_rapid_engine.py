"""The default engine: both runtimes, batching, orientation, and its failure modes."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from core import ErrorCode
from ocr.engines.rapid import RapidModels, RapidOcrEngine
from ocr.engines.runtimes import Runtime
from ocr.errors import EngineError

pytestmark = pytest.mark.integration
FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
LINES = [
    "统一社会信用代码", "91340100MA2N7K2B3F", "安徽省合肥市蜀山区长江西路189号", "男",
    "2023年05月12日",
]


def render_line(text: str, size: int = 36) -> np.ndarray:
    font = ImageFont.truetype(FONT, size)
    left, top, right, bottom = font.getbbox(text)
    img = Image.new("RGB", (right - left + 24, bottom - top + 16), "white")
    ImageDraw.Draw(img).text((12 - left, 8 - top), text, font=font, fill=(15, 15, 15))
    return np.ascontiguousarray(np.asarray(img)[:, :, ::-1])


def render_page() -> np.ndarray:
    img = Image.new("RGB", (1000, 630), (240, 244, 236))
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 36)
    for i, text in enumerate(LINES):
        draw.text((60, 40 + 110 * i), text, font=font, fill=(15, 15, 15))
    return np.ascontiguousarray(np.asarray(img)[:, :, ::-1])


@pytest.fixture(scope="module", params=[Runtime.OPENVINO, Runtime.ONNXRUNTIME])
def engine(request: pytest.FixtureRequest) -> RapidOcrEngine:
    return RapidOcrEngine(runtime=request.param)


def test_reads_a_page_in_reading_order(engine: RapidOcrEngine) -> None:
    out = engine.recognize(render_page())
    assert [ln.text.replace(" ", "") for ln in out.lines] == LINES
    assert not out.upside_down
    assert out.timings["det"] > 0 and out.timings["rec"] > 0


def test_page_upside_down_is_read_and_reported(engine: RapidOcrEngine) -> None:
    out = engine.recognize(cv2.rotate(render_page(), cv2.ROTATE_180))
    assert out.upside_down
    assert [ln.text.replace(" ", "") for ln in out.lines] == LINES
    # Boxes stay in the pixels of the image given; the first line is now near the bottom.
    assert out.lines[0].box[0][1] > 400


def test_batched_recognition_matches_one_by_one(engine: RapidOcrEngine) -> None:
    crops = [render_line(t) for t in LINES]
    batched = engine.recognize_crops(crops)
    single = [engine.recognize_crops([c])[0] for c in crops]
    assert [t for t, _ in batched] == [t for t, _ in single]
    assert [t.replace(" ", "") for t, _ in batched] == LINES
    assert all(0.5 < s <= 1.0 for _, s in batched)


def test_blank_image_has_no_lines(engine: RapidOcrEngine) -> None:
    assert engine.recognize(np.full((400, 600, 3), 255, np.uint8)).lines == []


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    bundled = RapidModels.bundled()
    with pytest.raises(EngineError) as info:
        RapidOcrEngine(RapidModels(tmp_path / "nope.onnx", bundled.rec, bundled.cls))
    assert info.value.code == ErrorCode.ENGINE_MODEL_MISSING
    assert "nope.onnx" in info.value.message_en and info.value.message_zh


def test_corrupt_model_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "det.onnx"
    bad.write_bytes(b"not an onnx graph")
    bundled = RapidModels.bundled()
    with pytest.raises(EngineError) as info:
        RapidOcrEngine(RapidModels(bad, bundled.rec, bundled.cls), runtime=Runtime.ONNXRUNTIME)
    assert info.value.code == ErrorCode.ENGINE_FAILED
