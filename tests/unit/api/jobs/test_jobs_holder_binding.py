"""The jobs' side of 秒批 identity (issue 11, finding 6) and of the job deadline (finding 7).

A verified e-licence of a person, handed in as a material (零原件), binds the unbound applicant's
account to its holder (the signed ``licence.json`` carries the full number; only its digest is
kept) and the application may then be approved instantly. The same licence in another
account's hands binds nothing (the holder is bound already) and goes to a clerk with
``instant.holder_unbound``. Unbound owners of the sample applications get the reason too. A job
running past ``job_deadline_seconds`` fails with ``jobs.timeout``."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from elicence_builders import our_office  # a sibling module
from jobs_builders import SAMPLE_DAY, make_application  # a sibling module
from sqlalchemy import select

from api.db import (
    Account,
    Application,
    ApplicationState,
    Database,
    Material,
    Role,
    ValidationResult,
    add_material,
    change_state,
)
from api.jobs import JobContext, JobOutcome, process_material, validate_application
from api.storage import FileStore
from core import Settings
from elicense import FileRegistry, issue_licence, load_licence, load_templates

ROOT = Path(__file__).resolve().parents[4]
RECORDS = ROOT / "samples" / "licences"
HOLDER = "430102199003071269"  # residence_permit.json's holder
# A service that takes the person's e-licence (the demo 居住证, type 903) as its ID card.
SERVICE = """
id: elicence-holder-test
name: 电子证照持证人测试
materials:
  - id: id_front
    kind: id_card_front
    name: 居民身份证（人像面）
    fields:
      - {id: name, rules: [required]}
      - {id: id_number, rules: [required, id_number]}
    elicence:
      type_codes: ["111000000000002892903"]
      fields: {name: holder, id_number: holder_code}
auto_approve:
  min_confidence: 0.95
"""


@pytest.fixture
def ctx(tmp_path: Path, db: Database, job_settings: Settings) -> Iterator[JobContext]:
    services = tmp_path / "services"
    services.mkdir()
    (services / "elicence-holder-test.yaml").write_text(SERVICE, "utf-8")
    settings = job_settings.model_copy(update={"services_dir": services})

    def no_reader(_settings: Settings) -> Any:
        raise AssertionError("an e-licence is verified, not OCR'd")

    context = JobContext(settings, db, FileStore(settings.resolved_storage_dir),
                         reader_factory=no_reader, today=lambda: SAMPLE_DAY)
    yield context
    context.close()


def _personal_licence(ctx: JobContext, base: Path) -> bytes:
    office = our_office(ctx.settings, base)
    licence = load_licence(RECORDS / "residence_permit.json")
    template = load_templates().get(licence.type_code)
    return issue_licence(licence, template, photo=(RECORDS / "holder_photo.jpg").read_bytes(),
                         store=office.store, registry=FileRegistry(base / "register"),
                         issuer_code=ctx.settings.issuer_code,
                         published_dir=office.published).pdf


def _apply(ctx: JobContext, pdf: bytes) -> tuple[int, int, int]:
    """An unbound account's processing application with the licence as its ID card."""
    with ctx.db.transaction() as session:
        owner = Account(username=f"u{secrets.token_hex(4)}", role=Role.APPLICANT,
                        password_hash="unused")
        session.add(owner)
        session.flush()
        application = Application(service_id="elicence-holder-test", applicant_id=owner.id)
        session.add(application)
        session.flush()
        material = add_material(session, ctx.store, application, "id_front", pdf,
                                "application/pdf", actor_id=owner.id)
        for target in (ApplicationState.SUBMITTED, ApplicationState.PROCESSING):
            change_state(session, application, target, actor_id=owner.id)
        return owner.id, application.id, material.id


def _outcome(ctx: JobContext, app_id: int) -> tuple[ApplicationState, dict[str, Any]]:
    with ctx.db.transaction(read_only=True) as session:
        application = session.get(Application, app_id)
        assert application is not None
        result = session.scalars(select(ValidationResult).where(
            ValidationResult.application_id == app_id)).one().result
        return application.state, result


def test_a_persons_e_licence_binds_the_account_once(ctx: JobContext, tmp_path: Path) -> None:
    pdf = _personal_licence(ctx, tmp_path / "office")
    first_owner, first_app, material_id = _apply(ctx, pdf)
    assert process_material(ctx, material_id) is JobOutcome.APPLIED
    with ctx.db.transaction(read_only=True) as session:
        material = session.scalars(select(Material).where(Material.id == material_id)).one()
        summary = material.ocr_result["elicence"]
    assert summary["code"] == "licence.verified"
    assert HOLDER not in json.dumps(summary)  # the digest and the masked form only
    assert validate_application(ctx, first_app) is JobOutcome.APPLIED
    state, result = _outcome(ctx, first_app)
    assert state is ApplicationState.APPROVED, result.get("instant")
    with ctx.db.transaction(read_only=True) as session:
        owner = session.get(Account, first_owner)
        assert owner is not None and owner.holder_bound_via == "e_licence"
        assert owner.holder_id_masked == "4****************9"

    # The same PDF in another account's hands: the holder is bound already.
    second_owner, second_app, second_material = _apply(ctx, pdf)
    assert process_material(ctx, second_material) is JobOutcome.APPLIED
    assert validate_application(ctx, second_app) is JobOutcome.APPLIED
    state, result = _outcome(ctx, second_app)
    assert state is ApplicationState.NEEDS_REVIEW
    assert result["instant"]["code"] == "instant.holder_unbound"
    with ctx.db.transaction(read_only=True) as session:
        second = session.get(Account, second_owner)
        assert second is not None and second.holder_id_sha256 is None


def test_an_unbound_owner_gets_the_reason(ctx: JobContext) -> None:
    app = make_application(ctx.db, ctx.store, bound=False)
    assert validate_application(ctx, app.id) is JobOutcome.APPLIED
    state, result = _outcome(ctx, app.id)
    assert state is ApplicationState.NEEDS_REVIEW
    assert result["auto_approvable"] is True
    assert result["instant"]["code"] == "instant.holder_unbound"


class _Empty:
    def to_dict(self) -> dict[str, Any]:
        return {"fields": {}}


def test_a_job_past_its_deadline_fails_with_a_stable_code(db: Database, store: FileStore,
                                                          job_settings: Settings) -> None:
    settings = job_settings.model_copy(update={"job_deadline_seconds": 0.1})

    class Reader:
        """Stands in for an OCR that takes too long (what is tested is the deadline)."""

        def read_bytes(self, data: bytes, filename: str) -> Any:
            time.sleep(0.3)
            return _Empty()

    context = JobContext(settings, db, store, reader_factory=lambda _s: Reader(),
                         today=lambda: SAMPLE_DAY)
    try:
        app = make_application(db, store, confidence=None)
        outcome = process_material(context, app.material_ids[0])
        assert outcome is JobOutcome.APPLIED
        with db.transaction(read_only=True) as session:
            material = session.scalars(select(Application).where(
                Application.id == app.id)).one().materials[0]
            assert material.ocr_result is not None
            assert material.ocr_result["error"]["code"] == "jobs.timeout"
            assert material.ocr_result["error"]["message_zh"]
    finally:
        context.close()
