"""Issuing offices for the trust-store tests: each with its own key store (made in a few ms),
file register and published folder, and company licences (营业执照, demo type 904) issued and
signed for real."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import SecretStr

from elicense import (
    FileRegistry,
    IssuedLicence,
    LicenceIdentifier,
    issue_licence,
    load_templates,
    parse_licence,
    publish,
    revoke_licence,
)
from signing import IssuerIdentity, KeyStore

COMPANY = "111000000000002892904"
PASS = SecretStr("trust store tests passphrase")
US = ("11110000000000019K", "示例市行政审批局（演示）")  # the default Settings issuer
OTHER = ("11320500000000019Y", "另一市行政审批局（演示）")


class Office:
    """One issuing office in ``base``; ``keys``/``passphrase``/``published`` may point at an
    office's configured places (the service's data dir)."""

    def __init__(self, base: Path, code: str, name: str, made: datetime, *,
                 keys: Path | None = None, passphrase: SecretStr = PASS,
                 published: Path | None = None) -> None:
        self.code, self.name = code, name
        self.store = KeyStore(keys or base / "keys", passphrase)
        self.store.initialise(IssuerIdentity(name_zh=name, name_en="demo office", code=code,
                                             jurisdiction_code="110000"), now=made)
        self.registry = FileRegistry(base / "licences")
        self.published = published or base / "published"
        self.serial = 0
        self.publish(made)

    def publish(self, now: datetime) -> Path:
        return publish(self.store, self.registry, self.published, self.code, now)

    def issue_company(self, now: datetime, *, uscc: str, holder: str, representative: str,
                      valid_until: str = "长期", days_old: int = 1) -> IssuedLicence:
        self.serial += 1
        serial = f"{now:%Y}{self.serial:07d}"
        record = {
            "name": "营业执照", "type_code": COMPANY, "number": uscc,
            "identifier": str(LicenceIdentifier.create(COMPANY, self.code, serial)),
            "holder": holder, "holder_code": uscc, "holder_code_type": "001",
            "issuer": self.name, "issuer_code": self.code,
            "issue_date": (now - timedelta(days=days_old)).date().isoformat(),
            "valid_from": (now - timedelta(days=days_old)).date().isoformat(),
            "valid_until": valid_until, "jurisdiction_code": "110105",
            "details": {"类型": "有限责任公司", "法定代表人": representative,
                        "注册资本": "伍佰万元整", "成立日期": "2016年10月16日",
                        "住所": "示例市示例区演示大街1号", "经营范围": "建设工程施工"},
        }
        licence = parse_licence(record)
        return issue_licence(licence, load_templates().get(COMPANY), photo=None,
                             store=self.store, registry=self.registry, issuer_code=self.code,
                             published_dir=self.published, now=now)

    def revoke(self, identifier: str, now: datetime) -> None:
        revoke_licence(identifier, "吊销（测试）", store=self.store, registry=self.registry,
                       issuer_code=self.code, published_dir=self.published, now=now)


def zipped(folder: Path, prefix: str = "") -> bytes:
    """The published folder as a zip (optionally under one top folder)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + path.relative_to(folder).as_posix())
    return out.getvalue()


def flip(pdf: bytes) -> bytes:
    """One byte changed inside the first stream of the signed PDF (the page content)."""
    at = pdf.index(b"stream", pdf.index(b"/Length")) + len(b"stream\n") + 20
    return pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1:]
