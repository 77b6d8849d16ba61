"""The demo's case gallery: 30 cases in 4 盟市, at every stage from A to L.

Each case is replayed through the real services at its own dates (`app.clock.travel_to`): forms
validate what is entered, the engine runs, the worker fires the timers that fall due in between.
So the timeline, clocks and documents of a demo case are those a real case would have.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

import forms
from app.calendar import Unit, WorkCalendar, add_months
from app.clock import CHINA_TZ, travel_to, utcnow
from app.database import all_or_nothing
from app.enforcement.cases import start_case
from app.enforcement.documents import issue
from app.enforcement.inbox import claim
from app.enforcement.library import (
    library_entry_of,
    publication_preview,
    set_published,
    set_typical,
)
from app.enforcement.tasks import complete_task
from app.enforcement.worker import run_once
from app.extensions import db
from app.integration.events import record_party_request
from app.models import Case, Enterprise, HumanTask, User
from app.platform.parameters import work_calendar
from app.reference.enterprise import CreditClass, Domain, PartyType
from app.reference.roles import Role

# ------------------------------------------------------------------ the people and the parties

# 盟市 → (username suffix, city) of the demo team there; 呼和浩特's team is the main demo team.
TEAMS = {
    "150100": ("", "呼和浩特"),
    "150200": ("bt", "包头"),
    "150600": ("es", "鄂尔多斯"),
    "150400": ("cf", "赤峰"),
}
TEAM_ROLES: tuple[tuple[str, Role, str], ...] = (
    ("officer", Role.OFFICER, "执法"),
    ("unit_head", Role.UNIT_HEAD, "科长"),
    ("reviewer", Role.LEGAL_REVIEWER, "法制"),
    ("hearing", Role.HEARING_OFFICER, "听证"),
    ("agency_head", Role.AGENCY_HEAD, "局长"),
    ("credit", Role.CREDIT_OFFICER, "信用"),
    # a case is investigated by two officers (《行政处罚法》第四十二条)
    ("investigator", Role.OFFICER, "执法"),
)
SURNAMES = {"bt": "韩蒋沈杨朱秦尤", "es": "许何吕施张孔范", "cf": "曹严华金魏陶喻"}
# the second investigator of 呼和浩特's cases: an officer of the base demo's 执法检查人员名录库
SECOND_OFFICER, MAIN_TEAM_SECOND = "investigator", "inspector_liu"


def team_accounts() -> Iterator[tuple[str, str, str, Role]]:
    """(username, display name, region, role) of the teams outside 呼和浩特."""
    for region, (suffix, city) in TEAMS.items():
        if not suffix:
            continue
        for (key, role, title), surname in zip(TEAM_ROLES, SURNAMES[suffix], strict=True):
            yield f"{key}_{suffix}", f"{surname}{title}（{city}）", region, role


def username(key: str, region_code: str) -> str:
    suffix = next(s for unit, (s, _) in TEAMS.items() if region_code.startswith(unit[:4]))
    return f"{key}_{suffix}" if suffix else key


# (first 17 characters of the credit code, name, party type, domain, class, region)
GALLERY_ENTERPRISES = (
    (
        "92150103MA0T6R2E8",
        "回民区伊味清真糕点店",
        PartyType.INDIVIDUAL_BIZ,
        Domain.FOOD,
        CreditClass.B,
        "150103",
    ),
    (
        "91150104MA0K9W3D5",
        "玉泉区塞上明眸眼镜验配有限公司",
        PartyType.LEGAL_PERSON,
        Domain.METROLOGY,
        CreditClass.B,
        "150104",
    ),
    (
        "91150123MA0U4C8F2",
        "呼和浩特市敕勒川电梯维保有限公司",
        PartyType.LEGAL_PERSON,
        Domain.SPECIAL_EQUIP,
        CreditClass.B,
        "150123",
    ),
    (
        "91150122MA0H7N1X4",
        "内蒙古云驼电子商务有限公司",
        PartyType.LEGAL_PERSON,
        Domain.ECOM,
        CreditClass.B,
        "150122",
    ),
    (
        "92150121MA0P2L6G9",
        "土默特左旗金川农资经销部",
        PartyType.INDIVIDUAL_BIZ,
        Domain.PRODUCT_QUALITY,
        CreditClass.C,
        "150121",
    ),
    (
        "91150204MA0E3Y5B7",
        "包头市青山区百家惠超市有限公司",
        PartyType.LEGAL_PERSON,
        Domain.FOOD,
        CreditClass.B,
        "150204",
    ),
    (
        "92150202MA0D8J4R1",
        "东河区老包头烧麦馆",
        PartyType.INDIVIDUAL_BIZ,
        Domain.FOOD,
        CreditClass.B,
        "150202",
    ),
    (
        "91150221MA0F5T9M6",
        "土默特右旗稀土城加油站有限公司",
        PartyType.LEGAL_PERSON,
        Domain.METROLOGY,
        CreditClass.C,
        "150221",
    ),
    (
        "91150603MA0Q1K7W8",
        "鄂尔多斯市康巴什区绒都羊绒制品有限公司",
        PartyType.LEGAL_PERSON,
        Domain.PRODUCT_QUALITY,
        CreditClass.B,
        "150603",
    ),
    (
        "91150602MA0R6B2N3",
        "东胜区暖城大药房有限公司",
        PartyType.LEGAL_PERSON,
        Domain.DRUG,
        CreditClass.B,
        "150602",
    ),
    (
        "91150627MA0G4X8H5",
        "伊金霍洛旗乌兰木伦燃气有限公司",
        PartyType.LEGAL_PERSON,
        Domain.SPECIAL_EQUIP,
        CreditClass.B,
        "150627",
    ),
    (
        "92150621MA0C9P3U2",
        "达拉特旗沿黄农家乐餐饮店",
        PartyType.INDIVIDUAL_BIZ,
        Domain.FOOD,
        CreditClass.C,
        "150621",
    ),
    (
        "91150402MA0L2H6Y4",
        "赤峰市红山区玉龙广告传媒有限公司",
        PartyType.LEGAL_PERSON,
        Domain.AD,
        CreditClass.B,
        "150402",
    ),
    (
        "91150404MA0N8D1K7",
        "松山区草原牧歌牛肉干加工有限公司",
        PartyType.LEGAL_PERSON,
        Domain.FOOD,
        CreditClass.B,
        "150404",
    ),
    (
        "91150429MA0W3F5T1",
        "宁城县塞外老窖酒业销售有限公司",
        PartyType.LEGAL_PERSON,
        Domain.FOOD,
        CreditClass.B,
        "150429",
    ),
    (
        "91150403MA0X7E2Q9",
        "元宝山区平煤锅炉安装有限公司",
        PartyType.LEGAL_PERSON,
        Domain.SPECIAL_EQUIP,
        CreditClass.B,
        "150403",
    ),
)

# ------------------------------------------------------------------ steps and stories


@dataclass(frozen=True)
class Day:
    """A date in a step's data: the step's own day plus `offset` calendar days."""

    offset: int = 0


ON_THE_DAY = Day()
RECTIFY_WORKING_DAYS = 10  # the period a 责令改正通知书 sets in the stories
HEARING_AFTER_DAYS = 14  # a hearing is held two weeks after it is scheduled
VIOLATED_DAYS_BEFORE_REPORT = 30  # the violation came before its clue (the first-offense date)


@dataclass(frozen=True)
class CaseNumbered:
    """A value made of the case number and a suffix (archive numbers)."""

    suffix: str


@dataclass(frozen=True)
class Investigators:
    """The account ids of the case team's two investigators, chosen at filing."""


