"""Working on cases through the services, as the screens do, for the integration tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from app.clock import china_today, travel_to, utcnow
from app.enforcement import tasks as task_service
from app.enforcement.cases import start_case
from app.enforcement.worker import run_once
from app.extensions import db
from app.integration.events import record_party_request
from app.models import DashboardTally, Enterprise, HumanTask, Job, User
from app.platform.parameters import run_context

CHINA = dt.timezone(dt.timedelta(hours=8))


def account(name: str) -> User:
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


# the two 呼和浩特 officers holding a 执法证号 who investigate the tests' cases
INVESTIGATORS = ("officer", "inspector_liu")


def investigator_ids() -> list[int]:
    return [account(name).id for name in INVESTIGATORS]


def ready(case_id: int) -> list[HumanTask]:
    """The case's READY task rows, oldest first, as objects to complete."""
    return list(
        db.session.execute(
            select(HumanTask)
            .where(HumanTask.case_id == case_id, HumanTask.state == "READY")
            .order_by(HumanTask.id)
            .execution_options(populate_existing=True)
        ).scalars()
    )


def complete(case_id: int, bpmn_id: str, username: str, **data: Any) -> None:
    task = next(t for t in ready(case_id) if t.bpmn_id == bpmn_id)
    answered = task_service.complete_task(task, data, account(username))
    # a step answers with the READY tasks as stored (taken from the rows it wrote, or read)
    stored = ready(case_id)
    assert [(t.id, t.bpmn_id, t.lane, t.assignee_id) for t in answered] == [
        (t.id, t.bpmn_id, t.lane, t.assignee_id) for t in stored
    ]


def visit(case_id: int) -> None:
    """The return visit: it runs side by side with enforcement and the rectification check, and
    the case closes after it."""
    complete(
        case_id,
        "k_visit",
        "officer",
        visited_on=china_today().isoformat(),
        rectification_ok=True,
        conduct_ok=True,
        rights_informed=True,
        integrity_ok=True,
    )


def warning_case() -> int:
    """A risk-warning case served today, waiting for the self-check feedback (5 working days)."""
    served_on = china_today().isoformat()
    enterprise = db.session.execute(select(Enterprise).order_by(Enterprise.id)).scalars().first()
    assert enterprise is not None
    case = start_case(account("officer"), "enforcement_case", enterprise.id, "冷链风险", "WARNING")
    complete(case.id, "a_assess", "credit", situation="INDIVIDUAL_RISK", risk_summary="冷链")
    complete(case.id, "a_issue", "officer", served_on=served_on, document_summary="提醒书")
    return case.id


def self_check_due_day() -> dt.date:
    """The last day of the 5-working-day self-check period that starts today."""
    calendar = run_context().calendar
    return calendar.deadline(china_today(), 5, "working_days").due


REPORT: dict[str, Any] = {
    "facts": "2026年11月，当事人在其经营场所销售超过保质期的乳制品12盒",
    "legal_basis": "《中华人民共和国食品安全法》第三十四条第（十）项",
    "sanctions": ["FINE"],
    "proposed_fine": 5000,
    "confiscation_value": 0,
    "fine_min": 5000,
    "fine_max": 100000,
    "harm": "GENERAL",
    "on_exempt_list": "NONE",
    "adopt_exemption": True,
    "discretion_reason": "综合考虑违法情节",
    "age": None,
    "mental_incapacity": False,
    "limitation_expired": False,
    "no_fault_proven": False,
    "red_line": False,
    "emergency": False,
    "minor": False,
    "corrected": False,
    "first_offense_2y": False,
    "mitigating_mandatory": [],
    "significant_mitigation": False,
    "mitigating_optional": [],
    "aggravating": [],
    "major_public_interest": False,
    "complex_case": False,
    "in_review_catalog": False,
    "complex_or_major": False,
}


