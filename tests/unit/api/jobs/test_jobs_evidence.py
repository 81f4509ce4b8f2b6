"""The applicant's preview and the validation job judge the same evidence
(``api.workflow.evidence.gather_evidence``), on SQLite and PostgreSQL: with an e-licence handed
in — verified, tampered, revoked, or from an office nobody imported — the preview shows the
findings the job's verdict then has, the licence's own finding included. (The preview used to
leave out the e-licences that did not verify, so it said nothing of a forged licence the job
then refused.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from elicence_builders import (  # a sibling module
    NOW,
    USCC,
    change_application,
    company_licence,
    flip,
    other_office,
    our_office,
)
from sqlalchemy import select

from api.db import Application, ValidationResult
from api.jobs import JobContext, JobOutcome, process_material, validate_application
from api.routes.applicant_preview import build_preview
from api.service_context import ServiceContext


def _verified(us: Any, _base: Path) -> bytes:
    return company_licence(us)


def _tampered(us: Any, _base: Path) -> bytes:
    return flip(company_licence(us))


def _revoked(us: Any, _base: Path) -> bytes:
    issued = us.issue_company(NOW, uscc=USCC, holder="西安德润建筑工程有限公司",
                              representative="段海")
    us.revoke(issued.licence.identifier, NOW)
    return issued.pdf


def _not_imported(_us: Any, base: Path) -> bytes:
    return company_licence(other_office(base / "other"))


LICENCES: dict[str, tuple[Callable[[Any, Path], bytes], str]] = {
    "verified": (_verified, "licence.verified"),
    "tampered": (_tampered, "licence.forged"),
    "revoked": (_revoked, "licence.revoked"),
    "not-imported": (_not_imported, "licence.untrusted_issuer"),
}


def _finding(code: str, severity: str, material: str | None, field: str | None
             ) -> tuple[str, str, str, str]:
    return code, severity, material or "", field or ""


@pytest.mark.parametrize("case", list(LICENCES))
def test_the_preview_shows_the_findings_of_the_jobs_verdict(
        case: str, context: JobContext, tmp_path: Path) -> None:
    make, outcome = LICENCES[case]
    us = our_office(context.settings, tmp_path / "us")
    app_id, licence_id = change_application(context.db, context.store, make(us, tmp_path))
    assert process_material(context, licence_id) is JobOutcome.APPLIED
    service = ServiceContext(context.settings, db=context.db, store=context.store,
                             catalog=context.catalog)
    with context.db.transaction(read_only=True) as session:
        application = session.get(Application, app_id)
        assert application is not None
        preview = build_preview(service, session, application)
    assert validate_application(context, app_id) is JobOutcome.APPLIED
    with context.db.transaction(read_only=True) as session:
        verdict = session.scalars(select(ValidationResult.result).where(
            ValidationResult.application_id == app_id)).one()

    job = {_finding(f["code"], f["severity"], f["material"], f["field"])
           for f in verdict["findings"]}
    shown = {_finding(f.code, f.severity, f.material, f.field) for f in preview.findings}
    assert shown == job, (case, shown ^ job)
    assert preview.verdict == verdict["verdict"]
    assert preview.pending == []
    licence_codes = {code for code, _, material, _ in job if material == "licence"}
    if outcome == "licence.verified":
        assert not licence_codes & {o for _, o in LICENCES.values()}
    else:
        # The licence's own finding: the one the preview used to leave out.
        assert outcome in licence_codes, licence_codes
