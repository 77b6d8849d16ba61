"""task due dates and follow-ups

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 14:59:41.572155
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("follow_up_on", sa.Date(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_human_task_assignee_id"), ["assignee_id"], unique=False
        )
        batch_op.create_index("ix_human_task_due", ["state", "due_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index("ix_human_task_due")
        batch_op.drop_index(batch_op.f("ix_human_task_assignee_id"))
        batch_op.drop_column("follow_up_on")
        batch_op.drop_column("due_at")
