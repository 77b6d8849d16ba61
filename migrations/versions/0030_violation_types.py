"""The catalogue of violation types (违法行为目录, issue 30 item 2): code, name, domain, the
provision breached, the penalty provision and the statutory fine range, each row with its source;
a case names its type and the date of the violation, which the first-offense lookback reads
("the same kind of violation within 2 years before this violation", DOMAIN.md P9).

Existing data (docs/law.md, "Migration 0030"):
- The rows below are the common violations of the demo's domains. Every row names its source;
  rows marked [P] must be checked against the official text before production use (DOMAIN.md
  P8), and the administrators correct them with `tijian violation-type`.
- A case whose 调查终结报告 typed a violation type as free text keeps that text (the case
  library, the dashboard and similar cases read it as before). Where the text is exactly the
  name of an entry, the case is linked to that entry here; otherwise it stays without a type,
  and the lookback lists its decisions as "type not recorded" for the officer to judge.
- The date of the violation is not known for cases reported before this revision (None).

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 22:20:00
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

FOOD_LAW = "《中华人民共和国食品安全法》（2021年修正）"
FIRST_LIST = "总局《首违不罚清单（一）》（国市监法〔2025〕10号）二手转述 [P] DOMAIN.md P8"
# code, name, domain, violated provision, penalty provision, fine min, fine max, fine note, source
SEED: tuple[tuple[str, str, str, str, str, int | None, int | None, str | None, str], ...] = (
    (
        "FOOD-EXPIRED",
        "销售超过保质期的食品",
        "FOOD",
        "《中华人民共和国食品安全法》第三十四条第（十）项",
        "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
        50000,
        100000,
        "货值金额一万元以上的，并处货值金额十倍以上二十倍以下罚款",
        f"{FOOD_LAW}第三十四条、第一百二十四条；{FIRST_LIST}（非餐饮环节、货值≤500元）",
    ),
    (
        "FOOD-LABEL",
        "标签不符合规定",
        "FOOD",
        "《中华人民共和国食品安全法》第六十八条",
        "《中华人民共和国食品安全法》第一百二十五条第一款第（二）项",
        5000,
        50000,
        "货值金额一万元以上的，并处货值金额五倍以上十倍以下罚款",
        f"{FOOD_LAW}第六十八条、第一百二十五条",
    ),
    (
        "FOOD-NO-LEDGER",
        "未履行进货查验义务",
        "FOOD",
        "《中华人民共和国食品安全法》第五十三条",
        "《中华人民共和国食品安全法》第一百二十六条第一款第（三）项",
        5000,
        50000,
        "情节严重的，责令停产停业，直至吊销许可证",
        f"{FOOD_LAW}第五十三条、第一百二十六条",
    ),
    (
        "FOOD-HEALTH-CERT",
        "安排未取得健康证明的人员从事接触直接入口食品的工作",
        "FOOD",
        "《中华人民共和国食品安全法》第四十五条",
        "《中华人民共和国食品安全法》第一百二十六条第一款第（六）项",
        5000,
        50000,
        "情节严重的，责令停产停业，直至吊销许可证",
        f"{FOOD_LAW}第四十五条、第一百二十六条；{FIRST_LIST}",
    ),
    (
        "SE-UNINSPECTED",
        "使用未经定期检验的特种设备",
        "SPECIAL_EQUIP",
        "《中华人民共和国特种设备安全法》第四十条",
        "《中华人民共和国特种设备安全法》第八十四条第（一）项",
        30000,
        300000,
        None,
        "《中华人民共和国特种设备安全法》（2013年）第四十条、第八十四条",
    ),
    (
        "AD-ABSOLUTE",
        "广告使用绝对化用语",
        "AD",
        "《中华人民共和国广告法》第九条第（三）项",
        "《中华人民共和国广告法》第五十七条第（一）项",
        200000,
        1000000,
        "情节严重的，并可吊销营业执照",
        "《中华人民共和国广告法》（2021年修正）第九条、第五十七条",
    ),
    (
        "PQ-SUBSTANDARD",
        "以次充好",
        "PRODUCT_QUALITY",
        "《中华人民共和国产品质量法》第三十九条",
        "《中华人民共和国产品质量法》第五十条",
        None,
        None,
        "违法生产、销售产品货值金额百分之五十以上三倍以下的罚款（按货值换算）",
        "《中华人民共和国产品质量法》（2018年修正）第三十九条、第五十条",
    ),
    (
        "ECOM-LICENSE-INFO",
        "未公示营业执照信息",
        "ECOM",
        "《中华人民共和国电子商务法》第十五条",
        "《中华人民共和国电子商务法》第七十六条第一款第（一）项",
        0,
        10000,
        None,
        "《中华人民共和国电子商务法》（2018年）第十五条、第七十六条",
    ),
    (
        "DRUG-PRESCRIPTION",
        "未凭处方销售处方药",
        "DRUG",
        "《中华人民共和国药品管理法》第五十三条",
        "《中华人民共和国药品管理法》第一百二十六条",
        100000,
        500000,
        "情节严重的，处五十万元以上二百万元以下的罚款",
        "《中华人民共和国药品管理法》（2019年修订）第五十三条、第一百二十六条；"
        f"{FIRST_LIST}；内蒙古规定触及药品安全底线的不适用首违不罚 [U]",
    ),
    (
        "PRICE-TAG",
        "不按规定明码标价",
        "PRICE",
        "《中华人民共和国价格法》第十三条",
        "《中华人民共和国价格法》第四十二条",
        0,
        5000,
        "并没收违法所得",
        "《中华人民共和国价格法》第十三条、第四十二条；《明码标价和禁止价格欺诈规定》第二十六条",
    ),
)

violation_type = sa.table(
    "violation_type",
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("domain", sa.String),
    sa.column("violated_provision", sa.String),
    sa.column("penalty_provision", sa.String),
    sa.column("fine_min", sa.Numeric),
    sa.column("fine_max", sa.Numeric),
    sa.column("fine_note", sa.String),
    sa.column("source", sa.Text),
    sa.column("active", sa.Boolean),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    op.create_table(
        "violation_type",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("domain", sa.String(length=20), nullable=False),
        sa.Column("violated_provision", sa.String(length=300), nullable=False),
        sa.Column("penalty_provision", sa.String(length=300), nullable=False),
        sa.Column("fine_min", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("fine_max", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("fine_note", sa.String(length=300), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_violation_type")),
        sa.UniqueConstraint("name", name=op.f("uq_violation_type_name")),
    )
    now = datetime.now(UTC)  # when the row was written (not a business date)
    op.bulk_insert(
        violation_type,
        [
            dict(
                zip(
                    (
                        "code",
                        "name",
                        "domain",
                        "violated_provision",
                        "penalty_provision",
                        "fine_min",
                        "fine_max",
                        "fine_note",
                        "source",
                    ),
                    row,
                    strict=True,
                ),
                active=True,
                updated_at=now,
            )
            for row in SEED
        ],
    )
    with op.batch_alter_table("enforcement_case") as table:
        table.add_column(sa.Column("violation_code", sa.String(length=32), nullable=True))
        table.add_column(sa.Column("violated_on", sa.Date(), nullable=True))
        table.create_foreign_key(
            op.f("fk_enforcement_case_violation_code_violation_type"),
            "violation_type",
            ["violation_code"],
            ["code"],
        )
    _link_typed_cases()


def _link_typed_cases() -> None:
    """Cases whose report typed exactly an entry's name get that entry."""
    codes = {name: code for code, name, *_ in SEED}
    task = sa.table(
        "human_task",
        sa.column("id", sa.Integer),
        sa.column("case_id", sa.Integer),
        sa.column("form_key", sa.String),
        sa.column("state", sa.String),
        sa.column("submitted_data", sa.JSON),
    )
    case = sa.table("enforcement_case", sa.column("id"), sa.column("violation_code"))
    bind = op.get_bind()
    typed: dict[int, str] = {}
    for case_id, data in bind.execute(
        sa.select(task.c.case_id, task.c.submitted_data)
        .where(task.c.form_key == "review.report", task.c.state == "COMPLETED")
        .order_by(task.c.id)
    ):
        name = str((data or {}).get("violation_type") or "").strip()
        if name in codes:
            typed[case_id] = codes[name]  # the latest report wins
        else:
            typed.pop(case_id, None)
    for case_id, code in typed.items():
        bind.execute(case.update().where(case.c.id == case_id).values(violation_code=code))


def downgrade() -> None:
    with op.batch_alter_table("enforcement_case") as table:
        table.drop_constraint(
            op.f("fk_enforcement_case_violation_code_violation_type"), type_="foreignkey"
        )
        table.drop_column("violated_on")
        table.drop_column("violation_code")
    op.drop_table("violation_type")
