"""The verifier page's words for an OFD whose seal was revoked or whose revocation cannot be
confirmed (the SM2 CRLs of issue 15): not "changed after sealing", which would accuse the holder
of tampering, but what happened — built from real verdicts of ``elicense.verify_licence_ofd``."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import trust_offices as offices  # tests/unit/elicense/trust_offices.py (tests/conftest.py)
from cryptography import x509

from api.workflow.verdict_view import verdict_view
from elicense import (
    Seal,
    licence_ofd,
    load_templates,
    load_trust,
    seal_licence_ofd,
    verify_licence_ofd,
)
from signing import Indication, Sm2Role, read_ofd, write_ofd

NOW = datetime.now(UTC).replace(microsecond=0)
USCC = "91340100MA2N0X1Y2K"
TAMPERED_EN = "changed after it was sealed"


def _office(tmp_path: Path) -> offices.Office:
    return offices.Office(tmp_path / "office", *offices.US, NOW - timedelta(days=2))


def _sealed(office: offices.Office, when: datetime) -> bytes:
    issued = office.issue_company(when, uscc=USCC, holder="合肥示例科技有限公司",
                                  representative="张三")
    template = load_templates().get(issued.licence.type_code)
    ofd, placement = licence_ofd(issued, template, photo=None, draw_seal=False)
    return seal_licence_ofd(ofd, placement, Seal(issued.licence.issuer), office.store, when)


def _english(view) -> str:  # noqa: ANN001
    return " ".join(reason.en for reason in view.reasons)


def test_a_revoked_seal_signer_is_said_to_be_revoked_not_tampered(tmp_path: Path) -> None:
    office = _office(tmp_path)
    office.store.revoke(office.store.sm2_certificate(Sm2Role.SEAL_SIGNER),
                        reason=x509.ReasonFlags.key_compromise, now=NOW - timedelta(hours=2))
    ofd = _sealed(office, NOW - timedelta(hours=1))
    verdict = verify_licence_ofd(ofd, load_trust(office.publish(NOW)), now=NOW)
    assert verdict.indication is Indication.FAILED
    view = verdict_view(verdict, checked_at=NOW)
    assert "revoked" in _english(view), view.reasons
    assert TAMPERED_EN not in _english(view)
    assert any("吊销" in reason.zh for reason in view.reasons)


def test_an_unconfirmable_seal_revocation_is_said_so(tmp_path: Path) -> None:
    office = _office(tmp_path)
    ofd = _sealed(office, NOW - timedelta(hours=1))
    trust = load_trust(office.publish(NOW))
    assert verify_licence_ofd(ofd, trust, now=NOW).passed
    verdict = verify_licence_ofd(ofd, replace(trust, sm2_crls=()), now=NOW)
    assert verdict.indication is Indication.INDETERMINATE
    view = verdict_view(verdict, checked_at=NOW)
    assert "revocation list" in _english(view), view.reasons


def test_an_edited_ofd_is_still_said_to_be_changed(tmp_path: Path) -> None:
    office = _office(tmp_path)
    ofd = _sealed(office, NOW - timedelta(hours=1))
    files = dict(read_ofd(ofd).files)
    page = next(name for name in sorted(files) if name.endswith("Content.xml"))
    files[page] = files[page] + b" "
    verdict = verify_licence_ofd(write_ofd(files), load_trust(office.publish(NOW)), now=NOW)
    assert verdict.indication is Indication.FAILED
    assert TAMPERED_EN in _english(verdict_view(verdict, checked_at=NOW))