def case_at_filing(title: str = "销售过期食品") -> int:
    """A 新城区 food clue verified and approved for filing: 指定办案人员 (the filing) waits."""
    today = china_today().isoformat()
    enterprise = db.session.execute(
        select(Enterprise.id).where(Enterprise.region_code == "150102")
    ).scalar_one()
    case = start_case(account("officer"), "enforcement_case", enterprise, title, "CLUE")
    complete(
        case.id,
        "c_register",
        "officer",
        source="INSPECTION",
        found_on=today,
        clue_summary="检查发现",
    )
    complete(
        case.id,
        "c_verify",
        "officer",
        evidence_initial=True,
        should_punish=True,
        within_jurisdiction=True,
        within_limitation=True,
        facts_clear=False,
        sanctions=["FINE"],
        proposed_fine=5000,
        verify_notes="",
    )
    complete(case.id, "c_filing_approval", "agency_head", approved=True, opinion="")
    return case.id


def investigated_case(title: str = "销售过期食品", next_action: str = "CONCLUDE") -> int:
    """A 新城区 food case filed (investigated by INVESTIGATORS) and investigated; with CONCLUDE
    waiting for the investigation report, otherwise for the step `next_action` leads to."""
    case_id = case_at_filing(title)
    complete(case_id, "c_assign", "unit_head", case_officers=investigator_ids())
    complete(case_id, "d_investigate", "officer", evidence_summary="", next_action=next_action)
    return case_id


def reviewed_case(head_decision: str = "PENALTY", **report: Any) -> int:
    """A 新城区 food case filed, investigated, reported and decided on by the head."""
    case_id = investigated_case()
    complete(case_id, "e_report", "officer", **{**REPORT, **report})
    complete(case_id, "e_case_review", "reviewer", approved=True, opinion="")
    complete(
        case_id, "e_head_decision", "agency_head", head_decision=head_decision, head_opinion=""
    )
    return case_id


def close_window(case_id: int) -> None:
    """The worker fires the end of the statement/hearing window (the case's only timer then)."""
    due = db.session.execute(select(Job.due_at).where(Job.case_id == case_id)).scalar_one()
    run_once("w", due + dt.timedelta(minutes=1))


def notified_weeks_ago(*requests: str, **report: Any) -> int:
    """A case whose 告知书 was served three weeks ago (more than five working days even across
    a holiday), the party's `requests` (statement, hearing_request, waiver) recorded inside the
    window; the window has closed unless waived."""
    with travel_to(utcnow() - dt.timedelta(days=21)):
        case_id = reviewed_case("PENALTY", **report)
        served = china_today().isoformat()
        complete(case_id, "f_serve_notice", "officer", served_on=served, service_method="DIRECT")
        for kind in requests:
            record_party_request(case_id, kind, PARTY_SAYS[kind], account("officer"))
    if "waiver" not in requests:
        close_window(case_id)
    return case_id


PARTY_SAYS = {
    "statement": "违法所得计算有误，请求从轻处罚",
    "hearing_request": "要求举行听证",
    "waiver": "本公司放弃陈述、申辩和听证的权利",
}


def head_approves(case_id: int, sanctions: list[str], fine: float) -> None:
    """The head approves the decision after the notice (第五十七条), as proposed or lower."""
    complete(
        case_id,
        "f_head_approval",
        "agency_head",
        head_approved=True,
        approved_sanctions=sanctions,
        approved_fine=fine,
        head_approval_opinion="同意",
    )


def rectify_inspection_case() -> int:
    """A 新城区 inspection that found problems: publicity (credit officer) and the rectification
    order (officer) now wait on two parallel branches."""
    enterprise = db.session.execute(
        select(Enterprise.id).where(Enterprise.region_code == "150102")
    ).scalar_one()
    case = start_case(account("officer"), "enforcement_case", enterprise, "标签检查", "INSPECTION")
    complete(
        case.id,
        "b_record",
        "officer",
        inspection_type="TARGETED",
        draw_id="",
        inspection_date=china_today().isoformat(),
        inspectors="张三、李四",
        location="新城区",
        findings="标签不规范",
        result="RECTIFY",
    )
    return case.id


def tally_rows() -> dict[tuple[Any, ...], int]:
    """The dashboard tallies as they stand (rows counting nothing left out)."""
    rows = db.session.execute(select(DashboardTally)).scalars()
    return {
        (r.unit_code, r.domain, r.measure, r.period, r.key, r.value): r.count
        for r in rows
        if r.count
    }
