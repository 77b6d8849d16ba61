"""Demo data of the prevention side: the 合规指引清单, the 抽查事项清单, a pool of 呼和浩特 food
businesses and inspectors for 双随机 draws, and two industry associations.

The guidance texts cite the laws as they stand; the exemption marks follow DOMAIN.md's seed table,
which is itself only partly verified [P] — an administrator checks them before real use."""

from __future__ import annotations

from sqlalchemy import select

from app.enforcement.enterprises import add_enterprise
from app.extensions import db
from app.models import ComplianceItem, Enterprise, InspectionItem, User
from app.platform.auth import create_user
from app.reference.enterprise import CreditClass, Domain, PartyType, credit_code_check_char
from app.reference.roles import Role

# domain, matter, legal basis, requirement, common violations, penalty, self-check, exemption list
GUIDANCE: tuple[tuple[Domain, str, str, str, str, str, str, str], ...] = (
    (
        Domain.FOOD,
        "食品经营许可",
        "《中华人民共和国食品安全法》第三十五条",
        "从事食品销售和餐饮服务应当依法取得食品经营许可；仅销售预包装食品的，报所在地县级市场监管部门备案。许可证载明事项发生变化的，及时申请变更。",
        "未取得许可从事食品经营；许可证有效期届满未延续仍继续经营；经营项目超出许可范围。",
        "《食品安全法》第一百二十二条：没收违法所得和违法经营的食品，货值金额不足一万元的，并处五万元以上十万元以下罚款。",
        "核对许可证有效期和经营项目，与实际经营的品种、场所逐项比对；临近到期的提前三十个工作日申请延续。",
        "NATIONAL_FIRST",
    ),
    (
        Domain.FOOD,
        "超过保质期食品的清理",
        "《中华人民共和国食品安全法》第三十四条第（十）项、第五十四条",
        "定期检查库存食品，及时清理变质或者超过保质期的食品；临期食品集中陈列并显著标示。",
        "货架上陈列或者库房存放超过保质期的食品、食品添加剂；未建立临期食品检查记录。",
        "《食品安全法》第一百二十四条：没收违法所得和违法经营的食品，货值金额不足一万元的，并处五万元以上十万元以下罚款。",
        "每周按保质期逐架检查并登记；过期食品下架、登记、销毁并留存记录。",
        "NATIONAL_FIRST",
    ),
    (
        Domain.FOOD,
        "从业人员健康管理",
        "《中华人民共和国食品安全法》第四十五条",
        "从事接触直接入口食品工作的人员每年进行健康检查，取得健康证明后方可上岗。",
        "安排未取得健康证明的人员从事接触直接入口食品的工作；健康证明过期未复检。",
        "《食品安全法》第一百二十六条：责令改正，给予警告；拒不改正的，处五千元以上五万元以下罚款。",
        "建立从业人员健康档案，按到期日提前安排体检；新员工先体检后上岗。",
        "NATIONAL_FIRST",
    ),
    (
        Domain.FOOD,
        "进货查验记录",
        "《中华人民共和国食品安全法》第五十三条",
        "采购食品时查验供货者的许可证和食品出厂检验合格证或者其他合格证明，如实记录并保存凭证不少于产品保质期满后六个月。",
        "未查验供货者资质；进货记录缺失或者不全；不能如实说明进货来源。",
        "《食品安全法》第一百二十六条：责令改正，给予警告；拒不改正的，处五千元以上五万元以下罚款。",
        "抽取近一个月的进货单据，逐批核对供货者资质和合格证明是否齐全。",
        "NONE",
    ),
    (
        Domain.PRICE,
        "明码标价",
        "《中华人民共和国价格法》第十三条；《明码标价和禁止价格欺诈规定》",
        "销售商品和提供服务应当按规定明码标价，注明品名、产地、规格、等级、计价单位、价格等；不得在标价之外加价出售商品或者收取未予标明的费用。",
        "商品无价签或者价签内容不全；标价之外加收费用；促销价格无依据。",
        "《价格法》第四十二条：责令改正，没收违法所得，可以并处五千元以下的罚款。",
        "对照价目表逐一检查价签；核对结算价格与标示价格是否一致。",
        "NATIONAL_MINOR",
    ),
    (
        Domain.ECOM,
        "电子商务经营者亮照经营",
        "《中华人民共和国电子商务法》第十五条",
        "在首页显著位置持续公示营业执照信息、与经营业务有关的行政许可信息，或者上述信息的链接标识。",
        "网店首页未公示营业执照信息或者链接；信息变更后未及时更新。",
        "《电子商务法》第七十六条：责令限期改正，可以处一万元以下的罚款。",
        "从手机端和电脑端分别打开店铺首页，确认执照信息可见且与登记一致。",
        "NONE",
    ),
    (
        Domain.SPECIAL_EQUIP,
        "电梯定期检验和维护保养",
        "《中华人民共和国特种设备安全法》第四十条、第四十五条",
        "在检验合格有效期届满前一个月向检验机构提出定期检验要求；电梯由依法取得许可的单位至少每十五日维护保养一次。",
        "超过检验有效期继续使用；维护保养记录缺失；未在显著位置张贴检验合格标志。",
        "《特种设备安全法》第八十四条：责令停止使用有关特种设备，处三万元以上三十万元以下罚款。",
        "查看每部电梯的检验合格标志有效期和近三个月维保记录。",
        "NONE",
    ),
)

