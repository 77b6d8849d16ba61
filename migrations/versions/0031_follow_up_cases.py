"""A failed rectification check opens a new linked case (issue 30 item 5): the new case names the
case it follows. Existing cases follow none (before this revision a failed check sent the same
case back to stage C).

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-08 01:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enforcement_case") as batch:
        batch.add_column(sa.Column("follows_case_id", sa.Integer(), nullable=True))
        batch.create_index(op.f("ix_enforcement_case_follows_case_id"), ["follows_case_id"])
        batch.create_foreign_key(
            op.f("fk_enforcement_case_follows_case_id_enforcement_case"),
            "enforcement_case",
            ["follows_case_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("enforcement_case") as batch:
        batch.drop_constraint(
            op.f("fk_enforcement_case_follows_case_id_enforcement_case"), type_="foreignkey"
        )
        batch.drop_index(op.f("ix_enforcement_case_follows_case_id"))
        batch.drop_column("follows_case_id")
