"""The process library, driven on the real engine along every main path and every branch.

Each step starts from the stored JSON (a save-and-reload after every step); timers fire by moving
an injected clock. Element coverage is collected for `tijian check-workflows --coverage`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import chinese_calendar
import pytest

import forms
from app.clock import CHINA_TZ as CHINA
from app.enforcement.seizure import leaves_goods_seized
from app.engine import EngineError, MessageNotExpected, RuleBroken

from .process_driver import Case

# ---------------------------------------------------------------- building blocks

REPORT: dict[str, Any] = {
    "facts": "经营超过保质期的食品",
    "legal_basis": "《食品安全法》第一百二十四条",
    "sanctions": ["FINE", "CONFISCATE_INCOME"],
    "proposed_fine": 50000,
    "confiscation_value": 800,
    "fine_min": 50000,
    "fine_max": 100000,
    "age": None,
    "mental_incapacity": False,
    "limitation_expired": False,
    "no_fault_proven": False,
    "red_line": False,
    "emergency": False,
    "minor": False,
    "corrected": False,
    "harm": "GENERAL",
    "first_offense_2y": False,
    "on_exempt_list": "NONE",
    "adopt_exemption": True,
    "mitigating_mandatory": [],
    "significant_mitigation": False,
    "mitigating_optional": [],
    "aggravating": [],
    "major_public_interest": False,
    "complex_case": False,
    "in_review_catalog": False,
    "complex_or_major": False,
    "discretion_reason": "综合考虑违法事实、情节和危害后果",
}
APPROVE = {"approved": True, "opinion": "同意"}
REJECT = {"approved": False, "opinion": "不同意"}
BACK_TO_REPORT = {"approved": False, "send_back_to": "REPORT", "opinion": "裁量理由不充分"}
MORE_EVIDENCE = {"approved": False, "send_back_to": "INVESTIGATION", "opinion": "违法所得未查清"}


def register_and_verify(case: Case, source: str = "INSPECTION", **verify: Any) -> None:
    case.do("c_register", source=source, found_on=case.today(), clue_summary="检查发现")
    facts = {
        "evidence_initial": True,
        "should_punish": True,
        "within_jurisdiction": True,
        "within_limitation": True,
        "facts_clear": False,
        "sanctions": ["FINE"],
        "proposed_fine": 50000,
        "verify_notes": "核查属实",
    }
    case.do("c_verify", **{**facts, **verify})


def to_investigation(case: Case) -> None:
    register_and_verify(case)
    case.do("c_filing_approval", **APPROVE)
    case.do("c_assign", case_officers=[1, 2])  # account ids: the service checks them
    assert case.stage == "D 调查取证" and case.ready == ["d_investigate"]


def to_review(case: Case) -> None:
    to_investigation(case)
    case.do("d_investigate", evidence_summary="证据确凿", next_action="CONCLUDE")
    assert case.stage == "E 审核"


def report_and_review(case: Case, head_decision: str, **report: Any) -> None:
    case.do("e_report", **{**REPORT, **report})
    case.do("e_case_review", **APPROVE)
    if "e_legal_review" in case.ready:
        case.do("e_legal_review", **APPROVE)
    case.do("e_head_decision", head_decision=head_decision, head_opinion="同意")


def rectify_and_verify(case: Case, result: str = "PASS") -> None:
    assert "i_order" in case.ready
    case.do("i_order", order_served_on=case.today(), rectify_days=10, requirements="退赔消费者")
    assert "i_wait" in case.waiting_for()
    case.advance_past("i_wait")
    case.do("i_verify", verify_result=result, verify_notes="现场核查")


def order_and_educate(case: Case, days: int = 10) -> None:
    """The 责令改正通知书 and the 教育记录 of a clue not filed (C3b)."""
    assert case.ready == ["c_rectify_educate"]
    case.do(
        "c_rectify_educate",
        order_served_on=case.today(),
        rectify_days=days,
        requirements="下架过期食品，退赔消费者",
        educated_on=case.today(),
        education="讲解《食品安全法》第三十四条",
    )


def verify_ordered(case: Case, result: str = "PASS") -> None:
    """The check of a correction ordered before stage I: no second order."""
    assert "i_wait" in case.waiting_for() and "i_order" not in case.ready
    case.advance(to=china(case.data["rectify_due"]) + dt.timedelta(days=1))
    case.do("i_verify", verify_result=result, verify_notes="现场核查")


def close_case(case: Case) -> None:
    assert case.stage == "J 结案、归档、入库"
    case.do("j_report", closure_reason="EXECUTED", typical_case=False, closure_notes="")
    case.do("j_approval", **APPROVE)
    case.do("j_archive", archive_no="呼市监档〔2026〕1号")


def visit(case: Case) -> None:
    assert "k_visit" in case.ready
    case.do(
        "k_visit",
        visited_on=case.today(),
        rectification_ok=True,
        conduct_ok=True,
        rights_informed=True,
        integrity_ok=True,
        needs_guidance=False,
        needs_credit_repair=False,
        visit_notes="整改到位",
    )


def close_window(case: Case) -> None:
    """The 5-working-day window for statements and hearing requests stays open to its end
    whatever arrives (《行政处罚法》第四十四条、第六十三条): let it close."""
    assert "f_window_closed" in case.waiting_for() and not case.ready
    case.advance_past_next_timer()


def head_approves(case: Case) -> None:
    """After the notice, statement or hearing the head approves what was proposed (第五十七条)."""
    assert case.ready == ["f_head_approval"]
    case.do(
        "f_head_approval",
        head_approved=True,
        approved_sanctions=case.data["sanctions"],
        approved_fine=case.data["proposed_fine"],
        head_approval_opinion="同意",
    )


def head_refuses(case: Case, send_back_to: str, reasons: str) -> None:
    """The head does not approve the ¥150,000 proposal and sends the case back (第五十七条)."""
    case.do(
        "f_head_approval",
        head_approved=False,
        send_back_to=send_back_to,
        approved_sanctions=["FINE"],
        approved_fine=150000,
        head_approval_opinion=reasons,
    )


def penalty_decision_and_service(case: Case, fine: float = 50000) -> None:
    head_approves(case)
    assert case.stage == "G 决定与送达"
    case.do(
        "g_penalty_decision",
        decided_on=case.today(),
        fine=fine,
        sanctions=["FINE"],
        decision_summary="罚款",
    )
    case.do(
        "g_serve_two", served_on=case.today(), repair_notice_served=True, service_method="DIRECT"
    )


def pay(case: Case) -> None:
    assert "h_payment" in case.ready
    case.do("h_payment", payment_status="PAID", paid_on=case.today(), amount_paid=50000)


RELIEF_WAITS = {"r_application", "r_periods_passed"}


def beside_relief(case: Case) -> list[str]:
    """What the case waits for besides the relief track, which waits beside it for a 复议 or
    诉讼 until their periods pass (stage R)."""
    waits = case.waiting_for()
    assert RELIEF_WAITS <= set(waits), waits
    return [w for w in waits if w not in RELIEF_WAITS]


def ended(case: Case) -> bool:
    """The case's loop has ended: nothing is left to do and only the relief track may still wait;
    the instance completes when the periods for 复议 and 诉讼 pass."""
    if not case.result.completed:
        assert not case.ready and set(case.waiting_for()) == RELIEF_WAITS, case.waiting_for()
        case.advance_past("r_periods_passed")
    return case.result.completed


# ---------------------------------------------------------------- main paths


def china(day: str, hour: int = 9) -> dt.datetime:
    """That day at `hour` o'clock in China (UTC+8), as the engine's clock."""
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+08:00")


def test_warning_closed_without_a_case() -> None:
    case = Case(entry="WARNING")
    assert case.stage == "A 风险预警与行政指导"
    case.do("a_assess", situation="INDIVIDUAL_RISK", risk_summary="夏季冷链食品风险")
    assert case.data["measure"] == "WARNING_NOTICE"
    assert case.data["serve_due"] == "2026-03-05"  # 3 working days after Monday 03-02: 3, 4, 5
    case.do("a_issue", served_on=case.today(), document_summary="违法风险预警提醒书")
    assert case.data["self_check_due"] == "2026-03-09"  # 5 working days after Monday 03-02
    case.do("a_feedback", feedback_received_on=case.today(), feedback_summary="已自查整改")
    assert case.data["verify_due"] == "2026-03-05"  # 3 working days after the feedback
    case.do("a_verify", verified=True, verify_notes="整改合格", escalate=False)
    assert case.result.completed and case.stage == "预警闭环"
    assert case.data["a_result"] == "CLOSED"
    assert "serve_overdue" not in case.data and "verify_overdue" not in case.data


def test_warning_deadlines_across_national_day_are_flagged_when_missed() -> None:
    """2026: 25 Sep (Mid-Autumn) and 1–7 Oct are holidays, Saturday 10 Oct is a working day."""
    case = Case(china("2026-09-24"), entry="WARNING")  # Thursday
    case.do("a_assess", situation="INDIVIDUAL_RISK", risk_summary="节日食品风险")
    assert case.data["serve_due"] == "2026-09-30"  # 28, 29, 30 Sep (25 Fri, 26–27 rest)
    case.advance_past_next_timer()  # not served by the end of 30 Sep: flagged, still to do
    assert case.now.astimezone(CHINA).date() == dt.date(2026, 10, 1)
    assert case.data["serve_overdue"] is True and case.ready == ["a_issue"]
    case.do("a_issue", served_on="2026-09-30", document_summary="违法风险预警提醒书")
    assert case.data["self_check_due"] == "2026-10-13"  # 8, 9, 10 (Sat), 12, 13 Oct
    case.advance(to=china("2026-10-09"))
    case.do("a_feedback", feedback_received_on="2026-10-09", feedback_summary="已整改")
    assert case.data["verify_due"] == "2026-10-13"  # 10 (Sat, working), 12, 13 Oct
    case.advance_past_next_timer()  # not verified by the end of 13 Oct: flagged, still to do
    assert case.now.astimezone(CHINA).date() == dt.date(2026, 10, 14)
    assert case.data["verify_overdue"] is True and case.ready == ["a_verify"]
    case.do("a_verify", verified=True, verify_notes="整改合格", escalate=False)
    assert case.data["a_result"] == "CLOSED"


def test_warning_period_passes_without_feedback_goes_to_a_case_the_next_day() -> None:
    """DOMAIN.md A6: no escalation round is forced; the clue reaches C1 the day after."""
    case = Case(china("2026-09-30"), entry="WARNING")  # Wednesday, before National Day
    case.do("a_assess", situation="INDIVIDUAL_RISK", risk_summary="风险")
    assert case.data["serve_due"] == "2026-10-10"  # 8, 9, 10 Oct (a make-up Saturday)
    case.do("a_issue", served_on=case.today(), document_summary="提醒书")
    assert case.data["self_check_due"] == "2026-10-13"  # 8, 9, 10, 12, 13 Oct
    assert case.result.next_timer == china("2026-10-14", 0)
    case.advance(to=china("2026-10-13", 23))
    assert case.ready == ["a_feedback"]  # the last day of the period is the party's
    case.advance(to=china("2026-10-14", 0) + dt.timedelta(minutes=1))  # the next day
    assert case.stage == "C 线索核查与立案" and case.ready == ["c_register"]
    assert case.data["a_result"] == "TRANSFER" and case.data["escalations"] == 0


def test_a_failed_verification_is_transferred_unless_the_officer_escalates() -> None:
    case = Case(entry="WARNING")
    case.do("a_assess", situation="INDIVIDUAL_RISK", risk_summary="风险")
    case.do("a_issue", served_on=case.today(), document_summary="提醒书")
    case.do("a_feedback", feedback_received_on=case.today(), feedback_summary="未整改")
    case.do("a_verify", verified=False, verify_notes="仍未整改", escalate=False)
    assert case.stage == "C 线索核查与立案" and case.data["escalations"] == 0


def test_warning_escalations_are_optional_and_capped() -> None:
    case = Case(entry="WARNING")
    case.do("a_assess", situation="INDIVIDUAL_RISK", risk_summary="风险")
    case.do("a_issue", served_on=case.today(), document_summary="提醒书")
    for measure in ("ADMONITION", "INTERVIEW"):  # WARNING_MAX_ESCALATIONS = 2
        case.do("a_feedback", feedback_received_on=case.today(), feedback_summary="部分整改")
        case.do("a_verify", verified=False, verify_notes="仍未整改", escalate=True)
        case.do(
            "a_escalate",
            escalation_measure=measure,
            served_on=case.today(),
            escalation_notes="升级指导措施",
        )
    assert case.data["escalations"] == 2
    case.do("a_feedback", feedback_received_on=case.today(), feedback_summary="未整改")
    case.do("a_verify", verified=False, verify_notes="仍未整改", escalate=True)
    assert case.stage == "C 线索核查与立案" and case.ready == ["c_register"]


def test_violation_found_in_guidance_goes_straight_to_a_case() -> None:
    case = Case(entry="WARNING")
    case.do("a_assess", situation="VIOLATION", risk_summary="已构成违法")
    assert case.stage == "C 线索核查与立案"


def test_summary_penalty_path() -> None:
    case = Case(party_type="NATURAL", domain="PRICE")
    register_and_verify(case, facts_clear=True, sanctions=["FINE"], proposed_fine=100)
    assert case.stage == "简易程序" and case.data["procedure"] == "SUMMARY"
    case.do(
        "s_decision",
        showed_credentials=True,
        statement_heard=True,
        decided_on=case.today(),
        sanctions=["FINE"],
        fine=100,
        facts="未明码标价",
        legal_basis="《明码标价和禁止价格欺诈规定》第五条、第二十条",
        location="新城区某商店",
    )
    case.do("s_file", filed_on=case.today())
    rectify_and_verify(case)
    case.do("k_sample", do_visit=False)  # summary penalties are visited by sample only
    assert case.stage == "H 执行" and case.ready == ["h_payment"]  # closure waits for payment
    pay(case)  # the last branch to reach the join: what H decided is kept
    close_case(case)
    assert ended(case) and case.stage == "案件办结"
    # the relief track ended last, carrying its copy from before the split: the result keeps H's
    assert case.data["obligations_performed"] is True
    assert case.data["visit"] == "OPTIONAL" and case.data["obligations_performed"] is True


def test_first_offense_exemption_path_records_the_case_in_the_library() -> None:
    case = Case()
    to_review(case)
    report_and_review(
        case,
        "NO_PENALTY",
        first_offense_2y=True,
        corrected=True,
        harm="SLIGHT",
        on_exempt_list="NATIONAL_FIRST",
    )
    assert case.data["outcome"] == "MAY_NOT_PUNISH" and case.data["level"] == "NO_PENALTY"
    assert case.stage == "G 决定与送达"
    case.do(
        "g_no_penalty_decision",
        decided_on=case.today(),
        education_done=True,
        decision_summary="首违不罚",
    )
    case.do("g_serve_no_penalty", served_on=case.today(), guidance_attached=True)
    rectify_and_verify(case)  # 免罚不免责
    visit(case)
    close_case(case)
    assert case.ready == ["j_library"]  # first-offense exemptions are kept for the 2-year lookback
    case.do("j_library", violation_type="经营超过保质期的食品", library_summary="首违不罚")
    assert ended(case) and case.stage == "案件办结"
    assert case.data["visit"] == "REQUIRED"


def test_from_risk_warning_through_hearing_penalty_to_closed_credit_repair() -> None:
    case = Case(entry="WARNING")
    case.do("a_assess", situation="VIOLATION", risk_summary="抽检不合格")
    to_investigation(case)
    case.do("d_investigate", evidence_summary="证据确凿", next_action="CONCLUDE")
    report_and_review(
        case,
        "PENALTY",
        sanctions=["FINE"],
        proposed_fine=150000,
        fine_min=100000,
        fine_max=500000,
        aggravating=["REFUSED_TO_CORRECT"],
    )
    assert case.data["level"] == "HEAVIER" and case.data["band_min"] == 380000
    assert case.stage == "F 告知、陈述申辩、听证" and case.data["hearing_right"] is True
    case.do("f_serve_notice", served_on=case.today(), service_method="DIRECT")
    assert sorted(case.waiting_for()) == [
        "f_hearing_request",
        "f_statement",
        "f_waiver",
        "f_window_closed",
        "m_ext_f",  # an extension of the decision clock may be asked for in every stage D–G,
        "m_ext_f2",  # twice in the same stage
        "m_rect_f",  # and a correction ordered (行政处罚法 art.28)
    ]
    case.message("hearing_request", requested_on=case.today())
    close_window(case)
    notice_day = case.today()
    case.do(
        "f_schedule_hearing",
        hearing_date="2026-03-20",
        hearing_notice_served_on=notice_day,
        hearing_location="第一听证室",
    )
    case.advance_past_next_timer()  # the hearing day
    case.do(
        "f_hold_hearing", party_attended=True, hearing_summary="当事人陈述", proposed_fine=120000
    )
    case.do("f_post_hearing_review", **APPROVE)
    case.do(
        "f_review_statement",
        statement_adopted=True,
        proposed_fine=120000,
        material_change=False,
        review_notes="部分采纳",
    )
    assert case.ready == ["f_head_approval"]  # the head approves after the hearing (第五十七条)
    penalty_decision_and_service(case, fine=120000)
    assert case.data["publish"] is True and case.data["period_months"] == 36
    case.do("g_publish", published_on=case.today())
    case.do("g_serious_list", serious_list=False, serious_reason="")
    pay(case)
    rectify_and_verify(case)
    visit(case)
    close_case(case)
    assert case.data["priority"] == "HIGH"  # hearing held
    assert case.stage == "L 信用修复"
    assert case.data["repairable"] == "NOT_YET"  # food: 12 months of publicity first
    assert beside_relief(case) == ["l_wait_earliest"]
    earliest = next(w for w in case.result.waiting if w.bpmn_id == "l_wait_earliest")
    assert earliest.due == dt.datetime(2027, 3, 19, 16, tzinfo=dt.UTC)  # 03-20 in China
    case.advance_past("l_wait_earliest")  # the relief periods pass on the way
    assert case.data["repairable"] == "ELIGIBLE" and case.ready == []
    apply_for_repair(case)
    case.do("l_verify", verification_method="ONLINE", verification_notes="已核实")
    case.do(
        "l_decide", repair_approved=True, repair_decided_on=case.today(), decision_reason="符合条件"
    )
    case.do("l_stop_publicity", stopped_on=case.today(), shared_with_credit_china=True)
    assert ended(case) and case.stage == "信用修复结束"
    assert case.data["l_result"] == "REPAIRED"


def transfer_to_police(case: Case) -> None:
    case.do("d_investigate", evidence_summary="涉案金额巨大", next_action="CRIMINAL")
    case.do("d_criminal_approval", **APPROVE)
    case.do("d_criminal_transfer", transferred_on=case.today(), receiving_authority="市公安局")
    # suspended (中止) while the police or the court has the case, the reply watched by a timer
    assert case.stage == "D 已移送司法机关（中止）"
    assert case.waiting_for() == [
        "d_judicial_reply",
        "d_reply_overdue",
        "m_ext_d",
        "m_ext_d2",
        "m_rect_d",
    ]


def test_criminal_transfer_and_return() -> None:
    case = Case()
    to_investigation(case)
    transfer_to_police(case)
    # the reply period (TRANSFER_REPLY_CD, 30 days from 03-02) runs out: flagged, still waiting
    assert case.result.next_timer == dt.datetime(2026, 4, 1, 16, tzinfo=dt.UTC)  # 04-01 in China
    case.advance_past_next_timer()
    assert case.data["judicial_reply_overdue"] is True
    assert case.waiting_for() == ["d_judicial_reply", "m_ext_d", "m_ext_d2", "m_rect_d"]
    with pytest.raises(MessageNotExpected):
        case.message("hearing_request", requested_on=case.today())
    case.message("judicial_reply", outcome="RETURNED", reason="不构成犯罪，退回")
    assert case.ready == ["d_investigate"]  # back to the administrative investigation
    assert case.stage == "D 调查取证"
    transfer_to_police(case)
    case.message("judicial_reply", outcome="ACCEPTED", reason="已立案侦查")
    close_case(case)
    assert case.result.completed and case.stage == "案件办结"
    assert case.data["d_result"] == "TRANSFERRED"


def test_the_court_fined_no_fine_may_follow_other_sanctions_per_setting() -> None:
    case = Case()
    to_investigation(case)
    transfer_to_police(case)
    case.message("judicial_reply", outcome="FINED", reason="法院判处罚金")
    # other sanctions (吊销许可证) may still follow: back to the investigation, fined by the court
    assert case.ready == ["d_investigate"] and case.data["court_fined"] is True
    # where the setting says they may not, the case closes as transferred
    case = Case()
    case.parameters["COURT_FINE_OTHER_SANCTIONS"] = False
    to_investigation(case)
    transfer_to_police(case)
    case.message("judicial_reply", outcome="FINED", reason="法院判处罚金")
    assert case.stage == "J 结案、归档、入库" and case.data["d_result"] == "TRANSFERRED"


def test_an_extension_of_the_decision_clock_is_asked_for_in_any_stage() -> None:
    """The head approves the first (30 days, recorded by the case clock service); from the
    second on, the heads discuss it (DMN-R3) and decide whether and how long."""
    case = Case()
    to_investigation(case)
    case.message("case_extension_request", granted=0, reason="案情复杂")
    assert case.ready == ["d_investigate", "m_ext_head_approval"]
    case.do("m_ext_head_approval", **APPROVE)
    assert case.ready == ["d_investigate"] and case.stage == "D 调查取证"
    # a second request in the same stage: its first catch is used, the second takes it
    with pytest.raises(MessageNotExpected):
        case.message("case_extension_request", granted=1, reason="仍需补充证据")
    case.message("case_extension_request_again", granted=1, reason="仍需补充证据")
    case.do("m_ext_collective", collective_extension_approved=False, extension_days=1)
    case.do("d_investigate", evidence_summary="证据确凿", next_action="CONCLUDE")
    case.message("case_extension_request", granted=1, reason="仍需补充证据")
    assert case.ready == ["e_report", "m_ext_collective"]
    case.do(
        "m_ext_collective",
        collective_extension_approved=True,
        extension_days=20,
        collective_notes="同意再延长20日",
    )
    case.message("case_extension_request_again", granted=2, reason="审核需要时间")
    case.do("m_ext_collective", collective_extension_approved=False, extension_days=1)
    report_and_review(case, "PENALTY")
    case.do("f_serve_notice", served_on=case.today(), service_method="DIRECT")
    case.message("case_extension_request", granted=2, reason="等待当事人陈述申辩")
    case.do("m_ext_collective", collective_extension_approved=False, extension_days=1)
    case.message("case_extension_request_again", granted=2, reason="听证需要时间")
    case.do("m_ext_collective", collective_extension_approved=False, extension_days=1)
    # the case's data is the stage's, not the copy the side path started from
    assert case.data["notified_fine"] == REPORT["proposed_fine"]
    # and in G, after a no-penalty decision by the head
    case = Case()
    to_review(case)
    report_and_review(case, "NO_PENALTY")
    assert case.stage == "G 决定与送达"
    case.message("case_extension_request", granted=0, reason="补充说理")
    case.do("m_ext_head_approval", **REJECT)
    assert case.ready == ["g_no_penalty_decision"]
    case.message("case_extension_request_again", granted=0, reason="再次提请")
    case.do("m_ext_head_approval", **REJECT)
    assert case.ready == ["g_no_penalty_decision"]


def test_head_finds_a_crime_during_review_and_sends_the_case_back_to_investigation() -> None:
    case = Case()
    to_review(case)
    report_and_review(case, "CRIMINAL")
    assert case.stage == "D 调查取证" and case.ready == ["d_investigate"]


def test_facts_not_established_close_the_case() -> None:
    case = Case()
    to_review(case)
    report_and_review(case, "NOT_ESTABLISHED")
    close_case(case)
    assert case.result.completed and case.stage == "案件办结"


# ---------------------------------------------------------------- branches and timers


def test_inspection_compliant_and_publicity_deadline() -> None:
    case = Case(entry="INSPECTION")
    assert case.stage == "B 检查"
    case.do(
        "b_record",
        inspection_type="RANDOM",
        draw_id="DRAW-2026-001",
        inspection_date=case.today(),
        inspectors="张三、李四",
        location="新城区",
        findings="未发现问题",
        result="COMPLIANT",
    )
    assert case.ready == ["b_publish"]
    case.advance_past_next_timer()  # 20 working days pass without publication
    assert case.ready == ["b_publish"]  # the reminder does not cancel the task
    case.do("b_publish", published_on=case.today(), publish_channel="GSXT")
    assert case.result.completed and case.stage == "检查结束"
    assert case.data["publish_overdue"] is True


def order_rectification(case: Case) -> None:
    case.do(
        "b_record",
        inspection_type="TARGETED",
        draw_id="",
        inspection_date=case.today(),
        inspectors="张三、李四",
        location="赛罕区",
        findings="标签不规范",
        result="RECTIFY",
    )
    case.do("b_publish", published_on=case.today(), publish_channel="GSXT")
    case.do("b_order", order_served_on=case.today(), rectify_days=10, requirements="更换标签")
    assert case.data["rectify_due"] == "2026-03-16"  # 10 working days after Monday 03-02
    assert case.data["recheck_due"] == "2026-03-19"  # 17, 18, 19 March
    assert case.ready == ["b_recheck"]  # at once: the party may finish early


@pytest.mark.parametrize(("recheck", "stage"), [("PASS", "检查结束"), ("FAIL", "C 线索核查与立案")])
def test_inspection_rectification_recheck(recheck: str, stage: str) -> None:
    case = Case(entry="INSPECTION")
    order_rectification(case)
    case.advance(to=china("2026-03-17"))  # the period is over
    case.do("b_recheck", verify_result=recheck, verify_notes="复查")
    assert case.stage == stage and "recheck_overdue" not in case.data


def test_an_early_recheck_that_fails_waits_for_the_end_of_the_period() -> None:
    case = Case(entry="INSPECTION")
    order_rectification(case)
    case.advance(to=china("2026-03-05"))
    case.do("b_recheck", verify_result="FAIL", verify_notes="尚未更换完毕")
    assert case.stage == "B 检查" and case.ready == ["b_recheck"]  # the period still runs
    case.advance(to=china("2026-03-16", 17))  # its last day
    case.do("b_recheck", verify_result="PASS", verify_notes="已全部更换")
    assert case.result.completed and case.data["b_result"] == "CLOSED"


def test_a_late_recheck_is_flagged_and_a_failure_then_transfers() -> None:
    case = Case(entry="INSPECTION")
    order_rectification(case)
    case.advance_past_next_timer()  # nobody re-checked by the end of 19 March
    assert case.now.astimezone(CHINA).date() == dt.date(2026, 3, 20)
    assert case.data["recheck_overdue"] is True and case.ready == ["b_recheck"]
    case.do("b_recheck", verify_result="FAIL", verify_notes="未整改")
    assert case.stage == "C 线索核查与立案"


def test_inspection_finding_a_clue_transfers_it() -> None:
    case = Case(entry="INSPECTION")
    case.do(
        "b_record",
        inspection_type="KEY",
        draw_id="",
        inspection_date=case.today(),
        inspectors="张三、李四",
        location="玉泉区",
        findings="无证经营",
        result="CLUE",
    )
    case.do("b_publish", published_on=case.today(), publish_channel="GSXT")
    assert case.stage == "C 线索核查与立案"


def test_clue_check_deadline_extension_then_not_filed() -> None:
    case = Case()
    case.do("c_register", source="REPORT", found_on=case.today(), clue_summary="举报")
    case.advance_past_next_timer()  # 15 working days without a result
    assert case.ready == ["c_extend"]
    case.do("c_extend", **APPROVE)
    assert case.data["check_due"] == "2026-04-14" and case.ready == ["c_verify"]
    case.advance_past_next_timer()  # the extension runs out too: no third period
    assert case.ready == ["c_not_filed"]
    case.do(
        "c_not_filed",
        not_filed_reason="OTHER",
        order_rectification=False,
        not_filed_notes="核查期限届满",
    )
    assert case.stage == "不予立案"


def test_clue_verified_within_the_extension() -> None:
    case = Case()
    case.do("c_register", source="REPORT", found_on=case.today(), clue_summary="举报")
    case.advance_past_next_timer()
    case.do("c_extend", **APPROVE)
    case.do(
        "c_verify",
        evidence_initial=True,
        should_punish=True,
        within_jurisdiction=True,
        within_limitation=True,
        facts_clear=False,
        sanctions=["FINE"],
        proposed_fine=1000,
        verify_notes="延期内核查完毕",
    )
    assert case.ready == ["c_filing_approval"]


def test_clue_check_extension_refused() -> None:
    case = Case()
    case.do("c_register", source="REPORT", found_on=case.today(), clue_summary="举报")
    case.advance_past_next_timer()
    case.do("c_extend", **REJECT)
    assert case.ready == ["c_not_filed"]
    case.do("c_not_filed", not_filed_reason="OTHER", order_rectification=True, not_filed_notes="")
    order_and_educate(case)
    assert "i_wait" in case.waiting_for()  # the period ordered in C


@pytest.mark.parametrize(
    ("order_rectification", "stage"), [(True, "I 整改核查"), (False, "不予立案")]
)
def test_not_filed(order_rectification: bool, stage: str) -> None:
    case = Case()
    register_and_verify(case, should_punish=False)
    assert case.ready == ["c_not_filed"]
    case.do(
        "c_not_filed",
        not_filed_reason="NO_VIOLATION",
        order_rectification=order_rectification,
        not_filed_notes="",
    )
    if order_rectification:
        order_and_educate(case)
    assert case.stage == stage


@pytest.mark.parametrize("reason", ["MINOR_CORRECTED", "FIRST_OFFENSE", "NO_FAULT"])
def test_an_unpunished_violation_is_always_ordered_corrected_and_educated(reason: str) -> None:
    """免罚不免责 (行政处罚法 art.28, 33(3)): the screen refuses not ordering it."""
    case = Case()
    register_and_verify(case, should_punish=False)
    form = forms.form_class_for("filing.not_filed").from_json(
        {"not_filed_reason": reason, "order_rectification": False}, case.context.today()
    )
    assert not form.validate() and "order_rectification" in form.errors


def not_filed_first_offense(case: Case, notes: str) -> None:
    """A first offense (首违) verified and not filed, correction ordered."""
    register_and_verify(case, should_punish=False)
    case.do(
        "c_not_filed",
        not_filed_reason="FIRST_OFFENSE",
        order_rectification=True,
        violation_code="FOOD-EXPIRED",
        violated_on=case.today(),
        not_filed_notes=notes,
    )


def test_corrected_on_the_spot_is_checked_at_once() -> None:
    """立即改正: 0 working days, no waiting; the check is the same day's record."""
    case = Case()
    not_filed_first_offense(case, "当场改正")
    order_and_educate(case, days=0)
    assert case.stage == "I 整改核查" and case.ready == ["i_verify", "k_visit"]
    assert "i_wait" not in case.waiting_for()
    assert (case.data["rectify_days"], case.data["rectify_due"]) == (0, case.today())
    case.do("i_verify", verify_result="PASS", verify_notes="当场下架")
    visit(case)
    close_case(case)
    assert case.result.completed


