"""Issuing offices for the trust-store tests: each with its own key store (made in a few ms),
file register and published folder, and company licences (营业执照, demo type 904) issued and
signed for real — and, for the issuer-binding attack, a licence an office signs with its own
keys in another office's name (what a rogue office's modified software would make)."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from pydantic import SecretStr

from elicense import (
    FileRegistry,
    IssuedLicence,
    LicenceIdentifier,
    issue_licence,
    load_templates,
    parse_licence,
    publish,
    render_licence,
    revoke_licence,
)
from elicense.attachment import embed_licence_json
from elicense.issue import end_of_day, licence_claims
from elicense.publish import fresh_crls
from signing import (
    MIN_STATUS_LIST_BITS,
    IssuerIdentity,
    KeyStore,
    PadesLevel,
    TokenClaims,
    encode_token,
    key_id,
    pyhanko_timestamper,
    sign_pdf,
)

COMPANY = "111000000000002892904"
PASS = SecretStr("trust store tests passphrase")
US = ("11110000000000019K", "示例市行政审批局（演示）")  # the default Settings issuer
OTHER = ("11320500000000019Y", "另一市行政审批局（演示）")


class Forged(NamedTuple):
    identifier: str
    pdf: bytes
    token: str


class Office:
    """One issuing office in ``base``; ``keys``/``passphrase``/``published`` may point at an
    office's configured places (the service's data dir)."""

    def __init__(self, base: Path, code: str, name: str, made: datetime, *,
                 keys: Path | None = None, passphrase: SecretStr = PASS,
                 published: Path | None = None, name_en: str | None = None) -> None:
        self.code, self.name = code, name
        self.name_en = name_en or f"demo office {code}"
        self.store = KeyStore(keys or base / "keys", passphrase)
        self.store.initialise(IssuerIdentity(name_zh=name, name_en=self.name_en, code=code,
                                             jurisdiction_code="110000"), now=made)
        self.registry = FileRegistry(base / "licences")
        self.published = published or base / "published"
        self.serial = 0
        self.publish(made)

    def publish(self, now: datetime) -> Path:
        return publish(self.store, self.registry, self.published, self.code, now)

    def company_record(self, now: datetime, *, uscc: str, holder: str, representative: str,
                       valid_until: str = "长期", days_old: int = 1,
                       issuer: tuple[str, str] | None = None) -> dict:
        """A company licence record in this office's name, or in ``issuer``'s (code, name)."""
        code, name = issuer or (self.code, self.name)
        self.serial += 1
        serial = f"{now:%Y}{self.serial:07d}"
        return {
            "name": "营业执照", "type_code": COMPANY, "number": uscc,
            "identifier": str(LicenceIdentifier.create(COMPANY, code, serial)),
            "holder": holder, "holder_code": uscc, "holder_code_type": "001",
            "issuer": name, "issuer_code": code,
            "issue_date": (now - timedelta(days=days_old)).date().isoformat(),
            "valid_from": (now - timedelta(days=days_old)).date().isoformat(),
            "valid_until": valid_until, "jurisdiction_code": "110105",
            "details": {"类型": "有限责任公司", "法定代表人": representative,
                        "注册资本": "伍佰万元整", "成立日期": "2016年10月16日",
                        "住所": "示例市示例区演示大街1号", "经营范围": "建设工程施工"},
        }

    def issue_company(self, now: datetime, *, uscc: str, holder: str, representative: str,
                      valid_until: str = "长期", days_old: int = 1) -> IssuedLicence:
        record = self.company_record(now, uscc=uscc, holder=holder,
                                     representative=representative, valid_until=valid_until,
                                     days_old=days_old)
        licence = parse_licence(record)
        return issue_licence(licence, load_templates().get(COMPANY), photo=None,
                             store=self.store, registry=self.registry, issuer_code=self.code,
                             published_dir=self.published, now=now)

    def forge_company(self, now: datetime, issuer: tuple[str, str], *, uscc: str, holder: str,
                      representative: str) -> Forged:
        """The attack: a company licence signed with THIS office's keys (token, PAdES, its
        status list) whose token ``iss``, identifier, issuer code and issuer name are all
        ``issuer``'s — what ``issue_licence`` does, minus its refusal to issue in another
        office's name. The status list is re-published with the forged licence's index."""
        licence = parse_licence(self.company_record(
            now, uscc=uscc, holder=holder, representative=representative, issuer=issuer))
        signer = self.store.signer()
        kid = key_id(signer.certificate)
        index = self.registry.reserve_index(MIN_STATUS_LIST_BITS)
        claims = TokenClaims(issuer=issuer[0], issued_at=now,
                             licence=licence_claims(licence, None, index),
                             expires=end_of_day(licence.valid_until)
                             if licence.valid_until else None)
        token = encode_token(claims, signer, kid)
        page = render_licence(licence, load_templates().get(COMPANY), photo=None,
                              qr_payload=token)
        attached = embed_licence_json(page, {"licence": licence.model_dump(mode="json"),
                                             "photo_sha256": None, "token": token},
                                      created=now)
        pdf = sign_pdf(attached, signer,
                       pyhanko_timestamper(self.store.timestamp_signer(), fixed_time=now),
                       crls=fresh_crls(self.store, now), level=PadesLevel.B_LTA,
                       reason="电子证照签发 / e-licence issued",
                       location=licence.jurisdiction_code, signing_time=now)
        self.publish(now)
        return Forged(licence.identifier, pdf, token)

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
