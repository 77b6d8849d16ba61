"""Enforcement and relief (H, R): the fine's due payments (the 15 days, a deferral or the
instalments the head approved) and the ledger of 复议/诉讼 applications and results.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-08 01:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = (
    "0033"  # after main's 0033 (limitation class); the lead renumbers at merge if needed
)
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fine_instalment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("superseded", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["enforcement_case.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_fine_instalment_case_id", "fine_instalment", ["case_id"])
    op.create_table(
        "relief_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("body", sa.String(length=200), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=True),
        sa.Column("result_on", sa.Date(), nullable=True),
        sa.Column("changed_fine", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["enforcement_case.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_relief_record_case_id", "relief_record", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_relief_record_case_id", table_name="relief_record")
    op.drop_table("relief_record")
    op.drop_index("ix_fine_instalment_case_id", table_name="fine_instalment")
    op.drop_table("fine_instalment")