def test_a_not_filed_order_to_rectify_is_checked_and_visited_per_dmn_v1() -> None:
    """不予处罚或首违不罚 → 回访 REQUIRED (DMN-V1 row 3); its 30 days count from the order."""
    case = Case()
    register_and_verify(case, within_jurisdiction=False)
    case.do(
        "c_not_filed",
        not_filed_reason="NO_JURISDICTION",
        order_rectification=True,
        not_filed_notes="",
    )
    order_and_educate(case)
    assert case.ready == ["k_visit"]  # no second order: I waits for the period ordered in C
    assert case.data["visit"] == "REQUIRED" and case.data["visit_due"] == "2026-04-01"
    # 10 working days from Monday 2 March
    assert case.data["rectify_due"] == "2026-03-16"
    verify_ordered(case)
    visit(case)
    close_case(case)
    assert case.result.completed and case.stage == "案件办结"


def test_filing_rejected_by_the_head_goes_to_not_filed() -> None:
    case = Case()
    register_and_verify(case)
    case.do("c_filing_approval", **REJECT)
    assert case.ready == ["c_not_filed"]
    case.do("c_not_filed", not_filed_reason="OTHER", order_rectification=False, not_filed_notes="")
    assert case.result.completed and case.stage == "不予立案"


def test_unrectified_case_comes_back_as_a_new_clue() -> None:
    case = Case()
    not_filed_first_offense(case, "")
    order_and_educate(case)
    verify_ordered(case, "FAIL")
    # the new case is opened by the service (tests/integration/test_rectification.py); this one
    # is visited and closed as usual
    assert case.data["i_result"] == "NEW_CLUE" and case.ready == ["k_visit"]
    visit(case)
    close_case(case)
    assert case.result.completed


