"""The party's window after the 行政处罚告知书 (《行政处罚法》第四十四条、第四十五条、第六十三条、
第六十四条), driven as the party's portal and the officers would: statements and hearing
requests go to /api/v1/events, the officers' steps through the services. Every date is checked
against a working-day count written out by hand from the State Council's 2026 holiday notice,
not by the calendar under test."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.clock import CHINA_TZ, travel_to
from app.enforcement import case_clock
from app.enforcement.cases import case_data
from app.extensions import db
from app.models import Case, Job
from app.platform import InvalidFields, InvalidInput
from app.platform.auth import create_token
from tests.integration.cases import complete, head_approves, ready, reviewed_case

EVENTS = "/api/v1/events"
YEAR = 2026


def at(day: str, hour: int = 10) -> Any:
    """The app's clock at `hour` o'clock China time on `day`."""
    return travel_to(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), CHINA_TZ))


def serve_notice(served_on: str, **report: Any) -> tuple[int, str]:
    with at(served_on):
        case_id = reviewed_case("PENALTY", **report)
        complete(case_id, "f_serve_notice", "officer", served_on=served_on, service_method="POST")
        case = db.session.get(Case, case_id)
        assert case is not None
        return case_id, case.case_no


def stored(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    assert case is not None
    return case


def party_sends(client: FlaskClient, case_no: str, kind: str, day: str, **payload: Any) -> int:
    """The party's portal delivers a statement, hearing request or written waiver on `day`."""
    with at(day):
        with client.application.app_context():
            headers = {"Authorization": f"Bearer {create_token('officer', 'portal')}"}
        body = {"event_id": f"{case_no}-{kind}-{day}", "type": kind, "case_no": case_no}
        response = client.post(EVENTS, json={**body, "payload": payload}, headers=headers)
    return response.status_code


def window_closes_at(case_id: int) -> dt.datetime:
    """When the engine will close the window: its only timer while it waits for the party."""
    due = db.session.execute(select(Job.due_at).where(Job.case_id == case_id)).scalar_one()
    return (due if due.tzinfo else due.replace(tzinfo=dt.UTC)).astimezone(CHINA_TZ)


def fire_timers(moment: dt.datetime) -> None:
    from app.enforcement.worker import run_once

    run_once("window-test", moment)


# served on a Thursday: Fri 20, Mon 23, Tue 24, Wed 25, Thu 26 November
ORDINARY_WEEK = ("2026-11-19", "2026-11-26")
# served on Tuesday 29 September: Wed 30; 1–7 October 国庆 off; Thu 8, Fri 9, Sat 10 (a
# make-up working day), Mon 12 October
HOLIDAY_WEEK = ("2026-09-29", "2026-10-12")


@pytest.mark.parametrize(("served", "last_day"), [ORDINARY_WEEK, HOLIDAY_WEEK])
def test_a_statement_then_a_hearing_request_inside_the_window_are_both_kept(
    app: Flask, client: FlaskClient, served: str, last_day: str
) -> None:
    with app.app_context():
        case_id, case_no = serve_notice(served, proposed_fine=150000, fine_max=200000)
        assert case_data(stored(case_id))["hearing_request_due"] == last_day
        closes = window_closes_at(case_id)
        # at the end of the last day: midnight China time that begins the next
        after_last_day = dt.date.fromisoformat(last_day) + dt.timedelta(days=1)
        assert closes == dt.datetime.combine(after_last_day, dt.time(0), CHINA_TZ)
    next_day = (dt.date.fromisoformat(served) + dt.timedelta(days=1)).isoformat()
    assert party_sends(client, case_no, "statement", next_day, text="违法所得计算有误") == 202
    # on the window's last afternoon, after a statement: still accepted (the old gateway refused)
    assert party_sends(client, case_no, "hearing_request", last_day, requested_on=last_day) == 202
    with app.app_context():
        assert ready(case_id) == []  # no step, and no decision, before the window ends
        fire_timers(closes - dt.timedelta(minutes=5))
        assert ready(case_id) == []
        fire_timers(closes + dt.timedelta(minutes=1))
        assert [t.bpmn_id for t in ready(case_id)] == ["f_schedule_hearing"]
        data = case_data(stored(case_id))
        assert [s["text"] for s in data["party_statements"]] == ["违法所得计算有误"]
        assert data["hearing_requested"] is True and data["rights_waived"] is None
    after = (dt.date.fromisoformat(last_day) + dt.timedelta(days=1)).isoformat()
    assert party_sends(client, case_no, "statement", after, text="迟到的意见") == 409


