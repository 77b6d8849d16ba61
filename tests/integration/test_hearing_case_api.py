"""A whole penalty case with a hearing, driven through /api/v1 alone as an integrating system
would, at its own dates in 2026 (the app's clock travels; the worker fires the timers). Every
deadline is checked against a count written out by hand from the State Council's 2026 holiday
notice (中秋 25–27 September off; Sunday 20 September a working day), not by the calendar under
test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app.clock import CHINA_TZ, travel_to
from app.enforcement.worker import run_once
from app.platform.auth import create_token
from tests.integration.cases import ready
from tests.integration.test_api import REPORT, Api, to_review, tokens  # noqa: F401 - fixture


@contextmanager
def on(day: str, hour: int = 10) -> Iterator[None]:
    with travel_to(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), CHINA_TZ)):
        yield


def fire_timers(app: Flask, day: str) -> None:
    """The worker runs a minute after midnight China time at the start of `day`."""
    with app.app_context():
        run_once(
            "hearing-case", dt.datetime.combine(dt.date.fromisoformat(day), dt.time(0, 1), CHINA_TZ)
        )


def summary(api: Api) -> dict[str, Any]:
    response = api.client.get(f"/api/v1/cases/{api.case_id}", headers=api.tokens["supervisor"])
    return dict(response.get_json())


def attempt(api: Api, user: str, bpmn_id: str, **data: Any) -> tuple[int, dict[str, Any]]:
    """Complete a task through the API and return the answer, accepted or not."""
    tasks = api.client.get("/api/v1/tasks", headers=api.tokens[user]).get_json()["tasks"]
    task = next(t for t in tasks if t["case_id"] == api.case_id and t["bpmn_id"] == bpmn_id)
    response = api.client.post(
        f"/api/v1/tasks/{task['id']}/complete", json=data, headers=api.tokens[user]
    )
    return response.status_code, dict(response.get_json())


def test_a_hearing_case_from_filing_to_decision_with_every_deadline_checked(
    app: Flask,
    client: FlaskClient,
    tokens: dict[str, dict[str, str]],  # noqa: F811
) -> None:
    with app.app_context():  # the hearing officer too
        hearing_token = {"Authorization": f"Bearer {create_token('hearing', 'api-test')}"}
    with on("2026-08-05"):  # Wednesday: filed
        api = Api(app, client, {**tokens, "hearing": hearing_token})
        to_review(api)
        # 90 calendar days from the day after 立案: 26 in August, 30 in September, 31 in October,
        # 3 in November — Tuesday 3 November, a working day
        assert summary(api)["decision_due"] == "2026-11-03"
        api.do("officer", "e_report", **{**REPORT, "proposed_fine": 150000, "fine_max": 200000})
        api.do("reviewer", "e_case_review", approved=True)
        api.do("agency_head", "e_head_decision", head_decision="PENALTY")
    with on("2026-09-03"):  # Thursday: the notice is served
        api.do("officer", "f_serve_notice", served_on="2026-09-03", service_method="DIRECT")
    case_no = summary(api)["case_no"]
    with on("2026-09-04"):  # Friday: the party asks for a hearing
        event = {"event_id": f"hearing-{case_no}", "type": "hearing_request", "case_no": case_no}
        delivered = client.post(
            "/api/v1/events",
            json={**event, "payload": {"requested_on": "2026-09-04"}},
            headers=tokens["officer"],
        )
        assert delivered.status_code == 202
        assert summary(api)["decision_clock"] == "PAUSED"  # the hearing's days are left out
    # the window: Fri 4, Mon 7, Tue 8, Wed 9, Thu 10 September; it stays open to its end
    fire_timers(app, "2026-09-10")  # the window's last day begins: nothing moves
    with app.app_context():
        assert ready(api.case_id) == []
    fire_timers(app, "2026-09-11")
    with app.app_context():
        assert [t.bpmn_id for t in ready(api.case_id)] == ["f_schedule_hearing"]
    with on("2026-09-11"):  # Friday: the hearing notice is served
        hearing = {"hearing_notice_served_on": "2026-09-11", "hearing_location": "第一听证室"}
        # seven working days before the hearing: Mon 14 … Fri 18, Sun 20 (a working day), Mon 21
        status, answer = attempt(
            api, "hearing", "f_schedule_hearing", hearing_date="2026-09-20", **hearing
        )
        assert status == 422 and "七个工作日前" in answer["message"]
        api.do("hearing", "f_schedule_hearing", hearing_date="2026-09-21", **hearing)
    fire_timers(app, "2026-09-21")
    with on("2026-09-21", 15):
        api.do(
            "hearing",
            "f_hold_hearing",
            party_attended=True,
            hearing_summary="当事人对事实无异议，请求从轻",
            proposed_fine=120000,
        )
        # the hearing ran 4 to 21 September: 17 days left out, 3 November + 17 = Friday 20
        # November, a working day
        assert summary(api)["decision_clock"] == "RUNNING"
        assert summary(api)["decision_due"] == "2026-11-20"
    with on("2026-09-22"):
        api.do("reviewer", "f_post_hearing_review", approved=True, opinion="听证程序合法")
        api.do("officer", "f_review_statement", statement_adopted=True, proposed_fine=120000)
    with on("2026-09-23"):
        # the head may approve no more than the notice said (¥150,000), the decision no more
        # than the head approved
        status, answer = attempt(
            api,
            "agency_head",
            "f_head_approval",
            head_approved=True,
            approved_sanctions=["FINE"],
            approved_fine=160000,
            head_approval_opinion="同意",
        )
        assert status == 422 and "approved_fine" in answer["details"]
        api.do(
            "agency_head",
            "f_head_approval",
            head_approved=True,
            approved_sanctions=["FINE"],
            approved_fine=120000,
            head_approval_opinion="同意",
        )
        status, answer = attempt(
            api,
            "officer",
            "g_penalty_decision",
            decided_on="2026-09-23",
            sanctions=["FINE"],
            fine=130000,
        )
        assert status == 422 and "fine" in answer["details"]
        api.do(
            "officer",
            "g_penalty_decision",
            decided_on="2026-09-23",
            sanctions=["FINE"],
            fine=120000,
        )
        assert summary(api)["decision_clock"] == "STOPPED"