@pytest.mark.parametrize(
    ("reason", "outcome"),
    [("FIRST_OFFENSE", "MAY_NOT_PUNISH"), ("MINOR_CORRECTED", "MUST_NOT_PUNISH")],
)
def test_a_first_offense_not_filed_is_recorded_as_may_not_punish(reason: str, outcome: str) -> None:
    """首违不罚 is the law's "may" (行政处罚法 art.33(1) 后句), 轻微不罚 its "must" (前句)."""
    case = Case()
    register_and_verify(case, should_punish=False)
    case.do(
        "c_not_filed",
        not_filed_reason=reason,
        order_rectification=True,
        violation_code="FOOD-EXPIRED",
        violated_on=case.today(),
        not_filed_notes="",
    )
    order_and_educate(case)
    assert (case.data["outcome"], case.data["exemption_ground"]) == (outcome, reason)
    assert "i_wait" in case.waiting_for() and "i_order" not in case.ready


def test_investigation_measures_and_clock() -> None:
    case = Case()
    to_investigation(case)
    # 先行登记保存, approved, decided late
    case.do("d_investigate", evidence_summary="", next_action="PRESERVE")
    case.do("d_preserve_approval", **APPROVE)
    case.advance_past_next_timer()  # 7 working days
    assert case.data["preserve_overdue"] is True
    case.do("d_preserve_decision", preserve_outcome="RETURN", preserve_notes="")
    # 先行登记保存 refused
    case.do("d_investigate", evidence_summary="", next_action="PRESERVE")
    case.do("d_preserve_approval", **REJECT)
    # 查封扣押 refused by the head (the seizure itself: test_seiz* below)
    case.do("d_investigate", evidence_summary="", next_action="SEIZE")
    case.do("d_seize_approval", **REJECT)
    assert case.ready == ["d_investigate"]
    # testing (its days are left out of the case clock by app/enforcement/case_clock.py)
    case.do("d_investigate", evidence_summary="", next_action="TEST")
    case.do("d_test_sent", sent_on=case.today(), test_item="样品检验")
    case.advance(days=20)
    case.do("d_test_received", received_on=case.today(), test_conclusion="不合格")
    assert case.ready == ["d_investigate"]
    # criminal transfer refused by the head
    case.do("d_investigate", evidence_summary="", next_action="CRIMINAL")
    case.do("d_criminal_approval", **REJECT)
    assert case.ready == ["d_investigate"]


def statutory_end(start: dt.date, days: int) -> str:
    """Independently of app/calendar: `days` calendar days after `start`, rolled forward off rest
    days by the holiday package itself (DOMAIN.md G2, G4)."""
    end = start + dt.timedelta(days=days)
    while not chinese_calendar.is_workday(end):
        end += dt.timedelta(days=1)
    return end.isoformat()


def start_seizure(case: Case) -> None:
    """A filed case whose head approved a seizure, carried out today: the custody of the goods
    and the investigation now wait side by side."""
    to_investigation(case)
    case.do("d_investigate", evidence_summary="", next_action="SEIZE")
    case.do("d_seize_approval", **APPROVE)
    assert sorted(case.ready) == ["d_investigate", "d_seize_execute"]
    case.do(
        "d_seize_execute",
        seized_on=case.today(),
        seizure_grounds="涉嫌经营超过保质期的食品（《食品安全法》第一百一十条）",
        seized_items="超过保质期的乳制品12盒",
        decision_delivered=True,
    )
    assert sorted(case.ready) == ["d_investigate", "d_seize_handle"]
    assert not leaves_goods_seized(case.result)


