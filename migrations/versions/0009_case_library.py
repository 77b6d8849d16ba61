"""case library

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 15:25:22.585806
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_library_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("violation_type", sa.String(length=100), nullable=False),
        sa.Column("level", sa.String(length=12), nullable=True),
        sa.Column("fine", sa.Double(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_case.id"],
            name=op.f("fk_case_library_entry_case_id_enforcement_case"),
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_case_library_entry_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_library_entry")),
        sa.UniqueConstraint("case_id", name=op.f("uq_case_library_entry_case_id")),
    )
    with op.batch_alter_table("case_library_entry", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_library_similar", ["violation_type", "level", "decided_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("case_library_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_case_library_similar")

    op.drop_table("case_library_entry")