INVESTIGATORS = Investigators()


@dataclass(frozen=True)
class AfterTimer:
    """A step that waits for a BPMN timer counted from the day of an earlier step (`anchor`): it
    comes on the first working day on which the timer has fired. The rule is the diagram's,
    written here so that a story is planned without the engine; when the story is played, the
    step's task must be ready by then, or the story fails naming the step."""

    anchor: str  # the task of the earlier step
    days: int = 0  # calendar days after the anchor's day
    working_days: int = 0
    months: int = 0  # the corresponding day so many months later
    at_end_of_day: bool = False  # an end_of_day(…) timer fires the day after its date

    def day_after(self, anchor_day: dt.date, calendar: WorkCalendar) -> dt.date:
        due = add_months(anchor_day, self.months) + dt.timedelta(days=self.days)
        if self.working_days:
            due = calendar.deadline(due, self.working_days, Unit.WORKING_DAYS).due
        return due + dt.timedelta(days=1) if self.at_end_of_day else due


# the statement/hearing window after the notice (HEARING_REQUEST_WD as seeded): it stays open to
# its end whatever the party sends, so what follows the party's answer waits for it
PARTY_WINDOW_WORKING_DAYS = 5
AFTER_THE_WINDOW = AfterTimer(
    "f_serve_notice", working_days=PARTY_WINDOW_WORKING_DAYS, at_end_of_day=True
)


@dataclass(frozen=True)
class Step:
    # the bpmn id of the READY task; "party:<kind>" records the party's statement or hearing
    # request, "doc:<code>" issues a document, "library:publish" marks the case's library
    # entry typical and publishes it
    task: str
    user: str  # a team role key (see TEAM_ROLES)
    data: dict[str, Any] = field(default_factory=dict)
    # calendar days after the previous step, or a timer to wait for (moved on to a working day)
    gap: int | AfterTimer = 1


@dataclass(frozen=True)
class Story:
    credit_code17: str
    entry: str
    title: str
    days_ago: int  # when the case was opened
    steps: tuple[Step, ...]
    until: str | None = None  # stop when this task is READY (None: play every step)


