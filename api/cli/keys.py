"""``zhengzhao keys``: make, rotate and publish the issuing office's signing keys.

``keys init [--dir DIR] [--force]`` makes the PKI, ECDSA and SM2 (refuses to replace one without
``--force``); ``keys init --sm2`` adds the SM2 PKI to a store made before it had one,
``keys rotate`` adds a new licence-signing certificate, ``keys trust-list [--out FILE]
[--root FILE]`` writes the trust list (JSON) and optionally the root certificate (PEM),
``keys crl`` re-issues both CRLs, and the SM2 CAs' two when the store has the SM2 PKI (they are
valid for 30 days: run it from a weekly job); ``keys revoke (--serial HEX | --current
signing|seal-signer) [--reason R] [--rotate] [--force]`` puts a certificate on its CA's CRL and
re-publishes the trust folder (``api.cli.keys_revoke``).
Exit codes: 0 ok, 1 the key material is unreadable, 2 usage or configuration errors (keys
missing or already there, wrong passphrase, a revocation refused). Never prints key material:
only certificates, their fingerprints, key ids and serials.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from api.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, emit_json
from api.cli.errors import fail, print_error
from api.cli.keys_revoke import add_revoke_arguments, revoke
from core import ErrorCode, Settings, ZhengzhaoError, write_atomically
from signing import (
    CertRole,
    IssuerIdentity,
    KeyStore,
    SigningError,
    encode_kid,
    key_id,
    sm2_crl_facts,
    sm2_crl_issuer,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``keys`` with its commands ``init``, ``rotate``, ``crl``, ``revoke`` and ``trust-list``."""
    commands = parser.add_subparsers(dest="keys_command", required=True, metavar="COMMAND")

    def common(command: argparse.ArgumentParser) -> None:
        command.add_argument("--dir", type=Path, default=None, metavar="DIR",
                             help="key store directory (default: ZZ_KEYS_DIR or var/keys)")
        command.add_argument("--json", action="store_true", help="JSON output")

    init = commands.add_parser("init", help="make the root CA, issuing CA, signing and "
                               "timestamp certificates and the CRLs")
    common(init)
    init.add_argument("--force", action="store_true",
                      help="replace existing keys (the old directory is kept, renamed)")
    init.add_argument("--sm2", action="store_true",
                      help="add the SM2 keys (root, CA, seal maker, seal signer) to an existing "
                      "key store that has none; a new store gets them anyway")
    common(commands.add_parser("rotate", help="make a new licence-signing certificate"))
    common(commands.add_parser("crl", help="re-issue the CRLs, ECDSA and SM2 (new number, 30 "
                               "more days)"))
    revoke_parser = commands.add_parser("revoke", help="put a certificate (by serial, or the "
                                        "current signing / seal-signer one) on its CA's CRL "
                                        "and re-publish the trust folder")
    common(revoke_parser)
    add_revoke_arguments(revoke_parser)
    trust = commands.add_parser("trust-list", help="write the trust list to publish")
    common(trust)
    trust.add_argument("--out", type=Path, default=None, metavar="FILE",
                       help="write the trust list JSON here (default: stdout)")
    trust.add_argument("--root", type=Path, default=None, metavar="FILE",
                       help="also write the root certificate (PEM) here")


