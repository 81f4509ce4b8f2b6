"""``validate_application``: run the service's rules over the materials' results, store a
ValidationResult and move the application out of ``processing`` — to ``approved`` when the
service allows instant approval (秒批), every finding is clear and the applicant's account is
bound to the holder the ID card names (:mod:`api.workflow.holders`), else to ``needs_review``
with the reason in the result's ``instant`` entry. A verified e-licence of a person handed in
binds an unbound account to its holder here.

The evidence (:func:`api.workflow.evidence.gather_evidence`, which the applicant's preview uses
too): each material's OCR result (or, for a material handed in as a signed e-licence, the
verified licence's fields at confidence 1.0; a licence that did not verify contributes no
fields and an error finding), the portrait checks, and the applicant's corrections, which win
over what was read but always send the application to a clerk.

The state change is the idempotency guard: the result row and the state change (with its audit
entry) commit together, under a write lock on the application row, and only while it is still
in ``processing``; a second run finds it moved on and changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from api.db import (
    Account,
    Application,
    ApplicationState,
    ValidationResult,
    change_state,
)
from api.jobs.context import JobContext
from api.jobs.materials import crash_test_pause, material_done
from api.jobs.outcome import JobOutcome
from api.workflow.evidence import gather_evidence
from api.workflow.holders import InstantCode, bind_from_digest, instant_refusal, refusal
from api.workflow.issuing import Reservation, finish_licence, reserve_licence
from core import ZhengzhaoError
from verify.forms import Service, validate

log = logging.getLogger(__name__)

# The reasons written into the audit entry of the state change (codes, not prose).
REASON_AUTO_APPROVED = "validation:auto_approved"
REASON_NEEDS_REVIEW = "validation:needs_review"
REASON_UNKNOWN_SERVICE = "validation:unknown_service"
REASON_INSTANT_REFUSED = "validation:instant_refused"
# The key of the 秒批 refusal (code and messages) in the stored validation result.
INSTANT_KEY = "instant"


def validate_application(ctx: JobContext, application_id: int) -> JobOutcome:
    """Validate a ``processing`` application whose materials all have their results."""
    with ctx.db.transaction(read_only=True) as session:
        application = session.get(Application, application_id)
        if application is None:
            return JobOutcome.NOT_FOUND
        if application.state is not ApplicationState.PROCESSING:
            return _not_processing(application.state)
        service = ctx.service(application.service_id)
        materials = list(application.materials)
        if not all(material_done(session, m, service) for m in materials):
            return JobOutcome.NOT_READY
        evidence = gather_evidence(session, application)
    fields: dict[str, str] = {}
    if service is None:
        result: dict[str, Any] = {"error": {"code": "service.not_found"}}
        passed, target, reason = False, ApplicationState.NEEDS_REVIEW, REASON_UNKNOWN_SERVICE
    else:
        report = validate(service, evidence.documents, today=ctx.today(),
                          min_field_confidence=ctx.settings.min_field_confidence,
                          photos=evidence.photos, corrections=evidence.corrections,
                          licences=evidence.licences)
        result, passed = report.to_dict(), report.ok
        fields = {f.ref: f.value for f in report.fields if f.value}
        if report.auto_approvable:
            target, reason = ApplicationState.APPROVED, REASON_AUTO_APPROVED
        else:
            target, reason = ApplicationState.NEEDS_REVIEW, REASON_NEEDS_REVIEW
            if service.auto_approve is not None:
                result[INSTANT_KEY] = refusal(InstantCode.FINDINGS).to_dict()
    crash_test_pause("validate_application", application_id)
    with ctx.db.transaction() as session:
        application = session.scalars(select(Application).where(Application.id == application_id)
                                      .with_for_update()).one_or_none()
        if application is None:
            return JobOutcome.NOT_FOUND
        if application.state is not ApplicationState.PROCESSING:
            return _not_processing(application.state)
        account = session.get(Account, application.applicant_id)
        assert account is not None  # applications reference their account
        for digest, masked in evidence.holders:
            bind_from_digest(session, account, digest, masked)
        if target is ApplicationState.APPROVED and service is not None:
            # 秒批 issues only to the holder's own account, never a second live licence.
            refused = instant_refusal(session, account, service, application_id, fields,
                                      ctx.today())
            if refused is not None:
                result = {**result, INSTANT_KEY: refused.to_dict()}
                target, reason = (ApplicationState.NEEDS_REVIEW,
                                  f"{REASON_INSTANT_REFUSED}:{refused.code.value}")
        row = ValidationResult(application_id=application_id, passed=passed, result=result)
        session.add(row)
        reservation = None
        if target is ApplicationState.APPROVED:
            target, reservation = _approve_instantly(ctx, session, application, service, row)
        else:
            change_state(session, application, target, actor_id=None, reason=reason)
    if reservation is not None:
        target = _issue_reserved(ctx, reservation)
    log.info("application %s validated: %s", application_id, target.value)
    return JobOutcome.APPLIED


def _approve_instantly(ctx: JobContext, session: Any, application: Application,
                       service: Service | None, row: ValidationResult
                       ) -> tuple[ApplicationState, Reservation | None]:
    """秒批: approve and reserve the licence in the validation's transaction (signing follows
    once it has committed, :func:`_issue_reserved`). A service that issues no licence stops at
    ``approved``; if the licence cannot be built (a field it needs is missing, say), the
    application goes to a clerk instead and the audit log says why."""
    if service is None or service.licence is None:
        change_state(session, application, ApplicationState.APPROVED, actor_id=None,
                     reason=REASON_AUTO_APPROVED)
        return ApplicationState.APPROVED, None
    try:
        with session.begin_nested():
            change_state(session, application, ApplicationState.APPROVED, actor_id=None,
                         reason=REASON_AUTO_APPROVED)
            reservation = reserve_licence(ctx.workflow, session, application)
        return ApplicationState.APPROVED, reservation
    except ZhengzhaoError as exc:
        log.warning("instant issue of application %s failed: %s", application.id,
                    exc.code.value)
        session.refresh(application)
        row.result = {**row.result, INSTANT_KEY: refusal(InstantCode.ISSUE_FAILED,
                                                         exc.code.value).to_dict()}
        change_state(session, application, ApplicationState.NEEDS_REVIEW, actor_id=None,
                     reason=f"{REASON_AUTO_APPROVED}:issue_failed:{exc.code.value}")
        return ApplicationState.NEEDS_REVIEW, None


def _issue_reserved(ctx: JobContext, reservation: Reservation) -> ApplicationState:
    """Sign and record the reserved licence, outside the validation's lock. A failure here
    (the keys, say) leaves the application ``approved`` with its reservation; the recovery
    sweep finishes it (:func:`api.workflow.issuing.finish_pending_licences`)."""
    try:
        finish_licence(ctx.workflow, reservation, actor_id=None)
    except ZhengzhaoError as exc:
        log.warning("issuing the licence of application %s failed, the sweep retries: %s",
                    reservation.application_id, exc.code.value)
        return ApplicationState.APPROVED
    return ApplicationState.ISSUED


def _not_processing(state: ApplicationState) -> JobOutcome:
    # Past processing means an earlier run (or a clerk) moved it on; before it, not yet due.
    if state in (ApplicationState.DRAFT, ApplicationState.SUBMITTED):
        return JobOutcome.NOT_READY
    return JobOutcome.ALREADY_DONE
