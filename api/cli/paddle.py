"""``zhengzhao paddle-models DIR``: unpack the bundled PaddleOCR models to DIR (then point
``ZZ_PADDLE_MODEL_DIR`` at it)."""

from __future__ import annotations

import argparse
from pathlib import Path

from api.cli.common import EXIT_OK
from core import Settings
from ocr import prepare_paddle_models


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", type=Path)


def run(args: argparse.Namespace, settings: Settings) -> int:
    target = prepare_paddle_models(args.dir)
    print(f"PaddleOCR models ready in {target}; set ZZ_PADDLE_MODEL_DIR={target}")
    return EXIT_OK