def test_seizure_runs_beside_the_investigation_with_one_approved_extension() -> None:
    case = Case()
    start_seizure(case)
    seized_on = dt.date(2026, 3, 2)
    assert case.data["seize_due"] == statutory_end(seized_on, 30) == "2026-04-01"
    # investigation and testing go on while the goods are held
    case.do("d_investigate", evidence_summary="询问笔录", next_action="TEST")
    case.do("d_test_sent", sent_on=case.today(), test_item="菌落总数")
    assert sorted(case.ready) == ["d_seize_handle", "d_test_received"]
    # the officer asks for the one extension, with its reason; the head approves it
    case.advance(days=20)
    case.do("d_seize_handle", seizure_action="EXTEND", seizure_notes="检验结果尚未出具，情况复杂")
    approval = next(t for t in case.result.ready_tasks if t.bpmn_id == "d_seize_ext_approval")
    assert approval.lane == "agency_head"
    case.do("d_seize_ext_approval", approved=True, opinion="同意延长30日")
    # 30 + 30 days from the seizure: 05-01 is 劳动节, the period ends on the next working day
    assert case.data["seize_due"] == statutory_end(seized_on, 60) == "2026-05-06"
    assert case.data["seize_ext_reason"] == "检验结果尚未出具，情况复杂"
    assert case.data["seize_ext_approved_on"] == "2026-03-22"
    # the party is told in writing
    case.do("d_seize_ext_notice", ext_notice_served_on=case.today())
    assert case.data["ext_notice_served_on"] == "2026-03-22"
    deadline = next(w.due for w in case.result.waiting if w.bpmn_id == "d_seize_overdue")
    assert deadline == dt.datetime(2026, 5, 6, 16, tzinfo=dt.UTC)  # midnight after 05-06, China
    # a second extension is refused and changes nothing
    state = case.result.state
    with pytest.raises(RuleBroken, match="只能延长一次"):
        case.do("d_seize_handle", seizure_action="EXTEND", seizure_notes="仍需检验")
    assert case.result.state == state
    # the disposal within the period
    case.do("d_test_received", received_on=case.today(), test_conclusion="不合格")
    case.do("d_seize_handle", seizure_action="CONFISCATE", seizure_notes="依法应当没收的非法财物")
    assert case.data["seize_disposal"] == "CONFISCATE"
    assert case.data["seize_disposed_on"] == "2026-03-22"
    assert case.ready == ["d_investigate"]
    case.do("d_investigate", evidence_summary="证据确凿", next_action="CONCLUDE")
    assert case.stage == "E 审核"
    assert case.data["evidence_summary"] == "证据确凿"  # the investigation's data goes on to E


def test_seizure_not_disposed_in_time_is_flagged_and_can_only_be_released() -> None:
    case = Case()
    start_seizure(case)
    # the head refuses the extension: the first period stands
    case.do("d_seize_handle", seizure_action="EXTEND", seizure_notes="情况复杂")
    case.do("d_seize_ext_approval", **REJECT)
    assert sorted(case.ready) == ["d_investigate", "d_seize_handle"]
    assert case.data["seize_due"] == "2026-04-01" and case.data["seize_extended"] is False
    case.advance_past_next_timer()
    assert case.data["seize_overdue"] is True
    # past the period the goods may only be released (第二十八条第一款第（四）项)
    for action in ("CONFISCATE", "EXTEND"):
        with pytest.raises(RuleBroken, match="应当作出解除决定"):
            case.do("d_seize_handle", seizure_action=action, seizure_notes="情况复杂")
    case.do("d_seize_handle", seizure_action="RELEASE", seizure_notes="期限届满，解除并退还")
    assert case.data["seize_disposal"] == "RELEASE"
    assert case.ready == ["d_investigate"]


def test_an_extension_approved_after_the_period_ended_is_refused() -> None:
    case = Case()
    start_seizure(case)
    case.advance(days=25)
    case.do("d_seize_handle", seizure_action="EXTEND", seizure_notes="情况复杂")
    case.advance(days=10)  # the head answers after 04-01
    with pytest.raises(RuleBroken, match="不能再延长"):
        case.do("d_seize_ext_approval", approved=True, opinion="同意")
    case.do("d_seize_ext_approval", approved=False, opinion="期限已届满")
    case.do("d_seize_handle", seizure_action="RELEASE", seizure_notes="解除")
    assert case.ready == ["d_investigate"]


def test_the_investigation_cannot_end_while_goods_are_held() -> None:
    case = Case()
    start_seizure(case)
    case.do("d_investigate", evidence_summary="证据确凿", next_action="CONCLUDE")
    # the diagram alone would park stage D on the custody; the server refuses such a step
    assert case.ready == ["d_seize_handle"] and case.stage == "D 调查取证"
    assert leaves_goods_seized(case.result, "d_investigate")


def test_seized_goods_go_with_the_case_to_the_police() -> None:
    case = Case()
    start_seizure(case)
    case.do("d_investigate", evidence_summary="涉案金额巨大", next_action="CRIMINAL")
    case.do("d_criminal_approval", **APPROVE)
    case.do("d_criminal_transfer", transferred_on=case.today(), receiving_authority="市公安局")
    case.do("d_seize_handle", seizure_action="TRANSFER", seizure_notes="随案移送市公安局")
    # waiting for the police's reply (with its reminder) and, as in every stage D–G, for a
    # request to extend the decision clock
    assert case.ready == []
    assert case.waiting_for() == [
        "d_judicial_reply",
        "d_reply_overdue",
        "m_ext_d",
        "m_ext_d2",
        "m_rect_d",
    ]
    case.message("judicial_reply", outcome="ACCEPTED", reason="已立案侦查")
    assert case.data["d_result"] == "TRANSFERRED"
    close_case(case)
    assert case.result.completed


def test_review_returned_and_legal_review_required() -> None:
    case = Case()
    to_review(case)
    case.do("e_report", **REPORT)
    case.do("e_case_review", **BACK_TO_REPORT)
    assert case.ready == ["e_report"]  # 退回补正
    case.do("e_report", **{**REPORT, "major_public_interest": True})
    case.do("e_case_review", **APPROVE)
    assert case.ready == ["e_legal_review"]
    case.do("e_legal_review", **BACK_TO_REPORT)
    assert case.ready == ["e_report"]
    case.do("e_report", **{**REPORT, "major_public_interest": True})
    case.do("e_case_review", **APPROVE)
    case.do("e_legal_review", **APPROVE)
    case.do("e_head_decision", head_decision="NOT_ESTABLISHED", head_opinion="")
    assert case.stage == "J 结案、归档、入库"


def test_statement_of_defence_cannot_aggravate_and_material_change_renotifies() -> None:
    case = Case()
    to_review(case)
    report_and_review(
        case,
        "PENALTY",
        sanctions=["FINE"],
        proposed_fine=5000,
        fine_min=1000,
        fine_max=10000,
        complex_or_major=True,
    )
    assert case.data["hearing_right"] is False
    case.do("f_serve_notice", served_on=case.today(), service_method="POST")
    case.message("party_statement", text="违法情节轻微，请求从轻")
    close_window(case)
    state_before = case.result.state
    with pytest.raises(RuleBroken, match="不得因当事人陈述、申辩而给予更重的处罚"):
        case.do(
            "f_review_statement",
            statement_adopted=False,
            proposed_fine=6000,
            material_change=False,
            review_notes="",
        )
    assert case.result.state == state_before  # nothing changed
    case.do(
        "f_review_statement",
        statement_adopted=True,
        proposed_fine=3000,
        material_change=True,
        review_notes="改变定性，重新告知",
    )
    assert case.ready == ["f_serve_notice"]
    case.do("f_serve_notice", served_on=case.today(), service_method="DIRECT")
    case.advance_past_next_timer()  # 5 working days without any request: waived
    assert case.ready == ["f_collective"]  # complex case: collective discussion
    case.do("f_collective", collective_confirmed=True, collective_conclusion="同意")
    head_approves(case)
    assert case.stage == "G 决定与送达"


def to_hearing_day() -> Case:
    """A ¥150,000 case of a legal person whose party asked for a hearing: the hearing day."""
    case = Case()
    to_review(case)
    report_and_review(
        case, "PENALTY", sanctions=["FINE"], proposed_fine=150000, fine_min=30000, fine_max=300000
    )
    assert case.data["hearing_right"] is True
    case.do("f_serve_notice", served_on=case.today(), service_method="DIRECT")
    case.message("hearing_request", requested_on=case.today())
    close_window(case)
    hearing_day = dt.date.fromisoformat(case.today()) + dt.timedelta(days=21)
    case.do(
        "f_schedule_hearing",
        hearing_date=hearing_day.isoformat(),
        hearing_notice_served_on=case.today(),
        hearing_location="第一听证室",
    )
    case.advance_past_next_timer()  # the hearing day
    return case


def heard_with_new_evidence() -> Case:
    """The hearing was held and the party brought new evidence: the legal review follows."""
    case = to_hearing_day()
    case.do(
        "f_hold_hearing",
        party_attended=True,
        hearing_summary="当事人提出新证据",
        proposed_fine=150000,
    )
    return case


def test_a_failed_post_hearing_review_or_a_refused_approval_sends_the_case_to_the_report() -> None:
    case = heard_with_new_evidence()
    case.do("f_post_hearing_review", **{**BACK_TO_REPORT, "opinion": "新证据未经核实，事实不清"})
    # a legal review that fails is a gate (《行政处罚法》第五十八条): back to the report
    assert case.ready == ["e_report"] and case.data["f_result"] == "BACK_TO_REPORT"
    report_and_review(
        case, "PENALTY", sanctions=["FINE"], proposed_fine=150000, fine_min=30000, fine_max=300000
    )
    case.do("f_serve_notice", served_on=case.today(), service_method="DIRECT")
    assert case.data["f_result"] == "DECIDE"  # a new notice, a new window
    case.advance_past_next_timer()  # the party stays silent this time
    head_refuses(case, "REPORT", "裁量说明不充分")
    assert case.ready == ["e_report"]  # the head's refusal sends it back too (第五十七条)


def test_a_party_absent_from_the_hearing_without_reason_has_waived_it() -> None:
    case = to_hearing_day()
    case.do(
        "f_hold_hearing",
        party_attended=False,
        hearing_summary="当事人经合法通知无正当理由未到场，终止听证",
        proposed_fine=150000,
    )
    # 视为放弃听证 (《行政处罚法》第六十四条第（八）项): no hearing was held, so no post-hearing
    # legal review; the officer reviews what the party submitted, then the head approves
    assert case.data["hearing_held"] is False and case.data["hearing_waived"] is True
    assert case.ready == ["f_review_statement"]


def test_hearing_request_without_a_hearing_right_is_reviewed_as_a_statement() -> None:
    case = Case()
    to_review(case)
    report_and_review(
        case, "PENALTY", sanctions=["FINE"], proposed_fine=5000, fine_min=1000, fine_max=10000
    )
    case.do("f_serve_notice", served_on=case.today(), service_method="DIRECT")
    case.message("hearing_request", requested_on=case.today())
    close_window(case)
    assert case.ready == ["f_review_statement"]


def to_notice(proposed_fine: float = 150000) -> Case:
    """A case of a legal person whose notice was served today (a hearing right from ¥100,000)."""
    case = Case()
    to_review(case)
    report_and_review(
        case,
        "PENALTY",
        sanctions=["FINE"],
        proposed_fine=proposed_fine,
        fine_min=1000,
        fine_max=300000,
    )
    case.do("f_serve_notice", served_on=case.today(), service_method="DIRECT")
    return case


def test_the_window_stays_open_for_a_statement_then_a_hearing_request() -> None:
    case = to_notice()
    window_end = case.result.next_timer
    case.advance(days=1).message("party_statement", text="违法所得计算有误")
    # the statement is recorded and the window stays open to its end (第四十四条、第六十四条)
    assert case.waiting_for() == [
        "f_hearing_request",
        "f_statement",
        "f_waiver",
        "f_window_closed",
        "m_ext_f",
        "m_ext_f2",
        "m_rect_f",
    ]
    assert case.result.next_timer == window_end and not case.ready
    case.advance(days=1).message("hearing_request", requested_on=case.today())
    case.advance(days=1).message("party_statement", text="补充：已主动退赔")
    assert not case.ready and case.result.next_timer == window_end
    close_window(case)
    statements = [s["text"] for s in case.data["party_statements"]]
    assert statements == ["违法所得计算有误", "补充：已主动退赔"]
    assert case.data["hearing_requested"] is True and case.data["rights_waived"] is None
    assert case.ready == ["f_schedule_hearing"]


