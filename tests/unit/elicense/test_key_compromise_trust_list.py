"""A licence-signing key revoked for key compromise: its key id leaves the published trust list,
so every QR token and licence PDF signed with it stops verifying (a token has no timestamp: none
can be told from a forgery made with the stolen key). Revoked for any other reason, it stays
listed and what it signed while good still verifies. Tokens and PDFs of the new key pass."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from trust_offices import US, Office  # a sibling module

from elicense import load_trust, verify_licence_pdf, verify_licence_token
from signing import TokenCode, key_id

NOW = datetime.now(UTC).replace(microsecond=0)
USCC = "91340100MA2N0X1Y2K"


def _issue(office: Office, now: datetime):  # noqa: ANN202
    return office.issue_company(now, uscc=USCC, holder="合肥示例科技有限公司",
                                representative="张三")


def _token_code(verdict) -> str:  # noqa: ANN001
    return next(c.code for c in verdict.checks if c.check.value == "token")


@pytest.mark.parametrize(("reason", "still_trusted"), [
    (x509.ReasonFlags.key_compromise, False),
    (x509.ReasonFlags.superseded, True),
    (x509.ReasonFlags.cessation_of_operation, True),
])
def test_only_a_compromised_key_leaves_the_trust_list(tmp_path: Path, reason: x509.ReasonFlags,
                                                      still_trusted: bool) -> None:
    office = Office(tmp_path, *US, NOW - timedelta(days=10))
    old = _issue(office, NOW - timedelta(hours=2))
    assert verify_licence_token(old.token, load_trust(office.publish(NOW - timedelta(hours=2))),
                                now=NOW).passed

    old_certificate = office.store.signing_certificates()[-1]
    office.store.rotate(now=NOW - timedelta(hours=1, minutes=30))
    office.store.revoke(old_certificate, reason=reason, now=NOW - timedelta(hours=1))
    new = _issue(office, NOW - timedelta(minutes=30))
    trust = load_trust(office.publish(NOW - timedelta(minutes=20)))

    listed = {entry.kid_bytes for entry in office.store.trust_list().keys}
    assert (key_id(old_certificate) in listed) is still_trusted
    assert key_id(office.store.signing_certificates()[-1]) in listed
    token_verdict = verify_licence_token(old.token, trust, now=NOW)
    pdf_verdict = verify_licence_pdf(old.pdf, trust, now=NOW)
    assert token_verdict.passed is still_trusted, token_verdict.to_dict()
    assert pdf_verdict.passed is still_trusted, pdf_verdict.to_dict()
    if not still_trusted:
        assert _token_code(token_verdict) == TokenCode.UNKNOWN_KID.value
    # The new key is untouched either way.
    assert new.kid != old.kid
    assert verify_licence_token(new.token, trust, now=NOW).passed
    assert verify_licence_pdf(new.pdf, trust, now=NOW).passed
