"""Task screens keep drafts and start from the case: save, reload, conflicts, prefill."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.clock import china_today
from app.enforcement import inbox as inbox_service
from app.extensions import db
from app.models import AuditEvent, HumanTask
from app.platform.auth import create_user
from app.platform.parameters import set_parameter
from tests.conftest import login
from tests.integration.cases import account, complete, ready, rectify_inspection_case, warning_case

NOTE = "已核对三批次<b>冷链</b>"


def field_value(html: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag, f"no input {name}"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


def feedback_task(app: Flask) -> int:
    """The self-check feedback task of a served risk warning (呼和浩特 officer's group)."""
    with app.app_context():
        return ready(warning_case())[0].id


def draft_of(app: Flask, task_id: int) -> dict[str, list[str]] | None:
    with app.app_context():
        task = db.session.get(HumanTask, task_id)
        assert task is not None
        return task.draft


def test_draft_is_saved_reloaded_kept_on_errors_and_cleared_on_completion(
    app: Flask, client: FlaskClient
) -> None:
    task_id = feedback_task(app)
    token = login(client, "officer")
    screen = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "保存草稿" in screen and "上次保存的草稿" not in screen

    saved = client.post(
        f"/tasks/{task_id}",
        data={"csrf_token": token, "action": "draft", "feedback_summary": NOTE},
        headers={"HX-Request": "true"},
    )
    body = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "草稿已保存" in body
    assert "<b>冷链</b>" not in body and "&lt;b&gt;冷链&lt;/b&gt;" in body
    draft = draft_of(app, task_id)
    assert draft is not None and draft["feedback_summary"] == [NOTE]
    assert set(draft) == {"feedback_received_on", "feedback_summary"}  # no token, no action
    with app.app_context():
        assert (
            db.session.execute(
                select(func.count()).where(AuditEvent.action == "save_draft")
            ).scalar_one()
            == 1
        )

    reloaded = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "上次保存的草稿" in reloaded and "已核对三批次&lt;b&gt;冷链&lt;/b&gt;" in reloaded

    refused = client.post(f"/tasks/{task_id}", data={"csrf_token": token, "feedback_summary": ""})
    assert refused.status_code == 422
    assert draft_of(app, task_id) == draft

    done = client.post(
        f"/tasks/{task_id}",
        data={
            "csrf_token": token,
            "feedback_received_on": china_today().isoformat(),
            "feedback_summary": "已整改",
        },
    )
    assert done.status_code == 303
    with app.app_context():
        task = db.session.get(HumanTask, task_id)
        assert task is not None and task.state == "COMPLETED" and task.draft is None


def test_drafts_respect_claims_regions_and_csrf(app: Flask, client: FlaskClient) -> None:
    task_id = feedback_task(app)
    with app.app_context():
        create_user("officer2", "long enough pw", "第二执法", "150100", ["officer"])
        create_user("baotou", "long enough pw", "包头执法", "150200", ["officer"])
        inbox_service.claim(task_id, account("officer2"))
    token = login(client, "officer")
    draft = {"csrf_token": token, "action": "draft", "feedback_summary": "x"}
    assert client.post(f"/tasks/{task_id}", data=draft).status_code == 409  # claimed by another
    assert (
        client.post(f"/tasks/{task_id}", data={**draft, "csrf_token": "forged"}).status_code == 400
    )
    other = app.test_client()
    other_token = login(other, "baotou", "long enough pw")
    denied = other.post(f"/tasks/{task_id}", data={**draft, "csrf_token": other_token})
    assert denied.status_code == 403
    assert draft_of(app, task_id) is None


def test_screens_start_from_the_case_only_where_the_form_says_so(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        set_parameter("RECTIFY_DEFAULT_WD", 7, china_today(), None, "试行")
        case_id = rectify_inspection_case()
        complete(
            case_id,
            "b_publish",
            "officer",
            published_on=china_today().isoformat(),
            publish_channel="GSXT",
        )
        order = next(t.id for t in ready(case_id) if t.bpmn_id == "b_order")
    login(client, "officer")
    screen = client.get(f"/tasks/{order}").get_data(as_text=True)
    assert field_value(screen, "rectify_days") == "7"  # the diagram's default, from parameters
    assert field_value(screen, "order_served_on") in (None, "")  # a date the officer must give
