"""Risk warnings (A) and inspections (B) driven through /api/v1 alone at their own dates in 2026
(the app's clock travels; the worker fires the timers). Every deadline is checked against a count
written out by hand from the State Council's 2026 holiday notice — 中秋 Friday 25 September off,
国庆 1–7 October off, Saturday 10 October a working day (chinese_calendar agrees) — not by the
calendar under test."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.clock import CHINA_TZ
from app.extensions import db
from app.models import Notification
from tests.integration.cases import ready
from tests.integration.test_api import Api, tokens  # noqa: F401 - fixture
from tests.integration.test_hearing_case_api import fire_timers, on, summary


def waiting_at(app: Flask, api: Api) -> list[str]:
    with app.app_context():
        return [t.bpmn_id for t in ready(api.case_id)]


def data(api: Api) -> dict[str, Any]:
    response = api.client.get(f"/api/v1/cases/{api.case_id}", headers=api.tokens["supervisor"])
    return dict(response.get_json()["data"])


def next_timer(api: Api) -> dt.datetime:
    return dt.datetime.fromisoformat(summary(api)["next_timer"])


def midnight_after(day: str) -> dt.datetime:
    return dt.datetime.combine(
        dt.date.fromisoformat(day) + dt.timedelta(days=1), dt.time(), CHINA_TZ
    )


def overdue_notices(app: Flask, api: Api) -> list[str]:
    with app.app_context():
        return list(
            db.session.execute(
                select(Notification.message)
                .where(Notification.case_id == api.case_id, Notification.kind == "OVERDUE")
                .order_by(Notification.id)
            ).scalars()
        )


def assess(api: Api) -> None:
    api.start("WARNING")
    api.do("credit", "a_assess", situation="INDIVIDUAL_RISK", risk_summary="节日食品安全风险")


def test_a_warning_closed_without_a_case_across_national_day(
    app: Flask,
    client: FlaskClient,
    tokens: dict[str, dict[str, str]],  # noqa: F811
) -> None:
    with on("2026-09-24"):  # Thursday: the risk is found and assessed
        api = Api(app, client, tokens)
        assess(api)
        # served within 3 working days: Mon 28, Tue 29, Wed 30 September (Fri 25 中秋, 26–27 off)
        assert data(api)["serve_due"] == "2026-09-30"
        assert next_timer(api) == midnight_after("2026-09-30")
    with on("2026-09-29"):  # Tuesday: the 提醒书 is served
        api.do("officer", "a_issue", served_on="2026-09-29", document_summary="违法风险预警提醒书")
        # 5 working days to correct: Wed 30 September, Thu 8, Fri 9, Sat 10 (worked), Mon 12 October
        assert data(api)["self_check_due"] == "2026-10-12"
    fire_timers(app, "2026-10-09")
    assert waiting_at(app, api) == ["a_feedback"]
    with on("2026-10-09"):  # Friday: the party reports its correction
        api.do(
            "officer",
            "a_feedback",
            feedback_received_on="2026-10-09",
            feedback_summary="已下架并整改",
        )
        # verified within 3 working days: Sat 10 (worked), Mon 12, Tue 13 October
        assert data(api)["verify_due"] == "2026-10-13"
        assert next_timer(api) == midnight_after("2026-10-13")
    fire_timers(app, "2026-10-13")  # the last day begins: nothing is late yet
    with on("2026-10-13", 16):
        api.do("officer", "a_verify", verified=True, verify_notes="现场核实整改到位")
    assert summary(api)["stage"] == "预警闭环" and waiting_at(app, api) == []
    final = data(api)
    assert final["a_result"] == "CLOSED"
    assert "serve_overdue" not in final and "verify_overdue" not in final
    assert overdue_notices(app, api) == []


def test_a_warning_without_feedback_reaches_a_case_the_day_after_the_period(
    app: Flask,
    client: FlaskClient,
    tokens: dict[str, dict[str, str]],  # noqa: F811
) -> None:
    with on("2026-09-30"):  # Wednesday, the last working day before 国庆
        api = Api(app, client, tokens)
        assess(api)
        # Thu 8, Fri 9, Sat 10 October (a working day)
        assert data(api)["serve_due"] == "2026-10-10"
    fire_timers(app, "2026-10-10")  # its last day begins: not late yet
    assert "serve_overdue" not in data(api)
    fire_timers(app, "2026-10-11")  # not served by the end of Saturday: late, told, still to do
    assert data(api)["serve_overdue"] is True and waiting_at(app, api) == ["a_issue"]
    assert len(overdue_notices(app, api)) == 1
    with on("2026-10-12"):  # Monday: served late
        api.do("officer", "a_issue", served_on="2026-10-12", document_summary="违法风险预警提醒书")
        # Tue 13, Wed 14, Thu 15, Fri 16, Mon 19 October
        assert data(api)["self_check_due"] == "2026-10-19"
        assert next_timer(api) == midnight_after("2026-10-19")
    fire_timers(app, "2026-10-19")  # the period's last day is the party's
    assert waiting_at(app, api) == ["a_feedback"]
    fire_timers(app, "2026-10-20")  # no feedback: the next day the clue is at C1, no escalation
    assert summary(api)["stage"] == "C 线索核查与立案"
    assert waiting_at(app, api) == ["c_register"]
    final = data(api)
    assert final["a_result"] == "TRANSFER" and final["escalations"] == 0
    with on("2026-10-20"):
        api.do(
            "officer",
            "c_register",
            source="INSPECTION",
            found_on="2026-10-20",
            clue_summary="预警期满未反馈",
        )


def test_an_inspection_rechecked_early_and_one_rechecked_late(
    app: Flask,
    client: FlaskClient,
    tokens: dict[str, dict[str, str]],  # noqa: F811
) -> None:
    def order(api: Api, day: str) -> None:
        api.start("INSPECTION")
        api.do(
            "officer",
            "b_record",
            inspection_type="TARGETED",
            inspection_date=day,
            inspectors="王海军、李娜",
            location="经营场所",
            findings="散装食品未标注生产日期",
            result="RECTIFY",
        )
        api.do("credit", "b_publish", published_on=day, publish_channel="GSXT")
        api.do("officer", "b_order", order_served_on=day, rectify_days=5, requirements="补标")

    with on("2026-09-24"):  # Thursday
        early = Api(app, client, tokens)
        order(early, "2026-09-24")
        # 5 working days: Mon 28, Tue 29, Wed 30 September, Thu 8, Fri 9 October
        assert data(early)["rectify_due"] == "2026-10-09"
        # re-checked within 3 working days after: Sat 10 (worked), Mon 12, Tue 13 October
        assert data(early)["recheck_due"] == "2026-10-13"
        assert waiting_at(app, early) == ["b_recheck"]  # at once
    with on("2026-09-29"):  # before the period ends: a failure waits for its end
        early.do("officer", "b_recheck", verify_result="FAIL", verify_notes="尚未补标完毕")
        assert summary(early)["stage"] == "B 检查" and waiting_at(app, early) == ["b_recheck"]
    with on("2026-09-30"):
        early.do("officer", "b_recheck", verify_result="PASS", verify_notes="已全部补标")
    assert data(early)["b_result"] == "CLOSED" and waiting_at(app, early) == []

    with on("2026-09-30"):  # Wednesday
        late = Api(app, client, tokens)
        order(late, "2026-09-30")
        # Thu 8, Fri 9, Sat 10 (worked), Mon 12, Tue 13 October; then Wed 14, Thu 15, Fri 16
        assert data(late)["rectify_due"] == "2026-10-13"
        assert data(late)["recheck_due"] == "2026-10-16"
    fire_timers(app, "2026-10-16")
    assert "recheck_overdue" not in data(late)
    fire_timers(app, "2026-10-17")  # nobody re-checked by the end of Friday 16 October
    assert data(late)["recheck_overdue"] is True and waiting_at(app, late) == ["b_recheck"]
    assert len(overdue_notices(app, late)) == 1
    with on("2026-10-19"):
        late.do("officer", "b_recheck", verify_result="FAIL", verify_notes="仍未补标")
    assert summary(late)["stage"] == "C 线索核查与立案"


def test_a_warning_escalated_once_then_handed_to_a_case(
    app: Flask,
    client: FlaskClient,
    tokens: dict[str, dict[str, str]],  # noqa: F811
) -> None:
    """提醒 → 告诫 (one optional round, WARNING_MAX_ESCALATIONS allows two) → no feedback → C1 the
    day after the new period. November 2026 has no holiday: Monday to Friday, counted by hand."""
    with on("2026-11-02"):  # Monday
        api = Api(app, client, tokens)
        assess(api)
        api.do("officer", "a_issue", served_on="2026-11-02", document_summary="违法风险预警提醒书")
        assert data(api)["self_check_due"] == "2026-11-09"  # 3, 4, 5, 6, 9 November
    with on("2026-11-06"):
        api.do(
            "officer", "a_feedback", feedback_received_on="2026-11-06", feedback_summary="部分整改"
        )
        assert data(api)["verify_due"] == "2026-11-11"  # 9, 10, 11 November
    with on("2026-11-10"):
        api.do("officer", "a_verify", verified=False, verify_notes="仍未整改", escalate=True)
        api.do(
            "officer",
            "a_escalate",
            escalation_measure="ADMONITION",
            served_on="2026-11-10",
            escalation_notes="送达行政告诫书",
        )
        assert data(api)["escalations"] == 1
        assert data(api)["self_check_due"] == "2026-11-17"  # 11, 12, 13, 16, 17 November
    fire_timers(app, "2026-11-17")
    assert waiting_at(app, api) == ["a_feedback"]  # the period's last day is the party's
    fire_timers(app, "2026-11-18")
    assert summary(api)["stage"] == "C 线索核查与立案" and waiting_at(app, api) == ["c_register"]
    final = data(api)
    assert final["a_result"] == "TRANSFER" and final["escalations"] == 1
