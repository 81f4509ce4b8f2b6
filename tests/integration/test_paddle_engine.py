"""The optional PaddleOCR backend reads rendered Chinese text offline from a prepared model dir.

Runs only where the paddle extra is installed. With ``ZZ_REQUIRE_PADDLE=1`` (set by the test
script in CI) a missing extra is a failure, not a skip.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from core import TextLine

if os.environ.get("ZZ_REQUIRE_PADDLE") != "1":
    # Not "paddle" itself: importing it reconfigures the root logger for the whole session
    # (the engine undoes that; a bare import here would not). paddleocr does not import it.
    pytest.importorskip("paddleocr", reason="the paddle extra is not installed")

from ocr.engines.base import OCREngine  # noqa: E402
from ocr.engines.paddle import PaddleEngine  # noqa: E402
from ocr.engines.paddle_models import MODELS, missing_model_files, prepare_model_dir  # noqa: E402

pytestmark = [
    pytest.mark.integration,
    pytest.mark.paddle,
    pytest.mark.slow,
    # paddle's C++-extension helper warns on import when ccache is absent; irrelevant here.
    pytest.mark.filterwarnings("ignore:No ccache found:UserWarning"),
]

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
FONT_SIZE = 40
# (text, x, y) on a 1000×630 white card; the two short lines share a row, left then right.
CARD_LINES = [
    ("姓名 张伟明", 60, 60),
    ("性别 男", 60, 170),
    ("民族 汉", 520, 170),
    ("公民身份号码 340104199003071234", 60, 400),
]
CARD_SIZE = (1000, 630)



def _font() -> ImageFont.FreeTypeFont:
    if not FONT.is_file():
        pytest.fail(f"CJK font missing: {FONT} (apt package fonts-wqy-zenhei, scripts/setup.sh)")
    return ImageFont.truetype(str(FONT), FONT_SIZE)


def _render(lines: list[tuple[str, int, int]], size: tuple[int, int]) -> np.ndarray:
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = _font()
    for text, x, y in lines:
        draw.text((x, y), text, font=font, fill=(20, 20, 20))
    return np.ascontiguousarray(np.asarray(image)[:, :, ::-1])  # RGB → BGR


def _render_line(text: str) -> np.ndarray:
    font = _font()
    left, top, right, bottom = font.getbbox(text)
    return _render([(text, 12 - left, 10 - top)], (right - left + 24, bottom - top + 20))


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _cer(expected: list[str], got: list[str]) -> float:
    # The recogniser does not emit the gap between a label and its value as a space, so
    # whitespace is not scored; line order is (lines are joined with a newline).
    def norm(lines: list[str]) -> str:
        return "\n".join("".join(line.split()) for line in lines)

    reference = norm(expected)
    return _edit_distance(reference, norm(got)) / len(reference)


@pytest.fixture(scope="session")
def paddle_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_model_dir(tmp_path_factory.mktemp("paddle-models"))


@pytest.fixture(scope="module")
def engine(paddle_model_dir: Path) -> Iterator[PaddleEngine]:
    yield PaddleEngine(paddle_model_dir, threads=2)


@pytest.fixture(scope="module")
def card() -> np.ndarray:
    return _render(CARD_LINES, CARD_SIZE)


def test_prepared_dir_is_complete_and_idempotent(paddle_model_dir: Path) -> None:
    assert missing_model_files(paddle_model_dir) == []
    before = {
        p: p.stat().st_mtime_ns for m in MODELS for p in (paddle_model_dir / m.subdir).iterdir()
    }
    prepare_model_dir(paddle_model_dir)
    after = {
        p: p.stat().st_mtime_ns for m in MODELS for p in (paddle_model_dir / m.subdir).iterdir()
    }
    assert after == before
    rec_config = (paddle_model_dir / "rec" / "inference.yml").read_text("utf-8")
    assert "model_name: PP-OCRv4_mobile_rec" in rec_config
    assert "character_dict:" in rec_config


def test_engine_satisfies_the_protocol(engine: PaddleEngine) -> None:
    assert isinstance(engine, OCREngine)
    assert engine.name == "paddleocr"


def test_reads_rendered_chinese_card(engine: PaddleEngine, card: np.ndarray) -> None:
    output = engine.recognize(card, page=3)
    texts = [line.text for line in output.lines]
    expected = [text for text, _, _ in CARD_LINES]
    assert len(output.lines) == len(CARD_LINES), texts
    assert _cer(expected, texts) <= 0.1, texts
    assert set(output.timings) == {"ocr"} and output.timings["ocr"] > 0
    for line, (_, x, y) in zip(output.lines, CARD_LINES, strict=True):
        assert isinstance(line, TextLine)
        assert line.page == 3
        assert 0.0 <= line.score <= 1.0
        assert len(line.box) == 4 and all(len(point) == 2 for point in line.box)
        (x0, y0), (x1, _), (_, y2), _ = line.box
        # Clockwise from top-left, around where the line was drawn.
        assert x0 < x1 and y0 < y2
        assert abs(x0 - x) < 25 and y0 - 5 < y + FONT_SIZE and y2 > y


def test_reads_upside_down_lines_with_textline_orientation(
    engine: PaddleEngine, card: np.ndarray
) -> None:
    output = engine.recognize(np.ascontiguousarray(card[::-1, ::-1]))
    texts = sorted("".join(line.text.split()) for line in output.lines)
    expected = sorted("".join(text.split()) for text, _, _ in CARD_LINES)
    assert _cer(expected, texts) <= 0.1, texts


def test_blank_page_has_no_lines(engine: PaddleEngine) -> None:
    blank = np.full((630, 1000, 3), 255, dtype=np.uint8)
    assert engine.recognize(blank).lines == []


def test_recognize_crops_uses_the_rec_model(engine: PaddleEngine) -> None:
    words = ["张伟明", "340104199003071234", "合肥市公安局"]
    results = engine.recognize_crops([_render_line(word) for word in words])
    assert [text for text, _ in results] == words
    assert all(0.5 < score <= 1.0 for _, score in results)
    assert engine.recognize_crops([]) == []


_QUIET_CONSTRUCTION = """
import json, logging, sys
from pathlib import Path
from core import configure_logging
configure_logging("WARNING")
root = logging.getLogger()
before = [len(root.handlers), root.level]
from ocr.engines.paddle import PaddleEngine
PaddleEngine(Path(sys.argv[1]))
print(json.dumps({"before": before, "after": [len(root.handlers), root.level]}))
"""


def test_construction_is_quiet_and_leaves_root_logger_alone(paddle_model_dir: Path) -> None:
    # A fresh interpreter, because only the first import of paddle touches the root logger.
    root_dir = Path(__file__).resolve().parents[2]
    python_path = os.pathsep.join(filter(None, [str(root_dir), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": python_path}
    done = subprocess.run(
        [sys.executable, "-c", _QUIET_CONSTRUCTION, str(paddle_model_dir)],
        capture_output=True, text=True, timeout=300, env=env, cwd=root_dir, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    state = json.loads(done.stdout.strip().splitlines()[-1])
    assert state["after"] == state["before"]
    assert "ccache" not in done.stderr and "Creating model" not in done.stderr, done.stderr


SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "documents"
PARITY_SAMPLES = ("0000_id_card_front_clean", "0001_id_card_back_clean",
                  "0012_id_card_front_desk_flipped", "0002_business_licence_clean")


def test_parity_with_the_default_engine_on_samples(engine: PaddleEngine, reader) -> None:
    """Both engines through the same reader: each reads the sample's fields, and PaddleOCR
    gets at least 85 % of the fields exactly right wherever the default engine does."""
    from ocr import DocumentReader
    from ocr.documents.text import compact

    paddle_reader = DocumentReader(engine, reader.settings)
    default_hits = paddle_hits = 0
    for stem in PARITY_SAMPLES:
        truth = json.loads((SAMPLES / f"{stem}.json").read_text("utf-8"))
        skip = set(truth.get("extra", {}).get("seal_only_fields", []))
        path = SAMPLES / truth["file"]
        ours, theirs = reader.read_path(path), paddle_reader.read_path(path)
        assert theirs.doc_type == ours.doc_type
        for key, want in truth["fields"].items():
            if key in skip:
                continue
            got_ours, got_theirs = ours.fields.get(key), theirs.fields.get(key)
            if got_ours is not None and got_ours.value == compact(want):
                default_hits += 1
                paddle_hits += got_theirs is not None and got_theirs.value == compact(want)
    assert default_hits >= 20
    assert paddle_hits >= 0.85 * default_hits, (paddle_hits, default_hits)

