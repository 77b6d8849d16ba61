"""Index for the running cases per process version (the process library page).

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-24 22:57:39.136800
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enforcement_case", schema=None) as batch_op:
        batch_op.create_index(
            "ix_enforcement_case_version_status", ["process_version_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("enforcement_case", schema=None) as batch_op:
        batch_op.drop_index("ix_enforcement_case_version_status")