@dataclass(frozen=True)
class Offense:
    """The facts of a penalty case, from the clue to the decision."""

    clue: str
    facts: str
    violation_code: str  # of the 违法行为目录: the legal basis and fine range are its
    fine: int
    violation_type: str  # its name, as the case library files it
    # the range converted by hand where the law sets it as a multiple of the goods' value
    fine_range: tuple[int, int] | None = None
    source: str = "INSPECTION"
    sanctions: tuple[str, ...] = ("WARNING", "FINE")
    harm: str = "GENERAL"
    party_first_offense: bool = False


def _filing(offense: Offense) -> list[Step]:
    return [
        Step(
            "c_register",
            "officer",
            {"source": offense.source, "found_on": ON_THE_DAY, "clue_summary": offense.clue},
            0,
        ),
        Step(
            "c_verify",
            "officer",
            {
                "evidence_initial": True,
                "should_punish": True,
                "within_jurisdiction": True,
                "within_limitation": True,
                "facts_clear": False,
                "sanctions": list(offense.sanctions),
                "proposed_fine": offense.fine,
                "verify_notes": "现场检查笔录、照片及进货台账已固定。",
            },
            3,
        ),
        Step("c_filing_approval", "agency_head", {"approved": True, "opinion": "同意立案。"}, 1),
        Step("c_assign", "unit_head", {"case_officers": INVESTIGATORS}, 0),
        Step(
            "d_investigate",
            "officer",
            {
                "evidence_summary": "询问笔录2份、现场照片12张、进销货凭证复印件，证据确实充分。",
                "next_action": "CONCLUDE",
            },
            12,
        ),
    ]


def _report(offense: Offense, **circumstances: Any) -> dict[str, Any]:
    return {
        "violation_code": offense.violation_code,
        "violated_on": Day(-VIOLATED_DAYS_BEFORE_REPORT),
        "facts": offense.facts,
        "sanctions": list(offense.sanctions),
        "proposed_fine": offense.fine,
        "confiscation_value": 0,
        **(
            {}
            if offense.fine_range is None
            else {"fine_min": offense.fine_range[0], "fine_max": offense.fine_range[1]}
        ),
        "harm": offense.harm,
        "on_exempt_list": "NONE",
        "adopt_exemption": True,
        "discretion_reason": "综合违法行为的事实、性质、情节和社会危害程度，依照裁量基准确定。",
        **circumstances,
    }


def _rectification() -> list[Step]:
    return [
        Step(
            "i_order",
            "officer",
            {
                "order_served_on": ON_THE_DAY,
                "rectify_days": RECTIFY_WORKING_DAYS,
                "requirements": "停止违法行为，健全进货查验和自查制度，限期提交整改报告。",
            },
            1,
        ),
        Step("doc:RECTIFY_ORDER", "officer", gap=0),
        Step(
            "i_verify",
            "officer",
            {"verify_result": "PASS", "verify_notes": "现场复查，已按要求整改到位。"},
            AfterTimer("i_order", working_days=RECTIFY_WORKING_DAYS, at_end_of_day=True),
        ),
        Step("doc:RECTIFY_CHECK", "officer", gap=0),
    ]


def _closure(reason: str) -> list[Step]:
    """结案 once enforcement, the rectification check and the visit are all done."""
    return [
        Step(
            "j_report",
            "officer",
            {"closure_reason": reason, "closure_notes": "案件材料齐全，拟结案。"},
            2,
        ),
        Step("j_approval", "agency_head", {"approved": True, "opinion": "同意结案。"}, 1),
        Step("j_archive", "officer", {"archive_no": CaseNumbered("-卷1")}, 2),
    ]


VISIT = Step(
    "k_visit",
    "officer",
    {
        "visited_on": ON_THE_DAY,
        "rectification_ok": True,
        "conduct_ok": True,
        "rights_informed": True,
        "integrity_ok": True,
        "visit_notes": "企业对执法过程无异议，整改措施持续有效。",
    },
    3,
)


