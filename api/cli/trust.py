"""``zhengzhao trust``: the other issuers whose e-licences this office accepts as materials.

``trust import PATH`` copies another office's published folder (``zhengzhao publish DIR`` on
their side), given as the folder or a ``.zip`` of it, into ``<data dir>/trust/<issuer code>/``
after checking it (``elicense.TrustStore``); ``trust list`` shows the imported issuers;
``trust remove CODE`` forgets one. Import and removal are written to the audit log (the use
cases are :mod:`api.workflow.trust`, which the admin's API calls too).
Exit codes: 0 ok, 1 the folder was refused (not a published folder, rollback, own issuer) or
the issuer is unknown, 2 usage errors.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from api.cli.common import EXIT_FAILED, EXIT_OK, emit_json
from api.cli.errors import fail
from api.db import Database, create_db, upgrade
from api.workflow import trust
from core import Settings
from elicense import TrustImportError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``trust`` with its commands ``import``, ``list`` and ``remove``."""
    commands = parser.add_subparsers(dest="trust_command", required=True, metavar="COMMAND")
    imported = commands.add_parser("import", help="import a published folder or a .zip of one")
    imported.add_argument("path", type=Path, metavar="PATH")
    listing = commands.add_parser("list", help="the imported issuers")
    removed = commands.add_parser("remove", help="stop trusting an issuer")
    removed.add_argument("code", metavar="CODE", help="the issuer's code (USCC)")
    for command in (imported, listing, removed):
        command.add_argument("--json", action="store_true", help="JSON output")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.trust_command == "list":
        issuers = [issuer.to_dict() for issuer in trust.list_trusted(settings)]
        lines = [f"{i['code']}  {i['name_zh']}  keys={i['keys']}  status list "
                 f"{i['status_list_issued_at']}" for i in issuers] or ["No imported issuers."]
        return _done(args, issuers, lines)
    # Import and removal are audited: the database is brought up to date first.
    db = create_db(settings)
    try:
        upgrade(settings, db=db)
        return _change(args, settings, db)
    finally:
        db.dispose()


def _change(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    try:
        if args.trust_command == "import":
            issuer = trust.import_trust(settings, db, args.path, admin_username=None)
            return _done(args, issuer.to_dict(), [
                f"Imported {issuer.name_zh} ({issuer.code}): {issuer.keys} signing key(s), "
                f"status list of {issuer.to_dict()['status_list_issued_at']}."])
        issuer = trust.remove_trust(settings, db, args.code, admin_username=None)
        return _done(args, issuer.to_dict(), [f"Removed {issuer.code}."])
    except TrustImportError as exc:
        return fail(exc, EXIT_FAILED, as_json=args.json)


def _done(args: argparse.Namespace, payload: object, lines: list[str]) -> int:
    if args.json:
        emit_json(payload)
    else:
        print("\n".join(lines))
    return EXIT_OK
