#!/usr/bin/env bash
# The README's second command: set up (with the optional PaddleOCR backend), lint, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
export ZZ_WITH_PADDLE="${ZZ_WITH_PADDLE:-1}"
# With the extra installed its tests must run: a missing backend fails them instead of skipping.
export ZZ_REQUIRE_PADDLE="${ZZ_REQUIRE_PADDLE:-$ZZ_WITH_PADDLE}"
ZZ_WITH_DEV=1 bash scripts/setup.sh
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
