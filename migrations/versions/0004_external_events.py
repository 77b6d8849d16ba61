"""external events

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 14:32:28.223808
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "external_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_case.id"],
            name=op.f("fk_external_event_case_id_enforcement_case"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["app_user.id"], name=op.f("fk_external_event_client_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_event")),
        sa.UniqueConstraint("client_id", "event_id", name=op.f("uq_external_event_client_id")),
    )
    with op.batch_alter_table("external_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_external_event_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("external_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_external_event_case_id"))

    op.drop_table("external_event")
