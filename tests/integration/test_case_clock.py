"""The case-level 90-day decision clock (issue 29, points 4 and 5): from 立案 to the decision
across D–G, the excluded periods deducted as they happen, extensions asked for from any stage,
a late decision refused, the unit head told when it runs out, and a transfer to the police that
suspends the case. Every due date below is written by hand from the calendar (2025: 10-01 to
10-08 national holiday; 2026: 06-19 to 06-21 Dragon Boat Festival), never computed by the code
under test; the clock is read at several China times (a Monday evening, before 09:00, a
Saturday), where a date taken in UTC would be a day off."""

from __future__ import annotations

import datetime as dt
from typing import Any

import chinese_calendar
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from app.clock import CHINA_TZ, travel_to
from app.enforcement import case_clock, clock_backfill
from app.enforcement.worker import run_once
from app.extensions import db
from app.integration.events import receive, record_party_request, request_extension
from app.models import Case, CaseClockEntry, Deadline, Job, Notification, WorkflowInstance
from app.platform import Conflict, InvalidFields
from app.platform.auth import create_token
from app.platform.scheduling import CASE_CLOCK
from app.platform.workflows import engine
from tests.conftest import login
from tests.integration.cases import (
    REPORT,
    account,
    complete,
    head_approves,
    investigated_case,
    ready,
    warning_case,
)


def at(day: str, hour: int = 10, minute: int = 0) -> Any:
    """China time on `day` (the clock every use case reads)."""
    return travel_to(
        dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute), CHINA_TZ)
    )


def due_of(case_id: int) -> dt.date | None:
    case = db.session.get(Case, case_id)
    assert case is not None
    db.session.refresh(case)
    return case.decision_due


def reading(case_id: int) -> case_clock.Reading:
    case = db.session.get(Case, case_id)
    assert case is not None
    found = case_clock.current(case)
    assert found is not None
    return found


def first_working_day(day: dt.date) -> dt.date:
    """An independent calendar walk (the calendar package itself, not the app's calendar)."""
    while not chinese_calendar.is_workday(day):
        day += dt.timedelta(days=1)
    return day


def to_notice(case_id: int, served_on: str, **report: Any) -> None:
    if "d_investigate" in [t.bpmn_id for t in ready(case_id)]:
        complete(case_id, "d_investigate", "officer", evidence_summary="", next_action="CONCLUDE")
    complete(case_id, "e_report", "officer", **{**REPORT, **report})
    complete(case_id, "e_case_review", "reviewer", approved=True, opinion="")
    complete(case_id, "e_head_decision", "agency_head", head_decision="PENALTY", head_opinion="")
    complete(case_id, "f_serve_notice", "officer", served_on=served_on, service_method="DIRECT")


