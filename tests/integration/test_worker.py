"""The background worker: timers through months of statutory time, leases, incidents, reminders."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from app import create_app
from app.bench.http import deploy_bench_workflows
from app.clock import china_today
from app.enforcement import tallies
from app.enforcement.cases import start_case
from app.enforcement.worker import acquire, run_once
from app.extensions import db
from app.models import AuditEvent, Case, Enterprise, Incident, Job, Notification
from app.platform.audit import verify_chain
from app.platform.parameters import run_context, set_parameter
from app.platform.workflows import deploy
from tests.conftest import PostgresTemplate, base_config, login
from tests.integration.cases import (
    CHINA,
    account,
    complete,
    ready,
    self_check_due_day,
    tally_rows,
    warning_case,
)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def due_of(case_id: int) -> dt.datetime:
    return db.session.execute(select(Job.due_at).where(Job.case_id == case_id)).scalar_one()


def midnight_after(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), CHINA)


def test_a_statutory_timer_fires_once_when_due_and_escalates(app: Flask) -> None:
    with app.app_context():
        case_id = warning_case()
        due = due_of(case_id)
        assert due == midnight_after(self_check_due_day())
        assert run_once("w1", due - dt.timedelta(hours=12)) == {"reminded": 1}  # not due yet
        assert [t.bpmn_id for t in ready(case_id)] == ["a_feedback"]
        assert run_once("w1", due + dt.timedelta(seconds=5)) == {"fired": 1}
        assert [t.bpmn_id for t in ready(case_id)] == ["c_register"]  # A6: a clue the next day
        assert run_once("w1", due + dt.timedelta(seconds=6)) == {}  # nothing twice
        notes = db.session.execute(
            select(Notification.role, Notification.kind)
            .where(Notification.case_id == case_id)
            .order_by(Notification.id)
        ).all()
        assert notes == [("officer", "REMINDER"), ("unit_head", "OVERDUE")]
        fired = db.session.execute(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "fire_timers", AuditEvent.object_id == str(case_id))
        ).scalar_one()
        assert fired == 1


def test_reminder_comes_two_working_days_before_the_deadline(app: Flask, client: Any) -> None:
    with app.app_context():
        warning_case()
        morning = dt.datetime.combine(china_today(), dt.time(9), CHINA)
        assert run_once("w1", morning) == {}  # five working days before: too early
        last_day = dt.datetime.combine(self_check_due_day(), dt.time(9), CHINA)
        assert run_once("w1", last_day) == {"reminded": 1}
        assert run_once("w1", last_day + dt.timedelta(hours=1)) == {}  # once only
        message = db.session.execute(
            select(Notification.message).where(Notification.kind == "REMINDER")
        ).scalar_one()
        assert f"{self_check_due_day():%Y年%m月%d日}" in message
    login(client, "officer")
    assert "到期提醒" in client.get("/supervision/notifications").get_data(as_text=True)


def test_the_reminder_starts_the_first_day_the_last_day_is_near_enough(app: Flask) -> None:
    """Only deadlines to remind are read: the bound in SQL must be the calendar's, to the day."""
    with app.app_context():
        warning_case()
        last_day = self_check_due_day()
        context = run_context()
        days = int(context.parameters.get("REMINDER_WD", 2))
        first = min(
            day
            for day in (last_day - dt.timedelta(days=n) for n in range(30))
            if context.calendar.deadline(day, days, "working_days").due >= last_day
        )
        morning = dt.time(9)
        day_before = dt.datetime.combine(first - dt.timedelta(days=1), morning, CHINA)
        assert run_once("w1", day_before) == {}
        assert run_once("w1", dt.datetime.combine(first, morning, CHINA)) == {"reminded": 1}


