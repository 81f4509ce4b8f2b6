"""``zhengzhao issue | revoke | verify | publish``: e-licences from the command line.

``issue RECORD.json [--photo PHOTO] [--out FILE] [--format pdf|ofd|both]`` renders, signs (PAdES
B-LTA) and registers a licence, its QR code a link to ``ZZ_PUBLIC_URL``'s verification page when
that is set, its PDF kept in the service's file store as the service keeps the licences it issues
(the verifier page shows the holder photo from it); ``--format ofd`` (or ``both``) also writes
the licence as OFD (GB/T 33190, ``elicense.licence_ofd``) with the same QR and ``licence.json``,
beside the PDF's name with ``.ofd`` (the register keeps the PDF's hash), sealed with the key
store's SM2 electronic seal (GB/T 38540, ``elicense.seal_licence_ofd``), or unsealed with a
note when the store has no SM2 keys; ``revoke IDENTIFIER --reason TEXT`` revokes it and
re-publishes the status list; ``verify FILE | --token STR [--trust DIR] [--trust-anchor
CERT.pem]`` checks a licence PDF or OFD (told apart by content, ``api.cli.verify_ofd``) offline
against a published trust folder (default: this office's own, then the imported issuer
that lists the token's key; ``--token`` also takes the QR code's link); ``publish DIR [--zip]``
writes that folder (and the archive another office imports with ``zhengzhao trust import``).
Exit codes: 0 ok (verify: PASSED only), 1 failed/not passed, 2 usage or configuration error.
The register is the service's database (``ZZ_DATABASE_URL``, default SQLite in the data dir), so
the CLI and ``zhengzhao serve`` share it; issuing and revoking are audited there. The published
folder is ``Settings.resolved_published_dir`` (``<data dir>/published``).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from api.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, emit_json
from api.cli.errors import InputFileTooLargeError, InputFileUnreadableError, fail, print_error
from api.cli.verify_ofd import add_trust_anchor_argument, load_trust_anchors, verify_document
from api.db import AuditAction, SqlLicenceRegistry, append_audit, create_db, upgrade
from api.storage import FileStore
from api.workflow.trust import ImportedTrust
from core import Environment, Settings, ZhengzhaoError
from elicense import (
    LicenceVerdict,
    Seal,
    TrustMaterial,
    issue_licence,
    licence_ofd,
    load_licence,
    load_templates,
    load_trust,
    publish,
    revoke_licence,
    seal_licence_ofd,
    verify_licence_token,
)
from signing import IssuerIdentity, KeyStore


def add_issue_arguments(issue: argparse.ArgumentParser) -> None:
    issue.add_argument("record", type=Path, metavar="RECORD.json")
    issue.add_argument("--photo", type=Path, default=None, help="the holder's photo (JPEG/PNG)")
    issue.add_argument("--out", type=Path, default=None, metavar="FILE",
                       help="where to write the licence (default: <number>.pdf / .ofd); with "
                       "--format both the OFD goes beside it with the suffix .ofd")
    issue.add_argument("--format", choices=[f.value for f in LicenceFormat],
                       default=LicenceFormat.PDF.value, dest="licence_format",
                       help="the file(s) to write: pdf (default), ofd or both")
    issue.add_argument("--json", action="store_true")


class LicenceFormat(StrEnum):
    """The files ``issue`` writes."""

    PDF = "pdf"
    OFD = "ofd"
    BOTH = "both"


# Said wherever an OFD is written without an electronic seal (GB/T 38540), so nobody takes it
# for a sealed one: only its PDF twin is signed.
UNSEALED_NOTE = ("the OFD is not sealed: the key store has no SM2 seal keys (run `zhengzhao keys "
                 "init --sm2`); only the PDF is signed / OFD 未加盖电子签章：密钥库没有 SM2 签章"
                 "密钥（请运行 `zhengzhao keys init --sm2`），仅 PDF 已签名")


def add_revoke_arguments(revoke: argparse.ArgumentParser) -> None:
    revoke.add_argument("identifier")
    revoke.add_argument("--reason", required=True)
    revoke.add_argument("--json", action="store_true")


def add_verify_arguments(verify: argparse.ArgumentParser) -> None:
    verify.add_argument("file", type=Path, nargs="?", metavar="FILE",
                        help="a licence PDF or OFD (told apart by content)")
    verify.add_argument("--token", default=None, metavar="STR",
                        help="a scanned QR code: the ZZ1: token or the link https://…/v#ZZ1:…")
    verify.add_argument("--trust", type=Path, default=None, metavar="DIR",
                        help="a published trust folder (default: this office's own)")
    add_trust_anchor_argument(verify)
    verify.add_argument("--json", action="store_true")


def add_publish_arguments(publish: argparse.ArgumentParser) -> None:
    publish.add_argument("dir", type=Path)
    publish.add_argument("--zip", action="store_true",
                         help="also write DIR.zip, the archive another office imports")
    publish.add_argument("--json", action="store_true")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Dispatch one of the four commands; errors become ``Error: ...`` and exit 1 or 2."""
    try:
        if args.command == "issue":
            return _issue(args, settings)
        if args.command == "revoke":
            return _revoke(args, settings)
        if args.command == "verify":
            return _verify(args, settings)
        return _publish(args, settings)
    except ZhengzhaoError as exc:
        return fail(exc, EXIT_USAGE, as_json=getattr(args, "json", False))


