"""12315/12345 work orders (complaints) and the reports of their imports.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-25 01:00:09.519076
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "complaint_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("rejected_rows", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["app_user.id"],
            name=op.f("fk_complaint_import_imported_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_import")),
    )
    op.create_table(
        "complaint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("order_no", sa.String(length=40), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("unit_code", sa.String(length=6), nullable=False),
        sa.Column("domain", sa.String(length=20), nullable=False),
        sa.Column("issue_type", sa.String(length=24), nullable=False),
        sa.Column("enterprise_name", sa.String(length=200), nullable=True),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_complaint_enterprise_id_enterprise")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["complaint_import.id"],
            name=op.f("fk_complaint_import_id_complaint_import"),
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_complaint_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint")),
        sa.UniqueConstraint("channel", "order_no", name=op.f("uq_complaint_channel")),
    )
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaint_credit_code"), ["credit_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaint_import_id"), ["import_id"], unique=False)
        batch_op.create_index("ix_complaint_received", ["received_on"], unique=False)
        batch_op.create_index(
            "ix_complaint_unit_received", ["unit_code", "received_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_index("ix_complaint_unit_received")
        batch_op.drop_index("ix_complaint_received")
        batch_op.drop_index(batch_op.f("ix_complaint_import_id"))
        batch_op.drop_index(batch_op.f("ix_complaint_credit_code"))

    op.drop_table("complaint")
    op.drop_table("complaint_import")