def test_months_of_statutory_time_in_seconds(app: Flask) -> None:
    """Warning → two optional escalations with their deadlines → a period without feedback, a
    case the next day → clue-check deadline."""
    with app.app_context():
        case_id = warning_case()
        today = china_today().isoformat()
        minute = dt.timedelta(minutes=1)
        for measure in ("ADMONITION", "INTERVIEW"):
            complete(
                case_id,
                "a_feedback",
                "officer",
                feedback_received_on=today,
                feedback_summary="部分整改",
            )
            complete(case_id, "a_verify", "officer", verified=False, escalate=True)
            complete(
                case_id,
                "a_escalate",
                "officer",
                escalation_measure=measure,
                served_on=today,
                escalation_notes="升级",
            )
        assert run_once("w", due_of(case_id) + minute) == {"fired": 1}  # no feedback: a case
        case = db.session.get(Case, case_id)
        assert case is not None and case.stage == "C 线索核查与立案"
        complete(
            case_id,
            "c_register",
            "officer",
            source="INSPECTION",
            found_on=today,
            clue_summary="预警未改正",
        )
        check_due = due_of(case_id)  # 15 working days of clue checking
        assert check_due - dt.datetime.now(CHINA) > dt.timedelta(days=19)
        assert run_once("w", check_due + minute) == {"fired": 1}
        assert [t.bpmn_id for t in ready(case_id)] == ["c_extend"]
        assert db.session.get(Case, case_id).stage == "C 线索核查与立案"  # type: ignore[union-attr]


def test_a_killed_workers_jobs_are_taken_over_after_the_lease(app: Flask) -> None:
    with app.app_context():
        case_id = warning_case()
        now = due_of(case_id) + dt.timedelta(seconds=5)
        assert len(acquire("dead-worker", now)) == 1  # ... and then the process is killed
        assert run_once("w2", now + dt.timedelta(seconds=30)) == {}  # the lease still holds
        assert run_once("w2", now + dt.timedelta(seconds=61)) == {"fired": 1}
        assert [t.bpmn_id for t in ready(case_id)] == ["c_register"]


FAILING = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="fragile" name="易错流程" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="officer">
      <bpmn:flowNodeRef>s</bpmn:flowNodeRef><bpmn:flowNodeRef>wait</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>compute</bpmn:flowNodeRef><bpmn:flowNodeRef>work</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>e</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait" name="次日"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">end_of_day(current_date())</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:scriptTask id="compute" name="计算日加处比例"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>ratio = 100 / param("LATE_FEE_DAILY_PCT")</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="work" name="处理"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="formKey" value="common.approval" /></spiffworkflow:properties>
      </bpmn:extensionElements><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="compute" />
    <bpmn:sequenceFlow id="f3" sourceRef="compute" targetRef="work" />
    <bpmn:sequenceFlow id="f4" sourceRef="work" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_failing_step_becomes_an_incident_that_a_retry_clears_after_the_fix(
    app: Flask, client: Any
) -> None:
    with app.app_context():
        deploy({"fragile.bpmn": FAILING}, None, "test")
        enterprise = db.session.execute(select(Enterprise.id).limit(1)).scalar_one()
        case_id = start_case(account("officer"), "fragile", enterprise, "测试", "CLUE").id
        today = china_today()  # the app's today: after 16:00 UTC it is already tomorrow in China
        set_parameter("LATE_FEE_DAILY_PCT", 0, today, None, "误设为 0")
        tomorrow = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(9), CHINA)
        assert run_once("w", tomorrow) == {"retry": 1}
        assert run_once("w", tomorrow + dt.timedelta(seconds=10)) == {"retry": 1}
        assert run_once("w", tomorrow + dt.timedelta(minutes=5)) == {"incident": 1}
        assert run_once("w", tomorrow + dt.timedelta(days=1)) == {}  # parked, not retried
        case = db.session.get(Case, case_id)
        assert case is not None and case.has_incident
        incident = db.session.execute(select(Incident)).scalar_one()
        assert incident.element == "计算日加处比例" and "ZeroDivisionError" in incident.message
        set_parameter("LATE_FEE_DAILY_PCT", 3, today, None, "更正")
        incident_id = incident.id
    token = login(client, "supervisor")
    page = client.get("/supervision/incidents").get_data(as_text=True)
    assert "计算日加处比例" in page and "ZeroDivisionError" in page
    assert (
        client.post(
            f"/supervision/incidents/{incident_id}/retry", data={"csrf_token": token}
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"/supervision/incidents/{incident_id}/retry", data={"csrf_token": token}
        ).status_code
        == 409
    )
    with app.app_context():
        assert run_once("w", tomorrow + dt.timedelta(days=1)) == {"fired": 1}
        assert [t.bpmn_id for t in ready(case_id)] == ["work"]
        case = db.session.get(Case, case_id)
        assert case is not None and not case.has_incident
    officer = app.test_client()
    login(officer, "officer_bt")
    assert officer.get("/supervision/incidents").status_code == 403


