"""``elicense.verify_licence_ofd``: a licence OFD sealed the way ``zhengzhao issue --format ofd``
seals it (``licence_ofd`` + ``seal_licence_ofd`` with the office's SM2 keys), verified offline
from the office's published folder (which carries its SM2 root and CA). Genuine: PASSED. An
edited page, ``licence.json`` or ``Signature.xml``, a swapped seal, a package resealed by
another office: FAILED. An unknown SM2 root: never PASSED. Revoked (status list) or expired:
FAILED. Bad packages are an INDETERMINATE verdict with their ``ofd.*`` code, never an
exception. ofdrw's sealed samples: a seal, but no licence, so never PASSED; FAILED once edited."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from core import Settings
from elicense import (
    LicenceIdentifier,
    Seal,
    TrustMaterial,
    issue_licence,
    licence_ofd,
    load_licence,
    load_templates,
    load_trust,
    parse_identifier,
    publish,
    revoke_licence,
    seal_licence_ofd,
    verify_licence_ofd,
)
from elicense.registry import FileRegistry
from signing import (
    Indication,
    IssuerIdentity,
    KeyStore,
    Sm2Role,
    load_sm2_certificate,
    read_ofd,
    write_ofd,
)

ROOT = Path(__file__).resolve().parents[3]
RECORDS = ROOT / "samples" / "licences"
OFDRW = ROOT / "tests" / "data" / "ofd" / "ofdrw"
PHOTO = (RECORDS / "holder_photo.jpg").read_bytes()
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # inside the sample licences' validity periods
PASS = SecretStr("ofd verify tests passphrase")
CODE = Settings(_env_file=None).issuer_code
LICENCE_JSON = "Doc_0/Attachs/licence.json"
CONTENT = "Doc_0/Pages/Page_0/Content.xml"
CHECKS = {"ofd_seal", "licence_data", "token", "consistency", "issuer", "revocation",
          "validity_period"}


class Office:
    """One issuing office with ECDSA and SM2 keys, its register and published folder."""

    def __init__(self, base: Path, made: datetime) -> None:
        self.store = KeyStore(base / "keys", PASS)
        self.store.initialise(IssuerIdentity.from_settings(Settings(_env_file=None)), now=made)
        self.registry = FileRegistry(base / "licences")
        self.published = base / "published"

    def issue_ofd(self, record: str, *, sealed: bool = True, now: datetime = NOW,
                  sealer: Office | None = None) -> bytes:
        """The licence OFD as ``zhengzhao issue --format ofd`` makes it (sealed by ``sealer``'s
        SM2 keys when given: a package resealed by another office)."""
        licence = load_licence(RECORDS / record)
        template = load_templates().get(licence.type_code)
        photo = PHOTO if template.photo else None
        issued = issue_licence(licence, template, photo=photo, store=self.store,
                               registry=self.registry, issuer_code=CODE,
                               published_dir=self.published, now=now)
        ofd, placement = licence_ofd(issued, template, photo=photo, draw_seal=not sealed)
        if not sealed:
            return ofd
        return seal_licence_ofd(ofd, placement, Seal(licence.issuer,
                                                     colour=template.colours.seal),
                                (sealer or self).store, now)

    def trust(self, now: datetime = NOW) -> TrustMaterial:
        publish(self.store, self.registry, self.published, CODE, now)
        return load_trust(self.published)


def _record(name: str, serial: str, base: Path) -> str:
    """A sample record with its own number and identifier (each identifier is issued once)."""
    record = json.loads((RECORDS / name).read_text("utf-8"))
    record["number"] = record["number"][:-len(serial)] + serial
    parts = parse_identifier(record["identifier"]).identifier
    record["identifier"] = str(LicenceIdentifier.create(
        parts.type_code, parts.issuer_code, parts.serial[:-len(serial)] + serial))
    path = base / f"{serial}.json"
    path.write_text(json.dumps(record, ensure_ascii=False), "utf-8")
    return str(path)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    return Office(tmp_path_factory.mktemp("office"), NOW - timedelta(days=10))


@pytest.fixture(scope="module")
def other(tmp_path_factory: pytest.TempPathFactory) -> Office:
    return Office(tmp_path_factory.mktemp("other"), NOW - timedelta(days=10))


@pytest.fixture(scope="module")
def genuine(office: Office) -> bytes:
    return office.issue_ofd("residence_permit.json")


@pytest.fixture(scope="module")
def trust(office: Office, genuine: bytes) -> TrustMaterial:
    return office.trust()


def outcome(verdict, check: str) -> str:
    return next(c.outcome.value for c in verdict.checks if c.check.value == check)


def edited(ofd: bytes, path: str, old: bytes, new: bytes) -> bytes:
    files = dict(read_ofd(ofd).files)
    assert old in files[path]
    files[path] = files[path].replace(old, new, 1)
    return write_ofd(files)


def test_a_sealed_licence_ofd_passes_every_check(genuine, trust) -> None:
    assert trust.sm2_root is not None  # the published folder carries the SM2 root
    verdict = verify_licence_ofd(genuine, trust, now=NOW + timedelta(hours=1))
    assert verdict.indication is Indication.PASSED, verdict.to_dict()
    assert {c.check.value for c in verdict.checks} == CHECKS
    assert verdict.ofd is not None and verdict.ofd.anchor == "issuer"
    assert verdict.ofd.signer and verdict.ofd.signing_time == NOW
    assert verdict.pdf is None and verdict.licence is not None
    assert verdict.licence["holder_code"].count("*") >= 10
    assert verdict.photo == PHOTO  # the photo file whose hash the token signed
    body = json.loads(json.dumps(verdict.to_dict(), ensure_ascii=False))
    assert body["ofd"]["indication"] == "PASSED" and body["pdf"] is None


def test_an_edited_page_fails(genuine, trust) -> None:
    page = read_ofd(genuine).files[CONTENT].decode("utf-8")
    holder = json.loads(read_ofd(genuine).files[LICENCE_JSON])["licence"]["holder"]
    assert holder in page
    forged = edited(genuine, CONTENT, holder.encode(), "李四".encode())
    verdict = verify_licence_ofd(forged, trust, now=NOW)
    assert verdict.indication is Indication.FAILED
    assert outcome(verdict, "ofd_seal") == "FAILED"
    assert verdict.photo is None and verdict.ofd.anchor is None


def test_an_edited_licence_json_fails(genuine, trust) -> None:
    forged = edited(genuine, LICENCE_JSON, b'"format": 1', b'"format": 1 ')
    verdict = verify_licence_ofd(forged, trust, now=NOW)
    assert verdict.indication is Indication.FAILED
    assert outcome(verdict, "ofd_seal") == "FAILED"


def test_a_changed_holder_in_licence_json_fails_twice(genuine, trust) -> None:
    data = json.loads(read_ofd(genuine).files[LICENCE_JSON])
    holder = data["licence"]["holder"].encode()
    forged = edited(genuine, LICENCE_JSON, holder, "李四".encode())
    verdict = verify_licence_ofd(forged, trust, now=NOW)
    assert verdict.indication is Indication.FAILED
    assert outcome(verdict, "ofd_seal") == "FAILED"
    assert outcome(verdict, "consistency") == "FAILED"


def test_an_edited_signature_xml_fails(genuine, trust) -> None:
    files = read_ofd(genuine).files
    signature = next(p for p in files if p.endswith("/Signature.xml"))
    forged = edited(genuine, signature, b"<ofd:SignatureDateTime>",
                    b"<ofd:SignatureDateTime> ")
    verdict = verify_licence_ofd(forged, trust, now=NOW)
    assert verdict.indication is Indication.FAILED
    assert outcome(verdict, "ofd_seal") == "FAILED"


def test_a_seal_swapped_from_another_licence_fails(office, genuine, trust, tmp_path) -> None:
    second = office.issue_ofd(_record("residence_permit.json", "81", tmp_path))
    files = dict(read_ofd(genuine).files)
    value = next(p for p in files if p.endswith("/SignedValue.dat"))
    files[value] = read_ofd(second).files[value]
    verdict = verify_licence_ofd(write_ofd(files), office.trust(), now=NOW)
    assert verdict.indication is Indication.FAILED
    assert outcome(verdict, "ofd_seal") == "FAILED"


def test_an_unknown_sm2_root_is_never_passed(genuine, trust, other) -> None:
    foreign = replace(trust, sm2_root=other.store.sm2_certificate(Sm2Role.ROOT), sm2_cas=())
    verdict = verify_licence_ofd(genuine, foreign, now=NOW)
    assert verdict.indication is Indication.INDETERMINATE
    assert outcome(verdict, "ofd_seal") == "INDETERMINATE"
    assert verdict.ofd.sub_indication == "NO_CERTIFICATE_CHAIN_FOUND"
    without = replace(trust, sm2_root=None, sm2_cas=())
    verdict = verify_licence_ofd(genuine, without, now=NOW)
    assert verdict.indication is Indication.INDETERMINATE
    assert "no SM2 root" in next(c for c in verdict.checks
                                 if c.check.value == "ofd_seal").message_en


def test_a_licence_resealed_by_another_office_is_not_passed(office, other, tmp_path) -> None:
    resealed = office.issue_ofd(_record("residence_permit.json", "82", tmp_path),
                                sealer=other)
    trust = office.trust()
    verdict = verify_licence_ofd(resealed, trust, now=NOW)
    assert verdict.indication is Indication.INDETERMINATE  # the seal's root is unknown
    # Trusting the other office's root as an extra anchor does not make it the issuer's seal.
    others = [other.store.sm2_certificate(Sm2Role.ROOT), other.store.sm2_certificate(Sm2Role.CA)]
    verdict = verify_licence_ofd(resealed, trust, now=NOW, trust_anchors_sm2=others)
    assert verdict.indication is Indication.FAILED
    assert verdict.sub_indication == "licence.seal_not_issuer"
    assert verdict.ofd.anchor == "trust_anchor"


def test_a_revoked_licence_fails(office, tmp_path) -> None:
    record = _record("food_business_licence.json", "83", tmp_path)
    ofd = office.issue_ofd(record)
    identifier = json.loads(read_ofd(ofd).files[LICENCE_JSON])["licence"]["identifier"]
    assert verify_licence_ofd(ofd, office.trust(), now=NOW).passed
    revoke_licence(identifier, "吊销（测试）", store=office.store, registry=office.registry,
                   issuer_code=CODE, published_dir=office.published, now=NOW)
    verdict = verify_licence_ofd(ofd, load_trust(office.published), now=NOW)
    assert verdict.indication is Indication.FAILED
    assert verdict.sub_indication == "licence.revoked"
    assert outcome(verdict, "ofd_seal") == "PASSED"


def test_an_expired_licence_fails(genuine, office) -> None:
    later = datetime(2027, 6, 5, 10, 0, tzinfo=UTC)  # the permit ran until 2027-05-31
    verdict = verify_licence_ofd(genuine, office.trust(later), now=later)
    assert verdict.indication is Indication.FAILED
    assert "expired" in verdict.sub_indication  # the token's own period check, as for PDFs
    assert outcome(verdict, "ofd_seal") == "PASSED"


def test_an_unsealed_licence_ofd_is_indeterminate(office, trust, tmp_path) -> None:
    plain = office.issue_ofd(_record("residence_permit.json", "84", tmp_path), sealed=False)
    verdict = verify_licence_ofd(plain, office.trust(), now=NOW)
    assert verdict.indication is Indication.INDETERMINATE
    assert outcome(verdict, "ofd_seal") == "INDETERMINATE"
    assert outcome(verdict, "token") == "PASSED"


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(("data", "code"), [
    (b"not a zip at all", "ofd.not_zip"),
    (_zip({"../OFD.xml": b"<x/>"}), "ofd.path_name"),
    (_zip({"OFD.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM '
                      b'"file:///etc/passwd">]><x>&e;</x>'}), "ofd.xml_forbidden"),
    (_zip({"OFD.xml": bytes(40 * 1024 * 1024)}), "ofd.zip_bomb"),
])
def test_a_bad_package_is_indeterminate_with_its_code(data, code, trust) -> None:
    verdict = verify_licence_ofd(data, trust, now=NOW)
    assert verdict.indication is Indication.INDETERMINATE
    assert verdict.checks[0].code == code and verdict.checks[0].message_zh
    assert verdict.ofd.error_code == code


def test_a_malformed_seal_is_indeterminate_with_its_code(genuine, trust) -> None:
    files = dict(read_ofd(genuine).files)
    value = next(p for p in files if p.endswith("/SignedValue.dat"))
    files[value] = b"\x30\x03\x02\x01"  # truncated DER
    verdict = verify_licence_ofd(write_ofd(files), trust, now=NOW)
    assert verdict.indication is Indication.INDETERMINATE
    assert verdict.sub_indication == "ofd.seal_malformed"
    assert verdict.ofd.error_code == "ofd.seal_malformed"


def test_damaged_bytes_never_raise_and_never_pass(genuine, trust) -> None:
    files = read_ofd(genuine).files
    changed = 0
    for index in range(0, len(genuine), max(1, len(genuine) // 40)):
        damaged = bytearray(genuine)
        damaged[index] ^= 0x5A
        verdict = verify_licence_ofd(bytes(damaged), trust, now=NOW)
        if verdict.passed:  # only a zip field no reader uses (a header's time): same files
            assert read_ofd(bytes(damaged)).files == files, index
        else:
            changed += 1
    assert changed >= 30


def test_ofdrw_samples_carry_no_licence_and_an_edit_fails_them(trust) -> None:
    sample = (OFDRW / "allprotected.ofd").read_bytes()
    ofdrw_root = load_sm2_certificate((OFDRW / "ofdrw_root.pem").read_bytes())
    when = datetime(2021, 1, 1, tzinfo=UTC)  # inside the sample's certificates' validity
    verdict = verify_licence_ofd(sample, trust, now=when)
    assert verdict.indication is Indication.INDETERMINATE
    assert verdict.ofd.sub_indication == "NO_CERTIFICATE_CHAIN_FOUND"
    verdict = verify_licence_ofd(sample, trust, now=when, trust_anchors_sm2=[ofdrw_root])
    assert verdict.indication is Indication.INDETERMINATE  # a sealed document, not a licence
    assert outcome(verdict, "ofd_seal") == "PASSED"
    assert outcome(verdict, "licence_data") == "INDETERMINATE"
    assert verdict.ofd.anchor == "trust_anchor"
    files = dict(read_ofd(sample).files)
    page = next(p for p in sorted(files) if p.endswith("Content.xml"))
    files[page] = files[page] + b" "
    verdict = verify_licence_ofd(write_ofd(files), trust, now=when,
                                 trust_anchors_sm2=[ofdrw_root])
    assert verdict.indication is Indication.FAILED
    assert outcome(verdict, "ofd_seal") == "FAILED"
