"""``zhengzhao users add NAME --role ROLE`` with the password on stdin (driven through the
command's own parser, since the top-level dispatch in api.cli.entry also settles the data dir)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from api.cli import build_parser
from api.cli.users import run as run_users
from api.db import AccountExistsError, authenticate, create_db
from core import Settings


def _run(settings: Settings, argv: list[str], stdin: str) -> int:
    return run_users(build_parser(argv).parse_args(argv), settings, stdin=io.StringIO(stdin))


def test_users_add_creates_a_clerk_who_can_sign_in(tmp_path: Path, capsys) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    assert _run(settings, ["users", "add", "clerk1", "--role", "clerk", "--json"],
                "pa55word-long\n") == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["role"] == "clerk"
    db = create_db(settings)
    try:
        with db.transaction() as session:
            account = authenticate(session, "clerk1", "pa55word-long")
            assert account is not None and account.id == printed["id"]
            assert account.role.value == "clerk"
    finally:
        db.dispose()


def test_users_add_without_a_password_is_a_usage_error(tmp_path: Path, capsys) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    assert _run(settings, ["users", "add", "clerk1", "--role", "clerk"], "") == 2
    assert "stdin" in capsys.readouterr().err
    assert not (tmp_path / "zhengzhao.db").exists()


def test_users_add_twice_raises_the_conflict(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    assert _run(settings, ["users", "add", "a1"], "password-1\n") == 0
    with pytest.raises(AccountExistsError):
        _run(settings, ["users", "add", "a1", "--role", "admin"], "password-2\n")


def test_unknown_role_is_refused_by_the_parser(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        _run(Settings(_env_file=None, data_dir=tmp_path),
             ["users", "add", "x", "--role", "root"], "password-1\n")


def test_the_cli_role_choices_are_the_model_roles() -> None:
    from api.cli.users import ROLES
    from api.db import Role

    assert set(ROLES) == {r.value for r in Role}


def test_users_bind_holder_reads_the_number_from_stdin(tmp_path: Path, capsys) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    assert _run(settings, ["users", "add", "alice"], "password-1\n") == 0
    capsys.readouterr()
    assert _run(settings, ["users", "bind-holder", "alice"], "11010519491231002x\n") == 0
    printed = capsys.readouterr().out
    assert "1****************X" in printed and "11010519491231002" not in printed
    assert _run(settings, ["users", "bind-holder", "alice", "--json"],
                "110105194912310021\n") == 1  # a wrong check character
    assert "check" in capsys.readouterr().err
    assert _run(settings, ["users", "bind-holder", "nobody"], "11010519491231002X\n") == 1
    assert _run(settings, ["users", "bind-holder", "alice"], "") == 2
    assert _run(settings, ["users", "unbind-holder", "alice", "--json"], "") == 0
    assert json.loads(capsys.readouterr().out)["holder_id_masked"] is None