def open_store(settings: Settings) -> KeyStore:
    """The key store; in dev a missing one is created (a demo PKI, labelled as such)."""
    store = KeyStore.from_settings(settings)
    if not store.exists() and settings.environment is Environment.DEV:
        store.initialise(IssuerIdentity.from_settings(settings))
        print(f"Note: created a demo PKI in {store.directory} (dev only) / 已生成演示用密钥",
              file=sys.stderr)
    return store


def _issue(args: argparse.Namespace, settings: Settings) -> int:
    licence = load_licence(args.record)
    template = load_templates().get(licence.type_code)
    photo = _read_small(args.photo, settings.max_upload_bytes) if args.photo else None
    store = open_store(settings)
    with service_register(settings) as (session, registry):
        issued = issue_licence(licence, template, photo=photo, store=store, registry=registry,
                               issuer_code=settings.issuer_code,
                               published_dir=settings.resolved_published_dir,
                               public_url=settings.public_url)
        FileStore(settings.resolved_storage_dir).put(issued.pdf)
        _audit(session, "LICENCE_ISSUED", licence.identifier,
               {"pdf_sha256": issued.pdf_sha256, "kid": issued.kid.hex(), "via": "cli"})
    chosen = LicenceFormat(args.licence_format)
    payload: dict[str, Any] = {"identifier": licence.identifier, "token": issued.token,
                               "token_chars": len(issued.token), "kid": issued.kid.hex(),
                               "pdf_sha256": issued.pdf_sha256}
    if chosen is not LicenceFormat.OFD:
        out = args.out or Path(f"{licence.number}.pdf")
        out.write_bytes(issued.pdf)
        payload["file"] = str(out)
    if chosen is not LicenceFormat.PDF:
        # Sealed with the store's SM2 seal when it has one (the page then leaves its drawn seal
        # to the stamp); a store made before SM2 gives an unsealed OFD, and the command says so.
        sealed = store.has_sm2()
        ofd, placement = licence_ofd(issued, template, photo=photo,
                                     public_url=settings.public_url, draw_seal=not sealed)
        if sealed:
            ofd = seal_licence_ofd(ofd, placement, Seal(licence.issuer,
                                                        colour=template.colours.seal),
                                   store, datetime.now(UTC))
        ofd_out = (args.out if chosen is LicenceFormat.OFD and args.out
                   else (args.out or Path(licence.number)).with_suffix(".ofd"))
        ofd_out.write_bytes(ofd)
        payload.update({"ofd_file": str(ofd_out),
                        "ofd_sha256": hashlib.sha256(ofd).hexdigest(), "ofd_sealed": sealed})
        if not sealed:
            payload["note"] = UNSEALED_NOTE
    if args.json:
        emit_json(payload)
        return EXIT_OK
    if "file" in payload:
        print(f"Issued {licence.identifier} -> {payload['file']} "
              f"(sha256 {issued.pdf_sha256[:16]}…, token {len(issued.token)} chars)")
    if "ofd_file" in payload:
        seal_state = "sealed" if payload["ofd_sealed"] else "unsealed"
        print(f"Issued {licence.identifier} -> {payload['ofd_file']} "
              f"(sha256 {payload['ofd_sha256'][:16]}…, {seal_state})")
        if not payload["ofd_sealed"]:
            print(f"Note: {UNSEALED_NOTE}", file=sys.stderr)
    return EXIT_OK


