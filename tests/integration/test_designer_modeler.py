"""The modeler's server side: the properties panel per element type, its checks of code against
the sandbox, validation of the edited diagram with each problem tied to its element, and deploy
— only for designers and admins, and nothing changes when the model is refused."""

from __future__ import annotations

import json
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, WorkflowBundle
from tests.conftest import login

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
STAGE_A = (WORKFLOWS / "processes" / "stage_a_warning.bpmn").read_text(encoding="utf-8")
TIMER = "end_of_day(self_check_due)"


def panel(
    client: FlaskClient, token: str, path: str, **values: str
) -> tuple[int, str, dict[str, dict[str, str]]]:
    response = client.post(path, data={"csrf_token": token, **values})
    trigger = json.loads(response.headers.get("HX-Trigger", "{}"))
    return response.status_code, response.get_data(as_text=True), trigger


def test_the_modeler_page_loads_the_process_file(app: Flask, client: FlaskClient) -> None:
    login(client, "designer")
    page = client.get("/designer/processes/stage_a_warning/model").get_data(as_text=True)
    assert "processes/stage_a_warning.bpmn" in page and 'id="model-deploy"' in page
    assert "bpmn-modeler.production.min.js" in page
    assert client.get("/designer/processes/nonexistent/model").status_code == 404


def test_the_panel_shows_the_fields_of_the_element_type(app: Flask, client: FlaskClient) -> None:
    token = login(client, "designer")
    status, html, _ = panel(
        client,
        token,
        "/designer/properties",
        element_id="a_assess",
        element_type="bpmn:UserTask",
        form_key="warning.assess",
        lanes="officer\nunit_head",
        lane="officer",
    )
    assert status == 200
    assert 'name="form_key"' in html and 'value="warning.assess" selected' in html
    assert "/designer/forms/warning.assess" in html  # the preview link
    assert 'name="lane"' in html and 'name="condition"' not in html and 'name="timer"' not in html
    _, flow, _ = panel(
        client, token, "/designer/properties", element_id="f1", element_type="bpmn:SequenceFlow"
    )
    assert 'name="condition"' in flow and 'name="form_key"' not in flow
    _, timer, _ = panel(
        client,
        token,
        "/designer/properties",
        element_id="a_feedback_overdue",
        element_type="bpmn:BoundaryEvent",
        has_timer="true",
        timer_kind="timeDate",
        timer=TIMER,
    )
    assert 'name="timer"' in timer and "add_working_days" in timer  # the helpers are listed


def test_applied_values_are_checked_and_returned_for_the_diagram(
    app: Flask, client: FlaskClient
) -> None:
    token = login(client, "designer")
    timer_event = {
        "element_id": "a_feedback_overdue",
        "element_type": "bpmn:BoundaryEvent",
        "has_timer": "true",
        "name": "自查期满",
        "timer_kind": "timeDate",
    }
    status, _, trigger = panel(
        client, token, "/designer/properties/apply", **timer_event, timer="end_of_day(x + 1)"
    )
    assert status == 200
    values = trigger["tj-apply-properties"]
    assert values["timer"] == "end_of_day(x + 1)" and values["element_id"] == "a_feedback_overdue"
    for bad, reason in [
        ("end_of_dya(x)", "未知的函数 end_of_dya"),
        ('"not a date"', "ISO 8601"),
        ("__import__('os')", "__import__"),
    ]:
        status, html, trigger = panel(
            client, token, "/designer/properties/apply", **timer_event, timer=bad
        )
        assert status == 422 and reason in html and trigger == {}, bad
    status, html, trigger = panel(
        client,
        token,
        "/designer/properties/apply",
        element_id="t",
        element_type="bpmn:UserTask",
        form_key="no.such.form",
    )
    assert status == 422 and trigger == {}


