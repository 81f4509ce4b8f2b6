"""The jobs on materials handed in as real signed e-licences, on SQLite and PostgreSQL: our own
licence is verified (not OCR'd) and its fields feed the rules (the form's credit code must be
the licence's); another office's licence is untrusted until its trust folder is imported and
again after it is removed; a tampered or revoked licence contributes nothing and goes to a
clerk; the applicant's corrections are re-validated and never instantly approved; and a
portrait failing on its background is fixed, re-checked and stored."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from elicence_builders import (  # a sibling module
    ANOTHER_USCC,
    NOW,
    OTHER,
    ROOT,
    USCC,
    change_application,
    company_licence,
    flip,
    other_office,
    our_office,
)
from sqlalchemy import select

from api.db import Application, ApplicationState, Material, PhotoCheck, ValidationResult
from api.jobs import JobContext, JobOutcome, process_material, validate_application
from elicense import TrustStore


def run(ctx: JobContext, licence_pdf: bytes, **kwargs: Any) -> dict[str, Any]:
    """Process the licence material and validate; what the jobs stored."""
    app_id, licence_id = change_application(ctx.db, ctx.store, licence_pdf, **kwargs)
    assert process_material(ctx, licence_id) is JobOutcome.APPLIED
    assert validate_application(ctx, app_id) is JobOutcome.APPLIED
    with ctx.db.transaction(read_only=True) as session:
        material = session.get(Material, licence_id)
        application = session.get(Application, app_id)
        assert material is not None and application is not None
        validation = session.scalars(select(ValidationResult).where(
            ValidationResult.application_id == app_id)).one()
        return {"result": material.ocr_result, "state": application.state,
                "validation": validation.result,
                "codes": {f["code"] for f in validation.result["findings"]},
                "rules": {f["rule"] for f in validation.result["findings"]}}


@pytest.fixture
def us(context: JobContext, tmp_path: Path) -> Any:
    return our_office(context.settings, tmp_path / "us")


def test_our_licence_is_verified_and_its_fields_feed_the_rules(context: JobContext,
                                                               us: Any) -> None:
    out = run(context, company_licence(us))
    result = out["result"]
    assert result["doc_type"] == "business_licence" and result["source"] == "elicence"
    assert result["lines"] == []  # not OCR'd
    assert result["fields"]["uscc"] == {"value": USCC, "confidence": 1.0, "box": None,
                                        "source": "elicence"}
    assert result["fields"]["legal_representative"]["value"] == "段海"
    assert result["fields"]["term_until"]["value"] == "长期"
    summary = result["elicence"]
    assert summary["code"] == "licence.verified" and summary["status"] == "valid"
    assert summary["issuer_code"] == context.settings.issuer_code
    assert summary["indication"] == "PASSED"
    assert out["validation"]["verdict"] == "valid", out["codes"]
    assert out["state"] is ApplicationState.APPROVED  # 秒批: every field certain, rules pass


def test_a_licence_of_another_company_breaks_the_cross_rule(context: JobContext,
                                                           us: Any) -> None:
    out = run(context, company_licence(us, ANOTHER_USCC))
    assert out["result"]["elicence"]["code"] == "licence.verified"
    assert "form_uscc_matches_licence" in out["rules"] and "cross.mismatch" in out["codes"]
    assert out["state"] is ApplicationState.NEEDS_REVIEW


def test_another_offices_licence_is_trusted_only_while_imported(
        context: JobContext, us: Any, tmp_path: Path) -> None:
    other = other_office(tmp_path / "other")
    pdf = company_licence(other)
    before = run(context, pdf)
    assert before["result"]["elicence"]["code"] == "licence.untrusted_issuer"
    assert before["result"]["fields"] == {}
    assert "licence.untrusted_issuer" in before["codes"]
    assert before["state"] is ApplicationState.NEEDS_REVIEW
    store = TrustStore.for_settings(context.settings)
    store.import_path(other.published)
    after = run(context, pdf)
    assert after["result"]["elicence"]["code"] == "licence.verified"
    assert after["result"]["elicence"]["issuer_name"] == OTHER[1]
    assert after["result"]["fields"]["uscc"]["value"] == USCC
    assert after["state"] is ApplicationState.APPROVED
    store.remove(OTHER[0])
    removed = run(context, pdf)
    assert removed["result"]["elicence"]["code"] == "licence.untrusted_issuer"
    assert removed["state"] is ApplicationState.NEEDS_REVIEW


def test_a_licence_an_imported_office_signed_in_our_name_contributes_nothing(
        context: JobContext, us: Any, tmp_path: Path) -> None:
    """Issue 11 finding 2: B signs with its own keys a licence in our name (our code, an
    identifier of ours, our name); B's trust folder is imported. Untrusted, no fields, to a
    clerk, and shown under B's name, not ours."""
    other = other_office(tmp_path / "other")
    settings = context.settings
    forged = other.forge_company(NOW - timedelta(minutes=30),
                                 (settings.issuer_code, settings.issuer_name), uscc=USCC,
                                 holder="西安德润建筑工程有限公司", representative="段海")
    TrustStore.for_settings(settings).import_path(other.published)
    out = run(context, forged.pdf)
    summary = out["result"]["elicence"]
    assert summary["code"] == "licence.untrusted_issuer" and summary["verified"] is False
    assert summary["sub_indication"] == "licence.issuer_mismatch"
    assert (summary["issuer_code"], summary["issuer_name"]) == OTHER
    assert out["result"]["fields"] == {}
    assert "licence.untrusted_issuer" in out["codes"]
    assert out["state"] is ApplicationState.NEEDS_REVIEW


