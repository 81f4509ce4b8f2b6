"""A licence-signing key revoked for key compromise: its key id leaves the published trust list,
so every QR token and licence PDF signed with it stops verifying (a token has no timestamp: none
can be told from a forgery made with the stolen key). Revoked for any other reason, it stays
listed and what it signed while good still verifies. Tokens and PDFs of the new key pass."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from pydantic import SecretStr

from core import Settings
from elicense import (
    issue_licence,
    load_licence,
    load_templates,
    load_trust,
    publish,
    verify_licence_pdf,
    verify_licence_token,
)
from elicense.registry import FileRegistry
from signing import IssuerIdentity, KeyStore, TokenCode, key_id

ROOT = Path(__file__).resolve().parents[3]
RECORDS = ROOT / "samples" / "licences"
PHOTO = (RECORDS / "holder_photo.jpg").read_bytes()
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # inside the sample licences' validity periods
CODE = Settings(_env_file=None).issuer_code


class Office:
    def __init__(self, base: Path) -> None:
        self.store = KeyStore(base / "keys", SecretStr("key compromise tests passphrase"))
        self.store.initialise(IssuerIdentity.from_settings(Settings(_env_file=None)),
                              now=NOW - timedelta(days=10))
        self.registry = FileRegistry(base / "licences")
        self.published = base / "published"

    def issue(self, record: str, now: datetime):  # noqa: ANN201
        licence = load_licence(RECORDS / record)
        template = load_templates().get(licence.type_code)
        return issue_licence(licence, template, photo=PHOTO if template.photo else None,
                             store=self.store, registry=self.registry, issuer_code=CODE,
                             published_dir=self.published, now=now)

    def trust(self, now: datetime):  # noqa: ANN201
        return load_trust(publish(self.store, self.registry, self.published, CODE, now))


def _token_code(verdict) -> str:  # noqa: ANN001
    return next(c.code for c in verdict.checks if c.check.value == "token")


@pytest.mark.parametrize(("reason", "still_trusted"), [
    (x509.ReasonFlags.key_compromise, False),
    (x509.ReasonFlags.superseded, True),
    (x509.ReasonFlags.cessation_of_operation, True),
])
def test_only_a_compromised_key_leaves_the_trust_list(tmp_path: Path, reason: x509.ReasonFlags,
                                                      still_trusted: bool) -> None:
    office = Office(tmp_path)
    old = office.issue("residence_permit.json", NOW)
    check = NOW + timedelta(hours=1)
    assert verify_licence_token(old.token, office.trust(NOW), now=check).passed

    old_certificate = office.store.signing_certificates()[-1]
    office.store.rotate(now=NOW + timedelta(minutes=1))
    office.store.revoke(old_certificate, reason=reason, now=NOW + timedelta(minutes=2))
    new = office.issue("food_business_licence.json", NOW + timedelta(minutes=3))
    trust = office.trust(NOW + timedelta(minutes=4))

    listed = {entry.kid_bytes for entry in office.store.trust_list().keys}
    assert (key_id(old_certificate) in listed) is still_trusted
    assert key_id(office.store.signing_certificates()[-1]) in listed
    token_verdict = verify_licence_token(old.token, trust, now=check)
    pdf_verdict = verify_licence_pdf(old.pdf, trust, now=check)
    assert token_verdict.passed is still_trusted, token_verdict.to_dict()
    assert pdf_verdict.passed is still_trusted, pdf_verdict.to_dict()
    if not still_trusted:
        assert _token_code(token_verdict) == TokenCode.UNKNOWN_KID.value
    # The new key is untouched either way.
    assert new.kid != old.kid
    assert verify_licence_token(new.token, trust, now=check).passed
    assert verify_licence_pdf(new.pdf, trust, now=check).passed
