"""Security (issue 11, 秒批): ``licences.holder_id_sha256``, the SHA-256 of the resident ID
number of the person a licence was issued to (never the number itself), so instant approval can
tell that the same person already holds a live licence of the same service and send the
application to a clerk instead. Licences issued before this revision have none.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("licences") as batch:
        batch.add_column(sa.Column("holder_id_sha256", sa.String(length=64), nullable=True))
        batch.create_index(
            op.f("ix_licences_holder_id_sha256"), ["holder_id_sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("licences") as batch:
        batch.drop_index(op.f("ix_licences_holder_id_sha256"))
        batch.drop_column("holder_id_sha256")
