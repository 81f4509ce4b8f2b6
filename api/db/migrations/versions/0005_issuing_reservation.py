"""Issuing outside the lock (issue 12): a status-index reservation is also the marker of a
licence being issued for an application — the application (unique: one pending issue each),
the licence identifier and the time it is signed at — so that reserving, signing and
recording run as separate steps and a retry after a crash finishes the same licence.
Reservations made before this revision (and by the CLI's ``licence issue``) have none.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("status_index_reservations") as batch:
        batch.add_column(sa.Column("application_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("identifier", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("issued_at", sa.String(length=40), nullable=True))
        batch.create_unique_constraint(
            op.f("uq_status_index_reservations_application_id"), ["application_id"])
        batch.create_foreign_key(
            op.f("fk_status_index_reservations_application_id_applications"),
            "applications", ["application_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("status_index_reservations") as batch:
        batch.drop_constraint(
            op.f("fk_status_index_reservations_application_id_applications"), type_="foreignkey")
        batch.drop_constraint(
            op.f("uq_status_index_reservations_application_id"), type_="unique")
        batch.drop_column("issued_at")
        batch.drop_column("identifier")
        batch.drop_column("application_id")
