"""Issue real licences (render, token, PAdES B-LTA) on a test PKI and verify them offline from the
published folder — and a forgery suite: every tampered, re-signed, revoked or expired variant must
come out FAILED (never PASSED)."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cbor2
import pytest
from pydantic import SecretStr

from core import Settings
from elicense import load_licence, load_templates
from elicense.errors import LicenceExistsError
from elicense.issue import issue_licence, revoke_licence
from elicense.publish import TrustMaterial, load_trust, publish
from elicense.registry import FileRegistry
from elicense.verify import verify_licence_pdf, verify_licence_token
from signing import Indication, IssuerIdentity, KeyStore, b45decode, b45encode

ROOT = Path(__file__).resolve().parents[3]
RECORDS = ROOT / "samples" / "licences"
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # inside every sample licence's validity period
PASS = SecretStr("licence tests passphrase")
CODE = Settings(_env_file=None).issuer_code


class Office:
    """One issuing office: its keys, register and published folder, in a temporary dir."""

    def __init__(self, base: Path, made: datetime) -> None:
        self.store = KeyStore(base / "keys", PASS)
        self.store.initialise(IssuerIdentity.from_settings(Settings(_env_file=None)), now=made)
        self.registry = FileRegistry(base / "licences")
        self.published = base / "published"

    def issue(self, record: str, now: datetime = NOW):
        licence = load_licence(RECORDS / record)
        template = load_templates().get(licence.type_code)
        data = (RECORDS / "holder_photo.jpg").read_bytes() if template.photo else None
        return issue_licence(licence, template, photo=data, store=self.store,
                             registry=self.registry, issuer_code=CODE,
                             published_dir=self.published, now=now)

    def trust(self, now: datetime = NOW) -> TrustMaterial:
        publish(self.store, self.registry, self.published, CODE, now)
        return load_trust(self.published)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    return Office(tmp_path_factory.mktemp("office"), NOW - timedelta(days=10))


@pytest.fixture(scope="module")
def issued(office: Office):
    return office.issue("residence_permit.json")


@pytest.fixture(scope="module")
def trust(office: Office, issued) -> TrustMaterial:
    return office.trust()


def outcome(verdict, check: str) -> str:
    return next(c.outcome.value for c in verdict.checks if c.check.value == check)


def test_an_issued_licence_passes_every_check(issued, trust) -> None:
    verdict = verify_licence_pdf(issued.pdf, trust, now=NOW + timedelta(hours=1))
    assert verdict.indication is Indication.PASSED, verdict.to_dict()
    assert {c.check.value for c in verdict.checks} == {
        "pdf_signature", "licence_data", "token", "consistency", "issuer", "revocation",
        "validity_period"}
    assert verdict.signed_by == {"code": CODE, "name_zh": issued.licence.issuer,
                                 "name_en": Settings(_env_file=None).issuer_name_en}
    assert verdict.pdf is not None and verdict.pdf.level == "B-LTA"
    assert verdict.licence["identifier"] == issued.licence.identifier
    # The verifier sees the masked holder code only, never the full ID number.
    assert issued.licence.holder_code not in json.dumps(verdict.to_dict(), ensure_ascii=False)


def test_the_qr_token_alone_passes_and_hides_the_id_number(issued, trust) -> None:
    verdict = verify_licence_token(issued.token, trust, now=NOW + timedelta(hours=1))
    assert verdict.passed, verdict.to_dict()
    assert verdict.licence["holder_code"] != issued.licence.holder_code
    assert issued.licence.holder_code not in issued.token  # not even base45-visible
    payload = json.dumps(verdict.to_dict(), ensure_ascii=False)
    assert issued.licence.holder_code not in payload


def test_licences_without_a_photo_and_of_every_sample_type_pass(office: Office, trust) -> None:
    for record in ("individual_business_licence.json", "food_business_licence.json"):
        result = office.issue(record)
        verdict = verify_licence_pdf(result.pdf, office.trust(), now=NOW)
        assert verdict.passed, (record, verdict.to_dict())


def test_an_identifier_is_issued_once(office: Office, issued) -> None:
    before = len(office.registry.entries())
    with pytest.raises(LicenceExistsError):
        office.issue("residence_permit.json")
    assert len(office.registry.entries()) == before


def test_the_register_keeps_the_pdf_hash_and_no_id_number(office: Office, issued) -> None:
    import hashlib

    entry = office.registry.get(issued.licence.identifier)
    assert entry is not None and entry.pdf_sha256 == hashlib.sha256(issued.pdf).hexdigest()
    assert office.registry.find_by_sha256(entry.pdf_sha256) == entry
    assert issued.licence.holder_code not in office.registry.path.read_text("utf-8")


# --- forgeries ---------------------------------------------------------------------------------

def _flip(pdf: bytes, at: int) -> bytes:
    return pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1:]


def _first_stream_offset(pdf: bytes, marker: bytes) -> int:
    at = pdf.index(marker)
    return pdf.index(b"stream", at) + len(b"stream\n") + 20


def test_a_flipped_byte_in_the_page_content_fails(issued, trust) -> None:
    forged = _flip(issued.pdf, _first_stream_offset(issued.pdf, b"/Length"))
    assert verify_licence_pdf(forged, trust, now=NOW).indication is Indication.FAILED


def test_a_flipped_byte_in_the_signature_fails(issued, trust) -> None:
    at = issued.pdf.index(b"/Contents <") + len(b"/Contents <") + 200
    forged = issued.pdf[:at] + (b"0" if issued.pdf[at:at + 1] != b"0" else b"1") \
        + issued.pdf[at + 1:]
    assert verify_licence_pdf(forged, trust, now=NOW).indication is Indication.FAILED


def test_a_flipped_byte_in_the_photo_fails(issued, trust) -> None:
    at = _first_stream_offset(issued.pdf, b"/Subtype /Image")
    assert verify_licence_pdf(_flip(issued.pdf, at), trust, now=NOW).indication \
        is Indication.FAILED


def test_an_overlay_added_after_signing_fails_as_modified(issued, trust) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(issued.pdf))
    overlay = (b"q 1 1 1 rg 150 500 200 40 re f Q "
               b"BT /Helvetica 18 Tf 160 515 Td (FORGED NAME) Tj ET")
    stream = writer.add_object(generic.StreamObject(stream_data=overlay))
    writer.add_stream_to_page(0, stream)
    out = io.BytesIO()
    writer.write(out)
    verdict = verify_licence_pdf(out.getvalue(), trust, now=NOW)
    assert verdict.indication is Indication.FAILED
    assert verdict.checks[0].code == "MODIFIED"


def test_a_licence_from_another_office_fails(tmp_path: Path, trust) -> None:
    other = Office(tmp_path, NOW - timedelta(days=10))
    forged = other.issue("food_business_licence.json")
    verdict = verify_licence_pdf(forged.pdf, trust, now=NOW)
    assert verdict.indication is Indication.FAILED
    assert outcome(verdict, "token") == "FAILED"  # signed by a key we never published
    assert outcome(verdict, "pdf_signature") != "PASSED"
    assert verify_licence_token(forged.token, trust, now=NOW).indication is Indication.FAILED


def test_a_revoked_licence_fails(tmp_path: Path) -> None:
    office = Office(tmp_path, NOW - timedelta(days=10))
    result = office.issue("individual_business_licence.json")
    assert verify_licence_pdf(result.pdf, office.trust(), now=NOW).passed
    revoke_licence(result.licence.identifier, "吊销（测试）", store=office.store,
                   registry=office.registry, issuer_code=CODE, published_dir=office.published,
                   now=NOW + timedelta(minutes=5))
    trust = load_trust(office.published)
    for verdict in (verify_licence_pdf(result.pdf, trust, now=NOW + timedelta(minutes=6)),
                    verify_licence_token(result.token, trust, now=NOW + timedelta(minutes=6))):
        assert verdict.indication is Indication.FAILED
        assert verdict.sub_indication == "licence.revoked"


def test_a_stale_status_list_is_not_a_pass(issued, trust) -> None:
    verdict = verify_licence_token(issued.token, trust, now=NOW + timedelta(days=30))
    assert verdict.indication is Indication.INDETERMINATE
    assert verdict.sub_indication == "licence.revocation_unknown"
    no_list = replace(trust, status_list=None)
    assert verify_licence_token(issued.token, no_list, now=NOW).indication \
        is Indication.INDETERMINATE


def test_a_licence_signed_with_an_expired_certificate_fails(tmp_path: Path) -> None:
    office = Office(tmp_path, NOW - timedelta(days=3 * 365))  # signing certs last 2 years
    office.store.refresh_crls(now=NOW)
    result = office.issue("food_business_licence.json")
    verdict = verify_licence_pdf(result.pdf, office.trust(), now=NOW)
    assert verdict.indication is Indication.FAILED
    assert outcome(verdict, "pdf_signature") != "PASSED"


def test_an_expired_licence_fails(issued, office: Office) -> None:
    later = datetime(2027, 6, 1, 12, tzinfo=UTC)  # the residence permit ends 2027-05-31
    verdict = verify_licence_token(issued.token, office.trust(later), now=later)
    assert verdict.indication is Indication.FAILED


def _cose(token: str) -> tuple[cbor2.CBORTag, bytes]:
    import zlib

    raw = zlib.decompress(b45decode(token.removeprefix("ZZ1:")))
    return cbor2.loads(raw), raw


def _token(message: object) -> str:
    import zlib

    return "ZZ1:" + b45encode(zlib.compress(cbor2.dumps(message)))


def test_a_token_with_an_unknown_kid_fails(issued, trust) -> None:
    tag, _ = _cose(issued.token)
    protected = cbor2.loads(tag.value[0])
    protected[4] = b"\x00" * 8
    tag.value[0] = cbor2.dumps(protected)
    verdict = verify_licence_token(_token(tag), trust, now=NOW)
    assert verdict.indication is Indication.FAILED
    assert verdict.sub_indication == "token.unknown_kid"


def test_a_token_whose_fields_were_edited_fails(issued, trust) -> None:
    tag, _ = _cose(issued.token)
    claims = cbor2.loads(tag.value[2])
    licence = claims[-65537]
    name_key = next(k for k, v in licence.items() if v == issued.licence.holder)
    licence[name_key] = "王伪造"
    tag.value[2] = cbor2.dumps(claims)
    verdict = verify_licence_token(_token(tag), trust, now=NOW)
    assert verdict.indication is Indication.FAILED
    assert verdict.sub_indication == "token.bad_signature"


@pytest.mark.parametrize("data", [b"", b"%PDF-1.7\n%%EOF", b"\x00" * 1000, b"not a pdf at all"])
def test_garbage_is_never_passed_and_never_raises(data: bytes, trust) -> None:
    assert verify_licence_pdf(data, trust, now=NOW).indication is not Indication.PASSED
    token = "ZZ1:" + base64.b32encode(data).decode()
    assert verify_licence_token(token, trust, now=NOW).indication is not Indication.PASSED


def test_licences_signed_before_a_key_rotation_stay_valid(tmp_path: Path) -> None:
    office = Office(tmp_path, NOW - timedelta(days=10))
    old = office.issue("individual_business_licence.json", now=NOW)
    office.store.rotate(now=NOW + timedelta(minutes=1))
    new = office.issue("food_business_licence.json", now=NOW + timedelta(minutes=2))
    assert new.kid != old.kid
    trust = office.trust(NOW + timedelta(minutes=3))
    assert len(trust.trusted_keys) == 2
    for result in (old, new):
        assert verify_licence_pdf(result.pdf, trust, now=NOW + timedelta(minutes=3)).passed
        assert verify_licence_token(result.token, trust, now=NOW + timedelta(minutes=3)).passed


def test_an_office_that_keeps_issuing_never_publishes_stale_crls(tmp_path: Path) -> None:
    """Keys made 45 days ago: their CRLs (30 days) ran out; issuing re-issues them first."""
    office = Office(tmp_path, NOW - timedelta(days=45))
    result = office.issue("food_business_licence.json")
    assert all(crl.last_update_utc >= NOW - timedelta(days=1) for crl in office.store.crls())
    assert verify_licence_pdf(result.pdf, office.trust(), now=NOW).passed