def penalty_path(offense: Offense, hearing: bool = False) -> tuple[Step, ...]:
    """An ordinary procedure ending in a fine, with a statement or (if `hearing`) a hearing."""
    heard: list[Step] = (
        [
            Step(
                "party:hearing_request",
                "officer",
                {"summary": "当事人书面申请听证，认为罚款数额过高。"},
                2,
            ),
            Step(
                "f_schedule_hearing",
                "hearing",
                {
                    "hearing_date": Day(HEARING_AFTER_DAYS),
                    "hearing_notice_served_on": ON_THE_DAY,
                    "hearing_location": "本局第一听证室",
                },
                AFTER_THE_WINDOW,
            ),
            Step(
                "f_hold_hearing",
                "hearing",
                {
                    "party_attended": True,
                    "hearing_summary": "当事人对违法事实无异议，请求从轻处罚；调查人员出示了证据。",
                    "proposed_fine": offense.fine,
                },
                AfterTimer("f_schedule_hearing", days=HEARING_AFTER_DAYS),
            ),
            Step(
                "f_post_hearing_review",
                "reviewer",
                {"approved": True, "opinion": "听证程序合法，拟处罚意见适当。"},
                2,
            ),
        ]
        if hearing
        else [
            Step(
                "party:statement",
                "officer",
                {"summary": "当事人陈述：系初次经营疏忽，已全部下架，请求从轻处罚。"},
                2,
            )
        ]
    )
    return (
        *_filing(offense),
        Step("e_report", "officer", _report(offense), 2),
        Step(
            "e_case_review",
            "reviewer",
            {"approved": True, "opinion": "事实清楚，证据确凿，适用依据正确。"},
            1,
        ),
        Step(
            "e_head_decision",
            "agency_head",
            {"head_decision": "PENALTY", "head_opinion": "同意拟处罚意见。"},
            1,
        ),
        Step("doc:PENALTY_NOTICE", "officer", gap=0),
        Step("f_serve_notice", "officer", {"served_on": ON_THE_DAY, "service_method": "DIRECT"}, 1),
        *heard,
        Step(
            "f_review_statement",
            "officer",
            {
                "statement_adopted": False,
                "proposed_fine": offense.fine,
                "review_notes": "当事人所提理由不足以变更拟处罚意见。",
            },
            1 if hearing else AFTER_THE_WINDOW,
        ),
        Step(
            "f_head_approval",
            "agency_head",
            {
                "head_approved": True,
                "approved_sanctions": list(offense.sanctions),
                "approved_fine": offense.fine,
                "head_approval_opinion": "同意作出行政处罚决定。",
            },
            1,
        ),
        Step(
            "g_penalty_decision",
            "officer",
            {"decided_on": ON_THE_DAY, "sanctions": list(offense.sanctions), "fine": offense.fine},
            1,
        ),
        Step("doc:PENALTY_DECISION", "officer", gap=0),
        Step(
            "g_serve_two",
            "officer",
            {"served_on": ON_THE_DAY, "repair_notice_served": True, "service_method": "DIRECT"},
            1,
        ),
        Step("g_publish", "credit", {"published_on": ON_THE_DAY}, 2),
        Step("g_serious_list", "credit", {"serious_list": False}, 0),
        Step(
            "h_payment",
            "officer",
            {"payment_status": "PAID", "paid_on": ON_THE_DAY, "amount_paid": offense.fine},
            3,
        ),
        *_rectification(),
        VISIT,
        Step("doc:VISIT_RECORD", "officer", gap=0),
        *_closure("EXECUTED"),
    )


def repair_path(min_publicity_months: int) -> tuple[Step, ...]:
    """信用修复, applied for once the minimum publicity period after 公示 has passed."""
    return (
        Step(
            "party:repair_application",
            "credit",
            {"summary": "信用修复申请书、守信承诺书，罚款缴纳凭证和整改材料。"},
            AfterTimer("g_publish", months=min_publicity_months),
        ),
        Step(
            "l_accept",
            "credit",
            {"repair_accepted": True, "answered_on": ON_THE_DAY, "fast_track": False},
            1,
        ),
        Step(
            "l_verify",
            "credit",
            {
                "verification_method": "ONLINE",
                "verification_notes": "已履行行政处罚决定，整改到位。",
            },
            2,
        ),
        Step(
            "l_decide",
            "agency_head",
            {
                "repair_approved": True,
                "repair_decided_on": ON_THE_DAY,
                "decision_reason": "符合信用修复条件，准予修复。",
            },
            1,
        ),
        Step("doc:REPAIR_DECISION", "officer", gap=0),
        Step(
            "l_stop_publicity",
            "credit",
            {"stopped_on": ON_THE_DAY, "shared_with_credit_china": True},
            1,
        ),
    )


def exemption_path(offense: Offense) -> tuple[Step, ...]:
    """首违不罚: a first, slight offense corrected in time (《行政处罚法》第三十三条第一款)."""
    return (
        *_filing(offense),
        Step(
            "e_report",
            "officer",
            _report(offense, first_offense_2y=True, corrected=True, harm="SLIGHT"),
            2,
        ),
        Step("e_case_review", "reviewer", {"approved": True, "opinion": "符合首违不罚条件。"}, 1),
        Step(
            "e_head_decision",
            "agency_head",
            {"head_decision": "NO_PENALTY", "head_opinion": "同意不予行政处罚。"},
            1,
        ),
        Step(
            "g_no_penalty_decision",
            "officer",
            {
                "decided_on": ON_THE_DAY,
                "education_done": True,
                "decision_summary": "当事人初次违法，危害后果轻微并及时改正。",
            },
            1,
        ),
        Step("doc:NO_PENALTY_DECISION", "officer", gap=0),
        Step(
            "g_serve_no_penalty", "officer", {"served_on": ON_THE_DAY, "guidance_attached": True}, 1
        ),
        *_rectification(),
        VISIT,
        Step("doc:VISIT_RECORD", "officer", gap=0),
        *_closure("NOT_PUNISHED"),
        Step(
            "j_library",
            "reviewer",
            {"violation_type": offense.violation_type, "library_summary": "首违不罚典型案例。"},
            1,
        ),
        # the head marks it typical and publishes it: the public case page has one to show
        Step("library:publish", "agency_head", gap=0),
    )