def test_silence_within_the_window_waives_statement_and_hearing() -> None:
    case = to_notice()
    close_window(case)
    assert case.data["rights_waived"] == "SILENT"
    assert case.data["statement_waived"] is True and case.data["hearing_waived"] is True
    assert case.ready == ["f_head_approval"]  # nothing to review


def test_a_written_waiver_closes_the_window_early() -> None:
    case = to_notice()
    case.advance(days=1).message("party_statement", text="请求从轻处罚")
    case.message("party_waiver", text="放弃听证权利", received_on=case.today())
    # only a written waiver ends the window before its last day; the statement is still reviewed
    assert case.data["rights_waived"] == "WRITTEN" and case.data["hearing_waived"] is True
    assert case.data["statement_waived"] is False
    assert case.ready == ["f_review_statement"] and "f_window_closed" not in case.waiting_for()


def test_a_waiver_after_a_hearing_request_withdraws_it() -> None:
    case = to_notice()
    case.message("hearing_request", requested_on=case.today())
    case.message("party_waiver", text="撤回听证申请，放弃陈述申辩", received_on=case.today())
    assert case.ready == ["f_review_statement"]  # the request is answered in the review


def sent_back_for_more_evidence(case: Case) -> None:
    assert case.ready == ["d_investigate"] and case.stage == "D 调查取证"
    case.do("d_investigate", evidence_summary="补充调取银行流水", next_action="CONCLUDE")
    assert case.ready == ["e_report"]


def test_every_review_and_the_head_can_send_the_case_back_for_more_evidence() -> None:
    case = Case()
    to_review(case)
    case.do("e_report", **{**REPORT, "major_public_interest": True})
    case.do("e_case_review", **MORE_EVIDENCE)
    assert case.data["e_outcome"] == "MORE_EVIDENCE"
    sent_back_for_more_evidence(case)
    case.do("e_report", **{**REPORT, "major_public_interest": True})
    case.do("e_case_review", **APPROVE)
    case.do("e_legal_review", **MORE_EVIDENCE)
    sent_back_for_more_evidence(case)
    case.do("e_report", **REPORT)
    case.do("e_case_review", **APPROVE)
    case.do("e_head_decision", head_decision="MORE_EVIDENCE", head_opinion="证据不足")
    sent_back_for_more_evidence(case)
    report_and_review(
        case, "PENALTY", sanctions=["FINE"], proposed_fine=150000, fine_min=1000, fine_max=300000
    )
    case.do("f_serve_notice", served_on=case.today(), service_method="DIRECT")
    close_window(case)
    head_refuses(case, "INVESTIGATION", "违法所得未查清，补充调查")
    assert case.data["f_result"] == "MORE_EVIDENCE"
    sent_back_for_more_evidence(case)


def test_a_failed_post_hearing_review_can_send_the_case_back_for_more_evidence() -> None:
    case = heard_with_new_evidence()
    case.do("f_post_hearing_review", **MORE_EVIDENCE)
    sent_back_for_more_evidence(case)


@pytest.mark.parametrize("opinion", ["", "   "])
def test_a_review_that_does_not_pass_needs_a_destination_and_reasons(opinion: str) -> None:
    case = Case()
    to_review(case)
    case.do("e_report", **REPORT)
    with pytest.raises(AssertionError, match="请选择退回重写报告或补充调查"):
        case.do("e_case_review", approved=False, opinion="理由")
    with pytest.raises(AssertionError, match="不通过的，请写明理由"):
        case.do("e_case_review", approved=False, send_back_to="REPORT", opinion=opinion)
    assert case.ready == ["e_case_review"]


def test_hearing_notice_must_come_seven_working_days_before() -> None:
    case = Case()
    to_review(case)
    report_and_review(
        case, "PENALTY", sanctions=["REVOKE_LICENSE"], proposed_fine=0, fine_min=0, fine_max=0
    )
    case.do("f_serve_notice", served_on=case.today(), service_method="DIRECT")
    case.message("hearing_request", requested_on=case.today())
    close_window(case)
    three_days_on = dt.date.fromisoformat(case.today()) + dt.timedelta(days=3)
    with pytest.raises(RuleBroken, match="七个工作日前"):
        case.do(
            "f_schedule_hearing",
            hearing_date=three_days_on.isoformat(),
            hearing_notice_served_on=case.today(),
            hearing_location="听证室",
        )
    assert case.ready == ["f_schedule_hearing"]


def test_decision_serving_publicity_serious_list_and_their_deadlines() -> None:
    case = Case()
    to_review(case)
    report_and_review(
        case, "PENALTY", sanctions=["FINE"], proposed_fine=5000, fine_min=1000, fine_max=10000
    )
    case.do("f_serve_notice", served_on=case.today(), service_method="DIRECT")
    case.advance_past_next_timer()
    head_approves(case)
    case.do(
        "g_penalty_decision",
        decided_on=case.today(),
        fine=5000,
        sanctions=["FINE"],
        decision_summary="罚款5000元",
    )
    case.advance_past_next_timer()  # not served within 7 working days
    assert case.data["serve_overdue"] is True
    case.do(
        "g_serve_two", served_on=case.today(), repair_notice_served=True, service_method="DIRECT"
    )
    case.advance_past_next_timer()  # not published within 20 working days
    assert case.data["publish_overdue"] is True
    case.do("g_publish", published_on=case.today())
    case.do("g_serious_list", serious_list=True, serious_reason="情节严重")
    # DMN-R3 rule 4 fires on the proposed listing: the heads discuss it
    assert case.data["collective"] is True and case.ready == ["g_serious_approval"]
    case.do("g_serious_approval", **APPROVE)
    assert case.ready == ["g_upper_consent"]  # 报上一级同意 (DOMAIN G3')
    case.do("g_upper_consent", upper_consented=True, consent_opinion="同意")
    # the 15 days to pay ran out while the publication was late: the urging notice is due
    assert case.data["on_serious_list"] is True and "h_urge" in case.ready
    assert case.data["listed_on"] == case.today()


@pytest.mark.parametrize(
    ("step", "answer"),
    [
        ("g_serious_approval", {"approved": False, "opinion": "不符合列入条件"}),
        ("g_upper_consent", {"upper_consented": False, "consent_opinion": "情节不属严重"}),
    ],
)
def test_a_listing_the_heads_or_the_upper_level_refuse_is_not_made(
    step: str, answer: dict[str, Any]
) -> None:
    case = late_payment_case(serious_list=True)
    if step == "g_upper_consent":
        case.do("g_serious_approval", **APPROVE)
    case.do(step, **answer)
    assert case.data["on_serious_list"] is False and "h_payment" in case.ready


def test_a_warning_only_ordinary_decision_is_not_published() -> None:
    case = Case()
    to_review(case)
    report_and_review(
        case, "PENALTY", sanctions=["WARNING"], proposed_fine=0, fine_min=0, fine_max=0
    )
    case.do("f_serve_notice", served_on=case.today(), service_method="DIRECT")
    case.advance_past_next_timer()
    head_approves(case)
    case.do(
        "g_penalty_decision",
        decided_on=case.today(),
        fine=0,
        sanctions=["WARNING"],
        decision_summary="警告",
    )
    case.do(
        "g_serve_two", served_on=case.today(), repair_notice_served=True, service_method="DIRECT"
    )
    assert case.data["publish"] is False and case.ready == ["g_serious_list"]
    case.do("g_serious_list", serious_list=False, serious_reason="")
    assert "h_payment" not in case.ready and "i_order" in case.ready  # no fine to collect


def late_payment_case(serious_list: bool = False) -> Case:
    case = Case()
    to_review(case)
    report_and_review(
        case, "PENALTY", sanctions=["FINE"], proposed_fine=5000, fine_min=1000, fine_max=10000
    )
    case.do("f_serve_notice", served_on=case.today(), service_method="DIRECT")
    case.advance_past_next_timer()
    penalty_decision_and_service(case, fine=5000)
    case.do("g_publish", published_on=case.today())
    case.do("g_serious_list", serious_list=serious_list, serious_reason="")
    return case


@pytest.mark.parametrize("paid", [True, False])
def test_late_payment_urged_then_paid_or_sent_to_court(paid: bool) -> None:
    case = late_payment_case()
    case.advance_past("h_payment_overdue")  # 15 days pass without payment
    assert "h_urge" in case.ready
    case.do("h_urge", urge_served_on=case.today())
    case.advance_past("h_wait_after_urge")  # 10 working days after the urging notice
    if paid:  # the late fee is the service's (app/enforcement/payments.py), from the ledgers
        case.do("h_after_urge", paid_after_urge=True, paid_on=case.today())
        assert case.data["obligations_performed"] is True
    else:
        case.do("h_after_urge", paid_after_urge=False, paid_on=None)
        case.advance_past("h_court_opens")  # the relief periods pass
        case.do("h_court", court_applied_on=case.today(), court_name="新城区人民法院")
        assert case.data["obligations_performed"] is False
    assert not [task for task in case.ready if task.startswith("h_")]


def test_deferral_refused_then_approved_with_its_own_due_date() -> None:
    case = late_payment_case()
    assert case.data["pay_due"] == "2026-03-25"  # served 10 March + 15 calendar days
    case.do("h_payment", payment_status="DEFERRAL_REQUESTED", paid_on=None, amount_paid=None)
    case.do("h_deferral", deferral_approved=False)
    assert "h_payment" in case.ready and case.data["pay_due"] == "2026-03-25"
    case.do("h_payment", payment_status="DEFERRAL_REQUESTED", paid_on=None, amount_paid=None)
    case.do("h_deferral", deferral_approved=True, plan_kind="DEFERRAL", deferral_until="2026-06-30")
    assert case.data["pay_due"] == "2026-06-30" and case.data["payment_plan"] == "DEFERRAL"
    overdue = next(w for w in case.result.waiting if w.bpmn_id == "h_payment_overdue")
    assert overdue.due == china("2026-07-01", 0)  # the deferred date is the deadline
    case.do("h_payment", payment_status="PAID", paid_on=case.today(), amount_paid=5000)
    assert not [task for task in case.ready if task.startswith("h_")]  # H done; I and K go on


def enforcement(start: str = "2026-03-02", **data: Any) -> Case:
    """Stage H on its own: a ¥5,000 fine served on 2 March 2026 (a Monday)."""
    return Case(
        china(start),
        process_id="stage_h_enforcement",
        **{"served_on": "2026-03-02", "fine": 5000, **data},
    )


INSTALMENTS = "2026-03-31 2000\n2026-04-30 2000\n2026-05-29 1000"


def test_instalments_each_with_its_own_due_date_urged_when_one_is_late() -> None:
    """《行政处罚法》第六十六条: the head approves instalments; each has its date and amount."""
    case = enforcement()
    assert case.data["pay_due"] == "2026-03-17"  # 2 March + 15 calendar days, a Tuesday
    case.do("h_payment", payment_status="DEFERRAL_REQUESTED")
    case.do("h_deferral", deferral_approved=True, plan_kind="INSTALMENTS", instalments=INSTALMENTS)
    assert case.data["payment_plan"] == "INSTALMENTS" and case.data["pay_due"] == "2026-03-31"
    assert [p["amount"] for p in case.data["instalments"]] == [2000, 2000, 1000]
    case.do("h_payment", payment_status="PAID", paid_on=case.today(), amount_paid=2000)
    assert case.data["pay_due"] == "2026-04-30" and case.ready == ["h_payment"]
    assert case.result.next_timer == china("2026-05-01", 0)
    case.advance_past_next_timer()  # the second instalment is late
    assert case.ready == ["h_urge"]
    case.advance(to=china("2026-05-06"))  # after the May Day holiday
    case.do("h_urge", urge_served_on="2026-05-06")
    # 10 working days: 7, 8, 9 (Saturday, worked), 11–15, 18, 19 May
    assert case.result.next_timer == china("2026-05-20", 0)
    case.advance_past_next_timer()
    case.do("h_after_urge", paid_after_urge=True, paid_on=case.today())
    assert case.ready == ["h_payment"] and case.data["pay_due"] == "2026-05-29"
    case.do("h_payment", payment_status="PAID", paid_on=case.today(), amount_paid=1000)
    assert case.result.completed and case.data["obligations_performed"] is True


