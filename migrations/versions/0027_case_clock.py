"""The case-level 90-day decision clock (程序规定第六十四条): its ledger of changes, the clock's
state and due date on the case, and when the unit head was told a deadline ran out.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 22:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_clock_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("cause", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["enforcement_case.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_clock_entry_case_id", "case_clock_entry", ["case_id"])
    with op.batch_alter_table("enforcement_case") as table:
        table.add_column(sa.Column("decision_clock", sa.String(length=12), nullable=True))
        table.add_column(sa.Column("decision_due", sa.Date(), nullable=True))
    with op.batch_alter_table("deadline") as table:
        table.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deadline") as table:
        table.drop_column("escalated_at")
    with op.batch_alter_table("enforcement_case") as table:
        table.drop_column("decision_due")
        table.drop_column("decision_clock")
    op.drop_index("ix_case_clock_entry_case_id", table_name="case_clock_entry")
    op.drop_table("case_clock_entry")
