"""initial schema, regions and append-only audit

Revision ID: 0001
Revises:
Create Date: 2026-11-24 13:41:10.108420
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Inner Mongolia's enforcement units (DOMAIN.md, region list) with GB/T 2260 codes: the bureau,
# the 12 盟市, and 满洲里市 and 二连浩特市, which report as units of their own; then the 旗县区
# under each 盟市 (满洲里 and 二连浩特 are listed as units, not again under their 盟市).
UNITS = [
    ("150100", "呼和浩特市"),
    ("150200", "包头市"),
    ("150700", "呼伦贝尔市"),
    ("152200", "兴安盟"),
    ("150500", "通辽市"),
    ("150400", "赤峰市"),
    ("152500", "锡林郭勒盟"),
    ("150900", "乌兰察布市"),
    ("150600", "鄂尔多斯市"),
    ("150800", "巴彦淖尔市"),
    ("150300", "乌海市"),
    ("152900", "阿拉善盟"),
    ("150781", "满洲里市"),
    ("152501", "二连浩特市"),
]
COUNTIES = {
    "150100": "150102 新城区,150103 回民区,150104 玉泉区,150105 赛罕区,150121 土默特左旗,150122 托克托县,150123 和林格尔县,150124 清水河县,150125 武川县",
    "150200": "150202 东河区,150203 昆都仑区,150204 青山区,150205 石拐区,150206 白云鄂博矿区,150207 九原区,150221 土默特右旗,150222 固阳县,150223 达尔罕茂明安联合旗",
    "150300": "150302 海勃湾区,150303 海南区,150304 乌达区",
    "150400": "150402 红山区,150403 元宝山区,150404 松山区,150421 阿鲁科尔沁旗,150422 巴林左旗,150423 巴林右旗,150424 林西县,150425 克什克腾旗,150426 翁牛特旗,150428 喀喇沁旗,150429 宁城县,150430 敖汉旗",
    "150500": "150502 科尔沁区,150521 科尔沁左翼中旗,150522 科尔沁左翼后旗,150523 开鲁县,150524 库伦旗,150525 奈曼旗,150526 扎鲁特旗,150581 霍林郭勒市",
    "150600": "150602 东胜区,150603 康巴什区,150621 达拉特旗,150622 准格尔旗,150623 鄂托克前旗,150624 鄂托克旗,150625 杭锦旗,150626 乌审旗,150627 伊金霍洛旗",
    "150700": "150702 海拉尔区,150703 扎赉诺尔区,150721 阿荣旗,150722 莫力达瓦达斡尔族自治旗,150723 鄂伦春自治旗,150724 鄂温克族自治旗,150725 陈巴尔虎旗,150726 新巴尔虎左旗,150727 新巴尔虎右旗,150782 牙克石市,150783 扎兰屯市,150784 额尔古纳市,150785 根河市",
    "150800": "150802 临河区,150821 五原县,150822 磴口县,150823 乌拉特前旗,150824 乌拉特中旗,150825 乌拉特后旗,150826 杭锦后旗",
    "150900": "150902 集宁区,150921 卓资县,150922 化德县,150923 商都县,150924 兴和县,150925 凉城县,150926 察哈尔右翼前旗,150927 察哈尔右翼中旗,150928 察哈尔右翼后旗,150929 四子王旗,150981 丰镇市",
    "152200": "152201 乌兰浩特市,152202 阿尔山市,152221 科尔沁右翼前旗,152222 科尔沁右翼中旗,152223 扎赉特旗,152224 突泉县",
    "152500": "152502 锡林浩特市,152522 阿巴嘎旗,152523 苏尼特左旗,152524 苏尼特右旗,152525 东乌珠穆沁旗,152526 西乌珠穆沁旗,152527 太仆寺旗,152528 镶黄旗,152529 正镶白旗,152530 正蓝旗,152531 多伦县",
    "152900": "152921 阿拉善左旗,152922 阿拉善右旗,152923 额济纳旗",
}

APPEND_ONLY_TRIGGERS = {
    "postgresql": [
        """CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$""",
        """CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_event
           FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
    ],
    "sqlite": [
        """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
           BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
        """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
           BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
    ],
}


def region_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {
            "code": "150000",
            "name": "内蒙古自治区市场监督管理局",
            "level": "PROVINCE",
            "parent_code": None,
            "sort_order": 0,
        }
    ]
    for order, (code, name) in enumerate(UNITS, start=1):
        rows.append(
            {
                "code": code,
                "name": name,
                "level": "UNIT",
                "parent_code": "150000",
                "sort_order": order,
            }
        )
    for parent, listing in COUNTIES.items():
        for order, item in enumerate(listing.split(","), start=1):
            code, name = item.split(" ")
            rows.append(
                {
                    "code": code,
                    "name": name,
                    "level": "COUNTY",
                    "parent_code": parent,
                    "sort_order": order,
                }
            )
    return rows