def test_instalments_must_add_up_to_the_fine() -> None:
    case = enforcement()
    case.do("h_payment", payment_status="DEFERRAL_REQUESTED")
    short = [{"due_on": "2026-03-31", "amount": 2000}, {"due_on": "2026-04-30", "amount": 2000}]
    with pytest.raises(RuleBroken, match="各期金额之和应当等于罚款数额"):
        case.do_unchecked(
            "h_deferral", deferral_approved=True, plan_kind="INSTALMENTS", instalments=short
        )


def urged_and_not_paid(case: Case) -> None:
    case.advance_past_next_timer()  # 17 March ends without payment
    assert case.ready == ["h_urge"]
    case.do("h_urge", urge_served_on="2026-03-18")
    # 10 working days after 18 March: 19, 20, 23–27, 30, 31 March, 1 April
    assert case.result.next_timer == china("2026-04-02", 0)
    case.advance_past_next_timer()
    case.do("h_after_urge", paid_after_urge=False)


def test_court_only_after_the_relief_periods_and_within_three_months() -> None:
    """《行政强制法》第五十三条、第五十四条: 催告 10 working days, then the periods for 复议
    (60 days: 1 May, a holiday, rolls to 6 May) and 诉讼 (6 months: 2 September), then 3 months."""
    case = enforcement()
    urged_and_not_paid(case)
    assert case.data["relief_end"] == "2026-09-02"
    assert case.data["court_apply_opens"] == "2026-09-02"
    assert case.data["court_apply_until"] == "2026-12-02"
    assert case.waiting_for() == ["h_court_opens", "h_court_wait_relief"] and not case.ready
    assert case.result.next_timer == china("2026-09-03", 0)
    case.advance_past_next_timer()
    assert case.ready == ["h_court"]
    case.do("h_court", court_applied_on=case.today(), court_name="新城区人民法院")
    assert case.result.completed and case.data["obligations_performed"] is False


def test_the_court_window_passes_unused() -> None:
    case = enforcement()
    urged_and_not_paid(case)
    case.advance_past_next_timer()
    assert case.waiting_for() == ["h_court_closed", "h_court_relief"]
    assert case.result.next_timer == china("2026-12-03", 0)
    case.advance_past_next_timer()
    assert case.result.completed and case.data["court_window_missed"] is True


def relief_concluded(result: str, result_on: str, relief_end: str) -> dict[str, Any]:
    return {
        "kind": "RECONSIDERATION",
        "result": result,
        "result_on": result_on,
        "relief_end": relief_end,
        "fine": None,
    }


def test_a_relief_result_during_payment_keeps_or_ends_enforcement() -> None:
    """复议、诉讼期间不停止执行 (第七十三条): an upheld decision is still paid by its date; a
    revoked one is not enforced."""
    case = enforcement()
    case.message("relief_concluded", **relief_concluded("UPHELD", "2026-03-10", "2026-03-25"))
    assert case.ready == ["h_payment"] and case.data["pay_due"] == "2026-03-17"
    case.message("relief_concluded", **relief_concluded("REVOKED", "2026-03-12", "2026-03-12"))
    assert case.result.completed and case.data["enforcement_stopped"] is True


def test_a_relief_result_moves_the_court_window_or_ends_enforcement() -> None:
    case = enforcement()
    urged_and_not_paid(case)
    case.message("relief_concluded", **relief_concluded("UPHELD", "2026-06-30", "2026-07-15"))
    assert case.data["court_apply_opens"] == "2026-07-15"
    assert case.data["court_apply_until"] == "2026-10-15"  # 3 months after relief ended
    case.advance_past_next_timer()
    assert case.ready == ["h_court"]
    case.message("relief_concluded", **relief_concluded("REVOKED", "2026-07-20", "2026-07-20"))
    assert case.result.completed and case.data["enforcement_stopped"] is True


def test_a_result_while_waiting_for_the_window_recomputes_it() -> None:
    case = enforcement()
    urged_and_not_paid(case)
    case.message(
        "relief_concluded", **relief_concluded("CONFIRMED_ILLEGAL", "2026-05-11", "2026-05-11")
    )
    assert case.result.completed and case.data["enforcement_stopped"] is True


def relief_track(publish: bool = True) -> Case:
    """Stage R on its own, for a decision served on 2 March 2026."""
    return Case(process_id="stage_r_relief", served_on="2026-03-02", fine=5000, publish=publish)


def test_relief_periods_pass_without_an_application() -> None:
    case = relief_track()
    # 复议 60 days: 1 May is a holiday (1–5 May), rolled to 6 May; 诉讼 6 months: 2 September
    assert case.data["relief_reconsider_until"] == "2026-05-06"
    assert case.data["relief_litigate_until"] == "2026-09-02"
    assert case.waiting_for() == ["r_application", "r_periods_passed"]
    assert case.result.next_timer == china("2026-09-03", 0)
    case.advance_past_next_timer()
    assert case.result.completed and case.data["overturned"] is False


def test_reconsideration_upheld_then_litigation_revokes_and_publicity_is_withdrawn() -> None:
    case = relief_track()
    case.message(
        "relief_application", kind="RECONSIDERATION", applied_on="2026-03-10", body="市政府"
    )
    assert case.waiting_for() == ["r_result"]
    upheld = {"kind": "RECONSIDERATION", "result": "UPHELD", "result_on": "2026-05-06"}
    case.message("relief_result", **upheld, relief_end="2026-05-21", fine=None)
    assert case.data["relief_periods_end"] == "2026-05-21"  # 15 days to sue (诉讼法第四十五条)
    assert case.result.next_timer == china("2026-05-22", 0)
    case.message("relief_application", kind="LITIGATION", applied_on="2026-05-20", body="法院")
    revoked = {"kind": "LITIGATION", "result": "REVOKED", "result_on": "2026-08-03"}
    case.message("relief_result", **revoked, relief_end="2026-08-03", fine=None)
    assert case.data["overturned"] is True and case.data["relief_outcome"] == "REVOKED"
    assert case.data["publish_withdraw_due"] == "2026-08-06"  # 3 working days: 4, 5, 6 August
    assert case.ready == ["r_withdraw"]
    case.advance(to=china("2026-08-07", 0) + dt.timedelta(minutes=1))
    assert case.data["publish_withdraw_overdue"] is True
    case.do(
        "r_withdraw",
        withdrawn_on=case.today(),
        publicity_action="WITHDRAWN",
        withdraw_reason="人民法院判决撤销",
    )
    # DMN-V1 row 2: a decision revoked in 诉讼 is visited with priority, 30 days from the result
    assert case.ready == ["r_visit"] and case.data["priority"] == "HIGH"
    assert case.data["visit_due"] == "2026-09-02"  # 3 August + 30 calendar days
    case.advance_past("r_visit_overdue")
    assert case.data["visit_overdue"] is True
    visit_after_relief(case)
    assert case.result.completed


def visit_after_relief(case: Case) -> None:
    case.do(
        "r_visit",
        visited_on=case.today(),
        rectification_ok=True,
        conduct_ok=True,
        rights_informed=True,
        integrity_ok=True,
        visit_notes="了解撤销后的整改与经营情况",
    )


def test_a_changed_decision_is_issued_and_the_publicity_corrected() -> None:
    case = relief_track()
    case.message(
        "relief_application", kind="RECONSIDERATION", applied_on="2026-03-10", body="市政府"
    )
    changed = {"kind": "RECONSIDERATION", "result": "CHANGED", "result_on": "2026-04-01"}
    case.message("relief_result", **changed, relief_end="2026-04-01", fine=3000)
    assert case.ready == ["r_changed_decision"]
    case.do(
        "r_changed_decision",
        decided_on=case.today(),
        sanctions=["FINE"],
        fine=3000,
        decision_summary="罚款变更为三千元",
    )
    assert case.ready == ["r_withdraw"] and case.data["publish_withdraw_due"] == "2026-04-07"
    case.do(
        "r_withdraw",
        withdrawn_on=case.today(),
        publicity_action="CORRECTED",
        withdraw_reason="复议变更",
    )
    assert case.result.completed and case.data.get("publish_withdraw_overdue") is None


@pytest.mark.parametrize(("result", "overturned"), [("CONFIRMED_ILLEGAL", True), ("UPHELD", False)])
def test_a_final_judgment_ends_the_track(result: str, overturned: bool) -> None:
    case = relief_track(publish=False)  # nothing published: nothing to withdraw
    case.message("relief_application", kind="LITIGATION", applied_on="2026-04-01", body="法院")
    final = {"kind": "LITIGATION", "result": result, "result_on": "2026-07-01"}
    case.message("relief_result", **final, relief_end="2026-07-01", fine=None)
    assert case.data["overturned"] is overturned
    if overturned:  # confirmed illegal: the priority visit (DMN-V1 row 2), then the end
        assert case.ready == ["r_visit"] and case.data["visit_due"] == "2026-07-31"
        visit_after_relief(case)
    assert case.result.completed and not case.ready


def test_closure_rejected_goes_back_to_the_report() -> None:
    case = Case()
    to_review(case)
    report_and_review(case, "NOT_ESTABLISHED")
    case.do("j_report", closure_reason="NOT_ESTABLISHED", typical_case=True, closure_notes="")
    case.do("j_approval", **REJECT)
    assert case.ready == ["j_report"]
    case.do("j_report", closure_reason="NOT_ESTABLISHED", typical_case=True, closure_notes="")
    case.do("j_approval", **APPROVE)
    case.do("j_archive", archive_no="1")
    assert case.ready == ["j_library"]  # typical cases go to the library too


def summary_case_at_visit() -> Case:
    case = Case(party_type="NATURAL", domain="PRICE")
    register_and_verify(case, "COMPLAINT", facts_clear=True, sanctions=["WARNING"], proposed_fine=0)
    case.do(
        "s_decision",
        showed_credentials=True,
        statement_heard=True,
        decided_on=case.today(),
        sanctions=["WARNING"],
        fine=0,
        facts="未明码标价",
        legal_basis="《明码标价和禁止价格欺诈规定》第五条、第二十条",
        location="新城区某商店",
    )
    case.do("s_file", filed_on=case.today())
    rectify_and_verify(case)
    return case


def test_visit_priority_from_a_complaint_and_the_visit_deadline() -> None:
    case = summary_case_at_visit()
    assert case.data["priority"] == "HIGH" and case.ready == ["k_visit"]
    # 30 calendar days from the decision's service on the spot (Monday 03-02), not from closure
    assert case.data["visit_due"] == "2026-04-01"
    case.advance_past_next_timer()  # 30 days without a visit
    assert case.data["visit_overdue"] is True
    visit(case)
    close_case(case)
    assert ended(case)


def test_sampled_visit_of_a_summary_case() -> None:
    case = Case(party_type="NATURAL", domain="PRICE")
    register_and_verify(case, facts_clear=True, sanctions=["WARNING"], proposed_fine=0)
    case.do(
        "s_decision",
        showed_credentials=True,
        statement_heard=True,
        decided_on=case.today(),
        sanctions=["WARNING"],
        fine=0,
        facts="未明码标价",
        legal_basis="《明码标价和禁止价格欺诈规定》第五条、第二十条",
        location="新城区某商店",
    )
    case.do("s_file", filed_on=case.today())
    rectify_and_verify(case)
    case.do("k_sample", do_visit=True)
    visit(case)
    close_case(case)
    assert ended(case)


def repair_case(
    sanctions: list[str],
    fine: float,
    domain: str = "PRICE",
    case_data: dict[str, Any] | None = None,
    **report: Any,
) -> Case:
    case = Case(domain=domain, **(case_data or {}))
    to_review(case)
    report_and_review(
        case,
        "PENALTY",
        sanctions=sanctions,
        proposed_fine=fine,
        fine_min=0,
        fine_max=max(fine, 1),
        **report,
    )
    case.do("f_serve_notice", served_on=case.today(), service_method="DIRECT")
    if "f_window_closed" in case.waiting_for():
        case.advance_past_next_timer()
    head_approves(case)
    case.do(
        "g_penalty_decision",
        decided_on=case.today(),
        fine=fine,
        sanctions=sanctions,
        decision_summary="",
    )
    case.do(
        "g_serve_two", served_on=case.today(), repair_notice_served=True, service_method="DIRECT"
    )
    return case


