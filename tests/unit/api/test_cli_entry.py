"""``zhengzhao``'s shell (``api.cli``): the command table keeps ``--help`` from importing any
command module, a command imports only its own, and the one error printer turns what no command
handled into ``Error: ...`` with exit 1 or 2 (tracebacks only with ``--verbose``)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import build_parser, main
from api.cli.commands import COMMANDS, DataDir
from api.cli.entry import chosen_command
from core import get_settings

ROOT = Path(__file__).resolve().parents[3]
SHELL = {"api.cli", "api.cli.commands", "api.cli.common", "api.cli.entry", "api.cli.errors"}
HEAVY = ("elicense", "signing", "ocr", "verify", "sqlalchemy", "fastapi", "huey", "rich", "cv2")

@pytest.fixture(autouse=True)
def _root_logger_restored() -> object:
    """``main(["--verbose", ...])`` sets the root logger to DEBUG for the process: put it back,
    or later tests capture every library's debug records (PIL's PNG chunks, say)."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    root.setLevel(level)
    root.handlers[:] = handlers


LOADED = """
import json, sys
from api.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m == "api.cli" or m.startswith("api.cli."))
                 + sorted(m for m in sys.modules if m.split(".")[0] in {heavy})))
""".replace("{heavy}", repr(set(HEAVY)))


def loaded_after(*argv: str) -> set[str]:
    """The CLI modules and heavy packages a fresh interpreter holds after ``zhengzhao argv``."""
    proc = subprocess.run([sys.executable, "-c", LOADED, *argv], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return set(json.loads(proc.stdout.splitlines()[-1]))


def test_help_lists_every_command_without_importing_one() -> None:
    assert loaded_after("--help") == SHELL
    listed = build_parser([]).format_help()
    for command in COMMANDS:
        assert command.name in listed and command.help.split()[0] in listed


def test_a_command_imports_only_its_own_module() -> None:
    loaded = loaded_after("trust", "--help")
    assert {m for m in loaded if m.startswith("api.cli.")} == SHELL - {"api.cli"} | {
        "api.cli.trust"}
    assert "elicense" in loaded  # its own imports, at its module's top


def test_the_table_names_modules_that_implement_it() -> None:
    assert len({c.name for c in COMMANDS}) == len(COMMANDS)
    for command in COMMANDS:
        add_arguments, run = command.load()
        assert callable(add_arguments) and callable(run), command
    assert {c.name for c in COMMANDS if c.data_dir is DataDir.ALWAYS} == {"serve", "worker"}


def test_the_command_is_the_first_word_after_the_global_flags() -> None:
    assert chosen_command(["-v", "keys", "init"]).name == "keys"  # type: ignore[union-attr]
    assert chosen_command(["--help"]) is None
    assert chosen_command(["frobnicate", "keys"]) is None
    assert chosen_command(["--frobnicate", "keys"]) is None


@pytest.fixture()
def fresh_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZZ_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_an_unhandled_os_error_is_one_line_and_exit_1(
        fresh_settings: Path, capsys: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture) -> None:
    (fresh_settings / "a-file").write_text("x")
    target = fresh_settings / "a-file" / "models"
    assert main(["paddle-models", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and "Not a directory" in err and "Traceback" not in err
    assert not [r for r in caplog.records if r.exc_info]
    assert main(["--verbose", "paddle-models", str(target)]) == 1
    assert [r for r in caplog.records if r.exc_info and r.levelno == logging.ERROR]


def test_settings_that_do_not_validate_are_a_usage_error(
        fresh_settings: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ZZ_ENVIRONMENT", "staging")
    assert main(["verify", "--token", "ZZ1:AB"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and "'dev' or 'prod'" in err and "Traceback" not in err
