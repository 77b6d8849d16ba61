"""Separation of duties and numbers (issue 29, items 7 and 8): accounts carry a 执法证号; a case's
investigators and drawn inspectors are accounts (`case_officer`); a filed case has a 立案号.

Existing data (docs/numbers.md, "Migration 0029"):
- Registration numbers stay as they are (TJ…); new records get the prefix of their kind.
- Every case already filed (its 指定办案人员 completed) gets its 立案号 here, per issuing unit and
  year of that step, in the order the cases were filed, and the counters go on from there.
- Free-text investigators are not turned into accounts: no account had a 执法证号 before this
  revision, and a typed name does not say which account is meant. Such a case keeps its list as
  typed (the case page shows it), its tasks are not bound to accounts, and the older rule (whoever
  completed an investigating screen may not review, hear or approve) protects it as before.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-10 10:00:00
"""

from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

# the 文号 abbreviations of the issuing units as they stood at this revision
ISSUER_SHORT = {
    "150000": "内",
    "150100": "呼",
    "150200": "包",
    "150300": "乌海",
    "150400": "赤",
    "150500": "通",
    "150600": "鄂",
    "150700": "呼伦贝尔",
    "150800": "巴彦淖尔",
    "150900": "乌兰察布",
    "152200": "兴安",
    "152500": "锡林郭勒",
    "152900": "阿拉善",
    "150781": "满洲里",
    "152501": "二连浩特",
}
ROOT = "150000"
CHINA = timezone(timedelta(hours=8))


def upgrade() -> None:
    with op.batch_alter_table("app_user") as table:
        table.add_column(sa.Column("cert_no", sa.String(length=32), nullable=True))
        table.create_unique_constraint(op.f("uq_app_user_cert_no"), ["cert_no"])
    with op.batch_alter_table("enforcement_case") as table:
        table.add_column(sa.Column("filing_no", sa.String(length=40), nullable=True))
        table.create_unique_constraint(op.f("uq_enforcement_case_filing_no"), ["filing_no"])
    op.create_table(
        "case_officer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("duty", sa.String(length=12), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("cert_no", sa.String(length=32), nullable=False),
        sa.Column("named_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_case.id"],
            name=op.f("fk_case_officer_case_id_enforcement_case"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_case_officer_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_officer")),
        sa.UniqueConstraint("case_id", "duty", "user_id", name=op.f("uq_case_officer_case_id")),
    )
    op.create_index(op.f("ix_case_officer_case_id"), "case_officer", ["case_id"])
    _number_filed_cases()


def _number_filed_cases() -> None:
    """立案号 for the cases filed before this revision, in filing order per unit and year."""
    connection = op.get_bind()
    parents: dict[str, str | None] = {
        code: parent
        for code, parent in connection.execute(sa.text("SELECT code, parent_code FROM region"))
    }

    def unit_of(code: str) -> str:
        while (parent := parents.get(code)) not in (None, ROOT):
            code = str(parent)
        return code

    filed = connection.execute(
        sa.text(
            "SELECT c.id, c.region_code, t.completed_at FROM enforcement_case c "
            "JOIN human_task t ON t.case_id = c.id "
            "WHERE t.bpmn_id = 'c_assign' AND t.state = 'COMPLETED' "
            "ORDER BY t.completed_at, c.id"
        )
    ).all()
    counters: dict[str, int] = defaultdict(int)
    seen: set[int] = set()
    for case_id, region_code, completed_at in filed:
        if case_id in seen:  # filed once; a second 指定 (none today) keeps the first number
            continue
        seen.add(case_id)
        unit = unit_of(region_code)
        year = _china_year(completed_at)
        counters[f"filing:{unit}:{year}"] += 1
        number = f"{ISSUER_SHORT[unit]}市监立〔{year}〕{counters[f'filing:{unit}:{year}']}号"
        connection.execute(
            sa.text("UPDATE enforcement_case SET filing_no = :no WHERE id = :id"),
            {"no": number, "id": case_id},
        )
    for name, value in counters.items():
        connection.execute(
            sa.text("INSERT INTO number_sequence (name, value) VALUES (:name, :value)"),
            {"name": name, "value": value},
        )


def _china_year(moment: datetime | str) -> int:
    """The year in China of a stored moment (SQLite hands back text without a zone: UTC)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA).year


def downgrade() -> None:
    op.execute("DELETE FROM number_sequence WHERE name LIKE 'filing:%'")
    op.drop_index("ix_case_officer_case_id", table_name="case_officer")
    op.drop_table("case_officer")
    with op.batch_alter_table("enforcement_case") as table:
        table.drop_constraint(op.f("uq_enforcement_case_filing_no"), type_="unique")
        table.drop_column("filing_no")
    with op.batch_alter_table("app_user") as table:
        table.drop_constraint(op.f("uq_app_user_cert_no"), type_="unique")
        table.drop_column("cert_no")
