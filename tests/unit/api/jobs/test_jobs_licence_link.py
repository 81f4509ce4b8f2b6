"""An application's licence as the office issues it (``api.workflow.issuing``) carries a QR
code that links to the office's verification page when ``ZZ_PUBLIC_URL`` is set (issue 13,
item 3), is the 居民身份证换领受理凭证 for an ID card renewal (item 6), and the ``/v`` page can show
its holder photo from the signed PDF the office keeps, checked against the token's hash
(item 9)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import cv2
import numpy as np
import pypdfium2
import pytest
from elicence_builders import NOW, our_office, sample_application  # a sibling module
from sqlalchemy import select

from api.db import (
    Account,
    Application,
    ApplicationState,
    LicenceRecord,
    ReviewDecision,
    Role,
    record_review,
)
from api.jobs import JobContext, validate_application
from api.workflow.issuing import finish_licence, reserve_licence
from api.workflow.verdict_view import photo_on_file
from core import Settings
from elicense import licence_attachment, load_trust, verify_licence_pdf, verify_licence_token

PUBLIC_URL = "https://zz.example.gov.cn"


@pytest.fixture
def job_settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data", public_url=PUBLIC_URL)


def qr_of(pdf: bytes) -> str:
    """The page's QR code, read at a few resolutions with both of OpenCV's detectors."""
    page = pypdfium2.PdfDocument(pdf)[0]
    for scale in (2, 3, 4):
        image = np.asarray(page.render(scale=scale).to_pil().convert("L"))
        for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
            text, _points, _raw = detector.detectAndDecode(image)
            if text:
                return text
    return ""


def test_a_renewal_is_issued_with_a_link_and_its_photo_on_file(context: JobContext,
                                                               tmp_path: Path) -> None:
    our_office(context.settings, tmp_path / "us")
    app_id, _ = sample_application(context.db, context.store, 1, "id-card-renewal")
    validate_application(context, app_id)
    with context.db.transaction() as session:
        application = session.get(Application, app_id)
        assert application is not None
        # The business-registration form of sample case 1 fails the renewal's form rules.
        assert application.state is ApplicationState.NEEDS_REVIEW
        clerk = Account(username="clerk", role=Role.CLERK, password_hash="unused")
        session.add(clerk)
        session.flush()
        record_review(session, application, clerk.id, ReviewDecision.APPROVE)
        reservation = reserve_licence(context.workflow, session, application)
        clerk_id = clerk.id
    assert finish_licence(context.workflow, reservation, actor_id=clerk_id)
    with context.db.transaction(read_only=True) as session:
        record = session.scalars(select(LicenceRecord)
                                 .where(LicenceRecord.application_id == app_id)).one()
        pdf = context.store.get(record.pdf_sha256)
    data = licence_attachment(pdf)
    assert data is not None and data["licence"]["name"] == "居民身份证换领受理凭证"
    link = qr_of(pdf)
    assert link.startswith(PUBLIC_URL + "/v#ZZ1:")
    trust = load_trust(context.settings.resolved_published_dir)
    later = NOW + timedelta(minutes=5)
    verdict = verify_licence_token(link, trust, now=later)
    assert verdict.passed, verdict.to_dict()
    photo = photo_on_file(context.workflow, verdict)
    assert photo is not None and photo == verify_licence_pdf(pdf, trust, now=later).photo