def through_publication_to_repair(case: Case) -> None:
    case.do("g_publish", published_on="2025-01-02")  # published long ago: eligible now
    case.do("g_serious_list", serious_list=False, serious_reason="")
    if "h_payment" in case.ready:
        pay(case)
    rectify_and_verify(case)
    visit(case)
    close_case(case)


def apply_for_repair(case: Case, *, fast_track: bool = False) -> None:
    """The party applies (a message, not an officer's task); the credit officer accepts."""
    assert "l_application" in case.waiting_for()
    case.message("repair_application", summary="信用修复申请书、守信承诺书、履行义务的材料")
    case.do(
        "l_accept",
        repair_accepted=True,
        answered_on=case.today(),
        missing_materials="",
        fast_track=fast_track,
    )


def test_repair_with_one_notice_to_complete_the_materials_and_every_deadline_flagged() -> None:
    case = repair_case(["FINE"], 5000)
    through_publication_to_repair(case)
    assert case.data["repair_kind"] == "PENALTY_INFO" and case.ready == []
    case.message("repair_application", summary="信用修复申请书")
    assert case.ready == ["l_accept"] and case.data["repair_applied_on"] == case.today()
    case.advance_past_next_timer()  # not answered within 2 working days (REPAIR_ACCEPT_WD)
    assert case.data["repair_accept_overdue"] is True and case.ready == ["l_accept"]
    case.do(
        "l_accept",
        repair_accepted=False,
        answered_on=case.today(),
        missing_materials="缺守信承诺书和缴纳罚款的凭证",
        fast_track=False,
    )
    # one notice of everything missing; the party applies again
    assert case.ready == [] and "l_application" in case.waiting_for()
    apply_for_repair(case)
    case.do("l_verify", verification_method="WRITTEN", verification_notes="")
    case.advance_past_next_timer()  # no decision within 15 working days (REPAIR_DECIDE_WD)
    assert case.data["repair_decide_overdue"] is True and case.ready == ["l_decide"]
    case.do(
        "l_decide", repair_approved=True, repair_decided_on=case.today(), decision_reason="符合"
    )
    case.advance_past_next_timer()  # publicity not stopped within 3 working days
    assert case.data["repair_stop_overdue"] is True
    case.do("l_stop_publicity", stopped_on=case.today(), shared_with_credit_china=True)
    assert ended(case) and case.data["l_result"] == "REPAIRED"


@pytest.mark.parametrize(("committed_truly", "result"), [(True, "REPAIRED"), (False, "REVOKED")])
def test_commitment_fast_track(committed_truly: bool, result: str) -> None:
    case = repair_case(["FINE"], 5000)
    through_publication_to_repair(case)
    assert case.stage == "L 信用修复" and case.data["repairable"] == "ELIGIBLE"
    apply_for_repair(case, fast_track=True)
    assert case.ready == ["l_stop_publicity"]  # repaired first, checked afterwards
    case.do("l_stop_publicity", stopped_on=case.today(), shared_with_credit_china=True)
    case.do("l_check_commitment", commitment_true=committed_truly, check_notes="")
    if not committed_truly:
        case.do("l_revoke", revoked_on=case.today(), revoke_reason="承诺不实")
    assert ended(case) and case.data["l_result"] == result


def test_repair_refused_and_late_verification_flagged() -> None:
    case = repair_case(["FINE"], 5000)
    through_publication_to_repair(case)
    apply_for_repair(case)
    case.advance_past_next_timer()  # still verifying after 15 working days
    assert case.data["repair_decide_overdue"] is True and case.ready == ["l_verify"]
    case.do("l_verify", verification_method="ONSITE", verification_notes="")
    case.do(
        "l_decide", repair_approved=False, repair_decided_on=case.today(), decision_reason="不实"
    )
    assert case.data["l_result"] == "REFUSED"


def listed_case(**data: Any) -> Case:
    """A penalty case listed on the serious-violation list, through to stage L."""
    case = repair_case(["FINE"], 5000, case_data=data)
    case.do("g_publish", published_on="2025-01-02")
    case.do("g_serious_list", serious_list=True, serious_reason="")
    case.do("g_serious_approval", **APPROVE)
    case.do("g_upper_consent", upper_consented=True, consent_opinion="")
    pay(case)
    rectify_and_verify(case)
    visit(case)
    close_case(case)
    return case


def test_early_removal_from_the_serious_list_after_a_year_then_the_penalty_repair() -> None:
    case = listed_case()
    listed_on = dt.date.fromisoformat(case.data["listed_on"])
    # DMN-C3: the conditions are met but the listing is not a year old: wait for the date
    assert (case.data["eligible"], beside_relief(case)) == (False, ["l_wait_removal"])
    assert case.data["earliest_apply"] == listed_on.replace(year=listed_on.year + 1).isoformat()
    case.advance_past("l_wait_removal")
    assert case.data["eligible"] is True and case.data["repair_kind"] == "SERIOUS_LIST"
    apply_for_repair(case)
    case.do("l_verify", verification_method="ONLINE", verification_notes="")
    case.do(
        "l_decide", repair_approved=True, repair_decided_on=case.today(), decision_reason="满一年"
    )
    case.do("l_stop_publicity", stopped_on=case.today(), shared_with_credit_china=True)
    # removed from the list; the penalty information can now be repaired (DMN-C2 condition 4)
    assert case.data["on_serious_list"] is False
    assert case.data["serious_removed_on"] == case.today()
    assert case.data["repairable"] == "ELIGIBLE" and case.data["repair_kind"] == "PENALTY_INFO"
    assert "l_application" in case.waiting_for()


def test_no_early_removal_after_a_new_heavy_penalty_gets_guidance() -> None:
    case = listed_case(new_heavy_penalty=True)
    assert beside_relief(case) == ["l_wait_removal"]  # a year first, whatever the conditions
    case.advance_past("l_wait_removal")
    assert case.data["eligible"] is False and case.ready == ["l_guide"]
    case.do("l_guide", guidance_notes="再次受到较重行政处罚，不能提前移出")
    assert ended(case)


def test_repair_conditions_unmet_gets_guidance() -> None:
    case = repair_case(["FINE"], 5000, case_data={"repeat_same_type": True})
    through_publication_to_repair(case)
    assert case.data["repairable"] == "CONDITIONS_UNMET" and case.ready == ["l_guide"]
    case.do("l_guide", guidance_notes="再次受到同类处罚，暂不能修复")
    assert ended(case)


def test_heavy_penalty_can_never_be_repaired_early() -> None:
    case = repair_case(["FINE", "REVOKE_LICENSE"], 5000)
    through_publication_to_repair(case)
    assert ended(case) and case.stage == "信用修复结束"
    assert case.data["repairable"] == "NEVER" and case.data["l_result"] == "NOT_REPAIRABLE"


def test_expression_errors_name_the_element() -> None:
    case = Case()
    case.do("c_register", source="COMPLAINT", found_on=case.today(), clue_summary="投诉")
    with pytest.raises(EngineError) as caught:  # data no screen would send: names are missing
        case.do_unchecked("c_verify", evidence_initial=True)
    assert caught.value.element == "立案四项条件"


def due(case: Case, bpmn_id: str) -> dt.datetime:
    """When the timer `bpmn_id` fires (end_of_day(D) fires at midnight China time, D 16:00 UTC)."""
    return next(w.due for w in case.result.waiting if w.bpmn_id == bpmn_id and w.due)


