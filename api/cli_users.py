"""``zhengzhao users add NAME --role clerk``: create an account, password read from stdin.

The password is the first line of stdin (so ``printf '%s\\n' "$PW" | zhengzhao users add ...``
works and nothing lands in the shell history or the process list). The database is migrated to
the newest schema first.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from api.cli_common import EXIT_OK, EXIT_USAGE
from core import Settings

# api.db.Role's values; tests/unit/api/db checks they agree.
ROLES = ("applicant", "clerk", "admin")


def add_users_parser(sub: argparse._SubParsersAction) -> None:
    users = sub.add_parser("users", help="manage service accounts")
    actions = users.add_subparsers(dest="users_command", required=True)
    add = actions.add_parser("add", help="create an account (password from stdin)")
    add.add_argument("name", help="login name: ASCII letters, digits, . _ -")
    add.add_argument("--role", choices=ROLES, default="applicant")
    add.add_argument("--json", action="store_true")


def run_users(args: argparse.Namespace, settings: Settings, stdin: TextIO | None = None) -> int:
    if args.users_command != "add":
        return EXIT_USAGE
    # SQLAlchemy and the models load only when the command runs (`zhengzhao --help` stays fast).
    from api.db import Role, create_account, create_db, upgrade  # noqa: PLC0415

    source = stdin if stdin is not None else sys.stdin
    password = source.readline().rstrip("\r\n")
    if not password:
        print("Error: give the password on stdin / 请从标准输入提供密码", file=sys.stderr)
        return EXIT_USAGE
    db = create_db(settings)
    try:
        upgrade(settings, db=db)
        with db.transaction() as session:
            account = create_account(session, args.name, Role(args.role), password)
            account_id = account.id
    finally:
        db.dispose()
    if args.json:
        print(json.dumps({"id": account_id, "role": args.role}))
    else:
        print(f"account {account_id} created with role {args.role}")
    return EXIT_OK
