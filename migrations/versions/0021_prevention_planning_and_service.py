"""Prevention planning and service: guidance, warning batches, 双随机 draws, case library.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-25 03:01:37.013281
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inspection_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("domain", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_item")),
        sa.UniqueConstraint("code", name=op.f("uq_inspection_item_code")),
    )
    with op.batch_alter_table("inspection_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_item_domain"), ["domain"], unique=False)

    op.create_table(
        "compliance_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=20), nullable=False),
        sa.Column("matter", sa.String(length=200), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("requirement", sa.Text(), nullable=False),
        sa.Column("common_violations", sa.Text(), nullable=False),
        sa.Column("penalty", sa.Text(), nullable=False),
        sa.Column("self_check", sa.Text(), nullable=False),
        sa.Column("exemption", sa.String(length=20), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["app_user.id"],
            name=op.f("fk_compliance_item_updated_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_item")),
    )
    with op.batch_alter_table("compliance_item", schema=None) as batch_op:
        batch_op.create_index(
            "ix_compliance_item_domain", ["published", "domain", "sort_order"], unique=False
        )

    op.create_table(
        "inspector_conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_inspector_conflict_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_inspector_conflict_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspector_conflict")),
        sa.UniqueConstraint("user_id", "enterprise_id", name=op.f("uq_inspector_conflict_user_id")),
    )
    with op.batch_alter_table("inspector_conflict", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspector_conflict_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "sampling_draw",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draw_no", sa.String(length=40), nullable=False),
        sa.Column("unit_code", sa.String(length=6), nullable=False),
        sa.Column("domain", sa.String(length=20), nullable=False),
        sa.Column("item_codes", sa.JSON(), nullable=False),
        sa.Column("trigger", sa.Boolean(), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("pools", sa.JSON(), nullable=False),
        sa.Column("ratios", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("rule_version", sa.String(length=64), nullable=False),
        sa.Column("drawn_by_id", sa.Integer(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["drawn_by_id"], ["app_user.id"], name=op.f("fk_sampling_draw_drawn_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sampling_draw")),
        sa.UniqueConstraint("draw_no", name=op.f("uq_sampling_draw_draw_no")),
    )
    with op.batch_alter_table("sampling_draw", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sampling_draw_unit_code"), ["unit_code"], unique=False)

    op.create_table(
        "warning_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_no", sa.String(length=40), nullable=False),
        sa.Column("served_on", sa.Date(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("rule_version", sa.String(length=64), nullable=False),
        sa.Column("risks", sa.JSON(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["app_user.id"],
            name=op.f("fk_warning_batch_published_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_batch")),
        sa.UniqueConstraint("batch_no", name=op.f("uq_warning_batch_batch_no")),
    )
    op.create_table(
        "sampling_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draw_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("credit_class", sa.String(length=1), nullable=False),
        sa.Column("inspector_names", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_case.id"],
            name=op.f("fk_sampling_target_case_id_enforcement_case"),
        ),
        sa.ForeignKeyConstraint(
            ["draw_id"], ["sampling_draw.id"], name=op.f("fk_sampling_target_draw_id_sampling_draw")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_sampling_target_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sampling_target")),
        sa.UniqueConstraint("case_id", name=op.f("uq_sampling_target_case_id")),
    )
    with op.batch_alter_table("sampling_target", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sampling_target_draw_id"), ["draw_id"], unique=False)

    op.create_table(
        "warning_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=6), nullable=False),
        sa.Column("domain", sa.String(length=20), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("is_association", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["warning_batch.id"],
            name=op.f("fk_warning_recipient_batch_id_warning_batch"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_case.id"],
            name=op.f("fk_warning_recipient_case_id_enforcement_case"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_warning_recipient_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_recipient")),
        sa.UniqueConstraint(
            "batch_id", "enterprise_id", name=op.f("uq_warning_recipient_batch_id")
        ),
        sa.UniqueConstraint("case_id", name=op.f("uq_warning_recipient_case_id")),
    )
    with op.batch_alter_table("warning_recipient", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_warning_recipient_batch_id"), ["batch_id"], unique=False
        )

    with op.batch_alter_table("case_library_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("domain", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("party_type", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("circumstances", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("anonymized_decision", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("typical", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("published_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_case_library_entry_published_by_id_app_user"),
            "app_user",
            ["published_by_id"],
            ["id"],
        )

    # entries catalogued before these columns: the case's enterprise says domain and party type
    op.execute(
        "UPDATE case_library_entry SET"
        " domain = (SELECT e.domain FROM enforcement_case c JOIN enterprise e"
        " ON e.id = c.enterprise_id WHERE c.id = case_library_entry.case_id),"
        " party_type = (SELECT e.party_type FROM enforcement_case c JOIN enterprise e"
        " ON e.id = c.enterprise_id WHERE c.id = case_library_entry.case_id)"
    )
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_association", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.drop_column("is_association")

    with op.batch_alter_table("case_library_entry", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_case_library_entry_published_by_id_app_user"), type_="foreignkey"
        )
        batch_op.drop_column("published_by_id")
        batch_op.drop_column("published_at")
        batch_op.drop_column("typical")
        batch_op.drop_column("anonymized_decision")
        batch_op.drop_column("circumstances")
        batch_op.drop_column("outcome")
        batch_op.drop_column("party_type")
        batch_op.drop_column("domain")

    with op.batch_alter_table("warning_recipient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_warning_recipient_batch_id"))

    op.drop_table("warning_recipient")
    with op.batch_alter_table("sampling_target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sampling_target_draw_id"))

    op.drop_table("sampling_target")
    op.drop_table("warning_batch")
    with op.batch_alter_table("sampling_draw", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sampling_draw_unit_code"))

    op.drop_table("sampling_draw")
    with op.batch_alter_table("inspector_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspector_conflict_user_id"))

    op.drop_table("inspector_conflict")
    with op.batch_alter_table("compliance_item", schema=None) as batch_op:
        batch_op.drop_index("ix_compliance_item_domain")

    op.drop_table("compliance_item")
    with op.batch_alter_table("inspection_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_item_domain"))

    op.drop_table("inspection_item")