def test_a_hearing_case_replayed_at_2025_dates_shows_the_deducted_due_date(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        with at("2025-06-20"):  # a Friday: 立案
            case_id = investigated_case()
        # 90 days from 06-20: 10 in June, 31 in July, 31 in August, 18 in September
        assert due_of(case_id) == dt.date(2025, 9, 18)
        with at("2025-06-20", 16):
            to_notice(case_id, "2025-06-20", proposed_fine=150000, fine_max=200000)
        with at("2025-06-23"):  # Monday: the party asks for a hearing
            record_party_request(case_id, "hearing_request", "要求听证", account("officer"))
        assert db.session.get(Case, case_id).decision_clock == "PAUSED"  # type: ignore[union-attr]
        # the window (06-23 to 06-27, five working days) stays open to its end
        run_once("w", dt.datetime(2025, 6, 28, 0, 1, tzinfo=CHINA_TZ))
        # Saturday 06-28 before 09:00 in China (still Friday 06-27 in UTC): 5 days out so far
        with at("2025-06-28", 8):
            assert reading(case_id).due == dt.date(2025, 9, 23)
        with at("2025-06-30"):  # notice Monday 06-30: Jul 1, 2, 3, 4, 7, 8, 9 — seven days
            complete(
                case_id,
                "f_schedule_hearing",
                "hearing",
                hearing_date="2025-07-09",
                hearing_notice_served_on="2025-06-30",
                hearing_location="第一听证室",
            )
        run_once("w", dt.datetime(2025, 7, 9, 9, tzinfo=CHINA_TZ))  # the hearing day
        with at("2025-07-09", 15):
            complete(
                case_id,
                "f_hold_hearing",
                "hearing",
                party_attended=True,
                hearing_summary="当事人陈述意见",
                proposed_fine=150000,
            )
        # the hearing took 16 days (06-23 to 07-09): 09-18 + 16 = 10-04, in the national
        # holiday (10-01 to 10-08), so the last day is the first working day after it
        assert due_of(case_id) == dt.date(2025, 10, 9)
        assert db.session.get(Case, case_id).decision_clock == "RUNNING"  # type: ignore[union-attr]
        row = db.session.execute(
            select(Deadline).where(Deadline.case_id == case_id, Deadline.element_id == CASE_CLOCK)
        ).scalar_one()
        assert row.due_at == dt.datetime(2025, 10, 10, tzinfo=CHINA_TZ)  # midnight after 10-09
    login(client, "officer")
    with at("2025-07-10"):
        page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "2025年10月9日" in page or "2025年10月09日" in page
    assert "当事人要求听证，听证期间不计入办案期限" in page
    assert "听证结束，恢复计算办案期限" in page


def test_testing_extensions_and_a_late_decision(app: Flask) -> None:
    with app.app_context():
        with at("2026-03-02", 20):  # Monday evening in China (12:00 UTC)
            case_id = investigated_case(next_action="TEST")
        # 03-02 + 90 = 05-31, a Sunday: the last day is Monday 06-01
        assert due_of(case_id) == dt.date(2026, 6, 1)
        with at("2026-03-02", 21):
            complete(case_id, "d_test_sent", "officer", sent_on="2026-03-02", test_item="样品")
        with at("2026-03-07", 10):  # Saturday: 5 days out while the sample is away
            assert reading(case_id).state == "PAUSED"
            assert reading(case_id).due == dt.date(2026, 6, 5)
        with at("2026-03-23", 8):  # Monday before 09:00 (still Sunday in UTC)
            complete(
                case_id,
                "d_test_received",
                "officer",
                received_on="2026-03-22",
                test_conclusion="不合格",
            )
            # 20 days out: 05-31 + 20 = 06-20, in the Dragon Boat holiday (06-19 to 06-21)
            assert due_of(case_id) == first_working_day(dt.date(2026, 6, 20))
            assert due_of(case_id) == dt.date(2026, 6, 22)
            to_notice(case_id, "2026-03-23")
            # asked for in stage F; the head approves 30 days: 06-20 + 30 = 07-20, a Monday
            request_extension(case_id, "案情复杂，需调取银行流水", account("officer"))
            with pytest.raises(Conflict, match="正在审批"):
                request_extension(case_id, "再次提请", account("officer"))
            assert "m_ext_head_approval" in [t.bpmn_id for t in ready(case_id)]
            complete(case_id, "m_ext_head_approval", "agency_head", approved=True, opinion="同意")
            assert due_of(case_id) == dt.date(2026, 7, 20)
            job = db.session.execute(select(Job.due_at).where(Job.case_id == case_id)).scalar()
            assert job is not None
        run_once("w", job + dt.timedelta(minutes=1))  # the statement window closes in silence
        decision = {"sanctions": ["FINE"], "fine": 5000, "decision_summary": ""}
        with at("2026-07-20", 17):  # the last day: a second extension, asked and granted in time
            request_extension(case_id, "当事人申请延期提交材料", account("officer"))
            complete(
                case_id,
                "m_ext_collective",
                "agency_head",
                collective_extension_approved=True,
                extension_days=15,
                collective_notes="同意再延长15日",
            )
            assert due_of(case_id) == dt.date(2026, 8, 4)  # 07-20 + 15, a Tuesday
            # the head who recorded the heads' discussion did no investigating: may approve
            head_approves(case_id, ["FINE"], 5000)
            assert [t.bpmn_id for t in ready(case_id)] == ["g_penalty_decision"]
        # the clock ran out on 08-04 without a decision: the unit head is told once
        outcome = run_once("w", dt.datetime(2026, 8, 5, 0, 30, tzinfo=CHINA_TZ))
        assert outcome.get("escalated") == 1
        notes = db.session.execute(
            select(Notification.message).where(
                Notification.case_id == case_id, Notification.role == "unit_head"
            )
        ).scalars()
        assert any("办案期限已于 2026年08月04日 届满" in note for note in notes)
        assert "escalated" not in run_once("w", dt.datetime(2026, 8, 5, 1, tzinfo=CHINA_TZ))
        with at("2026-08-05", 8, 30):
            # no decision dated after the period, nor one taken after it with an earlier date,
            # nor an extension asked for once the period has run out (程序规定第六十四条)
            for decided_on in ("2026-08-05", "2026-08-04"):
                with pytest.raises(InvalidFields) as refused:
                    complete(
                        case_id, "g_penalty_decision", "officer", decided_on=decided_on, **decision
                    )
                assert "2026年08月04日" in refused.value.details["decided_on"]
            assert [t.bpmn_id for t in ready(case_id)][-1] == "g_penalty_decision"
            with pytest.raises(Conflict, match="办案期限已届满"):
                request_extension(case_id, "逾期后提请", account("officer"))
        with at("2026-08-04", 16):  # decided on the last day, within the extended period
            complete(case_id, "g_penalty_decision", "officer", decided_on="2026-08-04", **decision)
        case = db.session.get(Case, case_id)
        assert case is not None and case.decision_clock == "STOPPED"
        with pytest.raises(Conflict, match="已作出处理决定"):
            request_extension(case_id, "决定后", account("officer"))
        reasons = db.session.execute(
            select(CaseClockEntry.kind, CaseClockEntry.cause, CaseClockEntry.days)
            .where(CaseClockEntry.case_id == case_id)
            .order_by(CaseClockEntry.id)
        ).all()
        assert [tuple(r) for r in reasons] == [
            ("START", "FILING", 90),
            ("PAUSE", "TESTING", None),
            ("RESUME", "TESTING", None),
            ("REQUEST", "REQUEST", None),
            ("EXTEND", "HEAD", 30),
            ("REQUEST", "REQUEST", None),
            ("EXTEND", "COLLECTIVE", 15),
            ("STOP", "DECISION", None),
        ]


def transferred_to_the_police(authority: str) -> int:
    """A case filed and investigated, then transferred on 2026-03-02 with the head's approval."""
    case_id = investigated_case(next_action="CRIMINAL")
    complete(case_id, "d_criminal_approval", "agency_head", approved=True, opinion="")
    complete(
        case_id,
        "d_criminal_transfer",
        "officer",
        transferred_on="2026-03-02",
        receiving_authority=authority,
    )
    return case_id


def test_a_case_transferred_to_the_police_and_returned(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        with at("2026-03-02", 20):  # Monday evening
            case_id = transferred_to_the_police("呼和浩特市公安局新城区分局")
            case = db.session.get(Case, case_id)
            assert case is not None
            assert case.stage == "D 已移送司法机关（中止）" and case.decision_clock == "SUSPENDED"
            # the reply is watched: the officer is reminded, the unit head told when it passes
            reply = db.session.execute(
                select(Deadline.due_at).where(
                    Deadline.case_id == case_id, Deadline.element_id == "d_reply_overdue"
                )
            ).scalar_one()
            assert reply == dt.datetime(2026, 4, 2, tzinfo=CHINA_TZ)  # 30 days: through 04-01
            assert not db.session.execute(
                select(Deadline).where(
                    Deadline.case_id == case_id, Deadline.element_id == CASE_CLOCK
                )
            ).first()  # the decision clock does not run while suspended
    login(client, "officer")
    with at("2026-03-10"):
        for url in ("/cases/", f"/cases/{case_id}"):
            assert "已移送（中止）" in client.get(url).get_data(as_text=True)
    with app.app_context(), at("2026-03-16", 8):  # Monday before 09:00: 14 days with the police
        status, answer = receive(
            account("officer"),
            {
                "event_id": "police-1",
                "type": "judicial_reply",
                "case_no": db.session.get(Case, case_id).case_no,  # type: ignore[union-attr]
                "payload": {"outcome": "RETURNED", "reason": "不构成犯罪，退回"},
            },
        )
        assert status == 202, answer
        case = db.session.get(Case, case_id)
        assert case is not None and case.stage == "D 调查取证"
        assert case.decision_clock == "RUNNING"
        # the remaining days go on: 05-31 + 14 = 06-14, a Sunday → Monday 06-15
        assert due_of(case_id) == first_working_day(dt.date(2026, 6, 14)) == dt.date(2026, 6, 15)
        assert [t.bpmn_id for t in ready(case_id)] == ["d_investigate"]


def test_a_case_the_court_fined_takes_no_fine(app: Flask) -> None:
    with app.app_context():
        with at("2026-03-02"):
            case_id = transferred_to_the_police("市公安局")
        with at("2026-03-09"):
            status, _ = receive(
                account("officer"),
                {
                    "event_id": "court-1",
                    "type": "judicial_reply",
                    "case_no": db.session.get(Case, case_id).case_no,  # type: ignore[union-attr]
                    "payload": {"outcome": "FINED", "reason": "判处罚金二万元"},
                },
            )
            assert status == 202
            # COURT_FINE_OTHER_SANCTIONS: other sanctions may follow, a fine may not
            to_notice(case_id, "2026-03-09", sanctions=["FINE", "REVOKE_LICENSE"])
        job = db.session.execute(select(Job.due_at).where(Job.case_id == case_id)).scalar_one()
        run_once("w", job + dt.timedelta(minutes=1))  # the statement window closes in silence
        with pytest.raises(InvalidFields) as refused:
            head_approves(case_id, ["FINE", "REVOKE_LICENSE"], 5000)
        assert "第三十五条" in refused.value.details["approved_fine"]


def test_the_public_notice_period_is_left_out_of_the_clock(app: Flask) -> None:
    """A party that cannot be reached is served the 行政处罚告知书 by public notice; the notice's
    days do not count (程序规定第六十四条)."""
    with app.app_context():
        with at("2026-06-01"):  # Monday: 立案
            case_id = investigated_case()
        # 90 days from 06-01: 29 in June, 31 in July, 30 in August — Sunday 30 August, so the
        # last day is Monday 31 August
        assert due_of(case_id) == dt.date(2026, 8, 31)
        with at("2026-08-06"):
            complete(case_id, "e_report", "officer", **REPORT)
            complete(case_id, "e_case_review", "reviewer", approved=True, opinion="")
            complete(
                case_id, "e_head_decision", "agency_head", head_decision="PENALTY", head_opinion=""
            )
            notice = {"service_method": "NOTICE", "served_on": "2026-08-06"}
            # published 07-07, deemed served 30 days later: a notice with no publication date,
            # or one published after it was served, is refused
            with pytest.raises(InvalidFields, match="公告日期"):
                complete(case_id, "f_serve_notice", "officer", **notice)
            with pytest.raises(InvalidFields, match="公告日期"):
                complete(
                    case_id, "f_serve_notice", "officer", notice_published_on="2026-08-07", **notice
                )
            complete(
                case_id, "f_serve_notice", "officer", notice_published_on="2026-07-07", **notice
            )
        # 07-07 to 08-06: 30 days left out — 30 August + 30 = 29 September, a Tuesday
        assert due_of(case_id) == dt.date(2026, 9, 29)
        kinds = [
            (e.kind, e.cause) for e in case_clock.entries_of(case_id) if e.cause == "PUBLIC_NOTICE"
        ]
        assert kinds == [("PAUSE", "PUBLIC_NOTICE"), ("RESUME", "PUBLIC_NOTICE")]


def test_a_case_filed_before_the_ledger_gets_it_from_its_steps(app: Flask) -> None:
    with app.app_context():
        with at("2026-06-01"):
            case_id = investigated_case(next_action="TEST")
        with at("2026-06-03"):
            complete(case_id, "d_test_sent", "officer", sent_on="2026-06-03", test_item="样品")
        with at("2026-06-23"):
            complete(
                case_id,
                "d_test_received",
                "officer",
                received_on="2026-06-23",
                test_conclusion="不合格",
            )
        kept = [(e.kind, e.cause, e.day) for e in case_clock.entries_of(case_id)]
        due = due_of(case_id)
        # as a case filed before migration 0027 stands: no ledger, nothing mirrored
        db.session.execute(delete(CaseClockEntry).where(CaseClockEntry.case_id == case_id))
        db.session.execute(delete(Deadline).where(Deadline.case_id == case_id))
        case = db.session.get(Case, case_id)
        assert case is not None
        case.decision_due, case.decision_clock = None, None
        db.session.commit()
        with at("2026-06-24"):
            assert clock_backfill.rebuild_all() == 1
            assert clock_backfill.rebuild_all() == 0  # a case with a ledger is left alone
        rebuilt = [(e.kind, e.cause, e.day) for e in case_clock.entries_of(case_id)]
        assert (
            rebuilt
            == kept
            == [
                ("START", "FILING", dt.date(2026, 6, 1)),
                ("PAUSE", "TESTING", dt.date(2026, 6, 3)),
                ("RESUME", "TESTING", dt.date(2026, 6, 23)),
            ]
        )
        # 90 days from 06-01 is 08-30 (a Sunday); 20 testing days later: Saturday 19
        # September, rolled to Sunday 20 September — a make-up working day in 2026
        assert due_of(case_id) == due == dt.date(2026, 9, 20)
        assert db.session.execute(
            select(Deadline.due_at).where(Deadline.case_id == case_id)
        ).scalar_one() == dt.datetime(2026, 9, 21, tzinfo=CHINA_TZ)


def test_an_integrating_system_asks_for_an_extension_through_the_api(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        case_id = investigated_case()
        bystander = warning_case()  # not filed: no clock to extend
        headers = {
            name: {"Authorization": f"Bearer {create_token(name, 'clock-test')}"}
            for name in ("officer", "reviewer")
        }
    url = f"/api/v1/cases/{case_id}/extension"
    denied = client.post(url, json={"reason": "案情复杂"}, headers=headers["reviewer"])
    assert denied.status_code == 403
    empty = client.post(url, json={"reason": " "}, headers=headers["officer"])
    assert empty.status_code == 422 and "理由" in empty.get_json()["message"]
    assert client.post(url, json={}, headers=headers["officer"]).status_code == 422
    asked = client.post(
        url, json={"reason": "涉案账目复杂，需调取银行流水"}, headers=headers["officer"]
    )
    assert asked.status_code == 202, asked.get_json()
    assert asked.get_json()["extension_requested"] is True
    with app.app_context():
        assert "m_ext_head_approval" in [t.bpmn_id for t in ready(case_id)]
    again = client.post(url, json={"reason": "再次提请"}, headers=headers["officer"])
    assert again.status_code == 409  # one request at a time
    elsewhere = client.post(
        f"/api/v1/cases/{bystander}/extension", json={"reason": "x"}, headers=headers["officer"]
    )
    assert elsewhere.status_code == 409


def test_an_extension_approved_in_the_old_stage_d_adds_to_the_ledger(app: Flask) -> None:
    """A case that stays on a diagram from before the case-level clock asks for more time in
    调查取证; the head's approval there (d_extension_approval, d_collective_extension) extends the
    case's ledger as the case-level approvals do."""
    with app.app_context():
        with at("2026-06-01"):
            case_id = investigated_case()
        case = db.session.get(Case, case_id)
        assert case is not None
        state = db.session.execute(
            select(WorkflowInstance.state).where(WorkflowInstance.case_id == case_id)
        ).scalar_one()
        result = engine().inspect(state)
        with at("2026-08-20"):
            approval = {"approved": True, "opinion": "同意延长"}
            case_clock.follow_task(
                case,
                "d_extension_approval",
                "common.approval",
                approval,
                result,
                account("agency_head"),
            )
            heads = {"collective_extension_approved": True, "extension_days": 15}
            case_clock.follow_task(
                case,
                "d_collective_extension",
                "investigation.collective_extension",
                heads,
                result,
                account("agency_head"),
            )
        # 90 days from 06-01: Sunday 30 August; + 30 + 15 = Wednesday 14 October
        assert due_of(case_id) == dt.date(2026, 10, 14)
        extended = [(e.cause, e.days) for e in case_clock.entries_of(case_id) if e.kind == "EXTEND"]
        assert extended == [("HEAD", 30), ("COLLECTIVE", 15)]
