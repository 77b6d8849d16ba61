"""Authorization: every route declares its rule, and the denials hold."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case, HumanTask
from tests.conftest import login

PUBLIC_ENDPOINTS = {
    "static",
    "auth.login",
    "home.set_language",
    "home.health",
    "api.openapi",
    "api.docs",
    # published on purpose (POLICY 三(二)4 and 6, 双随机、一公开): read-only, no personal data
    "public.guidance_list",
    "public.warnings",
    "public.inspections",
    "library.public_index",
    "library.public_show",
}


def test_every_view_declares_access(app: Flask) -> None:
    undeclared = []
    public = set()
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint == "static":
            continue
        if not hasattr(view, "access_roles"):
            undeclared.append(rule.endpoint)
        elif view.access_roles is None:
            public.add(rule.endpoint)
    assert undeclared == []
    assert public | {"static"} == PUBLIC_ENDPOINTS


@pytest.mark.parametrize(
    "path", ["/", "/tasks/", "/tasks/1", "/cases/", "/cases/new", "/cases/1", "/enterprises/1"]
)
def test_anonymous_users_are_sent_to_login(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_htmx_request_without_session_gets_hx_redirect(client: FlaskClient) -> None:
    response = client.get("/tasks/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def first_task_and_case(app: Flask) -> tuple[int, int]:
    with app.app_context():
        task = db.session.execute(select(func.min(HumanTask.id))).scalar_one()
        case = db.session.execute(select(func.min(Case.id))).scalar_one()
        return int(task), int(case)


@pytest.mark.parametrize(
    ("username", "path", "status"),
    [
        ("designer", "/tasks/", 403),  # no task role
        ("designer", "/cases/new", 403),
        ("unit_head", "/cases/new", 403),  # only officers open cases
        ("unit_head", "/tasks/{task}", 403),  # the task is in the officer lane
        ("officer_bt", "/tasks/{task}", 403),  # 包头 may not touch 呼和浩特's task
        ("officer_bt", "/cases/{case}", 403),  # …nor read its case
        ("officer_bt", "/cases/{case}/diagram", 403),
        ("officer", "/tasks/{task}", 200),
        ("officer", "/cases/{case}", 200),
        ("supervisor", "/cases/{case}", 200),  # the bureau sees every region
        ("supervisor", "/tasks/", 403),
        ("officer", "/tasks/999999", 404),
        ("officer", "/cases/999999", 404),
    ],
)
def test_role_and_region_rules(
    app: Flask, client: FlaskClient, username: str, path: str, status: int
) -> None:
    task, case = first_task_and_case(app)
    login(client, username)
    response = client.get(path.format(task=task, case=case))
    assert response.status_code == status
    if status == 403:
        assert "无权" in response.get_data(as_text=True)


def test_denied_submission_changes_nothing(app: Flask, client: FlaskClient) -> None:
    task, _ = first_task_and_case(app)
    token = login(client, "officer_bt")
    response = client.post(f"/tasks/{task}", data={"csrf_token": token, "result": "COMPLIANT"})
    assert response.status_code == 403
    with app.app_context():
        row = db.session.get(HumanTask, task)
        assert row is not None and row.state == "READY" and row.submitted_data is None


def test_lists_are_scoped_by_region(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        case_no = db.session.execute(select(Case.case_no).order_by(Case.id).limit(1)).scalar_one()
    login(client, "officer_bt")
    assert case_no not in client.get("/cases/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": ""})
    other = client.application.test_client()
    login(other, "supervisor")
    assert case_no in other.get("/cases/").get_data(as_text=True)
