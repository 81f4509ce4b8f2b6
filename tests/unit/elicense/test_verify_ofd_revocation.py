"""``elicense.verify_licence_ofd`` and the office's SM2 CRLs: a licence OFD sealed after the seal
signer's certificate was revoked (and the published folder refreshed) is FAILED; a stale or
missing SM2 CRL for the office's own chain is INDETERMINATE (fail closed, like the PDFs); a
genuine licence with current CRLs passes; a third party's OFD checked with ``--trust-anchor``
and no CRL is unchanged (its seal passes)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from pydantic import SecretStr

from core import Settings
from elicense import (
    Seal,
    TrustMaterial,
    issue_licence,
    licence_ofd,
    load_licence,
    load_templates,
    load_trust,
    publish,
    seal_licence_ofd,
    verify_licence_ofd,
)
from elicense.registry import FileRegistry
from signing import Indication, IssuerIdentity, KeyStore, Sm2Role, load_sm2_certificate

ROOT = Path(__file__).resolve().parents[3]
RECORDS = ROOT / "samples" / "licences"
OFDRW = ROOT / "tests" / "data" / "ofd" / "ofdrw"
PHOTO = (RECORDS / "holder_photo.jpg").read_bytes()
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # inside the sample licences' validity periods
PASS = SecretStr("ofd revocation tests passphrase")
CODE = Settings(_env_file=None).issuer_code


class Office:
    """An issuing office with ECDSA and SM2 keys made at ``made``."""

    def __init__(self, base: Path, made: datetime) -> None:
        self.store = KeyStore(base / "keys", PASS)
        self.store.initialise(IssuerIdentity.from_settings(Settings(_env_file=None)), now=made)
        self.registry = FileRegistry(base / "licences")
        self.published = base / "published"

    def issue_ofd(self, record: str, now: datetime = NOW) -> bytes:
        licence = load_licence(RECORDS / record)
        template = load_templates().get(licence.type_code)
        photo = PHOTO if template.photo else None
        issued = issue_licence(licence, template, photo=photo, store=self.store,
                               registry=self.registry, issuer_code=CODE,
                               published_dir=self.published, now=now)
        ofd, placement = licence_ofd(issued, template, photo=photo, draw_seal=False)
        return seal_licence_ofd(ofd, placement, Seal(licence.issuer,
                                                     colour=template.colours.seal),
                                self.store, now)

    def trust(self, now: datetime = NOW) -> TrustMaterial:
        publish(self.store, self.registry, self.published, CODE, now)
        return load_trust(self.published)


def seal_check(verdict):  # noqa: ANN001, ANN201
    return next(c for c in verdict.checks if c.check.value == "ofd_seal")


@pytest.fixture()
def office(tmp_path: Path) -> Office:
    return Office(tmp_path, NOW - timedelta(days=45))


def test_a_genuine_licence_with_current_crls_passes(office: Office) -> None:
    ofd = office.issue_ofd("residence_permit.json")
    trust = office.trust()
    assert len(trust.sm2_crls) == 2  # published and read back
    verdict = verify_licence_ofd(ofd, trust, now=NOW + timedelta(hours=1))
    assert verdict.indication is Indication.PASSED, verdict.to_dict()


def test_revoking_the_seal_signer_fails_a_freshly_sealed_licence(office: Office) -> None:
    signer = office.store.sm2_certificate(Sm2Role.SEAL_SIGNER)
    office.store.revoke(signer, reason=x509.ReasonFlags.key_compromise, now=NOW)
    ofd = office.issue_ofd("residence_permit.json")  # still sealed with the revoked key
    verdict = verify_licence_ofd(ofd, office.trust(), now=NOW + timedelta(hours=1))
    assert verdict.indication is Indication.FAILED
    check = seal_check(verdict)
    assert check.outcome.value == "FAILED" and check.code == "REVOKED"
    assert "revocation" in check.message_en and "key_compromise" in check.message_en
    assert "撤销" in check.message_zh
    assert verdict.ofd is not None and verdict.ofd.sub_indication == "REVOKED"
    assert verdict.photo is None
    # After a rotation the new seal signer is not revoked: a new licence passes again.
    office.store.rotate(now=NOW + timedelta(minutes=1))
    again = office.issue_ofd("food_business_licence.json", now=NOW + timedelta(minutes=2))
    assert verify_licence_ofd(again, office.trust(NOW + timedelta(minutes=2)),
                              now=NOW + timedelta(hours=1)).passed


def test_a_stale_or_missing_sm2_crl_is_indeterminate(office: Office) -> None:
    made_crls = office.store.sm2_crls()  # issued 45 days ago: nextUpdate passed 15 days ago
    ofd = office.issue_ofd("residence_permit.json")
    trust = office.trust()
    assert verify_licence_ofd(ofd, trust, now=NOW).passed
    for crls in (made_crls, (), trust.sm2_crls[:1]):
        verdict = verify_licence_ofd(ofd, replace(trust, sm2_crls=crls), now=NOW)
        assert verdict.indication is Indication.INDETERMINATE, crls
        check = seal_check(verdict)
        assert check.outcome.value == "INDETERMINATE" and check.code == "TRY_LATER"
        assert "revocation" in check.message_en and check.message_zh


def test_a_crl_signed_by_another_office_does_not_count(office: Office, tmp_path: Path) -> None:
    other = Office(tmp_path / "other", NOW - timedelta(days=1))
    ofd = office.issue_ofd("residence_permit.json")
    trust = office.trust()
    theirs = other.trust().sm2_crls  # the same demo CA names, other keys
    verdict = verify_licence_ofd(ofd, replace(trust, sm2_crls=theirs), now=NOW)
    assert verdict.indication is Indication.INDETERMINATE
    assert seal_check(verdict).code == "TRY_LATER"


def test_a_third_party_ofd_with_a_trust_anchor_needs_no_crl(office: Office) -> None:
    trust = office.trust()
    sample = (OFDRW / "allprotected.ofd").read_bytes()
    ofdrw_root = load_sm2_certificate((OFDRW / "ofdrw_root.pem").read_bytes())
    when = datetime(2021, 1, 1, tzinfo=UTC)
    verdict = verify_licence_ofd(sample, trust, now=when, trust_anchors_sm2=[ofdrw_root])
    assert seal_check(verdict).outcome.value == "PASSED"
    assert verdict.ofd is not None and verdict.ofd.anchor == "trust_anchor"
