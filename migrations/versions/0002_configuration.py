"""configuration values and holiday table

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 13:58:46.066538
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "holiday_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("is_working_day", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["app_user.id"], name=op.f("fk_holiday_day_changed_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_holiday_day")),
    )
    op.create_table(
        "parameter_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("tag", sa.String(length=1), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["app_user.id"],
            name=op.f("fk_parameter_value_changed_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parameter_value")),
    )
    with op.batch_alter_table("parameter_value", schema=None) as batch_op:
        batch_op.create_index(
            "ix_parameter_value_key_from", ["key", "effective_from"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("parameter_value", schema=None) as batch_op:
        batch_op.drop_index("ix_parameter_value_key_from")

    op.drop_table("parameter_value")
    op.drop_table("holiday_day")
