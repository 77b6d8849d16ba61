"""服务企业（实施意见 三(一)）: 局处长联系企业, 帮扶需求清单 and 进园区进企业 / 政企座谈, driven on
the real engine along every path, each timer fired by moving the clock (the integration tests play
the same processes through the app and the worker)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from .process_driver import Case

CHINA = dt.timezone(dt.timedelta(hours=8))


def end_of(day: str) -> dt.datetime:
    """When a deadline day is over: the midnight after it, China time."""
    return dt.datetime.combine(dt.date.fromisoformat(day) + dt.timedelta(days=1), dt.time(), CHINA)


def days_ahead(case: Case, days: int) -> str:
    return (dt.date.fromisoformat(case.today()) + dt.timedelta(days=days)).isoformat()


# ---------------------------------------------------------------- 局处长联系企业

ASSIGNMENT: dict[str, Any] = {
    "leader_name": "孙局长",
    "leader_post": "局长",
    "contact_cycle": "MONTHLY",
    "liaison_focus": "乳制品质量提升",
}


def contact(case: Case, next_step: str, **record: Any) -> None:
    answers = {
        "contacted_on": case.today(),
        "contact_way": "VISIT",
        "matters_raised": "希望指导申报自治区名牌产品",
        "needs_found": False,
        "liaison_next": next_step,
    }
    case.do("sl_contact", **{**answers, **record})


def confirmed_liaison(cycle: str = "MONTHLY") -> Case:
    case = Case(process_id="service_liaison")
    case.do("sl_assign", **{**ASSIGNMENT, "contact_cycle": cycle})
    case.do("sl_confirm", liaison_confirmed=True, confirm_opinion="同意")
    return case


def test_liaison_sent_back_is_assigned_again_then_contacted_until_ended() -> None:
    case = Case(process_id="service_liaison")
    assert case.stage == "局处长联系企业" and case.ready == ["sl_assign"]
    case.do("sl_assign", **{**ASSIGNMENT, "leader_name": "李副局长"})
    assert case.ready == ["sl_confirm"]
    case.do("sl_confirm", liaison_confirmed=False, confirm_opinion="改由局长联系")
    assert case.ready == ["sl_assign"] and case.waiting_for() == []  # sent back, no clock yet
    case.do("sl_assign", **ASSIGNMENT)
    case.do("sl_confirm", liaison_confirmed=True, confirm_opinion="同意")
    assert case.ready == ["sl_contact"] and case.waiting_for() == ["sl_contact_overdue"]
    assert case.data["leader_name"] == "孙局长" and case.data["liaison_contacts"] == 0

    case.advance(days=10)
    contact(case, "CONTINUE", contacted_on="2026-03-10", needs_found=True)  # registered late
    assert case.ready == ["sl_contact"]  # the next contact of the cycle
    assert (case.data["liaison_contacts"], case.result.completed) == (1, False)
    # the cycle runs from the day of the contact, not from the day it was registered
    assert case.data["next_contact_due"] == "2026-04-10"
    assert case.result.next_timer == end_of("2026-04-10")
    contact(case, "END", contact_way="PHONE")
    assert case.result.completed and case.stage == "联系结束"
    assert case.ready == [] and case.waiting_for() == []
    assert case.data["liaison_contacts"] == 2 and case.data["contact_overdue"] is False


@pytest.mark.parametrize(
    ("cycle", "due"),
    [("MONTHLY", "2026-04-02"), ("QUARTERLY", "2026-06-02"), ("HALF_YEARLY", "2026-09-02")],
)
def test_first_liaison_contact_is_due_one_cycle_after_the_confirmation(
    cycle: str, due: str
) -> None:
    case = confirmed_liaison(cycle)  # confirmed on Monday 2026-03-02
    assert case.data["next_contact_due"] == due
    assert case.result.next_timer == end_of(due)


def test_missed_liaison_contact_is_flagged_and_the_next_contact_restarts_the_cycle() -> None:
    case = confirmed_liaison()
    case.advance(to=end_of("2026-04-02") - dt.timedelta(minutes=1))
    # the last day of the cycle is not over yet
    assert (case.ready, case.data["contact_overdue"]) == (["sl_contact"], False)
    case.advance_past_next_timer()
    # the reminder does not cancel the contact, nor end or stage the liaison
    assert (case.ready, case.data["contact_overdue"]) == (["sl_contact"], True)
    assert (case.stage, case.result.completed) == ("局处长联系企业", False)
    assert case.waiting_for() == []  # one reminder per cycle

    contact(case, "CONTINUE")  # on 2026-04-03
    assert (case.data["contact_overdue"], case.data["liaison_contacts"]) == (False, 1)
    # a month from the contact is Sunday 05-03, in the May Day holiday: rolled to 05-06
    assert case.data["next_contact_due"] == "2026-05-06"
    assert case.waiting_for() == ["sl_contact_overdue"]
    assert case.result.next_timer == end_of("2026-05-06")
    case.advance_past_next_timer()
    assert (case.ready, case.data["contact_overdue"]) == (["sl_contact"], True)

    contact(case, "END")
    assert case.result.completed and case.stage == "联系结束"
    assert (case.data["contact_overdue"], case.data["liaison_contacts"]) == (False, 2)


# ---------------------------------------------------------------- 帮扶需求清单


def assigned_need(due_in_days: int) -> Case:
    case = Case(process_id="service_assistance")
    assert case.stage == "帮扶需求清单" and case.ready == ["sa_register"]
    assert case.data["assist_result"] == "OPEN" and case.data["assist_escalations"] == 0
    case.do(
        "sa_register",
        need_category="FINANCE_CREDIT",
        need_description="申请知识产权质押融资，需要办理专利权质押登记指导",
        raised_on=case.today(),
        need_contact="张经理 13800000000",
    )
    assert case.ready == ["sa_assign"]
    case.do(
        "sa_assign",
        responsible_department="知识产权科",
        responsible_person="刘科长",
        assist_due=days_ahead(case, due_in_days),
    )
    assert case.ready == ["sa_follow_up"] and case.waiting_for() == ["sa_follow_up_overdue"]
    return case


def follow_up(case: Case, solved: bool) -> None:
    case.do(
        "sa_follow_up", followed_on=case.today(), progress="已对接银行和服务机构", solved=solved
    )


def resolve_and_assess(case: Case, satisfied: bool) -> None:
    case.do("sa_resolve", resolved_on=case.today(), resolution="指导办结质押登记")
    assert case.ready == ["sa_feedback"]
    case.do("sa_feedback", feedback_on=case.today(), satisfied=satisfied, feedback_notes="")


def test_need_followed_up_until_solved_and_the_enterprise_satisfied() -> None:
    case = assigned_need(due_in_days=10)
    assert case.result.next_timer == end_of("2026-03-12")
    follow_up(case, solved=False)
    assert case.ready == ["sa_follow_up"]  # followed up again, against the same deadline
    assert case.result.next_timer == end_of("2026-03-12")
    follow_up(case, solved=True)
    assert case.ready == ["sa_resolve"] and case.waiting_for() == []  # the deadline is met
    resolve_and_assess(case, satisfied=True)
    assert case.result.completed and case.stage == "帮扶办结（企业满意）"
    assert case.data["assist_result"] == "SATISFIED"
    assert case.data["assist_escalations"] == 0 and case.data["assist_reopened"] is False


def test_overdue_need_is_pressed_by_the_unit_head_each_time_its_deadline_passes() -> None:
    case = assigned_need(due_in_days=0)  # due today
    case.advance(to=end_of(case.today()) - dt.timedelta(minutes=1))
    assert case.ready == ["sa_follow_up"]  # not yet
    case.advance_past_next_timer()
    assert case.ready == ["sa_escalate"] and case.waiting_for() == []  # the follow-up is cut off
    assert case.data["assist_escalations"] == 1

    new_due = days_ahead(case, 3)
    case.do("sa_escalate", escalation_notes="限三日内办结", assist_due=new_due)
    assert case.ready == ["sa_follow_up"] and case.result.next_timer == end_of(new_due)
    follow_up(case, solved=False)
    case.advance_past_next_timer()  # the new deadline passes too
    assert case.ready == ["sa_escalate"] and case.data["assist_escalations"] == 2

    case.do("sa_escalate", escalation_notes="再次督办", assist_due=case.today())
    follow_up(case, solved=True)
    resolve_and_assess(case, satisfied=True)
    assert case.result.completed and case.stage == "帮扶办结（企业满意）"
    assert case.data["assist_result"] == "SATISFIED" and case.data["assist_escalations"] == 2


@pytest.mark.parametrize(
    ("satisfied_after", "stage", "result"),
    [(False, "帮扶办结（企业不满意）", "UNSATISFIED"), (True, "帮扶办结（企业满意）", "SATISFIED")],
)
def test_unsatisfied_need_is_done_again_once_then_closed(
    satisfied_after: bool, stage: str, result: str
) -> None:
    case = assigned_need(due_in_days=10)
    follow_up(case, solved=True)
    resolve_and_assess(case, satisfied=False)
    assert (case.ready, case.result.completed) == (["sa_follow_up"], False)  # done again
    assert case.data["assist_reopened"] is True and case.data["assist_result"] == "OPEN"
    assert case.waiting_for() == ["sa_follow_up_overdue"]  # against the deadline still running

    follow_up(case, solved=True)
    resolve_and_assess(case, satisfied=satisfied_after)
    assert case.result.completed and case.stage == stage  # never a third time
    assert case.ready == [] and case.data["assist_result"] == result


# ---------------------------------------------------------------- 进园区进企业 / 政企座谈

RECORD: dict[str, Any] = {
    "enterprises_met": "青城乳业等 12 家",
    "issues_raised": "标准化生产改造资金不足",
    "policies_explained": "质量提升专项资金申报",
    "needs_found": False,
}


def planned_visit() -> Case:
    case = Case(process_id="service_park_visit")
    assert case.stage == "进园区进企业、政企座谈" and case.ready == ["sp_plan"]
    case.do(
        "sp_plan",
        visit_kind="PARK",
        venue="呼和浩特金桥经济技术开发区",
        planned_on=days_ahead(case, 2),
        participants="王执法、赵科长",
        visit_topics="个体工商户扶持政策",
    )
    assert case.ready == ["sp_record"] and case.waiting_for() == []  # no deadline on a visit
    return case


def test_park_visit_recorded_and_approved() -> None:
    case = planned_visit()
    case.advance(days=2)
    case.do("sp_record", held_on=case.today(), **RECORD)
    assert case.ready == ["sp_review"]
    case.do("sp_review", review_approved=True, review_opinion="")
    assert case.result.completed and case.stage == "走访座谈完成" and case.ready == []
    assert case.data["held_on"] == "2026-03-04" and case.data["needs_found"] is False


def test_park_visit_record_sent_back_is_completed_and_then_approved() -> None:
    case = planned_visit()
    case.advance(days=2)
    case.do("sp_record", held_on=case.today(), **RECORD)
    case.do("sp_review", review_approved=False, review_opinion="补充发现的帮扶需求")
    assert (case.ready, case.result.completed) == (["sp_record"], False)  # sent back
    assert case.data["review_opinion"] == "补充发现的帮扶需求"
    case.do(
        "sp_record",
        held_on=case.today(),
        **{**RECORD, "needs_found": True, "needs_summary": "三家企业申请商标注册指导"},
    )
    assert case.ready == ["sp_review"]
    case.do("sp_review", review_approved=True, review_opinion="")
    assert case.result.completed and case.stage == "走访座谈完成"
    assert case.data["needs_summary"] == "三家企业申请商标注册指导"
