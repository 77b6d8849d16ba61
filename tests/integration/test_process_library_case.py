"""A case of the real process library, started and worked on through the web screens."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Case, HumanTask
from tests.conftest import login


def test_only_top_level_processes_can_be_started(client: FlaskClient) -> None:
    login(client, "officer")
    page = client.get("/cases/new").get_data(as_text=True)
    offered = set(re.findall(r'<option value="([a-z_]+)"', page))
    assert {"enforcement_case", "walking_skeleton"} <= offered
    assert not {o for o in offered if o.startswith("stage_")}


def test_warning_case_moves_between_roles_through_the_screens(
    app: Flask, client: FlaskClient
) -> None:
    token = login(client, "officer")
    page = client.get("/cases/new").get_data(as_text=True)
    enterprise = re.search(r'<option value="(\d+)">呼和浩特市青城乳业', page)
    assert enterprise
    response = client.post(
        "/cases/new",
        data={
            "csrf_token": token,
            "process_id": "enforcement_case",
            "entry": "WARNING",
            "enterprise_id": enterprise.group(1),
            "title": "夏季乳制品冷链风险预警",
        },
    )
    assert response.status_code == 303
    case_id = int(response.location.rsplit("/", 1)[1])
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case is not None and case.stage == "A 风险预警与行政指导"
        task = db.session.execute(
            select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.state == "READY")
        ).scalar_one()
        assert (task.bpmn_id, task.lane) == ("a_assess", "credit_officer")
        task_id = task.id
    assert client.get(f"/tasks/{task_id}").status_code == 403  # the officer's lane differs

    other = app.test_client()
    credit_token = login(other, "credit")
    assert f'href="/tasks/{task_id}"' in other.get("/tasks/").get_data(as_text=True)
    bad = other.post(f"/tasks/{task_id}", data={"csrf_token": credit_token, "situation": "X"})
    assert bad.status_code == 422 and "不是有效的选择" in bad.get_data(as_text=True)
    done = other.post(
        f"/tasks/{task_id}",
        data={
            "csrf_token": credit_token,
            "situation": "INDIVIDUAL_RISK",
            "risk_summary": "冷链温控风险",
        },
    )
    assert done.status_code == 303  # the next task is the officer's, not the credit officer's
    with app.app_context():
        ready = db.session.execute(
            select(HumanTask.bpmn_id, HumanTask.lane).where(
                HumanTask.case_id == case_id, HumanTask.state == "READY"
            )
        ).all()
    assert ready == [("a_issue", "officer")]
    screen = client.get("/tasks/").get_data(as_text=True)
    assert "制发违法风险预警提醒书" in screen
