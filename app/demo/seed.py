"""Demo data for `tijian serve --demo`: accounts with password "demo", enterprises and cases.

The base (accounts, five enterprises, three fresh cases) is what the test suite starts from; the
gallery (demo_cases: teams in three more 盟市, 30 cases at every stage) comes on top of it."""

from __future__ import annotations

import random

from flask import current_app
from sqlalchemy import select

from app.clock import china_today
from app.demo.gallery import GALLERY_ENTERPRISES, play_gallery, team_accounts
from app.demo.prevention import seed_prevention
from app.demo.work_orders import seed_history
from app.enforcement.cases import start_case
from app.enforcement.enterprises import register_enterprise
from app.extensions import db
from app.models import Case, Complaint, Enterprise, User, UserRole
from app.platform import InvalidInput
from app.platform.auth import create_user, set_certificate
from app.platform.workflows import deploy, directory_files
from app.reference.enterprise import CreditClass, Domain, PartyType, credit_code_check_char
from app.reference.roles import Role
from forms.base import N_

DEMO_PASSWORD = "demo"  # noqa: S105 - demo accounts only log in while TIJIAN_DEMO is on

DEMO_ACCOUNTS: tuple[tuple[str, str, str, Role], ...] = (
    ("officer", "王执法（呼和浩特）", "150100", Role.OFFICER),
    ("officer_bt", "李执法（包头）", "150200", Role.OFFICER),
    ("unit_head", "赵科长", "150100", Role.UNIT_HEAD),
    ("reviewer", "钱法制", "150100", Role.LEGAL_REVIEWER),
    ("hearing", "冯听证", "150100", Role.HEARING_OFFICER),
    ("agency_head", "孙局长", "150100", Role.AGENCY_HEAD),
    ("credit", "周信用", "150100", Role.CREDIT_OFFICER),
    ("supervisor", "吴督导（自治区局）", "150000", Role.SUPERVISOR),
    ("designer", "郑设计", "150000", Role.DESIGNER),
    ("admin", "系统管理员", "150000", Role.ADMIN),
)

# (first 17 characters of the credit code, name, party type, domain, class, region)
DEMO_ENTERPRISES = (
    (
        "91150102MA0N3K7P1",
        "呼和浩特市青城乳业有限公司",
        PartyType.LEGAL_PERSON,
        Domain.FOOD,
        CreditClass.B,
        "150102",
    ),
    (
        "92150105MA0R8T2L6",
        "赛罕区草原味道烧烤店",
        PartyType.INDIVIDUAL_BIZ,
        Domain.FOOD,
        CreditClass.C,
        "150105",
    ),
    (
        "91150100MA13YQ5W0",
        "内蒙古北疆医药连锁有限公司",
        PartyType.LEGAL_PERSON,
        Domain.DRUG,
        CreditClass.A,
        "150100",
    ),
    (
        "91150203MA0PX4J9H",
        "包头市钢城特种设备检测有限公司",
        PartyType.LEGAL_PERSON,
        Domain.SPECIAL_EQUIP,
        CreditClass.B,
        "150203",
    ),
    (
        "91150207MA0Q2N6C3",
        "九原区鹿城建材商贸有限公司",
        PartyType.LEGAL_PERSON,
        Domain.PRODUCT_QUALITY,
        CreditClass.D,
        "150207",
    ),
)


# who the documents name for a demo party (PARTY_BLOCK of DOMAIN.md §c), marked as demo
DEMO_REPRESENTATIVES = {
    PartyType.NATURAL: "",
    PartyType.INDIVIDUAL_BIZ: "演示经营者",
    PartyType.LEGAL_PERSON: "演示法定代表人",
    PartyType.OTHER_ORG: "演示负责人",
}


def seed_demo(gallery: bool = True) -> list[tuple[str, str]]:
    """Create what is missing (safe to run twice); returns the demo logins with role labels."""
    if not current_app.config["TIJIAN_DEMO"]:
        raise InvalidInput(N_("演示数据只能在演示模式（TIJIAN_DEMO=1 或 serve --demo）下创建。"))
    deploy(directory_files(), actor=None, note="demo")
    accounts = [*DEMO_ACCOUNTS, *(team_accounts() if gallery else ())]
    for username, display_name, region, role in accounts:
        if not db.session.execute(select(User.id).where(User.username == username)).first():
            create_user(username, DEMO_PASSWORD, display_name, region, [role.value], is_demo=True)
    enterprises = [*DEMO_ENTERPRISES, *(GALLERY_ENTERPRISES if gallery else ())]
    for first17, name, party_type, domain, credit_class, region in enterprises:
        code = first17 + credit_code_check_char(first17)
        if not db.session.execute(
            select(Enterprise.id).where(Enterprise.credit_code == code)
        ).first():
            register_enterprise(
                code,
                name,
                party_type,
                domain,
                credit_class,
                region,
                address=f"演示地址：{name}经营场所",
                legal_representative=DEMO_REPRESENTATIVES[party_type],
            )
    officer = db.session.execute(select(User).where(User.username == "officer")).scalar_one()
    _first_cases(officer)
    seed_prevention(DEMO_PASSWORD)
    _certify_officers()
    if gallery:
        play_gallery()
        if not db.session.execute(select(Complaint.id).limit(1)).first():
            seed_history(china_today(), random.Random(2024))  # noqa: S311 - demo data
            db.session.commit()
    return [(u, role.label) for u, _, _, role in DEMO_ACCOUNTS]


def _certify_officers() -> None:
    """Every demo officer holds a 行政执法证号 (region code and account number), as an
    administrator records it with `tijian set-certificate`: only they may investigate or be
    drawn to inspect."""
    officers = db.session.execute(
        select(User.username, User.region_code, User.id)
        .join(UserRole)
        .where(User.is_demo, User.cert_no.is_(None), UserRole.role == Role.OFFICER.value)
        .order_by(User.id)
    ).all()
    for username, region_code, user_id in officers:
        set_certificate(username, f"{region_code}{user_id:05d}")


# (process, entry, enterprise region, title): a skeleton inspection for the officer's inbox and two
# cases of the process library, one at the risk-warning stage (credit officer) and one at filing.
DEMO_CASES = (
    ("walking_skeleton", "CLUE", "150102", "乳制品生产企业日常监督检查"),
    ("enforcement_case", "WARNING", "150105", "夏季烧烤食材冷链风险预警"),
    ("enforcement_case", "CLUE", "150100", "消费者投诉药店未凭处方销售处方药"),
)


def _first_cases(officer: User) -> None:
    if db.session.execute(select(Case.id).limit(1)).first():
        return
    for process_id, entry, region, title in DEMO_CASES:
        enterprise = db.session.execute(
            select(Enterprise).where(Enterprise.region_code == region)
        ).scalar_one()
        start_case(officer, process_id, enterprise.id, title, entry)