def warning_path(risk: str, situation: str = "INDIVIDUAL_RISK") -> tuple[Step, ...]:
    return (
        Step(
            "a_assess",
            "credit",
            {
                "situation": situation,
                "risk_summary": risk,
                "compliance_items": "对照合规指引清单逐项自查。",
            },
            0,
        ),
        Step(
            "a_issue", "officer", {"served_on": ON_THE_DAY, "document_summary": f"提醒：{risk}"}, 1
        ),
        Step("doc:WARNING_NOTICE", "officer", gap=0),
        Step(
            "a_feedback",
            "officer",
            {
                "feedback_received_on": ON_THE_DAY,
                "feedback_summary": "企业提交自查整改报告，已完成整改。",
            },
            4,
        ),
        Step("a_verify", "officer", {"verified": True, "verify_notes": "现场核实整改到位。"}, 2),
    )


def inspection_path(findings: str, result: str) -> tuple[Step, ...]:
    return (
        Step(
            "b_record",
            "officer",
            {
                "inspection_type": "RANDOM",
                "draw_id": "",
                "inspection_date": ON_THE_DAY,
                "inspectors": "王海军、李娜",
                "location": "经营场所",
                "findings": findings,
                "result": result,
            },
            0,
        ),
        Step("b_publish", "credit", {"published_on": ON_THE_DAY, "publish_channel": "GSXT"}, 3),
    )


EXPIRED_DAIRY = Offense(
    "日常检查发现冷柜内有超过保质期的酸奶",
    "当事人在经营场所销售超过保质期的乳制品共18盒，货值金额216元。",
    "FOOD-EXPIRED",
    50000,
    "销售超过保质期的食品",
)
LABEL_FOOD = Offense(
    "抽检发现散装牛肉干未标注生产日期",
    "当事人销售的散装牛肉干未标明生产日期和保质期，货值金额3200元。",
    "FOOD-LABEL",
    8000,
    "标签不符合规定",
)
UNCHECKED_BOILER = Offense(
    "检查发现在用锅炉超期未检验",
    "当事人使用的1台燃气锅炉定期检验已于2025年届满，未申报检验仍继续使用。",
    "SE-UNINSPECTED",
    60000,
    "使用未经定期检验的特种设备",
    sanctions=("FINE",),
)
ABSOLUTE_AD = Offense(
    "网络巡查发现广告使用“最佳”“第一品牌”用语",
    "当事人在其发布的户外广告中使用“草原第一品牌”“最佳口感”等绝对化用语。",
    "AD-ABSOLUTE",
    200000,
    "广告使用绝对化用语",
    source="MONITORING",
    sanctions=("FINE",),
)
FAKE_CASHMERE = Offense(
    "投诉反映“纯羊绒”围巾羊绒含量不足",
    "经检验，当事人销售的标注“100%山羊绒”围巾实际羊绒含量为62%，货值金额4.6万元。",
    "PQ-SUBSTANDARD",
    50000,
    "以次充好",
    fine_range=(23000, 138000),  # 货值4.6万元的百分之五十至三倍
    source="COMPLAINT",
)
UNLICENSED_ECOM = Offense(
    "网络监测发现网店首页未公示营业执照信息",
    "当事人经营的网店首页未持续公示营业执照信息，发现后当日改正。",
    "ECOM-LICENSE-INFO",
    2000,
    "未公示营业执照信息",
    source="MONITORING",
    sanctions=("FINE",),
    harm="SLIGHT",
)
NO_LEDGER = Offense(
    "检查发现未建立食品进货查验记录",
    "当事人未按规定建立并遵守进货查验记录制度，查验记录缺失3个月。",
    "FOOD-NO-LEDGER",
    5000,
    "未履行进货查验义务",
    harm="SLIGHT",
)
# over 100,000 yuan for an organisation: the party may ask for a hearing (HEARING_FINE_ORG)
UNCHECKED_ELEVATOR = Offense(
    "检查发现维保单位承接的电梯超期未检仍在运行",
    "当事人作为使用单位，其管理的3台乘客电梯定期检验届满后未申报检验，继续投入使用。",
    "SE-UNINSPECTED",
    150000,
    "使用未经定期检验的特种设备",
    sanctions=("FINE",),
    harm="SERIOUS",
)
PRESCRIPTION = Offense(
    "投诉反映药店未凭处方销售处方药",
    "当事人未凭处方向消费者销售处方药阿莫西林胶囊2盒。",
    "DRUG-PRESCRIPTION",
    100000,
    "未凭处方销售处方药",
    source="COMPLAINT",
)

