"""Request and response bodies of the applicant, clerk and admin API: separate input
(``...Create`` / ``...Request``) and output (``...Public``) models, so nothing a client sends can
set a server-side column and nothing internal leaks out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.db import ApplicationState, ReviewDecision


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- input ---


class ApplicationCreate(_Input):
    """Start an application (draft) for a service."""

    service_id: str = Field(min_length=1, max_length=64)


class FieldCorrection(_Input):
    """The applicant's own value for a field, by ``<material id>.<field id>`` (e.g.
    ``form.phone``); it wins over what OCR read."""

    field: str = Field(min_length=3, max_length=129, pattern=r"^[a-z0-9_]+\.[a-z0-9_]+$")
    value: str = Field(max_length=500)


class ReviewRequest(_Input):
    """A clerk's decision with a comment (kept in the review, never in the audit log)."""

    decision: ReviewDecision
    comment: str = Field(default="", max_length=2000)


class RevokeRequest(_Input):
    """Why a licence is revoked (shown to verifiers)."""

    reason: str = Field(min_length=1, max_length=200)


class HolderBindRequest(_Input):
    """The resident ID number of the person an account belongs to (never stored or logged;
    only its SHA-256 and masked form are kept)."""

    id_number: str = Field(min_length=18, max_length=40)


# --- output ---


class MaterialSpecPublic(BaseModel):
    id: str
    kind: str
    name: str
    name_en: str | None = None
    required: bool


class ServicePublic(BaseModel):
    id: str
    name: str
    name_en: str | None = None
    description: str | None = None
    time_limit_days: int | None = None  # 承诺办结时限, working days
    auto_approve: bool
    materials: list[MaterialSpecPublic]


class FieldPublic(BaseModel):
    value: str
    confidence: float
    source: str | None = None  # "elicence": read from a verified e-licence, not by OCR


class ElicencePublic(BaseModel):
    """A material handed in as a signed e-licence, as verified: ``code`` is the outcome
    (``licence.verified``, ``licence.forged``, ``licence.revoked``, ``licence.untrusted_issuer``
    ...), the holder code masked."""

    code: str
    verified: bool
    indication: str | None = None
    sub_indication: str | None = None
    issuer_code: str | None = None
    issuer_name: str | None = None
    identifier: str | None = None
    type_code: str | None = None
    name: str | None = None
    holder: str | None = None
    holder_code_masked: str | None = None
    valid_until: str | None = None
    status: str


class MaterialPublic(BaseModel):
    id: int
    material_type: str
    content_type: str
    size: int
    sha256: str
    processed: bool
    fields: dict[str, FieldPublic] = {}
    error: dict[str, Any] | None = None
    photo_check: dict[str, Any] | None = None
    elicence: ElicencePublic | None = None


class ReviewPublic(BaseModel):
    decision: ReviewDecision
    comment: str
    created_at: datetime


class LicencePublic(BaseModel):
    identifier: str
    status: str
    issued_at: str
    valid_until: str | None = None
    revoked_at: str | None = None
    reason: str | None = None  # why it was revoked (what verifiers are told too)
    # The files it can be downloaded as: ``pdf`` always, ``ofd`` when the service issued the
    # sealed OFD as well (``GET /applications/{id}/licence.pdf`` / ``licence.ofd``).
    formats: list[str] = ["pdf"]


class ApplicationPublic(BaseModel):
    id: int
    service_id: str
    state: ApplicationState
    created_at: datetime
    updated_at: datetime
    materials: list[MaterialPublic] = []
    corrected_fields: dict[str, str] = {}
    validation: dict[str, Any] | None = None
    validation_passed: bool | None = None
    reviews: list[ReviewPublic] = []
    licence: LicencePublic | None = None


class ApplicationSummary(BaseModel):
    id: int
    service_id: str
    state: ApplicationState
    updated_at: datetime
    created_at: datetime | None = None
    # The issued licence's state (``valid`` / ``revoked`` / ``expired``), when there is one: a
    # revoked or expired licence must not read as "issued" in the applicant's list.
    licence_status: str | None = None


class AuditEntryPublic(BaseModel):
    seq: int
    at: str
    actor_id: int | None
    action: str
    subject_type: str
    subject_id: str
    details: dict[str, Any]
    entry_hash: str


class ChainVerdictPublic(BaseModel):
    intact: bool
    entries: int
    head_hash: str | None
    first_bad_seq: int | None
    problem: str | None


class KeyRotatedPublic(BaseModel):
    kid: str


class HolderBindingPublic(BaseModel):
    """The holder an account is bound to: masked, how and when (``None`` when unbound)."""

    username: str
    holder_id_masked: str | None
    bound_via: str | None
    bound_at: datetime | None


class TrustedIssuerPublic(BaseModel):
    """Another office whose licences this office verifies (an imported trust folder)."""

    code: str
    name_zh: str
    name_en: str
    jurisdiction_code: str
    demo: bool
    keys: int
    trust_list_issued_at: str
    status_list_issued_at: str | None = None
