"""PostgreSQL: compress the engine state with lz4 instead of pglz.

Every step reads and writes a case's engine state (about 10 KB of JSON for a running case,
compressed by TOAST). lz4 costs the server less than pglz for each write and read and stores a
little less. Only new values are compressed the new way; SQLite and a server built without
lz4 are left as they are.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 16:40:00
"""

from alembic import op
from sqlalchemy import text

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def _lz4_available() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    return bool(
        bind.execute(
            text(
                "SELECT 'lz4' = ANY(enumvals) FROM pg_settings"
                " WHERE name = 'default_toast_compression'"
            )
        ).scalar()
    )


def upgrade() -> None:
    if _lz4_available():
        op.execute("ALTER TABLE workflow_instance ALTER COLUMN state SET COMPRESSION lz4")


def downgrade() -> None:
    if _lz4_available():
        op.execute("ALTER TABLE workflow_instance ALTER COLUMN state SET COMPRESSION DEFAULT")