def end_of(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T16:00:00+00:00")


def test_the_review_notice_and_statement_review_deadlines_are_flagged() -> None:
    """审核 10, 告知书送达 3, 陈述申辩复核 5 working days (REVIEW_WD, NOTICE_SERVE_WD,
    STATEMENT_REVIEW_WD), counted by hand from Monday 2 March 2026."""
    case = Case()
    to_review(case)
    case.do("e_report", **REPORT)
    # 3, 4, 5, 6, 9, 10, 11, 12, 13, 16 March
    assert due(case, "e_case_review_overdue") == end_of("2026-03-16")
    case.advance_past("e_case_review_overdue")
    assert case.data["review_overdue"] is True and case.ready == ["e_case_review"]
    case.do("e_case_review", **APPROVE)
    if "e_legal_review" in case.ready:
        case.do("e_legal_review", **APPROVE)
    case.do("e_head_decision", head_decision="PENALTY", head_opinion="同意")
    # decided Tuesday 17 March: 18, 19, 20 March
    assert due(case, "f_serve_notice_overdue") == end_of("2026-03-20")
    case.advance_past("f_serve_notice_overdue")
    assert case.data["notice_serve_overdue"] is True
    case.do("f_serve_notice", served_on=case.today(), service_method="DIRECT")  # Sat 21 March
    case.message("party_statement", text="请求从轻")
    close_window(case)  # 23–27 March
    # the window closed at the end of Friday 27 March: 30, 31 March, 1, 2, 3 April (清明 4–6)
    assert due(case, "f_review_statement_overdue") == end_of("2026-04-03")
    case.advance_past("f_review_statement_overdue")
    assert case.data["statement_review_overdue"] is True and case.ready == ["f_review_statement"]


def test_the_closure_approval_deadline_is_flagged() -> None:
    """结案审批 within 15 working days of the 结案审批表 (CLOSE_CASE_WD)."""
    case = Case()
    to_review(case)
    report_and_review(case, "NOT_ESTABLISHED")
    case.do("j_report", closure_reason="NOT_ESTABLISHED", typical_case=False, closure_notes="")
    # Monday 2 March: 3–6, 9–13, 16–20, 23 March
    assert due(case, "j_approval_overdue") == end_of("2026-03-23")
    case.advance_past("j_approval_overdue")
    assert case.data["closure_overdue"] is True and case.ready == ["j_approval"]
    case.do("j_approval", **APPROVE)
    case.do("j_archive", archive_no="呼市监档〔2026〕2号")
    assert case.result.completed


def test_a_longer_statement_period_keeps_the_window_open_to_its_end() -> None:
    """陈述申辩逾期视为放弃 (STATEMENT_WAIVE_WD, [U]): the window closes at the later of it and the
    hearing-request period."""
    case = Case()
    case.parameters["STATEMENT_WAIVE_WD"] = 8
    to_review(case)
    report_and_review(case, "PENALTY")
    case.do("f_serve_notice", served_on=case.today(), service_method="DIRECT")  # Mon 2 March
    assert case.data["hearing_request_due"] == "2026-03-09"  # 3, 4, 5, 6, 9 March
    assert case.data["party_window_due"] == "2026-03-12"  # … 10, 11, 12 March
    assert due(case, "f_window_closed") == end_of("2026-03-12")


def test_relief_runs_beside_the_case_and_what_it_decides_outlives_the_closure() -> None:
    """Stage R beside H, I and K (m_after → m_gw_relief → m_r): it waits for a 复议 or 诉讼
    after the case has closed; a revocation then sets `overturned` and asks for the publicity to
    be withdrawn, and the case's data keeps what every branch decided."""
    case = late_payment_case()
    assert RELIEF_WAITS <= set(case.waiting_for())
    pay(case)
    rectify_and_verify(case)
    visit(case)
    close_case(case)
    assert beside_relief(case) == ["l_wait_earliest"] and case.stage == "L 信用修复"
    case.message("relief_application", kind="LITIGATION", applied_on=case.today(), body="法院")
    revoked = {"kind": "LITIGATION", "result": "REVOKED", "result_on": case.today()}
    case.message("relief_result", **revoked, relief_end=case.today(), fine=None)
    assert case.ready == ["r_withdraw"] and case.data["overturned"] is True
    assert case.data["obligations_performed"] is True  # H's, not the copy R started with
    case.do(
        "r_withdraw",
        withdrawn_on=case.today(),
        publicity_action="WITHDRAWN",
        withdraw_reason="人民法院判决撤销",
    )
    visit_after_relief(case)
    assert case.waiting_for() == ["l_wait_earliest"] and case.data["overturned"] is True
    assert case.data["archive_no"] == "呼市监档〔2026〕1号"  # J's


# ---------------------------------------------------------------- publicity across provinces


def decided_on_9_september(**data: Any) -> Case:
    """A ¥50,000 fine decided and served on Wednesday 2026-09-09 (the notice of 09-01, its
    5-working-day window closing at the end of 09-08)."""
    case = Case(china("2026-09-01"), **data)
    to_review(case)
    report_and_review(case, "PENALTY", sanctions=["FINE"], proposed_fine=50000)
    case.do("f_serve_notice", served_on=case.today(), service_method="DIRECT")
    close_window(case)
    assert case.today() == "2026-09-09"
    penalty_decision_and_service(case, fine=50000)
    return case


def test_a_party_registered_in_the_region_is_published_within_20_working_days() -> None:
    case = decided_on_9_september()  # 登记地 defaults to 内蒙古
    assert case.data["publish_cross"] is False and case.ready == ["g_publish"]
    # 20 working days after 09-09, by hand: 09-10…09-18 (7), Sunday 09-20 made up (8), 09-21…
    # 09-24 (12), Mid-Autumn 09-25…27, 09-28…30 (15), National Day 10-01…07, 10-08, 10-09 (17),
    # Saturday 10-10 made up (18), 10-12 (19), 10-13 (20)
    assert case.data["publish_due"] == "2026-10-13" and case.data["push_due"] is None


def test_a_party_registered_in_another_province_is_pushed_then_published_there() -> None:
    case = decided_on_9_september(registration_province="420000")  # 湖北省
    assert case.data["publish_cross"] is True and case.ready == ["g_push"]
    # 10 working days after 09-09: 09-10…09-18 (7), Sunday 09-20 made up (8), 09-21, 09-22
    assert case.data["push_due"] == "2026-09-22" and case.data["publish_due"] is None
    case.advance_past_next_timer()  # not pushed within 10 working days
    assert case.data["push_overdue"] is True and case.ready == ["g_push"]
    assert case.today() == "2026-09-23"
    case.do("g_push", pushed_on=case.today(), via_home_bureau=True)
    assert case.data["pushed_on"] == "2026-09-23" and case.ready == ["g_remote_receipt"]
    case.do("g_remote_receipt", received_on=case.today())
    # 10 working days after the receipt on 09-23: 09-24 (1), Mid-Autumn 09-25…27, 09-28…30 (4),
    # National Day 10-01…07, 10-08, 10-09 (6), Saturday 10-10 made up (7), 10-12…10-14 (10)
    # publish_due is now the registration province's
    assert case.data.get("publish_due") == "2026-10-14" and case.ready == ["g_publish_remote"]
    case.advance_past_next_timer()  # the registration province did not publish in time
    assert case.data["remote_publish_overdue"] is True
    assert case.today() == "2026-10-15"
    case.do("g_publish_remote", published_on=case.today())
    assert case.ready == ["g_serious_list"] and case.data["published_on"] == "2026-10-15"


@pytest.mark.parametrize(
    ("by_registration", "province", "months"),
    [(False, None, 36), (True, "420000", 3)],
)
def test_the_lower_fine_standard_of_the_deciding_or_the_registration_province(
    by_registration: bool, province: str | None, months: int
) -> None:
    """Inner Mongolia's 较低数额 standard is unknown (unset); Hubei's is below ¥100,000 for an
    organisation: a ¥50,000 fine on a Hubei company is published for three months only when the
    setting takes the registration province's standard (公示规定第十三条)."""
    case = Case(china("2026-09-01"), registration_province="420000")
    case.parameters["LOW_FINE_BY_REGISTRATION_PROVINCE"] = by_registration
    to_review(case)
    report_and_review(case, "PENALTY", sanctions=["FINE"], proposed_fine=50000)
    case.do("f_serve_notice", served_on=case.today(), service_method="DIRECT")
    close_window(case)
    penalty_decision_and_service(case, fine=50000)
    assert case.data["low_fine_province"] == province
    assert case.data["publish"] is True and case.data["period_months"] == months


def test_removal_from_the_abnormal_operation_list_first_decided_in_5_working_days() -> None:
    """DOMAIN L4: 经营异常名录移出 decided within 5 working days of acceptance
    (ABNORMAL_LIST_REMOVE_WD, [P]); then the penalty information's own repair is judged."""
    case = repair_case(["FINE"], 5000)
    case.do("g_publish", published_on="2025-01-02")
    case.do("g_serious_list", serious_list=False, serious_reason="")
    pay(case)
    rectify_and_verify(case)
    case.do(
        "k_visit",
        visited_on=case.today(),
        rectification_ok=True,
        conduct_ok=True,
        rights_informed=True,
        integrity_ok=True,
        on_abnormal_list=True,  # the visitor found the party on the list
    )
    close_case(case)
    assert case.data["repair_kind"] == "ABNORMAL_LIST" and "l_application" in case.waiting_for()
    apply_for_repair(case)  # accepted on Wednesday 25 March, the day after the period to correct
    # 26, 27, 30, 31 March, 1 April (not the 15 working days of a penalty repair)
    assert case.data["answered_on"] == "2026-03-25"
    assert case.data["repair_decide_due"] == "2026-04-01"
    case.do("l_verify", verification_method="ONLINE", verification_notes="已补报年报")
    case.do(
        "l_decide", repair_approved=True, repair_decided_on=case.today(), decision_reason="符合"
    )
    case.do("l_stop_publicity", stopped_on=case.today(), shared_with_credit_china=True)
    assert case.data["on_abnormal_list"] is False
    assert case.data["abnormal_removed_on"] == case.today()
    # off the list: the penalty information's repair is judged again, now for itself
    assert case.data["repair_kind"] == "PENALTY_INFO" and "l_application" in case.waiting_for()


# ---------------------------------------------------------------- 处罚时效 (行政处罚法 art.36)


@pytest.mark.parametrize(
    ("initial", "verify", "filed", "ends"),
    [
        # two years from the day it occurred: discovered on the last day is in time
        ({}, {"violated_on": "2024-03-02"}, True, "2026-03-02"),
        ({}, {"violated_on": "2024-03-01"}, False, "2026-03-01"),
        # life and health safety with harmful consequences: five years
        (
            {"life_fin_safety": True},
            {"violated_on": "2022-03-02", "harm_caused": True},
            True,
            "2027-03-02",
        ),
        (
            {"life_fin_safety": True},
            {"violated_on": "2021-03-01", "harm_caused": True},
            False,
            "2026-03-01",
        ),
        # without harmful consequences the type's class does not matter: two years
        ({"life_fin_safety": True}, {"violated_on": "2022-03-02"}, False, "2024-03-02"),
        # a continuing violation counts from its end; one still going on has not begun to
        ({}, {"violated_on": "2020-01-06", "continuing": True}, True, None),
        (
            {},
            {"violated_on": "2020-01-06", "continuing": True, "violation_ended_on": "2024-02-29"},
            False,
            "2026-02-28",
        ),
        # the date unknown: the officer's judgement (within_limitation) decides alone
        ({}, {}, True, None),
    ],
)
def test_a_violation_not_discovered_within_the_limitation_is_not_filed(
    initial: dict[str, Any], verify: dict[str, Any], filed: bool, ends: str | None
) -> None:
    case = Case(**initial)
    register_and_verify(case, violation_code="FOOD-EXPIRED" if verify else None, **verify)
    assert case.data["limitation_ends"] == ends
    assert case.data["limitation_expired"] is not filed
    assert case.ready == (["c_filing_approval"] if filed else ["c_not_filed"])


def test_an_expired_limitation_is_the_ground_for_not_filing() -> None:
    case = Case()
    register_and_verify(case, violation_code="FOOD-EXPIRED", violated_on="2023-06-01")
    with pytest.raises(RuleBroken, match="不予立案的理由应为超过行政处罚时效"):
        case.do("c_not_filed", not_filed_reason="OTHER", order_rectification=False)
    assert case.ready == ["c_not_filed"]  # nothing changed
    case.do("c_not_filed", not_filed_reason="LIMITATION", order_rectification=False)
    assert case.result.completed and case.stage == "不予立案"


# ---------------------------------------------------------------- C6 责令改正 from filing on


def order(case: Case, days: int, due: str, requirements: str = "召回") -> None:
    """The officer's order as the service sends it (the due date computed on the calendar)."""
    case.message(
        "rectification_order",
        order_served_on=case.today(),
        rectify_days=days,
        requirements=requirements,
        rectify_due=due,
    )


def test_a_correction_ordered_after_filing_is_what_stage_i_checks() -> None:
    """行政处罚法 art.28: ordered in any stage from D to G (once per stage, the later order
    standing); stage I waits for its period instead of ordering again."""
    case = Case()
    to_investigation(case)
    order(case, 5, "2026-03-09", "下架")
    assert case.stage == "D 调查取证" and case.ready == ["d_investigate"]
    with pytest.raises(MessageNotExpected):  # this stage's catch is used
        order(case, 3, "2026-03-05")
    case.do("d_investigate", evidence_summary="证据确凿", next_action="CONCLUDE")
    order(case, 7, "2026-03-11", "下架并召回")
    report_and_review(case, "PENALTY")
    assert case.stage == "F 告知、陈述申辩、听证"
    order(case, 10, "2026-03-16", "下架、召回并退赔")
    case.do("f_serve_notice", served_on=case.today(), service_method="DIRECT")
    case.message("party_waiver", text="放弃陈述申辩和听证", received_on=case.today())
    head_approves(case)
    assert case.stage == "G 决定与送达"
    order(case, 15, "2026-03-23", "下架、召回、退赔并销毁")
    case.do(
        "g_penalty_decision",
        decided_on=case.today(),
        fine=50000,
        sanctions=["FINE"],
        decision_summary="罚款",
    )
    case.do(
        "g_serve_two", served_on=case.today(), repair_notice_served=True, service_method="DIRECT"
    )
    case.do("g_publish", published_on=case.today())
    case.do("g_serious_list", serious_list=False)
    pay(case)
    assert case.stage == "I 整改核查" and "i_wait" in case.waiting_for()
    assert case.ready == ["k_visit"]  # no second order
    assert (case.data["rectify_due"], case.data["requirements"]) == (
        "2026-03-23",
        "下架、召回、退赔并销毁",
    )
    assert case.result.next_timer == dt.datetime(2026, 3, 23, 16, 0, tzinfo=dt.UTC)
    case.advance_past_next_timer()
    case.do("i_verify", verify_result="PASS", verify_notes="已整改")
    visit(case)
    assert case.stage == "J 结案、归档、入库"


def test_an_order_given_on_the_spot_after_filing_is_checked_at_once() -> None:
    case = Case()
    to_review(case)
    order(case, 0, "2026-03-02")
    report_and_review(case, "NO_PENALTY")
    case.do("g_no_penalty_decision", decided_on=case.today(), education_done=True)
    case.do("g_serve_no_penalty", served_on=case.today(), guidance_attached=True)
    assert case.stage == "I 整改核查" and case.ready == ["i_verify", "k_visit"]


def test_no_order_before_filing_or_after_the_decision_through_this_message() -> None:
    case = Case()
    register_and_verify(case)
    with pytest.raises(MessageNotExpected):
        order(case, 5, "2026-03-09")


# ---------------------------------------------------------------- 当场收缴 (行政处罚法 art.68)


@pytest.mark.parametrize(
    ("fine", "ground", "refused"),
    [
        (100, "SMALL_FINE", False),
        (150, "SMALL_FINE", True),
        (150, "HARD_TO_ENFORCE", False),
    ],
)
def test_on_the_spot_collection_only_as_article_68_allows(
    fine: int, ground: str, refused: bool
) -> None:
    case = Case(party_type="NATURAL", domain="PRICE")
    register_and_verify(case, facts_clear=True, sanctions=["FINE"], proposed_fine=fine)
    decision = {
        "showed_credentials": True,
        "statement_heard": True,
        "decided_on": case.today(),
        "sanctions": ["FINE"],
        "fine": fine,
        "facts": "未明码标价",
        "legal_basis": "《明码标价和禁止价格欺诈规定》第五条、第二十条",
        "location": "新城区某商店",
        "collected_on_spot": True,
        "onspot_ground": ground,
        "onspot_reason": "流动摊贩，无固定住所" if ground == "HARD_TO_ENFORCE" else "",
    }
    if refused:
        with pytest.raises(RuleBroken, match="100元以下罚款的才能以此情形当场收缴"):
            case.do("s_decision", **decision)
        assert case.ready == ["s_decision"]
    else:
        case.do("s_decision", **decision)
        assert case.ready == ["s_file"] and case.data["collected_on_spot"] is True