# Lists rather than one long expression per case: several cases share a path and differ in how far
# it has come. `until` names the task the case waits at now.
GALLERY: tuple[Story, ...] = (
    # A 风险预警
    Story(
        "91150104MA0K9W3D5",
        "WARNING",
        "验光设备未按期检定风险提醒",
        4,
        warning_path("在用验光仪临近强制检定周期"),
        "a_feedback",
    ),
    Story(
        "91150602MA0R6B2N3",
        "WARNING",
        "冬季流感季处方药销售合规提醒",
        40,
        warning_path("处方药凭处方销售及登记"),
        None,
    ),
    Story(
        "91150402MA0L2H6Y4",
        "WARNING",
        "广告绝对化用语行业风险提醒",
        1,
        warning_path("户外广告用语合规", "COMMON_RISK"),
        "a_assess",
    ),
    # B 监督检查
    Story(
        "91150204MA0E3Y5B7",
        "INSPECTION",
        "2026年第四季度食品销售双随机抽查",
        2,
        inspection_path("现场检查未发现问题。", "COMPLIANT"),
        "b_publish",
    ),
    Story(
        "91150627MA0G4X8H5",
        "INSPECTION",
        "燃气压力容器专项检查",
        0,
        inspection_path("储气罐安全附件校验情况", "COMPLIANT"),
        "b_record",
    ),
    # C 线索与立案
    Story(
        "92150103MA0T6R2E8",
        "CLUE",
        "糕点店疑似使用过期原料",
        2,
        penalty_path(NO_LEDGER),
        "c_verify",
    ),
    Story(
        "91150404MA0N8D1K7",
        "CLUE",
        "散装牛肉干标签问题线索",
        6,
        penalty_path(LABEL_FOOD),
        "c_filing_approval",
    ),
    Story(
        "92150202MA0D8J4R1", "CLUE", "烧麦馆后厨卫生投诉", 5, penalty_path(NO_LEDGER), "c_assign"
    ),
    # D 调查取证
    Story(
        "91150603MA0Q1K7W8",
        "CLUE",
        "羊绒围巾含量不符投诉",
        12,
        penalty_path(FAKE_CASHMERE),
        "d_investigate",
    ),
    Story(
        "91150221MA0F5T9M6",
        "CLUE",
        "加油机计量作弊举报核查",
        8,
        penalty_path(NO_LEDGER),
        "d_investigate",
    ),
    # E 审查与决定
    Story(
        "91150429MA0W3F5T1",
        "CLUE",
        "白酒标签未标注生产日期",
        30,
        penalty_path(LABEL_FOOD),
        "e_report",
    ),
    Story(
        "91150403MA0X7E2Q9",
        "CLUE",
        "锅炉超期未检",
        34,
        penalty_path(UNCHECKED_BOILER),
        "e_case_review",
    ),
    Story(
        "91150102MA0N3K7P1",
        "CLUE",
        "销售过期酸奶",
        36,
        penalty_path(EXPIRED_DAIRY),
        "e_head_decision",
    ),
    # F 告知与听证
    Story(
        "92150621MA0C9P3U2",
        "CLUE",
        "农家乐未建立进货查验记录",
        38,
        penalty_path(NO_LEDGER),
        "f_serve_notice",
    ),
    Story(
        "91150123MA0U4C8F2",
        "CLUE",
        "电梯维保单位检验超期使用设备",
        60,
        penalty_path(UNCHECKED_ELEVATOR, hearing=True),
        "f_hold_hearing",
    ),
    Story(
        "91150402MA0L2H6Y4",
        "CLUE",
        "户外广告使用绝对化用语",
        70,
        penalty_path(ABSOLUTE_AD, hearing=True),
        "f_post_hearing_review",
    ),
    # G 决定与送达
    Story(
        "91150204MA0E3Y5B7",
        "CLUE",
        "超市销售过期乳制品",
        44,
        penalty_path(EXPIRED_DAIRY),
        "g_penalty_decision",
    ),
    Story(
        "91150100MA13YQ5W0",
        "CLUE",
        "连锁药店未凭处方销售处方药",
        48,
        penalty_path(PRESCRIPTION),
        "g_serve_two",
    ),
    Story(
        "91150207MA0Q2N6C3", "CLUE", "建材以次充好", 52, penalty_path(FAKE_CASHMERE), "g_publish"
    ),
    # H 执行
    Story(
        "91150203MA0PX4J9H",
        "CLUE",
        "检测机构使用超期未检设备",
        44,
        penalty_path(UNCHECKED_BOILER),
        "h_payment",
    ),
    # I 整改复查
    Story(
        "92150105MA0R8T2L6", "CLUE", "烧烤店食材标签不全", 75, penalty_path(LABEL_FOOD), "i_verify"
    ),
    Story(
        "91150602MA0R6B2N3",
        "CLUE",
        "药房处方药销售登记缺失",
        78,
        penalty_path(PRESCRIPTION),
        "i_verify",
    ),
    # J 结案
    Story(
        "91150404MA0N8D1K7",
        "CLUE",
        "牛肉干加工厂进货查验缺失",
        92,
        penalty_path(NO_LEDGER),
        "j_approval",
    ),
    Story(
        "91150122MA0H7N1X4",
        "CLUE",
        "网店未公示营业执照（首违不罚）",
        95,
        exemption_path(UNLICENSED_ECOM),
        "j_library",
    ),
    # K 回访
    Story(
        "92150121MA0P2L6G9", "CLUE", "农资店未建立进货台账", 100, penalty_path(NO_LEDGER), "k_visit"
    ),
    Story(
        "91150104MA0K9W3D5",
        "CLUE",
        "网店页面未亮照（首违不罚）",
        130,
        exemption_path(UNLICENSED_ECOM),
        None,
    ),
    # L 信用修复
    Story(
        "91150429MA0W3F5T1",
        "CLUE",
        "白酒经销商销售过期产品",
        150,
        penalty_path(EXPIRED_DAIRY),
        None,
    ),
    Story(
        "91150603MA0Q1K7W8",
        "CLUE",
        "羊绒衫纤维含量标注不实",
        420,
        (*penalty_path(FAKE_CASHMERE), *repair_path(6)),
        "l_verify",
    ),
    Story(
        "92150202MA0D8J4R1",
        "CLUE",
        "烧麦馆使用过期面粉",
        430,
        (*penalty_path(EXPIRED_DAIRY), *repair_path(12)),
        None,
    ),
    Story(
        "91150403MA0X7E2Q9",
        "CLUE",
        "压力管道未经监督检验投入使用",
        480,
        (*penalty_path(UNCHECKED_BOILER), *repair_path(12)),
        None,
    ),
)


