"""``zhengzhao users add NAME --role clerk``: create an account, password read from stdin;
``zhengzhao users bind-holder NAME``: bind it to its holder's ID number (from stdin), which
秒批 needs; ``users unbind-holder NAME`` removes that.

The password is the first line of stdin (so ``printf '%s\\n' "$PW" | zhengzhao users add ...``
works and nothing lands in the shell history or the process list). The database is migrated to
the newest schema first.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from sqlalchemy.orm import Session

from api.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from api.cli.errors import fail, print_error
from api.db import (
    DatabaseError,
    Role,
    change_password,
    create_account,
    create_db,
    deactivate_account,
    find_account,
    upgrade,
)
from api.workflow.holders import bind_account, unbind_account
from core import Settings, ZhengzhaoError

ROLES = tuple(role.value for role in Role)


def _stdin_line(stdin: TextIO | None, *, strip: bool) -> str:
    """One line from ``stdin`` (or the process's): a password keeps its inner and outer
    spaces (only the line end goes), an ID number is stripped."""
    line = (stdin if stdin is not None else sys.stdin).readline()
    return line.strip() if strip else line.rstrip("\r\n")


@contextmanager
def _migrated_session(settings: Settings) -> Iterator[Session]:
    """One transaction on the service's database, brought up to date first."""
    db = create_db(settings)
    try:
        upgrade(settings, db=db)
        with db.transaction() as session:
            yield session
    finally:
        db.dispose()


def add_arguments(users: argparse.ArgumentParser) -> None:
    actions = users.add_subparsers(dest="users_command", required=True)
    add = actions.add_parser("add", help="create an account (password from stdin)")
    add.add_argument("name", help="login name: ASCII letters, digits, . _ -")
    add.add_argument("--role", choices=ROLES, default="applicant")
    add.add_argument("--json", action="store_true")
    passwd = actions.add_parser("passwd", help="set a new password (from stdin); every "
                                "session of the account is signed out")
    passwd.add_argument("name", help="the account's login name")
    deactivate = actions.add_parser("deactivate", help="deactivate an account; every session "
                                    "of it is signed out")
    deactivate.add_argument("name", help="the account's login name")
    bind = actions.add_parser(
        "bind-holder", help="bind an account to its holder's resident ID number (from stdin); "
        "秒批 issues only to a bound account whose number is the ID card's")
    bind.add_argument("name", help="the account's login name")
    bind.add_argument("--json", action="store_true")
    unbind = actions.add_parser("unbind-holder", help="remove an account's holder binding")
    unbind.add_argument("name", help="the account's login name")
    unbind.add_argument("--json", action="store_true")


def run(args: argparse.Namespace, settings: Settings, stdin: TextIO | None = None) -> int:
    if args.users_command in ("passwd", "deactivate"):
        return _run_sign_out(args, settings, stdin)
    if args.users_command in ("bind-holder", "unbind-holder"):
        return _run_binding(args, settings, stdin)
    if args.users_command != "add":
        return EXIT_USAGE
    password = _stdin_line(stdin, strip=False)
    if not password:
        print_error("give the password on stdin", "请从标准输入提供密码")
        return EXIT_USAGE
    with _migrated_session(settings) as session:
        account_id = create_account(session, args.name, Role(args.role), password).id
    if args.json:
        print(json.dumps({"id": account_id, "role": args.role}))
    else:
        print(f"account {account_id} created with role {args.role}")
    return EXIT_OK


def _run_binding(args: argparse.Namespace, settings: Settings, stdin: TextIO | None) -> int:
    """``bind-holder`` reads the ID number from stdin (never argv: it would sit in the shell
    history and the process list); only the masked form is printed and audited."""
    number = ""
    if args.users_command == "bind-holder":
        number = _stdin_line(stdin, strip=True)
        if not number:
            print_error("give the ID number on stdin", "请从标准输入提供身份证号码")
            return EXIT_USAGE
    try:
        with _migrated_session(settings) as session:
            account = (bind_account(session, args.name, number, actor_id=None) if number
                       else unbind_account(session, args.name, actor_id=None))
            masked, via = account.holder_id_masked, account.holder_bound_via
    except ZhengzhaoError as exc:
        return fail(exc, EXIT_FAILED, with_code=False)
    if args.json:
        print(json.dumps({"username": args.name, "holder_id_masked": masked, "bound_via": via}))
    elif masked:
        print(f"account {args.name} bound to holder {masked}")
    else:
        print(f"account {args.name} unbound")
    return EXIT_OK


def _run_sign_out(args: argparse.Namespace, settings: Settings, stdin: TextIO | None) -> int:
    """``passwd`` (new password from stdin) and ``deactivate``: both revoke every session of
    the account, so a stolen token or cookie stops working at once."""
    password = ""
    if args.users_command == "passwd":
        password = _stdin_line(stdin, strip=False)
        if not password:
            print_error("give the password on stdin", "请从标准输入提供密码")
            return EXIT_USAGE
    try:
        with _migrated_session(settings) as session:
            account = find_account(session, args.name)
            if account is None:
                print_error("no such account", "账户不存在")
                return EXIT_FAILED
            revoked = (change_password(session, account, password) if password
                       else deactivate_account(session, account))
            account_id = account.id
    except DatabaseError as exc:
        return fail(exc, EXIT_USAGE, with_code=False)
    done = "password changed" if password else "deactivated"
    print(f"account {account_id} {done}; {revoked} session(s) signed out")
    return EXIT_OK
