"""Inspection date and result per case: the risk list counts inspections that found problems.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-25 01:32:44.798713
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_fact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inspected_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("inspection_result", sa.String(length=12), nullable=True))
        batch_op.create_index(
            "ix_case_fact_unit_inspected", ["unit_code", "inspected_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("case_fact", schema=None) as batch_op:
        batch_op.drop_index("ix_case_fact_unit_inspected")
        batch_op.drop_column("inspection_result")
        batch_op.drop_column("inspected_on")
