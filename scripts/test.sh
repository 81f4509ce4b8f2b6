#!/usr/bin/env bash
# The README's second command: set up (with the optional PaddleOCR backend), lint, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
ZZ_WITH_DEV=1 ZZ_WITH_PADDLE="${ZZ_WITH_PADDLE:-1}" bash scripts/setup.sh
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
