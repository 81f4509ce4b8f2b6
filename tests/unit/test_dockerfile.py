"""The Dockerfile (issue 11, finding 1): the image runs ``prod``, bakes no secret in, and its
build context leaves out the local data dir and ``.env``. Docker cannot run here, so the files
are parsed."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRETS = ("ZZ_SECRET_KEY", "ZZ_KEY_PASSPHRASE", "ZZ_METRICS_TOKEN")


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments out."""
    text = (ROOT / "Dockerfile").read_text("utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    return [(m.group(1).upper(), m.group(2).strip())
            for m in re.finditer(r"^\s*([A-Za-z]+)\s+(.*)$", joined, re.MULTILINE)]


def _env(instructions: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for name, args in instructions:
        if name in ("ENV", "ARG"):
            env.update(dict(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=(\S*)", args)))
    return env


def test_the_image_runs_prod_and_bakes_in_no_secret() -> None:
    instructions = _instructions()
    env = _env(instructions)
    assert env.get("ZZ_ENVIRONMENT") == "prod"
    assert not set(SECRETS) & set(env), "a secret is baked into the image"
    everything = " ".join(args for _, args in instructions)
    for secret in SECRETS:
        assert secret not in everything
    command = json.loads(dict(instructions)["CMD"])
    assert command[:2] == ["zhengzhao", "serve"]
    assert dict(instructions)["USER"] != "root"


def test_the_comments_say_which_secrets_prod_needs() -> None:
    text = (ROOT / "Dockerfile").read_text("utf-8")
    comments = "\n".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
    for needed in ("ZZ_SECRET_KEY", "ZZ_KEY_PASSPHRASE", "ZZ_TRUSTED_HOSTS", "keys init"):
        assert needed in comments


def test_the_build_context_leaves_out_local_data_and_env() -> None:
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text("utf-8").splitlines()
               if line.strip() and not line.startswith("#")}
    assert {"var/", ".env", ".git/"} <= ignored
