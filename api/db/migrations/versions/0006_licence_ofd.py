"""Issue 15 (the national profile): ``licences.ofd_sha256``, the SHA-256 of the OFD licence
(GB/T 33190, sealed with the office's SM2 electronic seal) stored beside the PDF when the
service's ``licence.formats`` includes ``ofd``. Licences issued as PDF only have none.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("licences") as batch:
        batch.add_column(sa.Column("ofd_sha256", sa.String(length=64), nullable=True))
        batch.create_index(op.f("ix_licences_ofd_sha256"), ["ofd_sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("licences") as batch:
        batch.drop_index(op.f("ix_licences_ofd_sha256"))
        batch.drop_column("ofd_sha256")
