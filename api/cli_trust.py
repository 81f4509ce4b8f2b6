"""``zhengzhao trust``: the other issuers whose e-licences this office accepts as materials.

``trust import PATH`` copies another office's published folder (``zhengzhao publish DIR`` on
their side), given as the folder or a ``.zip`` of it, into ``<data dir>/trust/<issuer code>/``
after checking it (``elicense.TrustStore``); ``trust list`` shows the imported issuers;
``trust remove CODE`` forgets one. Import and removal are written to the audit log.
Exit codes: 0 ok, 1 the folder was refused (not a published folder, rollback, own issuer) or
the issuer is unknown, 2 usage errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from api.cli_common import EXIT_FAILED, EXIT_OK, emit_json
from core import Settings
from elicense import TrustImportError, TrustStore


def add_trust_parser(sub: Any) -> argparse.ArgumentParser:
    """Register ``trust`` (with ``import``, ``list``, ``remove``) on the sub-parsers."""
    parser = sub.add_parser("trust", help="import, list and remove other issuers' trust lists")
    commands = parser.add_subparsers(dest="trust_command", required=True, metavar="COMMAND")
    imported = commands.add_parser("import", help="import a published folder or a .zip of one")
    imported.add_argument("path", type=Path, metavar="PATH")
    listing = commands.add_parser("list", help="the imported issuers")
    removed = commands.add_parser("remove", help="stop trusting an issuer")
    removed.add_argument("code", metavar="CODE", help="the issuer's code (USCC)")
    for command in (imported, listing, removed):
        command.add_argument("--json", action="store_true", help="JSON output")
    return parser


def _audit(settings: Settings, action: str, code: str) -> None:
    from api.db import AuditAction, append_audit, create_db, upgrade  # noqa: PLC0415 - SQLAlchemy

    db = create_db(settings)
    try:
        upgrade(settings, db=db)
        with db.transaction() as session:
            append_audit(session, AuditAction(action), actor_id=None, subject_type="issuer",
                         subject_id=code, details={"via": "cli"})
    finally:
        db.dispose()


def run_trust(args: argparse.Namespace, settings: Settings) -> int:
    from api.db import AuditAction  # noqa: PLC0415 - SQLAlchemy: keep `--help` fast

    store = TrustStore.for_settings(settings)
    try:
        if args.trust_command == "import":
            issuer = store.import_path(args.path)
            _audit(settings, AuditAction.TRUST_LIST_IMPORTED, issuer.code)
            return _done(args, issuer.to_dict(), [
                f"Imported {issuer.name_zh} ({issuer.code}): {issuer.keys} signing key(s), "
                f"status list of {issuer.to_dict()['status_list_issued_at']}."])
        if args.trust_command == "remove":
            issuer = store.remove(args.code)
            _audit(settings, AuditAction.TRUST_LIST_REMOVED, issuer.code)
            return _done(args, issuer.to_dict(), [f"Removed {issuer.code}."])
        issuers = [issuer.to_dict() for issuer in store.list()]
        lines = [f"{i['code']}  {i['name_zh']}  keys={i['keys']}  status list "
                 f"{i['status_list_issued_at']}" for i in issuers] or ["No imported issuers."]
        return _done(args, issuers, lines)
    except TrustImportError as exc:
        if args.json:
            emit_json({"error": exc.to_dict()})
        print(f"Error: {exc.message_en} / {exc.message_zh} [{exc.code.value}]", file=sys.stderr)
        return EXIT_FAILED


def _done(args: argparse.Namespace, payload: object, lines: list[str]) -> int:
    if args.json:
        emit_json(payload)
    else:
        print("\n".join(lines))
    return EXIT_OK
