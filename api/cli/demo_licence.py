"""The e-licence step of ``zhengzhao demo``: a throw-away demo office (keys, register, published
folder in a temporary directory) issues the three sample licences, verifies each PDF and QR token
offline, then shows that a tampered copy and a revoked licence fail."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from rich.console import Console

from core import Settings
from elicense import (
    FileRegistry,
    issue_licence,
    load_licence,
    load_templates,
    load_trust,
    publish,
    revoke_licence,
    verify_licence_pdf,
    verify_licence_token,
)
from samples import LICENCES_DIR
from signing import IssuerIdentity, KeyStore


def demo_licences(settings: Settings, console: Console | None) -> list[dict[str, Any]]:
    """Issue, verify, tamper, revoke; the outcomes as dicts (also printed when ``console``)."""
    outcomes: list[dict[str, Any]] = []
    templates = load_templates()
    with tempfile.TemporaryDirectory(prefix="zz-demo-office-") as tmp:
        base = Path(tmp)
        store = KeyStore(base / "keys", SecretStr("demo office passphrase (throw-away)"))
        store.initialise(IssuerIdentity.from_settings(settings))
        registry, published = FileRegistry(base / "licences"), base / "published"
        code = settings.issuer_code
        for record in sorted(LICENCES_DIR.glob("*.json")):
            licence = load_licence(record)
            template = templates.get(licence.type_code)
            photo = (LICENCES_DIR / "holder_photo.jpg").read_bytes() if template.photo else None
            issued = issue_licence(licence, template, photo=photo, store=store,
                                   registry=registry, issuer_code=code, published_dir=published)
            trust = load_trust(publish(store, registry, published, code, datetime.now(UTC)))
            # One byte of the page's first content stream (what the reader sees) changed.
            tampered = bytearray(issued.pdf)
            tampered[issued.pdf.index(b"stream", issued.pdf.index(b"/Length")) + 30] ^= 0x01
            row = {"licence": licence.name, "identifier": licence.identifier,
                   "pdf": verify_licence_pdf(issued.pdf, trust).indication.value,
                   "token": verify_licence_token(issued.token, trust).indication.value,
                   "tampered_pdf": verify_licence_pdf(bytes(tampered), trust).indication.value}
            revoke_licence(licence.identifier, "演示吊销 / demo revocation", store=store,
                           registry=registry, issuer_code=code, published_dir=published)
            row["after_revocation"] = verify_licence_token(
                issued.token, load_trust(published)).indication.value
            outcomes.append(row)
            if console is not None:
                console.print(f"{licence.name}: PDF {row['pdf']}, QR token {row['token']}; "
                              f"one byte changed {row['tampered_pdf']}; after revocation "
                              f"{row['after_revocation']}", highlight=False)
    return outcomes
