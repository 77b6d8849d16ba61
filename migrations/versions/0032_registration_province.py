"""The enterprise's registration province (登记地) as a province code, for cross-province
publicity (《市场监督管理行政处罚信息公示规定》第十条; issue 30, publicity across provinces).

Existing data (docs/law.md, "Migration 0032"): the free-text column `registered_province` (a
name, "内蒙古自治区" for every row the app wrote) becomes `registration_province`, a GB/T 2260
province code. A name that begins like a province's name becomes its code; anything else,
including the default, becomes 150000 (内蒙古自治区), as the enterprises were all taken to be
registered in Inner Mongolia before this revision.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-08 00:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

HOME = "150000"
# code, name (as of this revision; the app's list is app/reference/provinces.py)
PROVINCES = (
    ("110000", "北京市"),
    ("120000", "天津市"),
    ("130000", "河北省"),
    ("140000", "山西省"),
    ("150000", "内蒙古自治区"),
    ("210000", "辽宁省"),
    ("220000", "吉林省"),
    ("230000", "黑龙江省"),
    ("310000", "上海市"),
    ("320000", "江苏省"),
    ("330000", "浙江省"),
    ("340000", "安徽省"),
    ("350000", "福建省"),
    ("360000", "江西省"),
    ("370000", "山东省"),
    ("410000", "河南省"),
    ("420000", "湖北省"),
    ("430000", "湖南省"),
    ("440000", "广东省"),
    ("450000", "广西壮族自治区"),
    ("460000", "海南省"),
    ("500000", "重庆市"),
    ("510000", "四川省"),
    ("520000", "贵州省"),
    ("530000", "云南省"),
    ("540000", "西藏自治区"),
    ("610000", "陕西省"),
    ("620000", "甘肃省"),
    ("630000", "青海省"),
    ("640000", "宁夏回族自治区"),
    ("650000", "新疆维吾尔自治区"),
)


def upgrade() -> None:
    with op.batch_alter_table("enterprise") as table:
        table.add_column(
            sa.Column(
                "registration_province", sa.String(length=6), nullable=False, server_default=HOME
            )
        )
    enterprise = sa.table(
        "enterprise",
        sa.column("registered_province", sa.String),
        sa.column("registration_province", sa.String),
    )
    for code, name in PROVINCES:
        if code != HOME:  # the first two characters tell every province apart
            op.execute(
                enterprise.update()
                .where(enterprise.c.registered_province.like(f"{name[:2]}%"))
                .values(registration_province=code)
            )
    with op.batch_alter_table("enterprise") as table:
        table.drop_column("registered_province")


def downgrade() -> None:
    with op.batch_alter_table("enterprise") as table:
        table.add_column(
            sa.Column(
                "registered_province",
                sa.String(length=20),
                nullable=False,
                server_default="内蒙古自治区",
            )
        )
    enterprise = sa.table(
        "enterprise",
        sa.column("registered_province", sa.String),
        sa.column("registration_province", sa.String),
    )
    for code, name in PROVINCES:
        op.execute(
            enterprise.update()
            .where(enterprise.c.registration_province == code)
            .values(registered_province=name)
        )
    with op.batch_alter_table("enterprise") as table:
        table.drop_column("registration_province")
