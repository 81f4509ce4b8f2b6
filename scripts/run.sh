#!/usr/bin/env bash
# The README's first command: set up, show the pipeline once on the bundled samples
# (`zhengzhao demo`), then run the main job: the service on its embedded defaults (SQLite,
# local file store, a demo PKI made on first start, the job worker inside the process).
# Arguments go to `zhengzhao serve` (e.g. --port 8080). ZZ_SKIP_DEMO=1 skips the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [[ "${ZZ_SKIP_DEMO:-0}" != 1 ]]; then
  .venv/bin/zhengzhao demo
fi
echo "Starting the service (default http://127.0.0.1:8000: /healthz, /verify, /api/v1/openapi.json); Ctrl-C stops it"
exec .venv/bin/zhengzhao serve "$@"