def test_one_round_fires_its_jobs_together_and_sets_a_failing_one_aside(app: Flask) -> None:
    """A round fires its leased jobs in one transaction: each case still gets its own audit
    entry in one unbroken chain and its dashboard tallies, and a job whose step fails is
    retried on its own without undoing the others."""
    with app.app_context():
        deploy_bench_workflows()  # bench_timer: waits an hour, then the case ends
        deploy({"fragile.bpmn": FAILING}, None, "test")
        enterprise = db.session.execute(select(Enterprise.id).limit(1)).scalar_one()
        officer = account("officer")
        ending = [start_case(officer, "bench_timer", enterprise, f"定时{n}").id for n in range(3)]
        fragile = start_case(officer, "fragile", enterprise, "测试", "CLUE").id
        today = china_today()
        set_parameter("LATE_FEE_DAILY_PCT", 0, today, None, "误设为 0")
        tomorrow = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(9), CHINA)
        assert run_once("w", tomorrow) == {"fired": 3, "retry": 1}
        statuses = db.session.execute(select(Case.id, Case.status).where(Case.id.in_(ending)))
        assert dict(statuses.all()) == dict.fromkeys(ending, "CLOSED")
        assert db.session.execute(select(Job.case_id)).scalars().all() == [fragile]
        fired = db.session.execute(
            select(AuditEvent.object_id).where(AuditEvent.action == "fire_timers")
        )
        assert sorted(str(o) for o in fired.scalars()) == sorted(str(c) for c in ending)
        assert verify_chain().intact
        kept = tally_rows()
        tallies.rebuild()
        assert tally_rows() == kept


def test_several_worker_processes_fire_every_timer_exactly_once(
    postgres_template: PostgresTemplate,
) -> None:
    """PostgreSQL only: several workers share one database (SQLite runs a single worker)."""
    database_url = postgres_template.new_database()
    app = create_app(base_config(database_url))
    with app.app_context():
        cases = [warning_case() for _ in range(24)]
        after = max(due_of(c) for c in cases) + dt.timedelta(minutes=5)
    env = {
        **os.environ,
        "TIJIAN_DATABASE_URL": database_url,
        "TIJIAN_DEMO": "1",
        "TIJIAN_SECRET_KEY": "test-secret-key",
    }
    command = [
        sys.executable,
        "-m",
        "app.cli",
        "worker",
        "--drain",
        "--now",
        after.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "--round-size",
        "5",  # rounds smaller than the work, so that it can be shared
    ]
    workers = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    outputs = [w.communicate(timeout=120) for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    with app.app_context():
        fired = dict(
            db.session.execute(
                select(AuditEvent.object_id, func.count())
                .where(AuditEvent.action == "fire_timers")
                .group_by(AuditEvent.object_id)
            ).all()
        )
        assert fired == {str(c): 1 for c in cases}
        for case_id in cases:
            assert [t.bpmn_id for t in ready(case_id)] == ["c_register"]  # A6: a clue the next day
    assert sum(1 for out, _ in outputs if b"fired" in out) >= 2  # the work was shared
    with app.app_context():
        db.engine.dispose()
    postgres_template.drop(database_url)
