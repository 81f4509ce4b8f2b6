"""The tables, as SQLAlchemy 2 typed declarative models.

Enums are stored as short strings (``native_enum=False``) so SQLite and PostgreSQL hold the same
values and a new member needs no ``ALTER TYPE``. Personal data stays out of the columns that are
logged or audited: materials are referenced by SHA-256, licences keep the masked holder code.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum as PyEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from api.db.states import ApplicationState, ReviewDecision, Role
from elicense import LicenceStatus

# Stable constraint names, so Alembic can alter them on both backends.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def _enum(cls: type[PyEnum]) -> Enum:
    return Enum(cls, native_enum=False, length=32, validate_strings=True,
                values_callable=lambda members: [m.value for m in members])


class Base(DeclarativeBase):
    """The declarative base; ``Base.metadata`` is what the migrations must match."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON}


class Account(Base):
    """A person who signs in: an applicant, a clerk or an admin."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id, PHC string
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The holder this account is bound to (秒批 issues automatically only to the holder's own
    # account). Never the ID number itself: its SHA-256 and the masked form shown to people.
    holder_id_sha256: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    holder_id_masked: Mapped[str | None] = mapped_column(String(32), default=None)
    holder_bound_via: Mapped[str | None] = mapped_column(String(32), default=None)
    holder_bound_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), default=None)


class AuthSession(Base):
    """A signed-in session (a bearer token or a web cookie): the token's ``jti`` names it, and a
    token whose session is revoked (logout, password change, deactivation) or gone is refused."""

    __tablename__ = "auth_sessions"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class LoginThrottle(Base):
    """Failed sign-ins counted per key (``account:<name>`` or ``client:<tag>``), with the time
    before which the next attempt is refused (exponential back-off)."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Application(Base):
    """One application (办件) for one service, by one applicant."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[str] = mapped_column(String(64), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    state: Mapped[ApplicationState] = mapped_column(
        _enum(ApplicationState), default=ApplicationState.DRAFT, index=True)
    # Field values the applicant corrected by hand, by field id (they win over OCR).
    corrected_fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    materials: Mapped[list[Material]] = relationship(
        back_populates="application", order_by="Material.id")
    reviews: Mapped[list[Review]] = relationship(order_by="Review.id")


class Material(Base):
    """An uploaded material: its bytes live once in the file store under ``sha256``."""

    __tablename__ = "materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    material_type: Mapped[str] = mapped_column(String(64))  # the service's material id
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content_type: Mapped[str] = mapped_column(String(100))  # sniffed, not the client's word
    size: Mapped[int] = mapped_column(Integer)
    ocr_result: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    application: Mapped[Application] = relationship(back_populates="materials")


class PhotoCheck(Base):
    """The outcome of ``verify.photo.check_photo`` on a material, and the fixed photo if any."""

    __tablename__ = "photo_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(
        ForeignKey("materials.id", ondelete="CASCADE"), index=True)
    profile: Mapped[str] = mapped_column(String(64))
    passed: Mapped[bool] = mapped_column(Boolean)
    result: Mapped[dict[str, Any]] = mapped_column()
    fixed_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ValidationResult(Base):
    """The outcome of ``verify.forms.validate`` on an application's materials."""

    __tablename__ = "validation_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    passed: Mapped[bool] = mapped_column(Boolean)
    result: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Review(Base):
    """A clerk's decision on an application: who, when, what, and why."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    decision: Mapped[ReviewDecision] = mapped_column(_enum(ReviewDecision))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LicenceRecord(Base):
    """An issued e-licence as the register keeps it (the fields of ``elicense.RegistryEntry``)."""

    __tablename__ = "licences"

    identifier: Mapped[str] = mapped_column(String(128), primary_key=True)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id"), default=None, index=True)
    type_code: Mapped[str] = mapped_column(String(64))
    holder_code_masked: Mapped[str] = mapped_column(String(64))
    # The SHA-256 of the resident ID number of the person it was issued to (the application's
    # ID card), so a second live licence for the same person and service goes to a clerk.
    holder_id_sha256: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    status_index: Mapped[int] = mapped_column(Integer, unique=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64), index=True)
    # The sealed OFD issued beside the PDF when the service's ``licence.formats`` asks for it.
    ofd_sha256: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    kid: Mapped[str] = mapped_column(String(128))
    issued_at: Mapped[str] = mapped_column(String(40))  # ISO 8601 as elicense wrote it
    valid_until: Mapped[str | None] = mapped_column(String(10), default=None)
    status: Mapped[LicenceStatus] = mapped_column(
        _enum(LicenceStatus), default=LicenceStatus.VALID, index=True)
    revoked_at: Mapped[str | None] = mapped_column(String(40), default=None)
    reason: Mapped[str | None] = mapped_column(String(200), default=None)


class StatusIndexReservation(Base):
    """A status-list index handed out by ``reserve_index`` and not yet used by a licence.

    When an application's licence is being issued (``api.workflow.issuing``: reserve, sign,
    commit) the row is also the issuing marker: the application (at most one reservation per
    application, the idempotency key), the licence identifier and the time the licence is
    signed at, so a retry after a crash signs the same licence again. The commit that writes
    the licence row deletes the reservation."""

    __tablename__ = "status_index_reservations"

    status_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    reserved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id"), default=None, unique=True)
    identifier: Mapped[str | None] = mapped_column(String(128), default=None)
    issued_at: Mapped[str | None] = mapped_column(String(40), default=None)  # ISO 8601


class AuditEntry(Base):
    """One row of the append-only audit log; ``entry_hash`` chains it to the row before."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC, exactly as hashed
    actor_id: Mapped[int | None] = mapped_column(Integer, default=None)
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(128))  # ids only
    details: Mapped[str] = mapped_column(Text)  # canonical JSON, exactly as hashed
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