def upgrade() -> None:
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("remote_addr", sa.String(length=64), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index(
            "ix_login_attempt_remote_addr_at", ["remote_addr", "attempted_at"], unique=False
        )
        batch_op.create_index(
            "ix_login_attempt_username_at", ["username", "attempted_at"], unique=False
        )

    op.create_table(
        "number_sequence",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_number_sequence")),
    )
    op.create_table(
        "region",
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("parent_code", sa.String(length=6), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_code"], ["region.code"], name=op.f("fk_region_parent_code_region")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_region")),
    )
    with op.batch_alter_table("region", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_region_parent_code"), ["parent_code"], unique=False)

    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_app_user_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    op.create_table(
        "enterprise",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("party_type", sa.String(length=20), nullable=False),
        sa.Column("domain", sa.String(length=20), nullable=False),
        sa.Column("credit_class", sa.String(length=1), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("registered_province", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("legal_representative", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_enterprise_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_enterprise_credit_code")),
    )
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enterprise_name"), ["name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_enterprise_region_code"), ["region_code"], unique=False
        )

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_api_token_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "audit_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("remote_addr", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["app_user.id"], name=op.f("fk_audit_event_actor_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_object", ["object_type", "object_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_event_occurred_at"), ["occurred_at"], unique=False
        )

    op.create_table(
        "user_role",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_user_role_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_role")),
    )
    op.create_table(
        "workflow_bundle",
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["app_user.id"],
            name=op.f("fk_workflow_bundle_created_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_workflow_bundle")),
    )
    op.create_table(
        "process_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("bundle_hash", sa.String(length=64), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("deployed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bundle_hash"],
            ["workflow_bundle.hash"],
            name=op.f("fk_process_version_bundle_hash_workflow_bundle"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_version")),
        sa.UniqueConstraint(
            "process_id", "bundle_hash", name=op.f("uq_process_version_process_id")
        ),
    )
    with op.batch_alter_table("process_version", schema=None) as batch_op:
        batch_op.create_index(
            "ix_process_version_active", ["process_id", "is_active"], unique=False
        )

    op.create_table(
        "enforcement_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_no", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("process_version_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_enforcement_case_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"],
            ["app_user.id"],
            name=op.f("fk_enforcement_case_opened_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["process_version_id"],
            ["process_version.id"],
            name=op.f("fk_enforcement_case_process_version_id_process_version"),
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_enforcement_case_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_case")),
        sa.UniqueConstraint("case_no", name=op.f("uq_enforcement_case_case_no")),
    )
    with op.batch_alter_table("enforcement_case", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enforcement_case_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            "ix_enforcement_case_region_status", ["region_code", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_enforcement_case_stage"), ["stage"], unique=False)

    op.create_table(
        "workflow_instance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("process_version_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("serializer_version", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_case.id"],
            name=op.f("fk_workflow_instance_case_id_enforcement_case"),
        ),
        sa.ForeignKeyConstraint(
            ["process_version_id"],
            ["process_version.id"],
            name=op.f("fk_workflow_instance_process_version_id_process_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_instance")),
        sa.UniqueConstraint("case_id", name=op.f("uq_workflow_instance_case_id")),
    )
    op.create_table(
        "human_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("task_guid", sa.String(length=36), nullable=False),
        sa.Column("process_id", sa.String(length=100), nullable=False),
        sa.Column("bpmn_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("form_key", sa.String(length=100), nullable=True),
        sa.Column("lane", sa.String(length=32), nullable=True),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("documentation", sa.Text(), nullable=True),
        sa.Column("instructions", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_data", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["app_user.id"], name=op.f("fk_human_task_assignee_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enforcement_case.id"],
            name=op.f("fk_human_task_case_id_enforcement_case"),
        ),
        sa.ForeignKeyConstraint(
            ["completed_by_id"],
            ["app_user.id"],
            name=op.f("fk_human_task_completed_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["workflow_instance.id"],
            name=op.f("fk_human_task_instance_id_workflow_instance"),
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_human_task_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_human_task")),
        sa.UniqueConstraint("instance_id", "task_guid", name=op.f("uq_human_task_instance_id")),
    )
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_human_task_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_human_task_inbox", ["state", "lane", "region_code", "created_at"], unique=False
        )

    op.bulk_insert(
        sa.table(
            "region",
            sa.column("code", sa.String),
            sa.column("name", sa.String),
            sa.column("level", sa.String),
            sa.column("parent_code", sa.String),
            sa.column("sort_order", sa.Integer),
        ),
        region_rows(),
    )
    for statement in APPEND_ONLY_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_event_no_update ON audit_event")
        op.execute("DROP FUNCTION audit_event_append_only()")
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_index("ix_human_task_inbox")
        batch_op.drop_index(batch_op.f("ix_human_task_case_id"))

    op.drop_table("human_task")
    op.drop_table("workflow_instance")
    with op.batch_alter_table("enforcement_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enforcement_case_stage"))
        batch_op.drop_index("ix_enforcement_case_region_status")
        batch_op.drop_index(batch_op.f("ix_enforcement_case_enterprise_id"))

    op.drop_table("enforcement_case")
    with op.batch_alter_table("process_version", schema=None) as batch_op:
        batch_op.drop_index("ix_process_version_active")

    op.drop_table("process_version")
    op.drop_table("workflow_bundle")
    op.drop_table("user_role")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_occurred_at"))
        batch_op.drop_index("ix_audit_event_object")

    op.drop_table("audit_event")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))

    op.drop_table("api_token")
    with op.batch_alter_table("enterprise", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_region_code"))
        batch_op.drop_index(batch_op.f("ix_enterprise_name"))

    op.drop_table("enterprise")
    op.drop_table("app_user")
    with op.batch_alter_table("region", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_region_parent_code"))

    op.drop_table("region")
    op.drop_table("number_sequence")
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempt_username_at")
        batch_op.drop_index("ix_login_attempt_remote_addr_at")

    op.drop_table("login_attempt")