def test_a_broken_model_is_refused_with_its_elements_named(app: Flask, client: FlaskClient) -> None:
    token = login(client, "designer")
    with app.app_context():
        before = db.session.execute(select(func.count()).select_from(WorkflowBundle)).scalar()
    broken = STAGE_A.replace(TIMER, "end_of_dya(self_check_due)").replace(
        '<spiffworkflow:property name="formKey" value="warning.assess" />', ""
    )
    form = {"csrf_token": token, "filename": "processes/stage_a_warning.bpmn", "xml": broken}
    for path in ("/designer/model/check", "/designer/model/deploy"):
        response = client.post(path, data=form)
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "未知的函数 end_of_dya" in html and "缺少 formKey" in html
        assert 'data-element="a_assess"' in html  # the user task, for the modeler's marker
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(WorkflowBundle)).scalar() == (
            before
        )
    fine = STAGE_A.replace(TIMER, "end_of_day(add_working_days(self_check_due, 1))")
    response = client.post("/designer/model/check", data={**form, "xml": fine})
    assert response.status_code == 200 and "校验通过" in response.get_data(as_text=True)
    response = client.post("/designer/model/deploy", data={**form, "xml": fine, "note": "宽限"})
    assert response.status_code == 200 and "已部署新版本" in response.get_data(as_text=True)
    with app.app_context():
        latest = db.session.execute(
            select(WorkflowBundle).order_by(WorkflowBundle.created_at.desc()).limit(1)
        ).scalar_one()
        assert (
            latest.note == "宽限"
            and "add_working_days(self_check_due, 1)"
            in (latest.files["processes/stage_a_warning.bpmn"])
        )
        assert db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "deploy_process")
        ).first()


def test_a_new_diagram_needs_a_plain_file_name(app: Flask, client: FlaskClient) -> None:
    token = login(client, "designer")
    for name in ("../evil.bpmn", "processes/Evil Name.bpmn", "decisions/x.bpmn", "x.dmn"):
        response = client.post(
            "/designer/model/check", data={"csrf_token": token, "filename": name, "xml": STAGE_A}
        )
        assert response.status_code == 422, name
        assert "processes/名称.bpmn" in response.get_data(as_text=True)


def test_only_designers_and_admins_edit_models(app: Flask, client: FlaskClient) -> None:
    token = login(client, "supervisor")
    page = client.get("/designer/processes/stage_a_warning/model").get_data(as_text=True)
    assert 'id="model-deploy"' not in page  # may look, not change
    form = {"csrf_token": token, "filename": "processes/stage_a_warning.bpmn", "xml": STAGE_A}
    assert client.post("/designer/model/deploy", data=form).status_code == 403
    assert client.post("/designer/properties/apply", data=form).status_code == 403
    assert client.get("/designer/new-model").status_code == 403
    officer = client.application.test_client()
    login(officer, "officer")
    assert officer.get("/designer/processes/stage_a_warning/model").status_code == 403


def test_the_form_preview_shows_the_task_screen(app: Flask, client: FlaskClient) -> None:
    login(client, "designer")
    page = client.get("/designer/forms/warning.assess").get_data(as_text=True)
    assert 'id="form-preview"' in page and "<fieldset disabled>" in page
    assert client.get("/designer/forms/no.such.form").status_code == 404


def test_missing_called_processes_and_decisions_are_named_by_element(
    app: Flask, client: FlaskClient
) -> None:
    token = login(client, "designer")
    broken = STAGE_A.replace(
        "<spiffworkflow:calledDecisionId>guidance_measure", "<spiffworkflow:calledDecisionId>nope"
    )
    response = client.post(
        "/designer/model/check",
        data={"csrf_token": token, "filename": "processes/stage_a_warning.bpmn", "xml": broken},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "调用的决策表 nope 不存在" in html and 'data-element="a_measure"' in html
    main = (WORKFLOWS / "processes" / "enforcement_case.bpmn").read_text(encoding="utf-8")
    assert 'calledElement="stage_a_warning"' in main
    response = client.post(
        "/designer/model/check",
        data={
            "csrf_token": token,
            "filename": "processes/enforcement_case.bpmn",
            "xml": main.replace('calledElement="stage_a_warning"', 'calledElement="stage_zz"'),
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "调用的流程 stage_zz 不存在" in html
    assert re.search(r'<li data-element="[^"]+" class="clickable">[^<]*stage_zz', html)
