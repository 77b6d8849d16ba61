"""case comments

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 15:33:23.833911
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("author_name", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["app_user.id"], name=op.f("fk_case_comment_author_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_case.id"],
            name=op.f("fk_case_comment_case_id_enforcement_case"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_comment")),
    )
    with op.batch_alter_table("case_comment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_comment_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_comment_case_id"))

    op.drop_table("case_comment")