def _revoke(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings)
    with service_register(settings) as (session, registry):
        entry = revoke_licence(args.identifier, args.reason, store=store, registry=registry,
                               issuer_code=settings.issuer_code,
                               published_dir=settings.resolved_published_dir)
        _audit(session, "LICENCE_REVOKED", entry.identifier, {"via": "cli"})
    _refresh_own(settings)  # again after the commit: no publisher can have missed it now
    payload = {"identifier": entry.identifier, "status": entry.status.value,
               "revoked_at": entry.revoked_at}
    if args.json:
        emit_json(payload)
    else:
        print(f"Revoked {entry.identifier} at {entry.revoked_at}; status list re-published")
    return EXIT_OK


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    if (args.file is None) == (args.token is None):
        print_error("give FILE.pdf or --token STR (one of them)")
        return EXIT_USAGE
    trust_dir = args.trust or settings.resolved_published_dir
    if args.trust is None:
        if KeyStore.from_settings(settings).exists():
            _refresh_own(settings)  # this office's own licences: a fresh status list
        elif not trust_dir.is_dir():
            print_error("no trust folder here; pass --trust DIR (the issuer's published folder)",
                        "本机没有信任材料，请用 --trust 指定签发机构发布的目录")
            return EXIT_USAGE
    trust = load_trust(trust_dir)
    now = datetime.now(UTC)
    anchors = load_trust_anchors(args.trust_anchors)
    data = None if args.file is None else _read_small(args.file, settings.max_upload_bytes)

    def check(material: TrustMaterial) -> LicenceVerdict:
        if data is None:
            return verify_licence_token(args.token.strip(), material, now=now)
        # PDF, OFD or a token in a file, by content (api.cli.verify_ofd).
        return verify_document(data, material, now=now, anchors=anchors)

    verdict = check(trust)
    # Like the service: a licence our keys do not know may be an imported issuer's (and must
    # then name that issuer).
    imported = None if args.trust is not None else ImportedTrust(settings).fallback(verdict)
    if imported is not None:
        verdict = check(imported)
    if args.json:
        emit_json(verdict.to_dict())
    else:
        _print_verdict(verdict)
    return EXIT_OK if verdict.passed else EXIT_FAILED


def _publish(args: argparse.Namespace, settings: Settings) -> int:
    own = _refresh_own(settings)
    # Dot files are the publishers' lock and half-written temporaries: not for others.
    shutil.copytree(own, args.dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".*"))
    written: dict[str, str] = {"dir": str(args.dir)}
    if args.zip:
        # The layout `zhengzhao trust import` (and the admin API) accept from another office.
        written["zip"] = shutil.make_archive(str(args.dir), "zip", args.dir)
    if args.json:
        emit_json(written)
    else:
        print(f"Published trust folder written to {args.dir}"
              + (f" and {written['zip']}" if args.zip else ""))
    return EXIT_OK


def _refresh_own(settings: Settings) -> Path:
    """Re-sign this office's status list (it is valid for a week) and refresh the folder."""
    store = open_store(settings)
    with service_register(settings) as (_session, registry):
        return publish(store, registry, settings.resolved_published_dir, settings.issuer_code,
                       datetime.now(UTC))


@contextmanager
def service_register(settings: Settings) -> Iterator[tuple[Any, Any]]:
    """The service's own licence register (the database ``zhengzhao serve`` uses, migrated
    first), in one transaction: the CLI and the service issue into, revoke in and publish from
    the same register, so neither can publish a status list that forgets the other's
    revocations."""
    upgrade(settings)
    db = create_db(settings)
    try:
        with db.transaction() as session:
            yield session, SqlLicenceRegistry(db, session=session)
    finally:
        db.dispose()


def _audit(session: Any, action: str, identifier: str, details: dict[str, Any]) -> None:
    append_audit(session, AuditAction[action], actor_id=None, subject_type="licence",
                 subject_id=identifier, details=details)


def _read_small(path: Path, limit: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputFileTooLargeError(path.name, limit)
        return path.read_bytes()
    except OSError:
        raise InputFileUnreadableError(path.name) from None


def _print_verdict(verdict: LicenceVerdict) -> None:
    console = Console()
    colour = {"PASSED": "bold green", "FAILED": "bold red"}.get(verdict.indication.value,
                                                                 "bold yellow")
    console.print(f"[{colour}]{verdict.indication.value}[/{colour}]"
                  + (f"  {verdict.sub_indication}" if verdict.sub_indication else ""))
    table = Table()
    for column in ("check", "outcome", "code", "message"):
        table.add_column(column)
    for check in verdict.checks:
        table.add_row(check.check.value, check.outcome.value, check.code,
                      f"{check.message_zh}\n{check.message_en}")
    console.print(table)
    if verdict.licence:
        lic = verdict.licence
        for key in ("identifier", "holder_name", "holder_code", "issuer_name", "valid_from",
                    "valid_until"):
            if key in lic:
                console.print(f"{key}: {lic[key]}", markup=False, highlight=False)
