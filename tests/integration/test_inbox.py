"""The inbox: views and counts, claims and reassignment, search, due badges, paging, follow-ups."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from app.enforcement import inbox as inbox_service
from app.extensions import db
from app.models import HumanTask
from app.platform.auth import create_user
from tests.conftest import login
from tests.integration.cases import investigated_case, warning_case


def task_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-task-id="(\d+)"', html)]


def counts(html: str) -> dict[str, int]:
    found = re.findall(r'view=(\w+)"[^>]*>[^<]*<span class="count">(\d+)</span>', html)
    return {view: int(n) for view, n in found}


def officer_tasks(app: Flask) -> list[int]:
    with app.app_context():
        return list(
            db.session.execute(
                select(HumanTask.id)
                .where(
                    HumanTask.state == "READY",
                    HumanTask.lane == "officer",
                    HumanTask.region_code.like("1501%"),
                )
                .order_by(HumanTask.id)
            ).scalars()
        )


def test_views_claims_and_counts(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        create_user("officer2", "long enough pw", "第二执法", "150100", ["officer"])
    token = login(client, "officer")
    page = client.get("/tasks/").get_data(as_text=True)
    mine = officer_tasks(app)
    assert set(task_ids(page)) == set(mine) and counts(page) == {"mine": 0, "group": len(mine)}
    assert client.get("/tasks/?view=all").status_code == 403  # heads only
    assert client.post(f"/tasks/{mine[0]}/claim", data={"csrf_token": token}).status_code == 303
    assert counts(client.get("/tasks/").get_data(as_text=True))["mine"] == 1
    second = app.test_client()
    second_token = login(second, "officer2", "long enough pw")
    theirs = task_ids(second.get("/tasks/").get_data(as_text=True))
    assert mine[0] not in theirs  # claimed by someone else
    assert (
        second.post(f"/tasks/{mine[0]}/claim", data={"csrf_token": second_token}).status_code == 409
    )
    assert second.post(f"/tasks/{mine[0]}", data={"csrf_token": second_token}).status_code == 409
    assert client.post(f"/tasks/{mine[0]}/unclaim", data={"csrf_token": token}).status_code == 303
    assert mine[0] in task_ids(second.get("/tasks/").get_data(as_text=True))


def test_heads_see_everything_and_reassign_within_role_and_region(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        create_user("officer2", "long enough pw", "第二执法", "150100", ["officer"])
    token = login(client, "unit_head")
    everything = client.get("/tasks/?view=all").get_data(as_text=True)
    tasks = officer_tasks(app)
    assert set(tasks) <= set(task_ids(everything))
    ok = client.post(
        "/tasks/bulk",
        data={"csrf_token": token, "action": "assign", "username": "officer2", "task_id": tasks},
    )
    assert ok.status_code == 303
    with app.app_context():
        assignees = {db.session.get(HumanTask, t).assignee_id for t in tasks}  # type: ignore[union-attr]
        assert len(assignees) == 1 and None not in assignees
    for username in ("officer_bt", "reviewer"):  # wrong region, wrong role
        bad = client.post(
            "/tasks/bulk",
            data={
                "csrf_token": token,
                "action": "assign",
                "username": username,
                "task_id": tasks[:1],
            },
        )
        assert bad.status_code == 422
    officer = app.test_client()
    officer_token = login(officer, "officer")
    assert (
        officer.post(
            "/tasks/bulk",
            data={
                "csrf_token": officer_token,
                "action": "assign",
                "username": "officer2",
                "task_id": tasks[:1],
            },
        ).status_code
        == 403
    )


def test_search_due_badges_follow_up_and_bulk_claim(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        case_id = warning_case()
    token = login(client, "officer")
    page = client.get("/tasks/").get_data(as_text=True)
    assert "剩 " in page and "个工作日" in page  # the self-check deadline on 登记自查整改反馈
    with app.app_context():
        feedback = db.session.execute(
            select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.state == "READY")
        ).scalar_one()
        case_no, feedback_id = feedback.case.case_no, feedback.id
        assert feedback.due_at is not None
    found = client.get(f"/tasks/?q={case_no}", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert task_ids(found) == [feedback_id] and "<html" not in found
    assert task_ids(client.get("/tasks/?q=没有这家企业").get_data(as_text=True)) == []
    assert (
        client.post(
            f"/tasks/{feedback_id}/follow-up",
            data={"csrf_token": token, "follow_up_on": "2026-12-01"},
        ).status_code
        == 303
    )
    assert "跟进 2026年12月1日" in client.get("/tasks/").get_data(as_text=True)
    assert (
        client.post(
            f"/tasks/{feedback_id}/follow-up", data={"csrf_token": token, "follow_up_on": "明天"}
        ).status_code
        == 422
    )
    everything = officer_tasks(app)
    assert (
        client.post(
            "/tasks/bulk", data={"csrf_token": token, "action": "claim", "task_id": everything}
        ).status_code
        == 303
    )
    assert counts(client.get("/tasks/").get_data(as_text=True))["mine"] == len(everything)


def test_keyset_pages(app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inbox_service, "PAGE_SIZE", 1)
    login(client, "officer")
    seen: list[int] = []
    url = "/tasks/"
    pages_counts: list[dict[str, int]] = []
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += task_ids(page)
        pages_counts.append(counts(page))
        following = re.search(r'href="(/tasks/\?[^"]*after=[^"]+)"', page)
        url = following.group(1).replace("&amp;", "&") if following else ""
    assert seen == sorted(set(seen), key=seen.index) and set(seen) == set(officer_tasks(app))
    # every page counts the whole view, not what follows its cursor
    assert len(seen) > 1 and pages_counts == [{"mine": 0, "group": len(seen)}] * len(seen)
    assert client.get("/tasks/?after=garbage").status_code == 422


def test_filters_offer_what_the_user_may_pick_and_narrow_the_list(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        investigated_case()  # 新城区: 撰写调查终结报告 waits
        tasks = {
            t.bpmn_id: t.id
            for t in db.session.execute(
                select(HumanTask).where(HumanTask.state == "READY", HumanTask.lane == "officer")
            ).scalars()
        }
        clue = db.session.execute(  # the demo complaint at 内蒙古北疆医药 (region 150100)
            select(HumanTask.id).where(
                HumanTask.bpmn_id == "c_register", HumanTask.state == "READY"
            )
        ).scalar_one()
    assert tasks["e_report"] != clue
    login(client, "officer")
    page = client.get("/tasks/").get_data(as_text=True)
    options = dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', page))
    assert options["E 审核"] == "E 审核" and options["150102"] == "新城区"
    assert "撰写调查终结报告" in options and "立案审批" not in options  # not the officer's lane
    assert "150200" not in options  # 包头 is outside the officer's scope

    def shown(**args: str) -> list[int]:
        return task_ids(client.get("/tasks/", query_string=args).get_data(as_text=True))

    everything = shown()
    assert {tasks["e_report"], clue} <= set(everything)
    assert shown(stage="E 审核") == [tasks["e_report"]]
    assert shown(task="撰写调查终结报告") == [tasks["e_report"]]
    assert clue not in shown(region="150102") and tasks["e_report"] in shown(region="150102")
    assert shown(q="内蒙古北疆医药") == [clue]


def test_waiting_task_queries_reach_the_partial_indexes(app: Flask) -> None:
    """The inbox, deadline and heatmap indexes hold READY rows only (migration 0025). A query
    reaches them only with their condition written as a literal: PostgreSQL's generic plan for
    a prepared statement (psycopg prepares a statement's fifth run) cannot use them for a bound
    state, and would walk every task row of the province instead."""
    statements: list[tuple[str, Any]] = []
    with app.app_context():

        @event.listens_for(db.engine, "before_cursor_execute")
        def keep(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
            if statement.startswith("SELECT") and "FROM human_task" in statement:
                statements.append((statement, parameters))

    pages = {
        "officer": ["/tasks/?view=group", "/tasks/?view=group&q=%E5%85%AC%E5%8F%B8"],
        "supervisor": ["/supervision/dashboard", "/supervision/heatmap?process=stage_a_warning"],
    }
    for username, paths in pages.items():
        client = app.test_client()
        login(client, username)
        for path in paths:
            assert client.get(path).status_code == 200
    conditions = [re.findall(r"human_task\.state = (\S+)", s) for s, _ in statements]
    assert sum(map(len, conditions)) >= 5
    assert {c for found in conditions for c in found} == {"'READY'"}
    with app.app_context():
        if db.engine.dialect.name == "sqlite":  # and the plans: each index serves its page
            used: set[str] = set()
            connection = db.engine.raw_connection()
            for statement, parameters in statements:
                plan = connection.cursor().execute("EXPLAIN QUERY PLAN " + statement, parameters)
                used.update(re.findall(r"INDEX (ix_human_task_\w+)", str(plan.fetchall())))
            connection.close()
            assert {"ix_human_task_inbox", "ix_human_task_due", "ix_human_task_element"} <= used
