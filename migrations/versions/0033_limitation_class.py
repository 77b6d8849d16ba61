"""The limitation class of a violation type (处罚时效, 《行政处罚法》第三十六条): a type that
concerns citizens' life and health or financial safety carries a 5-year limitation when the
violation had harmful consequences (LIMITATION_YEARS_LIFE_FIN), every other one 2 years
(LIMITATION_YEARS).

Existing data: the seeded food, drug and special-equipment types concern life and health
(食品安全法、药品管理法、特种设备安全法 protect 人体健康和人身安全) and are flagged; no seeded type concerns financial safety. Administrators change the flag with
`tijian violation-type set … --life-fin / --no-life-fin`.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-08 00:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

LIFE_HEALTH = ("FOOD", "DRUG", "SPECIAL_EQUIP")


def upgrade() -> None:
    with op.batch_alter_table("violation_type") as table:
        table.add_column(
            sa.Column("life_fin_safety", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    types = sa.table(
        "violation_type",
        sa.column("code", sa.String),
        sa.column("domain", sa.String),
        sa.column("life_fin_safety", sa.Boolean),
    )
    op.get_bind().execute(
        types.update().where(types.c.domain.in_(LIFE_HEALTH)).values(life_fin_safety=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("violation_type") as table:
        table.drop_column("life_fin_safety")
