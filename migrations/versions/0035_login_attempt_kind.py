"""Login attempts by kind (password or API token), so bad tokens never count toward the web
login's throttle; the address index takes the kind.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-08 03:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"  # the lead renumbers at merge if needed
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("login_attempt") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=8), server_default="password", nullable=False)
        )
    # the name bad tokens were counted under before this revision
    op.execute("UPDATE login_attempt SET kind = 'token' WHERE username = '<api-token>'")
    op.drop_index("ix_login_attempt_remote_addr_at", table_name="login_attempt")
    op.create_index(
        "ix_login_attempt_remote_addr_kind_at",
        "login_attempt",
        ["remote_addr", "kind", "attempted_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_login_attempt_remote_addr_kind_at", table_name="login_attempt")
    op.create_index(
        "ix_login_attempt_remote_addr_at", "login_attempt", ["remote_addr", "attempted_at"]
    )
    with op.batch_alter_table("login_attempt") as batch:
        batch.drop_column("kind")
