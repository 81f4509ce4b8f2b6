"""Builders for the ``api.jobs`` tests: sample applications whose materials carry the sample
set's values as OCR results, and a way to run queued tasks in the test's thread."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from huey import Huey
from sqlalchemy.orm import Session

from api.db import (
    Account,
    Application,
    ApplicationState,
    Database,
    Role,
    add_material,
    change_state,
)
from api.storage import FileStore
from api.workflow.holders import BindingVia, bind_holder

ROOT = Path(__file__).resolve().parents[4]
SAMPLES = ROOT / "samples" / "documents"
REDIS_URL = "redis://127.0.0.1:6379/0"
# The sample generator's reference day: every sample case is current on it.
SAMPLE_DAY = date(2025, 6, 30)
# Sample case 2 is a legal-representative change, a service that allows instant approval.
AUTO_APPROVE_CASE, AUTO_APPROVE_SERVICE = 2, "legal-representative-change"


def truth_as_ocr(truth: dict[str, Any], confidence: float) -> dict[str, Any]:
    """A sample truth file as the JSON the OCR reader produces (forms get their title line)."""
    title = truth.get("extra", {}).get("title")
    lines = [{"text": title, "score": 0.99, "box": [[0, 0], [1, 0], [1, 1], [0, 1]], "page": 0}]
    return {
        "schema_version": 1, "file": truth["file"], "doc_type": truth["doc_type"], "pages": 1,
        "fields": {k: {"value": v, "confidence": confidence, "box": None}
                   for k, v in truth["fields"].items()},
        "checkboxes": dict(truth["checkboxes"]), "warnings": [],
        "lines": lines if title else [], "timings": {},
    }


def case_truths(case: int) -> list[dict[str, Any]]:
    paths = [p for i in range(case * 4, case * 4 + 4)
             for p in sorted(SAMPLES.glob(f"{i:04d}_*.json"))]
    return [json.loads(p.read_text("utf-8")) for p in paths]


@dataclass
class SampleApp:
    id: int
    material_ids: list[int]


def bind_to_case_holder(session: Session, owner: Account, case: int) -> None:
    """Bind ``owner`` to the person whose ID card sample case ``case`` holds (as an admin
    would), so 秒批 may issue to it."""
    number = next(t["fields"]["id_number"] for t in case_truths(case)
                  if t["doc_type"] == "id_card_front")
    bind_holder(session, owner, number, via=BindingVia.ADMIN, actor_id=None)


def make_application(db: Database, store: FileStore, *, case: int = AUTO_APPROVE_CASE,
                     service_id: str = AUTO_APPROVE_SERVICE, confidence: float | None = 0.99,
                     state: ApplicationState = ApplicationState.PROCESSING,
                     bound: bool = True) -> SampleApp:
    """An application with the four materials of a sample case; with ``confidence`` each
    already holds its OCR result (the truth values read with that confidence). Its owner is
    bound to the case's ID card holder unless ``bound`` is false."""
    with db.transaction() as session:
        owner = Account(username=f"u{secrets.token_hex(4)}", role=Role.APPLICANT,
                        password_hash="unused")
        session.add(owner)
        session.flush()
        if bound:
            bind_to_case_holder(session, owner, case)
        application = Application(service_id=service_id, applicant_id=owner.id)
        session.add(application)
        session.flush()
        ids = []
        for truth in case_truths(case):
            image = (SAMPLES / truth["file"]).read_bytes()
            content_type = "application/pdf" if truth["file"].endswith(".pdf") else "image/jpeg"
            material = add_material(session, store, application, truth["doc_type"], image,
                                    content_type, actor_id=owner.id)
            if confidence is not None:
                material.ocr_result = truth_as_ocr(truth, confidence)
            ids.append(material.id)
        for target in (ApplicationState.SUBMITTED, ApplicationState.PROCESSING):
            if application.state is not state:
                change_state(session, application, target, actor_id=owner.id)
        return SampleApp(application.id, ids)


def drain(huey: Huey, limit: int = 100) -> int:
    """Run every queued task in this thread, including those the tasks enqueue."""
    ran = 0
    while huey.pending_count():
        task = huey.dequeue()
        if task is not None:
            huey.execute(task)
            ran += 1
        assert ran < limit, "the tasks keep enqueueing each other"
    return ran
