"""dashboard tallies: the running counts behind the dashboard, counted once from the facts

The counts are derived data: this migration fills them with the same code that keeps them
(app/enforcement/tallies.py), in the migration's transaction.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-24 19:15:00.708383
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from app.enforcement import tallies

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dashboard_tally",
        sa.Column("unit_code", sa.String(length=6), nullable=False),
        sa.Column("domain", sa.String(length=20), nullable=False),
        sa.Column("measure", sa.String(length=12), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "unit_code",
            "domain",
            "measure",
            "period",
            "key",
            "value",
            name=op.f("pk_dashboard_tally"),
        ),
    )
    with op.batch_alter_table("case_fact", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_fact_violation_fine", ["violation_type", "fine"], unique=False
        )
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.create_index(
            "ix_human_task_element", ["state", "bpmn_id", "created_at"], unique=False
        )
        batch_op.drop_index("ix_human_task_inbox")
        batch_op.create_index(
            "ix_human_task_inbox",
            ["state", "lane", "region_code", "assignee_id", "due_at", "created_at"],
            unique=False,
        )
        batch_op.drop_index("ix_human_task_case_id")
        batch_op.create_index("ix_human_task_case_state", ["case_id", "state"], unique=False)
        batch_op.create_index(
            "ix_human_task_instance_state", ["instance_id", "state"], unique=False
        )
    # a savepoint inside the migration's transaction: committing it leaves the outer one open
    with Session(bind=op.get_bind(), join_transaction_mode="create_savepoint") as session:
        tallies.rebuild(session)
        session.commit()


def downgrade() -> None:
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index("ix_human_task_element")
        batch_op.drop_index("ix_human_task_case_state")
        batch_op.drop_index("ix_human_task_instance_state")
        batch_op.create_index("ix_human_task_case_id", ["case_id"], unique=False)
        batch_op.drop_index("ix_human_task_inbox")
        batch_op.create_index(
            "ix_human_task_inbox", ["state", "lane", "region_code", "created_at"], unique=False
        )
    with op.batch_alter_table("case_fact", schema=None) as batch_op:
        batch_op.drop_index("ix_case_fact_violation_fine")

    op.drop_table("dashboard_tally")
