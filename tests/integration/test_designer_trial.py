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
from app.platform import InvalidInput
from app.platform.workflows import deploy, directory_files
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


def test_huge_int_from_a_trial_script_is_not_a_server_error(
    app: Flask, client: FlaskClient
) -> None:
    """Issue 31 item 7: a trial run whose script made pow(7, 10**6) failed the page (500) when
    its data was printed (Python prints no int over 4,300 digits)."""
    with app.app_context():
        files = directory_files()
        name = next(n for n in files if n.endswith("stage_a_warning.bpmn"))
        files[name] = files[name].replace(
            "<bpmn:script>escalations = 0\n", "<bpmn:script>escalations = 0\nbig = pow(7, 10**6)\n"
        )
        assert "pow(7, 10**6)" in files[name]
        try:
            deploy(files, None, "a script that makes a huge number")
            db.session.commit()
        except InvalidInput as refused:  # a sandbox that refuses it at deploy also holds
            assert "pow" in str(refused)
            return
    token = login(client, "designer")
    response = client.post(
        "/designer/processes/stage_a_warning/trial",
        data={"csrf_token": token, "start_data": "{}", "answers": json.dumps(ANSWERS)},
    )
    page = response.get_data(as_text=True)
    assert response.status_code < 500, page[-1500:]
    if '"big"' in page:  # the sandbox let it run: the number is named by its size
        assert "超长整数，约 845,099 位" in page