# ------------------------------------------------------------------ planning the stories

OFFICE_OPENS, OFFICE_CLOSES = dt.time(9), dt.time(17)  # China time
STEP_MINUTES = 7  # a story's steps of one day follow one another from 09:00 on


@dataclass(frozen=True)
class Planned:
    number: int  # the step's place in its story, from 1 (0 is the opening)
    step: Step
    day: dt.date

    @property
    def moment(self) -> dt.datetime:
        return _at(self.day, self.number)


@dataclass(frozen=True)
class Plan:
    opened_on: dt.date
    steps: tuple[Planned, ...]  # the steps played, those before the story's `until`

    @property
    def last_moment(self) -> dt.datetime:
        return self.steps[-1].moment if self.steps else _at(self.opened_on, 0)


def plan(story: Story, calendar: WorkCalendar, now: dt.datetime) -> Plan:
    """The days a story is played at, without the engine: opened `days_ago` working-day-rolled
    days before the last finished working day, each step its gap later — and, when that would
    put a step after `now` (a weekend or a holiday crossed on the way), opened earlier by as
    much. Every step then lies in the past, whatever the hour, weekday or holiday season."""
    today = gallery_today(calendar, now)
    start = today - dt.timedelta(days=story.days_ago)
    while True:
        planned = _dates(story, calendar, calendar.next_working_day(start))
        last_day = planned.last_moment.astimezone(CHINA_TZ).date()
        if last_day <= today:
            return planned
        start -= dt.timedelta(days=(last_day - today).days)


def _dates(story: Story, calendar: WorkCalendar, opened_on: dt.date) -> Plan:
    day = opened_on
    steps: list[Planned] = []
    for number, step in enumerate(story.steps, start=1):
        if step.task == story.until:
            break
        if isinstance(step.gap, AfterTimer):
            anchor = next(p.day for p in reversed(steps) if p.step.task == step.gap.anchor)
            day = max(day, step.gap.day_after(anchor, calendar))
        else:
            day += dt.timedelta(days=step.gap)
        day = calendar.next_working_day(day)
        steps.append(Planned(number, step, day))
    else:
        if story.until is not None:
            raise ValueError(f"{story.title}: no step {story.until}")
    return Plan(opened_on, tuple(steps))


def gallery_today(calendar: WorkCalendar, now: dt.datetime) -> dt.date:
    """The last working day whose office hours are over at `now`: the day the stories' "days
    ago" count back from. Seeded at night, in the morning or at a weekend, no story then opens
    or steps ahead of now (a story of "today" seeded at 08:00 would be opened at 09:00)."""
    local = now.astimezone(CHINA_TZ)
    if calendar.is_working_day(local.date()) and local.time() >= OFFICE_CLOSES:
        return local.date()
    day = local.date() - dt.timedelta(days=1)
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def _at(day: dt.date, number: int) -> dt.datetime:
    moment = dt.datetime.combine(day, OFFICE_OPENS, CHINA_TZ) + dt.timedelta(
        minutes=STEP_MINUTES * number
    )
    if moment.time() >= OFFICE_CLOSES:
        raise ValueError(f"step {number} of a story would be played after office hours")
    return moment