def run(args: argparse.Namespace, settings: Settings) -> int:
    store = KeyStore.from_settings(settings, directory=args.dir)
    try:
        if args.keys_command == "init" and args.sm2 and not args.force and store.exists():
            sm2_root = _describe_sm2(store.initialise_sm2())
            return _done(args, {"dir": str(store.directory), "sm2_root": sm2_root},
                         [f"SM2 keys added to {store.directory}.",
                          f"SM2 root CA  {sm2_root['subject']}",
                          f"  SHA-256    {sm2_root['sha256']}"])
        if args.keys_command == "init":
            result = store.initialise(IssuerIdentity.from_settings(settings), force=args.force)
            payload = {"dir": str(result.directory),
                       "replaced": str(result.replaced) if result.replaced else None,
                       "root": _describe(result.root), "signing": _describe(result.signing),
                       "sm2_root": _describe_sm2(result.sm2_root) if result.sm2_root else None}
            return _done(args, payload, _init_lines(payload))
        if args.keys_command == "rotate":
            new = store.rotate()
            previous = [_describe(c) for c in store.signing_certificates()[:-1]]
            payload = {"dir": str(store.directory), "signing": _describe(new),
                       "previous": previous}
            return _done(args, payload, [
                f"New signing certificate kid {payload['signing']['kid']} "
                f"(valid until {payload['signing']['not_after']}); "
                f"{len(previous)} earlier one(s) kept in the trust list."])
        if args.keys_command == "crl":
            store.refresh_crls()
            crls = [{"issuer": crl.issuer.rfc4514_string(),
                     "this_update": crl.last_update_utc.isoformat(),
                     "next_update": crl.next_update_utc.isoformat() if crl.next_update_utc
                     else None, "revoked": len(crl)} for crl in store.crls()]
            sm2_crls = [_describe_sm2_crl(crl) for crl in store.sm2_crls()]
            return _done(args, {"dir": str(store.directory), "crls": crls,
                                "sm2_crls": sm2_crls},
                         [f"CRL of {c['issuer']}: {c['revoked']} revoked, next update "
                          f"{c['next_update']}" for c in crls + sm2_crls])
        if args.keys_command == "trust-list":
            return _trust_list(args, store)
        if args.keys_command == "revoke":
            payload = revoke(args, settings, store)
            return _done(args, payload, payload.pop("lines"))
    except SigningError as exc:
        return fail(exc, EXIT_FAILED if exc.code is ErrorCode.KEYS_INVALID else EXIT_USAGE,
                    as_json=args.json)
    except ZhengzhaoError as exc:  # keys revoke refused (nothing changed), or publishing failed
        return fail(exc, EXIT_USAGE, as_json=args.json)
    print_error(f"unknown keys command {args.keys_command}")
    return EXIT_USAGE


def _trust_list(args: argparse.Namespace, store: KeyStore) -> int:
    document = store.trust_list().to_json()
    if args.root is not None:
        _write_public(args.root, store.certificate(CertRole.ROOT).public_bytes(
            serialization.Encoding.PEM))
    if args.out is None:
        sys.stdout.write(document)
        return EXIT_OK
    _write_public(args.out, document.encode("utf-8"))
    payload = {"trust_list": str(args.out), "root": str(args.root) if args.root else None,
               "keys": len(store.signing_certificates())}
    return _done(args, payload, [f"Trust list with {payload['keys']} key(s) written to "
                                 f"{args.out}"])


def _write_public(path: Path, data: bytes) -> None:
    """Published files are public: written world-readable, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, data, mode=0o644)


def _describe(cert: x509.Certificate) -> dict[str, str]:
    der = cert.public_bytes(serialization.Encoding.DER)
    return {
        "subject": cert.subject.rfc4514_string(),
        "kid": encode_kid(key_id(cert)),
        "sha256": hashlib.sha256(der).hexdigest(),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
    }


def _describe_sm2(cert: asn1_x509.Certificate) -> dict[str, str]:
    validity = cert["tbs_certificate"]["validity"]
    return {
        "subject": cert.subject.human_friendly,
        "sha256": hashlib.sha256(cert.dump()).hexdigest(),
        "not_before": validity["not_before"].native.isoformat(),
        "not_after": validity["not_after"].native.isoformat(),
    }


def _describe_sm2_crl(crl: asn1_crl.CertificateList) -> dict[str, Any]:
    this_update, next_update, revoked = sm2_crl_facts(crl)
    return {"issuer": sm2_crl_issuer(crl).human_friendly, "this_update": this_update.isoformat(),
            "next_update": next_update.isoformat() if next_update else None,
            "revoked": revoked}


def _init_lines(payload: dict[str, Any]) -> list[str]:
    lines = [f"Keys created in {payload['dir']} (files 0600, private keys encrypted)."]
    if payload["replaced"]:
        lines.append(f"Previous keys moved to {payload['replaced']}.")
    lines += [f"Root CA      {payload['root']['subject']}",
              f"  SHA-256    {payload['root']['sha256']}",
              f"Signing kid  {payload['signing']['kid']} "
              f"(valid until {payload['signing']['not_after']})"]
    if payload["sm2_root"]:
        lines += [f"SM2 root CA  {payload['sm2_root']['subject']}",
                  f"  SHA-256    {payload['sm2_root']['sha256']}"]
    return lines


def _done(args: argparse.Namespace, payload: dict[str, Any], lines: list[str]) -> int:
    if args.json:
        emit_json(payload)
    else:
        print("\n".join(lines))
    return EXIT_OK
