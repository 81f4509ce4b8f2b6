"""Initial schema: accounts, applications, materials, photo checks, validation results, reviews,
licences, status-index reservations and the hash-chained audit log.

Revision ID: 0001
Revises: (none)
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column(
            "role",
            sa.Enum("applicant", "clerk", "admin", name="role", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("username", name=op.f("uq_accounts_username")),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=128), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("entry_hash", name=op.f("uq_audit_log_entry_hash")),
    )
    op.create_table(
        "status_index_reservations",
        sa.Column("status_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("reserved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("status_index", name=op.f("pk_status_index_reservations")),
    )
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "submitted",
                "processing",
                "needs_review",
                "approved",
                "rejected",
                "returned_for_correction",
                "issued",
                name="applicationstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("corrected_fields", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["accounts.id"], name=op.f("fk_applications_applicant_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
    )
    op.create_index(
        op.f("ix_applications_applicant_id"), "applications", ["applicant_id"], unique=False
    )
    op.create_index(
        op.f("ix_applications_service_id"), "applications", ["service_id"], unique=False
    )
    op.create_index(op.f("ix_applications_state"), "applications", ["state"], unique=False)
    op.create_table(
        "licences",
        sa.Column("identifier", sa.String(length=128), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("type_code", sa.String(length=64), nullable=False),
        sa.Column("holder_code_masked", sa.String(length=64), nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("kid", sa.String(length=128), nullable=False),
        sa.Column("issued_at", sa.String(length=40), nullable=False),
        sa.Column("valid_until", sa.String(length=10), nullable=True),
        sa.Column(
            "status",
            sa.Enum("valid", "revoked", name="licencestatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("revoked_at", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_licences_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("identifier", name=op.f("pk_licences")),
        sa.UniqueConstraint("status_index", name=op.f("uq_licences_status_index")),
    )
    op.create_index(
        op.f("ix_licences_application_id"), "licences", ["application_id"], unique=False
    )
    op.create_index(op.f("ix_licences_pdf_sha256"), "licences", ["pdf_sha256"], unique=False)
    op.create_index(op.f("ix_licences_status"), "licences", ["status"], unique=False)
    op.create_table(
        "materials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("material_type", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("ocr_result", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_materials_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_materials")),
    )
    op.create_index(
        op.f("ix_materials_application_id"), "materials", ["application_id"], unique=False
    )
    op.create_index(op.f("ix_materials_sha256"), "materials", ["sha256"], unique=False)
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column(
            "decision",
            sa.Enum(
                "approve",
                "reject",
                "return_for_correction",
                name="reviewdecision",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_reviews_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["accounts.id"], name=op.f("fk_reviews_reviewer_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
    )
    op.create_index(op.f("ix_reviews_application_id"), "reviews", ["application_id"], unique=False)
    op.create_index(op.f("ix_reviews_reviewer_id"), "reviews", ["reviewer_id"], unique=False)
    op.create_table(
        "validation_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_validation_results_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_validation_results")),
    )
    op.create_index(
        op.f("ix_validation_results_application_id"),
        "validation_results",
        ["application_id"],
        unique=False,
    )
    op.create_table(
        "photo_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("material_id", sa.Integer(), nullable=False),
        sa.Column("profile", sa.String(length=64), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("fixed_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["material_id"],
            ["materials.id"],
            name=op.f("fk_photo_checks_material_id_materials"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photo_checks")),
    )
    op.create_index(
        op.f("ix_photo_checks_material_id"), "photo_checks", ["material_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_photo_checks_material_id"), table_name="photo_checks")
    op.drop_table("photo_checks")
    op.drop_index(op.f("ix_validation_results_application_id"), table_name="validation_results")
    op.drop_table("validation_results")
    op.drop_index(op.f("ix_reviews_reviewer_id"), table_name="reviews")
    op.drop_index(op.f("ix_reviews_application_id"), table_name="reviews")
    op.drop_table("reviews")
    op.drop_index(op.f("ix_materials_sha256"), table_name="materials")
    op.drop_index(op.f("ix_materials_application_id"), table_name="materials")
    op.drop_table("materials")
    op.drop_index(op.f("ix_licences_status"), table_name="licences")
    op.drop_index(op.f("ix_licences_pdf_sha256"), table_name="licences")
    op.drop_index(op.f("ix_licences_application_id"), table_name="licences")
    op.drop_table("licences")
    op.drop_index(op.f("ix_applications_state"), table_name="applications")
    op.drop_index(op.f("ix_applications_service_id"), table_name="applications")
    op.drop_index(op.f("ix_applications_applicant_id"), table_name="applications")
    op.drop_table("applications")
    op.drop_table("status_index_reservations")
    op.drop_table("audit_log")
    op.drop_table("accounts")
