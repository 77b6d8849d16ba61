"""文号 control (issue 32 item 2): a document's status (in force, corrected, revoked), the version
that replaces a corrected one, and why, by whom and when it was corrected or revoked.

Documents re-issued before this revision were versions of one another already (supersedes_id):
each one a later version names becomes CORRECTED and names that version; their reason stays
empty (it was never asked).

Revision ID: 0039
Revises: 0037
Create Date: 2026-12-08 04:20:00
"""

import sqlalchemy as sa
from alembic import op

from app.models.base import UTCDateTime

revision = "0038"
# 0038 is another helper's (issue 32); the lead sets the order at merge.
down_revision = "0037"
branch_labels = None
depends_on = None

documents = sa.table(
    "document",
    sa.column("id", sa.Integer),
    sa.column("supersedes_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("superseded_by_id", sa.Integer),
)


def upgrade() -> None:
    with op.batch_alter_table("document") as table:
        table.add_column(
            sa.Column("status", sa.String(length=10), nullable=False, server_default="LIVE")
        )
        table.add_column(sa.Column("superseded_by_id", sa.Integer(), nullable=True))
        table.add_column(sa.Column("change_reason", sa.Text(), nullable=True))
        table.add_column(sa.Column("changed_by_id", sa.Integer(), nullable=True))
        table.add_column(sa.Column("changed_at", UTCDateTime(), nullable=True))
        table.create_foreign_key(
            "fk_document_superseded_by_id_document", "document", ["superseded_by_id"], ["id"]
        )
        table.create_foreign_key(
            "fk_document_changed_by_id_app_user", "app_user", ["changed_by_id"], ["id"]
        )
    connection = op.get_bind()
    for newer, older in connection.execute(
        sa.select(documents.c.id, documents.c.supersedes_id).where(
            documents.c.supersedes_id.is_not(None)
        )
    ).all():
        connection.execute(
            documents.update()
            .where(documents.c.id == older)
            .values(status="CORRECTED", superseded_by_id=newer)
        )


def downgrade() -> None:
    with op.batch_alter_table("document") as table:
        table.drop_constraint("fk_document_changed_by_id_app_user", type_="foreignkey")
        table.drop_constraint("fk_document_superseded_by_id_document", type_="foreignkey")
        for column in (
            "changed_at",
            "changed_by_id",
            "change_reason",
            "superseded_by_id",
            "status",
        ):
            table.drop_column(column)
