"""Trial runs: a process played in memory with given answers shows its route and where it
stopped, and writes nothing (no case, task, document or audit entry)."""

from __future__ import annotations

import json
import re
import time

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.modelling.process_library import TRIAL_RUN_SECONDS
from app.models import AuditEvent, Case, Document, HumanTask, Job
from app.platform.workflows import deploy, directory_files
from tests.conftest import login
from tests.integration.test_worker_watchdog import HANGING

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


def deployed(client: FlaskClient, token: str, xml: str) -> None:
    """As a designer would: the modeler's deploy, which validates the whole bundle first."""
    form = {"csrf_token": token, "filename": "processes/fragile.bpmn", "xml": xml, "note": "试"}
    response = client.post("/designer/model/deploy", data=form)
    assert response.status_code == 200, response.get_data(as_text=True)


def test_a_script_that_can_never_end_is_refused_before_deploy(
    app: Flask, client: FlaskClient
) -> None:
    """Issue 31, finding 1: `while True: pass` in a script task was answered 校验通过."""
    token = login(client, "designer")
    spinning = HANGING.replace('id="fragile"', 'id="spinning"').replace(
        HANGING[HANGING.index("a = [0]") : HANGING.index("</bpmn:script>")], "while True: pass"
    )
    form = {"csrf_token": token, "filename": "processes/spinning.bpmn", "xml": spinning}
    for path in ("/designer/model/check", "/designer/model/deploy"):
        response = client.post(path, data=form)
        assert response.status_code == 422
        assert "无限循环" in response.get_data(as_text=True)


def test_a_trial_run_that_hangs_is_stopped_and_the_web_worker_goes_on(
    app: Flask, client: FlaskClient
) -> None:
    """Two trial runs of a script stuck in one C-level call used to hold both web workers until
    the server's timeout; now the run's child process is killed after its time."""
    token = login(client, "designer")
    deployed(client, token, HANGING)
    before = counts(app)
    started = time.monotonic()
    response = client.post(
        "/designer/processes/fragile/trial",
        data={"csrf_token": token, "answers": "{}", "fire_timers": "y"},
    )
    assert response.status_code == 422
    assert f"试运行超过 {TRIAL_RUN_SECONDS} 秒仍未结束" in response.get_data(as_text=True)
    assert time.monotonic() - started < TRIAL_RUN_SECONDS + 20
    assert client.get("/designer/processes/fragile/trial").status_code == 200
    assert counts(app) == before


def test_a_trial_run_of_an_endless_loop_ends_with_the_sandboxs_reason(
    app: Flask, client: FlaskClient
) -> None:
    looping = HANGING.replace(
        HANGING[HANGING.index("a = [0]") : HANGING.index("</bpmn:script>")],
        "n = 0\nwhile n &gt;= 0:\n    try:\n        n += 1\n    except:\n        pass",
    )
    token = login(client, "designer")
    deployed(client, token, looping)
    response = client.post(
        "/designer/processes/fragile/trial",
        data={"csrf_token": token, "answers": "{}", "fire_timers": "y"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "运行出错" in page and "CPU 时间" in page


def test_huge_int_from_a_trial_script_is_not_a_server_error(
    app: Flask, client: FlaskClient
) -> None:
    """Issue 31 item 7: a trial run whose script made pow(7, 10**6) failed the page (500) when
    its data was printed (Python prints no int over 4,300 digits). The sandbox now refuses any
    integer over 4,096 bits (engine/expression_limits.py), so the run ends with that reason."""
    with app.app_context():
        files = directory_files()
        name = next(n for n in files if n.endswith("stage_a_warning.bpmn"))
        files[name] = files[name].replace(
            "<bpmn:script>escalations = 0\n", "<bpmn:script>escalations = 0\nbig = pow(7, 10**6)\n"
        )
        assert "pow(7, 10**6)" in files[name]
        deploy(files, None, "a script that makes a huge number")
        db.session.commit()
    token = login(client, "designer")
    response = client.post(
        "/designer/processes/stage_a_warning/trial",
        data={"csrf_token": token, "start_data": "{}", "answers": json.dumps(ANSWERS)},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[-1500:]
    assert "运算结果过大" in page and '"big"' not in page
