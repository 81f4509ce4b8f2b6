#!/usr/bin/env bash
# Sets up everything zhengzhao needs on a fresh Debian/Ubuntu machine: system packages (CJK fonts,
# poppler), a virtualenv in .venv and the pinned Python dependencies. Safe to run again: it only
# does what is missing. ZZ_WITH_DEV=1 adds the test tools, ZZ_WITH_PADDLE=1 the optional
# PaddleOCR backend (~1.4 GB).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(python3 python3-venv fonts-wqy-zenhei fonts-wqy-microhei fonts-arphic-ukai
              fonts-arphic-uming fonts-dejavu-core poppler-utils)
# Third-party checkers the tests run against our signed PDFs and QR codes, and the browser the
# web-page tests drive (Playwright with Debian's chromium; `playwright install` is never run).
[[ "${ZZ_WITH_DEV:-0}" == 1 ]] && APT_PACKAGES+=(libnss3-tools zbar-tools chromium)
# The offline verifier's committed bundle is checked by rebuilding it from its npm lock
# (web/offline): npm from Debian when the machine has none.
[[ "${ZZ_WITH_DEV:-0}" == 1 ]] && ! command -v npm >/dev/null && APT_PACKAGES+=(npm)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A python3 from pyenv or similar satisfies the interpreter; it still needs the venv module.
if command -v python3 >/dev/null && python3 -c "import venv, ensurepip" 2>/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == python3 || "$p" == python3-venv ]] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi
if ((${#missing[@]})); then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$PY" -m venv .venv
fi
VPY=.venv/bin/python

locks=(requirements.lock)
[[ "${ZZ_WITH_DEV:-0}" == 1 ]] && locks+=(requirements-dev.lock)
[[ "${ZZ_WITH_PADDLE:-0}" == 1 ]] && locks+=(requirements-paddle.lock)
want="$(cat "${locks[@]}" pyproject.toml | sha256sum | cut -c1-16)"
have="$(cat .venv/.zz-installed 2>/dev/null || true)"
if [[ "$want" != "$have" ]]; then
  echo "setup: installing Python dependencies into .venv"
  $VPY -m pip install -q --disable-pip-version-check --upgrade "pip==25.3"
  for lock in "${locks[@]}"; do
    $VPY -m pip install -q --disable-pip-version-check -r "$lock"
  done
  # mediapipe (and paddlex) drag in opencv-contrib-python, rapidocr-paddle opencv-python; all
  # of them write the same cv2/ folder. Put the headless build (no libGL needed) back on top.
  $VPY -m pip install -q --disable-pip-version-check --no-deps --force-reinstall \
    "$(grep -E '^opencv-python-headless==' requirements.lock)"
  $VPY -m pip install -q --disable-pip-version-check --no-deps -e .
  echo "$want" > .venv/.zz-installed
fi
