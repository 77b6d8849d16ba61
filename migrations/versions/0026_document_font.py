"""The font a document's PDF was set in, recorded when it is issued (the renderer refuses a PDF
without it). Documents issued before have none recorded: `tijian verify` reads their PDFs to find
the ones whose Chinese has no glyphs.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 19:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("document") as table:
        table.add_column(sa.Column("font", sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("document") as table:
        table.drop_column("font")