def test_the_hearing_notice_comes_seven_working_days_before_the_hearing(
    app: Flask, client: FlaskClient
) -> None:
    served, last_day = ORDINARY_WEEK
    with app.app_context():
        case_id, case_no = serve_notice(served, proposed_fine=150000, fine_max=200000)
    assert party_sends(client, case_no, "hearing_request", served, requested_on=served) == 202
    with app.app_context():
        fire_timers(window_closes_at(case_id) + dt.timedelta(minutes=1))
        # notice served Friday 27 November; Mon 30, Tue 1, Wed 2, Thu 3, Fri 4, Mon 7, Tue 8
        hearing = {"hearing_notice_served_on": "2026-11-27", "hearing_location": "第一听证室"}
        with at("2026-11-27"):
            with pytest.raises(InvalidInput, match="七个工作日前"):
                complete(
                    case_id, "f_schedule_hearing", "hearing", hearing_date="2026-12-07", **hearing
                )
            complete(case_id, "f_schedule_hearing", "hearing", hearing_date="2026-12-08", **hearing)
        assert ready(case_id) == []  # the hearing day comes


def test_silence_until_the_window_ends_waives_both_rights(app: Flask) -> None:
    served, last_day = HOLIDAY_WEEK
    with app.app_context():
        case_id, _ = serve_notice(served, proposed_fine=150000, fine_max=200000)
        fire_timers(window_closes_at(case_id) + dt.timedelta(minutes=1))
        data = case_data(stored(case_id))
        assert data["rights_waived"] == "SILENT"
        assert data["statement_waived"] is True and data["hearing_waived"] is True
        assert [t.bpmn_id for t in ready(case_id)] == ["f_head_approval"]
        with at("2026-10-13"):
            head_approves(case_id, ["FINE"], 150000)
            # the decision cannot be dated inside the window, whatever the screen sends
            with pytest.raises(InvalidFields) as refused:
                complete(case_id, "g_penalty_decision", "officer", **decision("2026-10-12"))
            assert "2026年10月12日届满" in refused.value.details["decided_on"]
            complete(case_id, "g_penalty_decision", "officer", **decision("2026-10-13"))


def decision(decided_on: str) -> dict[str, Any]:
    return {"decided_on": decided_on, "sanctions": ["FINE"], "fine": 150000, "decision_summary": ""}


def test_a_written_waiver_allows_the_decision_before_the_window_ends(
    app: Flask, client: FlaskClient
) -> None:
    served, last_day = ORDINARY_WEEK
    with app.app_context():
        case_id, case_no = serve_notice(served, proposed_fine=150000, fine_max=200000)
    # a waiver is the party's written words: an empty one is refused and changes nothing
    assert party_sends(client, case_no, "waiver", "2026-11-19") == 422
    with app.app_context():
        assert ready(case_id) == [] and case_data(stored(case_id))["rights_waived"] is None
    assert party_sends(client, case_no, "waiver", "2026-11-20", text="放弃陈述申辩和听证") == 202
    with app.app_context():
        data = case_data(stored(case_id))
        assert data["rights_waived"] == "WRITTEN" and data["hearing_waived"] is True
        assert [t.bpmn_id for t in ready(case_id)] == ["f_head_approval"]
        with at("2026-11-23"):  # Monday, before the window's last day (Thursday 26)
            head_approves(case_id, ["FINE"], 150000)
            complete(case_id, "g_penalty_decision", "officer", **decision("2026-11-23"))
        assert "g_penalty_decision" not in [t.bpmn_id for t in ready(case_id)]


def test_the_hearing_time_is_left_out_of_the_case_clock_until_a_waiver_withdraws_it(
    app: Flask, client: FlaskClient
) -> None:
    served, _ = ORDINARY_WEEK
    with app.app_context():
        case_id, case_no = serve_notice(served, proposed_fine=150000, fine_max=200000)
        assert stored(case_id).decision_clock == "RUNNING"
    assert party_sends(client, case_no, "hearing_request", "2026-11-20", requested_on=served) == 202
    assert party_sends(client, case_no, "hearing_request", "2026-11-23", requested_on=served) == 202
    with app.app_context():
        assert stored(case_id).decision_clock == "PAUSED"  # from the request (第六十四条)
    assert party_sends(client, case_no, "waiver", "2026-11-24", text="撤回听证申请") == 202
    with app.app_context():
        case = stored(case_id)
        assert case.decision_clock == "RUNNING"
        reading = case_clock.current(case, dt.date(2026, 11, 30))
        # left out from the day the party asked (11-19; the request arrived on 11-20) to 11-24
        assert reading is not None and reading.excluded_days == 5
        entries = [e.kind for e in case_clock.entries_of(case_id) if e.cause == "HEARING"]
        assert entries == ["PAUSE", "RESUME"]  # the second request paused nothing twice
