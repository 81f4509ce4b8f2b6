"""Security (issue 11): server-side sessions (``auth_sessions``, named by the token's ``jti``),
failed sign-in counters with back-off (``login_throttle``), and the holder an account is bound
to (``accounts.holder_*``; a SHA-256 and a masked ID number, never the number itself).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("holder_id_sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("holder_id_masked", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("holder_bound_via", sa.String(length=32), nullable=True))
        batch.add_column(
            sa.Column("holder_bound_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(
            op.f("ix_accounts_holder_id_sha256"), ["holder_id_sha256"], unique=False)
    op.create_table(
        "auth_sessions",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"],
            name=op.f("fk_auth_sessions_account_id_accounts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_auth_sessions")),
    )
    op.create_index(
        op.f("ix_auth_sessions_account_id"), "auth_sessions", ["account_id"], unique=False)
    op.create_index(
        op.f("ix_auth_sessions_expires_at"), "auth_sessions", ["expires_at"], unique=False)
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )


def downgrade() -> None:
    op.drop_table("login_throttle")
    op.drop_index(op.f("ix_auth_sessions_expires_at"), table_name="auth_sessions")
    op.drop_index(op.f("ix_auth_sessions_account_id"), table_name="auth_sessions")
    op.drop_table("auth_sessions")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_index(op.f("ix_accounts_holder_id_sha256"))
        batch.drop_column("holder_bound_at")
        batch.drop_column("holder_bound_via")
        batch.drop_column("holder_id_masked")
        batch.drop_column("holder_id_sha256")
