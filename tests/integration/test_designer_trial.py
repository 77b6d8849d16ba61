"""Trial runs: a process played in memory with given answers shows its route and where it
stopped, and writes nothing (no case, task, document or audit entry)."""

from __future__ import annotations

import json
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Case, Document, HumanTask, Job
from tests.conftest import login

ANSWERS = {
    "a_assess": {"situation": "INDIVIDUAL_RISK", "risk_summary": "冷链"},
    "a_issue": {"served_on": "2030-03-04", "document_summary": "提醒书"},
}


def counts(app: Flask) -> list[int]:
    with app.app_context():
        return [
            db.session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Case, HumanTask, Document, Job, AuditEvent)
        ]


def test_a_trial_run_shows_the_route_and_writes_nothing(app: Flask, client: FlaskClient) -> None:
    token = login(client, "designer")
    form = client.get("/designer/processes/stage_a_warning/trial").get_data(as_text=True)
    assert "a_assess" in form and "a_feedback" in form  # the answers template lists the steps
    before = counts(app)
    response = client.post(
        "/designer/processes/stage_a_warning/trial",
        data={"csrf_token": token, "start_data": "{}", "answers": json.dumps(ANSWERS)},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    route = re.findall(r'<li data-element="([^"]+)"', page)
    assert route[:4] == ["a_start", "a_assess", "a_measure", "a_gw_measure"], route
    assert "a_issue" in route and "a_feedback_overdue" not in route
    assert "停在「登记自查整改反馈」（a_feedback）" in page  # no timers fired: waits there
    assert 'data-states="' in page and "COMPLETED" in page
    assert counts(app) == before

    fired = client.post(
        "/designer/processes/stage_a_warning/trial",
        data={
            "csrf_token": token,
            "answers": json.dumps(ANSWERS),
            "fire_timers": "y",
        },
    ).get_data(as_text=True)
    assert "a_feedback_overdue" in re.findall(r'<li data-element="([^"]+)"', fired)
    assert counts(app) == before


def test_bad_trial_data_is_refused_in_chinese(app: Flask, client: FlaskClient) -> None:
    token = login(client, "designer")
    for answers, reason in [("{not json", "不是有效的 JSON"), ("[1, 2]", "应为 JSON 对象")]:
        response = client.post(
            "/designer/processes/stage_a_warning/trial",
            data={"csrf_token": token, "answers": answers},
        )
        assert response.status_code == 422 and reason in response.get_data(as_text=True)
    assert client.get("/designer/processes/nonexistent/trial").status_code == 404
