"""dashboard facts

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24 17:07:33.384940

Cases opened before this revision get their facts row with where they belong (unit, domain,
opening day); their outcomes are recorded from their next completed screen on.
"""

from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

from app.models.base import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_fact",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=6), nullable=False),
        sa.Column("domain", sa.String(length=20), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("decision", sa.String(length=12), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("level", sa.String(length=20), nullable=True),
        sa.Column("violation_type", sa.String(length=100), nullable=True),
        sa.Column("fine", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("served_together", sa.Boolean(), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("published_in_time", sa.Boolean(), nullable=True),
        sa.Column("archived_on", sa.Date(), nullable=True),
        sa.Column("visited_on", sa.Date(), nullable=True),
        sa.Column("repair_applied_on", sa.Date(), nullable=True),
        sa.Column("repaired_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["enforcement_case.id"], name=op.f("fk_case_fact_case_id_enforcement_case")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_fact")),
    )
    with op.batch_alter_table("case_fact", schema=None) as batch_op:
        batch_op.create_index("ix_case_fact_decided", ["decided_on"], unique=False)
        batch_op.create_index("ix_case_fact_unit_opened", ["unit_code", "opened_on"], unique=False)

    op.create_table(
        "stage_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=6), nullable=False),
        sa.Column("stage", sa.String(length=100), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_case.id"],
            name=op.f("fk_stage_visit_case_id_enforcement_case"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_visit")),
    )
    with op.batch_alter_table("stage_visit", schema=None) as batch_op:
        batch_op.create_index("ix_stage_visit_case", ["case_id", "left_at"], unique=False)
        batch_op.create_index("ix_stage_visit_left", ["left_at"], unique=False)
    _backfill()


def _backfill() -> None:
    bind = op.get_bind()
    parents: dict[str, str | None] = {
        code: parent
        for code, parent in bind.execute(sa.text("SELECT code, parent_code FROM region"))
    }

    def unit_of(code: str) -> str:
        while parents.get(code) not in (None, "150000"):
            code = parents[code] or "150000"
        return code

    cases = sa.table(
        "enforcement_case",
        sa.column("id", sa.Integer),
        sa.column("region_code", sa.String),
        sa.column("enterprise_id", sa.Integer),
        sa.column("opened_at", UTCDateTime()),
    )
    enterprises = sa.table("enterprise", sa.column("id", sa.Integer), sa.column("domain"))
    china = ZoneInfo("Asia/Shanghai")
    rows = bind.execute(
        sa.select(cases.c.id, cases.c.region_code, cases.c.opened_at, enterprises.c.domain).join(
            enterprises, enterprises.c.id == cases.c.enterprise_id
        )
    ).all()
    facts = sa.table(
        "case_fact",
        sa.column("case_id", sa.Integer),
        sa.column("unit_code", sa.String),
        sa.column("domain", sa.String),
        sa.column("opened_on", sa.Date),
    )
    op.bulk_insert(
        facts,
        [
            {
                "case_id": case_id,
                "unit_code": unit_of(region),
                "domain": domain,
                "opened_on": opened_at.astimezone(china).date(),
            }
            for case_id, region, opened_at, domain in rows
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("stage_visit", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_visit_left")
        batch_op.drop_index("ix_stage_visit_case")

    op.drop_table("stage_visit")
    with op.batch_alter_table("case_fact", schema=None) as batch_op:
        batch_op.drop_index("ix_case_fact_unit_opened")
        batch_op.drop_index("ix_case_fact_decided")

    op.drop_table("case_fact")
