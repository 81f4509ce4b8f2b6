"""``serve`` end to end: the command's parser and runner (``api.cli_serve``) start uvicorn in a
child process with settings from ``ZZ_*``; on the embedded defaults it creates the dev PKI,
answers ``/healthz``, publishes its trust list and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e

RUNNER = """
import argparse, sys
from api.cli_serve import add_serve_parser, run_serve
from core import get_settings
parser = argparse.ArgumentParser()
sub = parser.add_subparsers(dest="command", required=True)
add_serve_parser(sub)
sys.exit(run_serve(parser.parse_args(sys.argv[1:]), get_settings()))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_starts_on_embedded_defaults_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "ZZ_DATA_DIR": str(tmp_path / "var"), "PYTHONPATH": str(ROOT)}
    env.pop("ZZ_KEYS_DIR", None)
    proc = subprocess.Popen([sys.executable, "-c", RUNNER, "serve", "--port", str(port)],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "serve did not come up"
            try:
                health = httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert health.json() == {"status": "ok", "trust_loaded": True}
        assert (tmp_path / "var" / "keys").is_dir()
        assert httpx.get(f"{base}/api/v1/trust-list").json()["format"] == "zhengzhao-trust-list"
        problem = httpx.post(f"{base}/api/v1/verify", json={"token": "nope"})
        assert problem.status_code == 422 and problem.json()["code"] == "token.malformed"
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=20)
    # uvicorn shuts down gracefully, then re-raises the signal it caught (its documented habit).
    assert proc.returncode in (0, -signal.SIGTERM)
    assert b"Traceback" not in stderr
