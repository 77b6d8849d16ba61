"""case file review

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-24 17:23:34.129192
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_sample",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("unit_code", sa.String(length=6), nullable=True),
        sa.Column("closed_from", sa.Date(), nullable=False),
        sa.Column("closed_to", sa.Date(), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=True),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("drawn_by_id", sa.Integer(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["drawn_by_id"], ["app_user.id"], name=op.f("fk_review_sample_drawn_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_sample")),
    )
    op.create_table(
        "review_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=6), nullable=False),
        sa.Column("prechecks", sa.JSON(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=True),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_case.id"],
            name=op.f("fk_review_item_case_id_enforcement_case"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"], ["app_user.id"], name=op.f("fk_review_item_reviewed_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["sample_id"], ["review_sample.id"], name=op.f("fk_review_item_sample_id_review_sample")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_item")),
        sa.UniqueConstraint("sample_id", "case_id", name=op.f("uq_review_item_sample_id")),
    )
    with op.batch_alter_table("review_item", schema=None) as batch_op:
        batch_op.create_index("ix_review_item_case", ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_item", schema=None) as batch_op:
        batch_op.drop_index("ix_review_item_case")

    op.drop_table("review_item")
    op.drop_table("review_sample")
