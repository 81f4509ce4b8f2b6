"""The offline verifier's script (issue 14, item 5): ``api/static/offline/verifier.js`` is
committed, built by esbuild from ``web/offline/src`` with the npm packages pinned in
``web/offline/package-lock.json``. Its first line records the lock's SHA-256, so a bundle built
from other packages (or a lock changed without a rebuild) fails here; with npm present the
bundle is rebuilt from the lock (``npm ci && npm run build`` in a copy) and must match byte for
byte. The packages are kept libraries (cborg, pako), not hand-written CBOR or inflate; the
bundle ships as package data and never refers to a CDN."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
WEB = ROOT / "web" / "offline"
BUNDLE = ROOT / "api" / "static" / "offline" / "verifier.js"
HEADER = re.compile(r"^/\* zhengzhao offline verifier; package-lock\.json sha256 ([0-9a-f]{64});")


def test_the_bundle_names_the_lock_it_was_built_from() -> None:
    first = BUNDLE.read_text("utf-8").splitlines()[0]
    match = HEADER.match(first)
    assert match, "the bundle's first line records the lock's hash (web/offline/build.mjs)"
    lock = hashlib.sha256((WEB / "package-lock.json").read_bytes()).hexdigest()
    assert match[1] == lock, "package-lock.json changed: run npm ci && npm run build in web/offline"


def test_the_packages_are_pinned_kept_libraries() -> None:
    manifest = json.loads((WEB / "package.json").read_text("utf-8"))
    lock = json.loads((WEB / "package-lock.json").read_text("utf-8"))
    wanted = {**manifest["dependencies"], **manifest["devDependencies"]}
    assert {"cborg", "pako", "esbuild"} <= set(wanted)
    for name, version in wanted.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} is pinned to one version"
        locked = lock["packages"][f"node_modules/{name}"]
        assert locked["version"] == version and locked["integrity"].startswith("sha512-")


def test_the_bundle_is_small_and_self_contained() -> None:
    text = BUNDLE.read_text("utf-8")
    assert len(gzip.compress(text.encode("utf-8"), 9)) < 100 * 1024
    assert not re.search(r"https?://(?!www\.w3\.org)[a-z0-9.-]+\.[a-z]{2,}/[^\s\"']*\.js",
                         text), "no script is loaded from elsewhere"
    assert "static/offline/*.js" in (ROOT / "pyproject.toml").read_text("utf-8")


@pytest.mark.slow
def test_the_bundle_rebuilds_byte_for_byte_from_the_lock(tmp_path: Path) -> None:
    # scripts/setup.sh with ZZ_WITH_DEV=1 installs npm when the machine has none.
    assert shutil.which("npm"), "npm is needed to check the bundle: ZZ_WITH_DEV=1 scripts/setup.sh"
    work = tmp_path / "offline"
    shutil.copytree(WEB, work, ignore=shutil.ignore_patterns("node_modules"))
    env = {**os.environ, "OUT_DIR": str(tmp_path / "out"), "npm_config_update_notifier": "false",
           "npm_config_fund": "false", "npm_config_audit": "false"}
    subprocess.run(["npm", "ci", "--ignore-scripts"], cwd=work, env=env, check=True,
                   capture_output=True, timeout=300)
    subprocess.run(["npm", "run", "build"], cwd=work, env=env, check=True,
                   capture_output=True, timeout=120)
    assert (tmp_path / "out" / "verifier.js").read_bytes() == BUNDLE.read_bytes()