# code, domain, matter, basis, method, content — the 抽查事项清单 (DOMAIN.md B1)
INSPECTION_ITEMS: tuple[tuple[str, Domain, str, str, str, str], ...] = (
    (
        "FOOD-JY-01",
        Domain.FOOD,
        "食品经营许可（备案）情况的检查",
        "《中华人民共和国食品安全法》第三十五条",
        "现场检查",
        "许可证件是否有效，经营场所、项目与许可是否一致。",
    ),
    (
        "FOOD-JY-02",
        Domain.FOOD,
        "进货查验和记录制度的检查",
        "《中华人民共和国食品安全法》第五十三条",
        "现场检查",
        "供货者资质、合格证明和进货记录是否齐全。",
    ),
    (
        "FOOD-JY-03",
        Domain.FOOD,
        "食品贮存和过期食品处置的检查",
        "《中华人民共和国食品安全法》第五十四条",
        "现场检查",
        "库存食品的贮存条件、保质期和清理记录。",
    ),
    (
        "PRICE-01",
        Domain.PRICE,
        "明码标价情况的检查",
        "《中华人民共和国价格法》第十三条",
        "现场检查",
        "价签内容是否齐全，结算价格与标示价格是否一致。",
    ),
    (
        "ECOM-01",
        Domain.ECOM,
        "电子商务经营者公示营业执照信息的检查",
        "《中华人民共和国电子商务法》第十五条",
        "网络监测",
        "网店首页是否持续公示营业执照信息或者链接。",
    ),
)

# first 17 characters of the credit code, name, party type, credit class, region — a food pool
# in two counties no other demo data uses
LEGAL, INDIVIDUAL = PartyType.LEGAL_PERSON, PartyType.INDIVIDUAL_BIZ
POOL = (
    (
        "91150124MA0A1B2C3",
        "清水河县瓷都粮油食品有限公司",
        PartyType.LEGAL_PERSON,
        CreditClass.A,
        "150124",
    ),
    (
        "91150124MA0A1B2D4",
        "清水河县黄河鱼宴餐饮有限公司",
        PartyType.LEGAL_PERSON,
        CreditClass.B,
        "150124",
    ),
    (
        "92150124MA0A1B2E5",
        "清水河县老牛湾农家菜馆",
        PartyType.INDIVIDUAL_BIZ,
        CreditClass.B,
        "150124",
    ),
    (
        "92150124MA0A1B2F6",
        "清水河县城关便民超市",
        PartyType.INDIVIDUAL_BIZ,
        CreditClass.C,
        "150124",
    ),
    (
        "91150125MA0A1B2G7",
        "武川县莜面食品有限公司",
        PartyType.LEGAL_PERSON,
        CreditClass.A,
        "150125",
    ),
    (
        "91150125MA0A1B2H8",
        "武川县土豆粉加工有限公司",
        PartyType.LEGAL_PERSON,
        CreditClass.B,
        "150125",
    ),
    ("92150125MA0A1B2J9", "武川县阴山烧烤店", INDIVIDUAL, CreditClass.B, "150125"),
    ("92150125MA0A1B2K1", "武川县可镇副食品店", INDIVIDUAL, CreditClass.C, "150125"),
    ("92150125MA0A1B2L2", "武川县惠民早餐店", INDIVIDUAL, CreditClass.D, "150125"),
)
ASSOCIATIONS = (
    ("51150100MJ0A1B2M3", "呼和浩特市餐饮行业协会", Domain.FOOD, "150103"),
    ("51150100MJ0A1B2N4", "呼和浩特市食品工业协会", Domain.FOOD, "150104"),
)
# 执法检查人员名录库 of 呼和浩特 beyond the demo officer (demo logins, password "demo")
INSPECTORS = (
    ("inspector_liu", "刘检查（呼和浩特）"),
    ("inspector_chen", "陈检查（呼和浩特）"),
    ("inspector_yang", "杨检查（呼和浩特）"),
)


def seed_prevention(password: str) -> None:
    """Add what is missing (safe to run twice); commits."""
    if not db.session.execute(select(ComplianceItem.id).limit(1)).first():
        for order, (
            domain,
            matter,
            basis,
            requirement,
            violations,
            penalty,
            check,
            exempt,
        ) in enumerate(GUIDANCE):
            db.session.add(
                ComplianceItem(
                    domain=domain.value,
                    matter=matter,
                    legal_basis=basis,
                    requirement=requirement,
                    common_violations=violations,
                    penalty=penalty,
                    self_check=check,
                    exemption=exempt,
                    published=True,
                    sort_order=order,
                )
            )
    if not db.session.execute(select(InspectionItem.id).limit(1)).first():
        for code, domain, name, basis, method, content in INSPECTION_ITEMS:
            db.session.add(
                InspectionItem(
                    code=code,
                    domain=domain.value,
                    name=name,
                    basis=basis,
                    method=method,
                    content=content,
                )
            )
    known = set(db.session.execute(select(Enterprise.credit_code)).scalars())
    for first17, name, party_type, credit_class, region in POOL:
        code = first17 + credit_code_check_char(first17)
        if code not in known:
            add_enterprise(code, name, party_type, Domain.FOOD, credit_class, region)
    for first17, name, domain, region in ASSOCIATIONS:
        code = first17 + credit_code_check_char(first17)
        if code not in known:
            add_enterprise(
                code, name, PartyType.OTHER_ORG, domain, CreditClass.B, region, is_association=True
            )
    db.session.commit()
    for username, display_name in INSPECTORS:
        if not db.session.execute(select(User.id).where(User.username == username)).first():
            create_user(
                username, password, display_name, "150100", [Role.OFFICER.value], is_demo=True
            )