# ------------------------------------------------------------------ playing the stories


class StoryFailed(Exception):
    """A gallery story could not be played; nothing of it was kept."""


def play_gallery() -> int:
    """Replay every story that is not there yet; returns the number of cases opened. Each story
    is kept whole or not at all, so a failed one is replayed cleanly at the next start."""
    played = 0
    for story in GALLERY:
        exists = db.session.execute(select(Case.id).where(Case.title == story.title)).first()
        db.session.commit()  # the story's own transaction starts on a fresh connection
        if not exists:
            play_story(story)
            played += 1
    run_once("demo-seed")  # whatever fell due between the replayed dates and now
    return played


def play_story(story: Story) -> None:
    """Open the story's case and play its steps at their planned moments, in one transaction:
    if a step fails, the case, its tasks, timers, documents and audit entries are all gone and
    StoryFailed names the story and the step."""
    with all_or_nothing():
        _play(story)


def _play(story: Story) -> None:
    enterprise = db.session.execute(
        select(Enterprise).where(Enterprise.credit_code.startswith(story.credit_code17))
    ).scalar_one()
    now = utcnow()
    planned = plan(story, work_calendar(), now)
    with travel_to(_at(planned.opened_on, 0)):
        case = start_case(
            _user("officer", enterprise.region_code),
            "enforcement_case",
            enterprise.id,
            story.title,
            story.entry,
        )
    for step in planned.steps:
        try:
            if step.moment > now:  # the plan's promise, kept whatever the calendar says
                raise ValueError(f"planned for {step.moment.isoformat()}, after now")
            with travel_to(step.moment):
                _fire_due_timers(step.moment)
                _do(case, enterprise, step.step, step.day)
        except Exception as exc:
            raise StoryFailed(
                f"{story.title}：第 {step.number} 步 {step.step.task}：{exc}"
            ) from exc
    if story.until is not None:
        _fire_due_timers(now)
        waiting = _ready(case.id, story.until)  # the case waits here today
        if _step_of(story, story.until).user == "officer":  # on the case officer's own list
            claim(waiting.id, _user("officer", enterprise.region_code))


def _step_of(story: Story, task: str) -> Step:
    return next(step for step in story.steps if step.task == task)


def _fire_due_timers(moment: dt.datetime) -> None:
    while run_once("demo-seed", moment).get("fired"):
        pass


def _user(key: str, region_code: str) -> User:
    name = username(key, region_code)
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def _ready(case_id: int, bpmn_id: str) -> HumanTask:
    ready = (
        db.session.execute(
            select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.state == "READY")
        )
        .scalars()
        .all()
    )
    for task in ready:
        if task.bpmn_id == bpmn_id:
            return task
    raise ValueError(f"case {case_id}: {bpmn_id} not ready; ready: {[t.bpmn_id for t in ready]}")


def _resolve(data: dict[str, Any], day: dt.date, case: Case) -> dict[str, Any]:
    def value_of(value: Any) -> Any:
        if isinstance(value, Day):
            return (day + dt.timedelta(days=value.offset)).isoformat()
        if isinstance(value, CaseNumbered):
            return f"{case.case_no}{value.suffix}"
        if isinstance(value, Investigators):
            second = username(SECOND_OFFICER, case.region_code)
            names = (username("officer", case.region_code), second)
            if second == SECOND_OFFICER:  # 呼和浩特
                names = (names[0], MAIN_TEAM_SECOND)
            return list(
                db.session.execute(
                    select(User.id).where(User.username.in_(names)).order_by(User.id)
                ).scalars()
            )
        return value

    return {name: value_of(value) for name, value in data.items()}


def _do(case: Case, enterprise: Enterprise, step: Step, day: dt.date) -> None:
    user = _user(step.user, enterprise.region_code)
    data = _resolve(step.data, day, case)
    if step.task.startswith("party:"):
        record_party_request(case.id, step.task.removeprefix("party:"), data["summary"], user)
        return
    if step.task.startswith("doc:"):
        issue(case.id, step.task.removeprefix("doc:"), user)
        return
    if step.task == "library:publish":
        entry = library_entry_of(case.id)
        set_typical(user, entry, True)
        _, text = publication_preview(user, entry)  # the text the agency head confirms
        set_published(user, entry, True, text.digest)
        return
    task = _ready(case.id, step.task)
    form = forms.form_class_for(task.form_key or "").from_json(data, day)
    if not form.validate():
        raise ValueError(f"{case.title}: {step.task}: {form.errors}")
    complete_task(task, form.to_task_data(), user)