def test_a_tampered_licence_is_forged_and_goes_to_a_clerk(context: JobContext,
                                                         us: Any) -> None:
    out = run(context, flip(company_licence(us)))
    assert out["result"]["elicence"]["code"] == "licence.forged"
    assert out["result"]["fields"] == {}
    assert "licence.forged" in out["codes"]
    assert out["validation"]["verdict"] == "invalid"
    assert out["state"] is ApplicationState.NEEDS_REVIEW


def test_a_revoked_licence_is_revoked(context: JobContext, us: Any) -> None:
    issued = us.issue_company(NOW, uscc=USCC, holder="西安德润建筑工程有限公司",
                              representative="段海")
    us.revoke(issued.licence.identifier, NOW)
    out = run(context, issued.pdf)
    assert out["result"]["elicence"]["code"] == "licence.revoked"
    assert out["result"]["elicence"]["status"] == "revoked"
    assert "licence.revoked" in out["codes"]
    assert out["state"] is ApplicationState.NEEDS_REVIEW


def test_a_correction_is_revalidated_but_never_instantly_approved(context: JobContext,
                                                                 us: Any) -> None:
    pdf = company_licence(us, ANOTHER_USCC)
    out = run(context, pdf, corrections={"form.uscc": ANOTHER_USCC})
    assert "cross.mismatch" not in out["codes"]  # the corrected value was compared
    assert "field.corrected" in out["codes"]
    field = next(f for f in out["validation"]["fields"] if f["ref"] == "form.uscc")
    assert field["value"] == ANOTHER_USCC and field["corrected"] is True
    assert field["confidence"] == 1.0
    assert out["validation"]["verdict"] == "valid"
    assert out["validation"]["auto_approvable"] is False
    assert out["state"] is ApplicationState.NEEDS_REVIEW


@pytest.fixture(scope="module")
def grey_background_portrait(face_recognition_images: Path) -> bytes:
    """obama.jpg with everything outside the person a flat mid grey, not the white the ID-card
    profile asks for; the mask from mediapipe's SelfieSegmentation called directly."""
    import mediapipe as mp
    import numpy as np
    from PIL import Image

    with Image.open(face_recognition_images / "obama.jpg") as image:
        rgb = np.asarray(image.convert("RGB"))
    with mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=1) as segmenter:
        mask = segmenter.process(rgb).segmentation_mask
    alpha = (mask > 0.5).astype(np.float32)[..., None]
    grey = np.full_like(rgb, 128)
    out = io.BytesIO()
    Image.fromarray((alpha * rgb + (1 - alpha) * grey).astype(np.uint8)).save(
        out, format="JPEG", quality=95)
    return out.getvalue()


def office_profile(directory: Path) -> Path:
    """This office's ``cn-resident-id`` (in ``ZZ_PHOTO_PROFILES_DIR``): the bundled one, but a
    smile is left to the clerk. The sample portraits all show teeth, and the test needs one
    whose every failure is one a fix can repair (framing, background, file)."""
    directory.mkdir()
    bundled = (ROOT / "verify" / "photo" / "profiles" / "cn-resident-id.yaml").read_text("utf-8")
    assert "mouth_closed: true" in bundled
    (directory / "cn-resident-id.yaml").write_text(
        bundled.replace("mouth_closed: true", "mouth_closed: false"), "utf-8")
    return directory


def test_a_grey_background_portrait_is_fixed_and_the_fix_stored(
        context: JobContext, grey_background_portrait: bytes, tmp_path: Path) -> None:
    from jobs_builders import make_application  # noqa: PLC0415 - a sibling module

    from api.db import add_material  # noqa: PLC0415
    from verify.photo import check_photo, decode_photo, get_profile  # noqa: PLC0415

    profiles = office_profile(tmp_path / "profiles")
    context.settings = context.settings.model_copy(update={"photo_profiles_dir": profiles})

    app = make_application(context.db, context.store, case=0, service_id="id-card-renewal",
                           state=ApplicationState.SUBMITTED)
    with context.db.transaction() as session:
        application = session.get(Application, app.id)
        photo_id = add_material(session, context.store, application, "photo",
                                grey_background_portrait, "image/jpeg", actor_id=None).id
    assert process_material(context, photo_id) is JobOutcome.APPLIED
    with context.db.transaction(read_only=True) as session:
        [check] = session.scalars(select(PhotoCheck)).all()
    assert check.passed is False  # the upload itself fails: grey background
    failed = {c["check"] for c in check.result["checks"] if c["status"] == "fail"}
    assert {"background_color", "face_width"} <= failed
    assert check.fixed_sha256 is not None and check.result["fix"]["passed"] is True
    assert check.result["fix"]["sha256"] == check.fixed_sha256
    fixed = decode_photo(context.store.get(check.fixed_sha256))
    profile = get_profile("cn-resident-id", profiles)
    assert (fixed.width, fixed.height) == (profile.size.width_px, profile.size.height_px)
    assert check_photo(fixed, profile, context.analyzer).passed  # re-checked independently
