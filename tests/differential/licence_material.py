"""The genuine licences the differential tests mutate, and the foreign material they mutate them
with: our office (a key store made ten days before :data:`NOW`, three licences issued at
:data:`NOW` with the code that issues them in production, then a key rotation and one licence
signed with the new key), and a second, self-made office with its own root (its licences, its
signer and its timestamp authority serve as the attacker's). Trust is what our office
publishes (root, trust list, CRLs, status list), loaded as verifiers load it.

Keys are random on each build, so the bytes differ between runs; what a seed fixes is the
choice and position of every mutation (:mod:`pdf_mutations`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import SecretStr

from core import Settings
from elicense import load_licence, load_templates
from elicense.issue import issue_licence
from elicense.publish import TrustMaterial, load_trust, publish
from elicense.registry import FileRegistry
from signing import FileSigner, IssuerIdentity, KeyStore

ROOT = Path(__file__).resolve().parents[2]
RECORDS = ROOT / "samples" / "licences"
PHOTO = RECORDS / "holder_photo.jpg"
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # inside every sample licence's validity period
CHECK_TIME = NOW + timedelta(hours=2)  # when the verifier runs
PASSPHRASE = SecretStr("differential tests passphrase")
OUR_RECORDS = ("residence_permit.json", "food_business_licence.json",
               "individual_business_licence.json")
ROTATED_RECORD = "company_business_licence.json"
FOREIGN_RECORDS = ("residence_permit.json", "food_business_licence.json")

BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")
EOF_MARK = re.compile(rb"%%EOF(\r\n|\r|\n)?")


@dataclass(frozen=True)
class Layout:
    """Where things are in a signed licence, found with regular expressions (not pyHanko):
    the ByteRanges in file order (the approval signature first, then the document timestamp),
    the end of every revision (after ``%%EOF`` and its end-of-line)."""

    ranges: tuple[tuple[int, int, int, int], ...]
    eofs: tuple[int, ...]

    @classmethod
    def of(cls, pdf: bytes) -> Layout:
        ranges = tuple(tuple(int(m.group(i)) for i in range(1, 5))
                       for m in BYTE_RANGE.finditer(pdf))
        return cls(ranges=ranges, eofs=tuple(m.end() for m in EOF_MARK.finditer(pdf)))  # type: ignore[arg-type]

    def contents_span(self, index: int) -> tuple[int, int]:
        """The hex digits of signature ``index``'s ``/Contents`` (inside the angle brackets)."""
        a, b, c, _ = self.ranges[index]
        return a + b + 1, c - 1

    def signed_spans(self, index: int) -> tuple[tuple[int, int], tuple[int, int]]:
        a, b, c, d = self.ranges[index]
        return (a, a + b), (c, c + d)

    def revision_start(self, index: int) -> int:
        """The offset where the revision holding signature ``index`` begins."""
        start = self.ranges[index][1]
        return max((e for e in self.eofs if e <= start), default=0)


@dataclass(frozen=True)
class Genuine:
    """One licence as issued: the signed file, the unsigned file it was signed from (the bytes
    before the signature's revision) and its layout."""

    name: str
    pdf: bytes
    unsigned: bytes
    layout: Layout

    @classmethod
    def of(cls, name: str, pdf: bytes) -> Genuine:
        layout = Layout.of(pdf)
        return cls(name=name, pdf=pdf, unsigned=pdf[:layout.revision_start(0)], layout=layout)


@dataclass
class Material:
    """Everything the mutations draw on; ``cache`` keeps expensive re-signed files."""

    ours: tuple[Genuine, ...]
    foreign: tuple[Genuine, ...]
    store: KeyStore
    old_signer: FileSigner
    other: KeyStore
    trust: TrustMaterial
    now: datetime = CHECK_TIME
    cache: dict[tuple[str, ...], list[bytes]] = field(default_factory=dict)


def _office(base: Path, name: str) -> tuple[KeyStore, FileRegistry, Path]:
    store = KeyStore(base / name / "keys", PASSPHRASE)
    store.initialise(IssuerIdentity.from_settings(Settings(_env_file=None)),
                     now=NOW - timedelta(days=10))
    return store, FileRegistry(base / name / "licences"), base / name / "published"


def _issue(store: KeyStore, registry: FileRegistry, published: Path, record: str,
           at: datetime) -> bytes:
    licence = load_licence(RECORDS / record)
    template = load_templates().get(licence.type_code)
    photo = PHOTO.read_bytes() if template.photo else None
    return issue_licence(licence, template, photo=photo, store=store, registry=registry,
                         issuer_code=Settings(_env_file=None).issuer_code,
                         published_dir=published, now=at).pdf


def build_material(base: Path) -> Material:
    """Issue the genuine licences of both offices under ``base`` (about ten seconds)."""
    code = Settings(_env_file=None).issuer_code
    store, registry, published = _office(base, "ours")
    ours = [Genuine.of(record, _issue(store, registry, published, record,
                                      NOW - timedelta(minutes=7 * i)))
            for i, record in enumerate(OUR_RECORDS)]
    old_signer = store.signer()
    store.rotate(now=NOW - timedelta(days=1))
    ours.append(Genuine.of("rotated:" + ROTATED_RECORD,
                           _issue(store, registry, published, ROTATED_RECORD, NOW)))
    publish(store, registry, published, code, NOW)
    other, other_registry, other_published = _office(base, "other")
    foreign = tuple(Genuine.of("foreign:" + record,
                               _issue(other, other_registry, other_published, record, NOW))
                    for record in FOREIGN_RECORDS)
    return Material(ours=tuple(ours), foreign=foreign, store=store, old_signer=old_signer,
                    other=other, trust=load_trust(published))
