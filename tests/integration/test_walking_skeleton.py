"""The skeleton case through the real stack: UI → service → SpiffWorkflow → database."""

from __future__ import annotations

import json
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.bench.http import SEQUENCE_DATA
from app.engine import unpack
from app.extensions import db
from app.models import AuditEvent, Case, Enterprise, HumanTask, WorkflowInstance
from tests.conftest import login

VALID = SEQUENCE_DATA  # the inspection record screen, as the benchmark submits it


def start_case_from_ui(client: FlaskClient, token: str) -> int:
    page = client.get("/cases/new").get_data(as_text=True)
    enterprise = re.search(r'<option value="(\d+)">赛罕区草原味道烧烤店', page)
    assert enterprise, page
    response = client.post(
        "/cases/new",
        data={
            "csrf_token": token,
            "process_id": "walking_skeleton",
            "enterprise_id": enterprise.group(1),
            "entry": "CLUE",
            "title": "烧烤店食品安全检查",
        },
    )
    assert response.status_code == 303
    match = re.search(r"/cases/(\d+)$", response.location)
    assert match
    return int(match.group(1))


def test_officer_starts_and_completes_the_skeleton_task(app: Flask, client: FlaskClient) -> None:
    token = login(client, "officer")
    case_id = start_case_from_ui(client, token)

    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case is not None and case.stage == "检查" and case.status == "OPEN"
        task = db.session.execute(
            select(HumanTask).where(HumanTask.case_id == case_id)
        ).scalar_one()
        assert (task.state, task.lane, task.form_key) == (
            "READY",
            "officer",
            "inspection.record",
        )
        task_id = task.id

    inbox = client.get("/tasks/").get_data(as_text=True)
    assert f'href="/tasks/{task_id}"' in inbox and "赛罕区草原味道烧烤店" in inbox

    screen = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "执法人员不少于两人" in screen and "现场检查记录" in screen

    response = client.post(f"/tasks/{task_id}", data={"csrf_token": token, **VALID})
    assert response.status_code == 303
    assert response.location.endswith(f"/cases/{case_id}?done=1")

    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case is not None
        assert (case.status, case.stage) == ("CLOSED", "检查完成")
        instance = db.session.execute(
            select(WorkflowInstance).where(WorkflowInstance.case_id == case_id)
        ).scalar_one()
        assert instance.status == "COMPLETED" and instance.version == 2
        state = json.loads(unpack(instance.state))  # finished: stored compressed
        assert state["spec_ref"]["process"] == "walking_skeleton" and "spec" not in state
        done = db.session.get(HumanTask, task_id)
        assert done is not None and done.state == "COMPLETED"
        assert done.submitted_data == VALID
        actions = (
            db.session.execute(
                select(AuditEvent.action)
                .where(AuditEvent.object_type == "case", AuditEvent.object_id == str(case_id))
                .order_by(AuditEvent.id)
            )
            .scalars()
            .all()
        )
        assert actions == ["open_case", "complete_task"]

    page = client.get(f"/cases/{case_id}?done=1").get_data(as_text=True)
    assert "已办结" in page and "任务已提交" in page


def _snapshot(app: Flask, task_id: int) -> tuple[object, ...]:
    with app.app_context():
        task = db.session.get(HumanTask, task_id)
        assert task is not None
        instance = db.session.get(WorkflowInstance, task.instance_id)
        assert instance is not None
        audits = db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        return task.state, task.submitted_data, instance.version, instance.state, audits


def demo_task_id(app: Flask) -> int:
    with app.app_context():
        return int(db.session.execute(select(func.min(HumanTask.id))).scalar_one())


def test_invalid_submission_re_renders_in_chinese_and_changes_nothing(
    app: Flask, client: FlaskClient
) -> None:
    token = login(client, "officer")
    task_id = demo_task_id(app)
    before = _snapshot(app, task_id)
    response = client.post(
        f"/tasks/{task_id}",
        data={"csrf_token": token, **VALID, "inspectors": "张三", "findings": ""},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "执法人员不少于两人。" in body and "此项必填。" in body
    assert 'value="呼和浩特市赛罕区"' in body  # what was typed is kept
    assert _snapshot(app, task_id) == before


def test_htmx_submission_gets_a_fragment_or_a_redirect_header(
    app: Flask, client: FlaskClient
) -> None:
    token = login(client, "officer")
    task_id = demo_task_id(app)
    headers = {"HX-Request": "true"}
    invalid = client.post(f"/tasks/{task_id}", data={"csrf_token": token}, headers=headers)
    assert invalid.status_code == 422
    assert "<html" not in invalid.get_data(as_text=True)
    assert "HX-Request" in invalid.headers["Vary"]
    valid = client.post(f"/tasks/{task_id}", data={"csrf_token": token, **VALID}, headers=headers)
    assert valid.status_code == 204 and valid.headers["HX-Redirect"].startswith("/cases/")


def test_second_completion_is_a_conflict_and_changes_nothing(
    app: Flask, client: FlaskClient
) -> None:
    token = login(client, "officer")
    task_id = demo_task_id(app)
    assert client.post(f"/tasks/{task_id}", data={"csrf_token": token, **VALID}).status_code == 303
    after_first = _snapshot(app, task_id)
    again = client.post(f"/tasks/{task_id}", data={"csrf_token": token, **VALID})
    assert again.status_code == 409
    assert "已被他人处理" in again.get_data(as_text=True)
    assert _snapshot(app, task_id) == after_first


def test_cases_get_sequential_numbers_per_region_and_year(app: Flask, client: FlaskClient) -> None:
    token = login(client, "officer")
    first, second = start_case_from_ui(client, token), start_case_from_ui(client, token)
    with app.app_context():
        numbers = [db.session.get(Case, i).case_no for i in (first, second)]  # type: ignore[union-attr]
        region = db.session.execute(
            select(Enterprise.region_code).where(Enterprise.name == "赛罕区草原味道烧烤店")
        ).scalar_one()
    prefix = f"XS{numbers[0][2:6]}-{region}-"  # clues (线索) until filed
    assert all(n.startswith(prefix) for n in numbers)
    assert int(numbers[1].removeprefix(prefix)) == int(numbers[0].removeprefix(prefix)) + 1
