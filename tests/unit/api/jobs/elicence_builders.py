"""Builders for the e-licence job tests: this office (its keys and published folder where the
service's settings put them) and another office, both issuing real signed licences (the
issuing helpers live with the elicense tests, ``tests/unit/elicense/trust_offices.py``), and a
legal-representative change whose ``licence`` material is an uploaded PDF."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import trust_offices as offices  # tests/unit/elicense/trust_offices.py (tests/conftest.py)
from jobs_builders import (  # a sibling module
    ROOT,
    SAMPLES,
    bind_to_case_holder,
    case_truths,
    truth_as_ocr,
)

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
from core import Settings, key_passphrase_of

Office, OTHER, flip, zipped = offices.Office, offices.OTHER, offices.flip, offices.zipped
__all__ = ["ANOTHER_USCC", "NOW", "OTHER", "ROOT", "USCC", "change_application",
           "company_licence", "flip", "other_office", "our_office", "sample_application",
           "zipped"]
NOW = datetime.now(UTC).replace(microsecond=0)
MADE = NOW - timedelta(days=1)
# Sample case 2: the company, its credit code and the representative being replaced.
CASE = 2
USCC, COMPANY_NAME, REPRESENTATIVE = "91610113MA26Y1127U", "西安德润建筑工程有限公司", "段海"
ANOTHER_USCC = "91110105MA0000C38Y"
_MATERIAL_IDS = {"id_card_front": "id_front", "id_card_back": "id_back", "form": "form"}


def our_office(settings: Settings, base: Path) -> Any:
    """This office, keys and published folder where ``settings`` put them."""
    return Office(base, settings.issuer_code, settings.issuer_name, MADE,
                  keys=settings.resolved_keys_dir, passphrase=key_passphrase_of(settings),
                  published=settings.data_dir / "published")


def other_office(base: Path) -> Any:
    return Office(base, *OTHER, MADE)


def company_licence(office: Any, uscc: str = USCC) -> bytes:
    return office.issue_company(NOW - timedelta(minutes=30), uscc=uscc, holder=COMPANY_NAME,
                                representative=REPRESENTATIVE).pdf


def change_application(db: Database, store: FileStore, licence_pdf: bytes, *,
                       corrections: dict[str, str] | None = None) -> tuple[int, int]:
    """A processing legal-representative change: ID card and form read (sample case 2 at
    confidence 0.99), the licence an uploaded PDF not yet processed. Returns the ids of the
    application and of the licence material."""
    return sample_application(db, store, CASE, "legal-representative-change",
                              licence_pdf=licence_pdf, corrections=corrections)


def sample_application(db: Database, store: FileStore, case: int, service_id: str, *,
                       licence_pdf: bytes | None = None,
                       corrections: dict[str, str] | None = None) -> tuple[int, int]:
    """A processing application of ``service_id`` with sample case ``case``'s ID card and
    form, read at confidence 0.99 (material ids as the services name them), and optionally
    an unprocessed ``licence`` PDF. Returns the application's id and the licence material's
    (0 without one)."""
    with db.transaction() as session:
        owner = Account(username=f"u{secrets.token_hex(4)}", role=Role.APPLICANT,
                        password_hash="unused")
        session.add(owner)
        session.flush()
        bind_to_case_holder(session, owner, case)  # the ID card's holder applies
        application = Application(service_id=service_id, applicant_id=owner.id,
                                  corrected_fields=corrections or {})
        session.add(application)
        session.flush()
        for truth in case_truths(case):
            if truth["doc_type"] not in _MATERIAL_IDS:
                continue
            data = (SAMPLES / truth["file"]).read_bytes()
            kind = "application/pdf" if truth["file"].endswith(".pdf") else "image/jpeg"
            material = add_material(session, store, application,
                                    _MATERIAL_IDS[truth["doc_type"]], data, kind,
                                    actor_id=owner.id)
            material.ocr_result = truth_as_ocr(truth, 0.99)
        licence_id = 0
        if licence_pdf is not None:
            licence_id = add_material(session, store, application, "licence", licence_pdf,
                                      "application/pdf", actor_id=owner.id).id
        for target in (ApplicationState.SUBMITTED, ApplicationState.PROCESSING):
            change_state(session, application, target, actor_id=owner.id)
        return application.id, licence_id
