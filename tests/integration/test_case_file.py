"""The case file page: stage progress across the process's stages and the running clocks."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.clock import china_today
from app.enforcement.documents import issue
from app.extensions import db
from app.models import AuditEvent, CaseComment
from app.platform.auth import create_user
from tests.conftest import login
from tests.integration.cases import (
    account,
    complete,
    ready,
    reviewed_case,
    self_check_due_day,
    warning_case,
)


def stage_states(html: str) -> dict[str, str]:
    found = re.findall(r'<li class="stage-(\w+)" data-element-id="(\w+)">', html)
    return {element: state for state, element in found}


def test_stage_progress_and_clocks_of_a_warning_case(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        case_id = warning_case()
        due = self_check_due_day()
    login(client, "officer")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    stages = stage_states(page)
    assert list(stages)[:3] == ["m_a", "m_b", "m_c"] and list(stages)[-1] == "m_l"
    assert stages["m_a"] == "active"
    assert {stages[s] for s in stages if s != "m_a"} == {"pending"}
    clocks = page[
        page.index('id="case-clocks"') : page.index("</table>", page.index('id="case-clocks"'))
    ]
    rows = re.findall(r"<td>([^<]+)</td><td>([^<]+)</td>\s*<td>([^<]+)</td>", clocks)
    last_day = f"{due.year}年{due.month}月{due.day}日"
    assert {(name, day) for name, day, _ in rows} == {
        ("自查整改期届满未反馈", last_day),  # the diagram's timer
        ("登记自查整改反馈", last_day),  # the task's due date
    }
    assert {int(left) for _, _, left in rows} <= {4, 5}  # 5 working days, today may count


def test_comments_are_added_escaped_refused_when_empty_and_denied_elsewhere(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        case_id = warning_case()
        create_user("baotou", "long enough pw", "包头执法", "150200", ["officer"])
    token = login(client, "officer")
    added = client.post(
        f"/cases/{case_id}/comments",
        data={"csrf_token": token, "body": "请<script>核实</script>冷链记录"},
    )
    assert added.status_code == 303 and added.location.endswith(f"/cases/{case_id}#comments")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "请&lt;script&gt;核实&lt;/script&gt;冷链记录" in page and "<script>核实" not in page

    empty = client.post(f"/cases/{case_id}/comments", data={"csrf_token": token, "body": "  "})
    assert empty.status_code == 422 and "请填写意见内容" in empty.get_data(as_text=True)
    too_long = client.post(
        f"/cases/{case_id}/comments", data={"csrf_token": token, "body": "长" * 2001}
    )
    assert too_long.status_code == 422
    assert client.post(f"/cases/{case_id}/comments", data={"body": "无令牌"}).status_code == 400

    other = app.test_client()
    other_token = login(other, "baotou", "long enough pw")
    denied = other.post(
        f"/cases/{case_id}/comments", data={"csrf_token": other_token, "body": "越权"}
    )
    assert denied.status_code == 403
    with app.app_context():
        bodies = (
            db.session.execute(select(CaseComment.body).where(CaseComment.case_id == case_id))
            .scalars()
            .all()
        )
        assert bodies == ["请<script>核实</script>冷链记录"]
        assert (
            db.session.execute(
                select(func.count()).where(AuditEvent.action == "add_comment")
            ).scalar_one()
            == 1
        )


def timeline_of(html: str) -> str:
    start = html.index('<ol class="timeline">')
    return html[start : html.index("</ol>", start)]


def test_the_timeline_shows_what_each_action_set(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        case_id = warning_case()
        doc_no = issue(case_id, "WARNING_NOTICE", account("officer")).doc_no
    login(client, "officer")
    timeline = timeline_of(client.get(f"/cases/{case_id}").get_data(as_text=True))
    today = china_today()
    assert "王执法（呼和浩特） · 办理 · 制发违法风险预警提醒书" in timeline  # names, not logins
    assert f"<dt>文书</dt><dd>违法风险预警提醒书</dd><dt>文号</dt><dd>{doc_no}</dd>" in timeline
    # the screens' labels with the values in Chinese form: choice labels, dates, free text
    assert re.search(r"<dt>风险情形</dt><dd>个体风险、尚未违法</dd>", timeline)
    assert f"<dd>{today.year}年{today.month}月{today.day}日</dd>" in timeline
    assert "<dd>冷链</dd>" in timeline and "INDIVIDUAL_RISK" not in timeline


def test_the_officer_records_the_partys_statement_once(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        case_id = reviewed_case()
        complete(
            case_id,
            "f_serve_notice",
            "officer",
            served_on=china_today().isoformat(),
            service_method="DIRECT",
        )
    reviewer = app.test_client()
    login(reviewer, "reviewer")
    assert 'id="party-form"' not in reviewer.get(f"/cases/{case_id}").get_data(as_text=True)
    token = login(client, "officer")
    assert 'id="party-form"' in client.get(f"/cases/{case_id}").get_data(as_text=True)

    empty = client.post(
        f"/cases/{case_id}/party-requests",
        data={"csrf_token": token, "kind": "statement", "summary": " "},
    )
    assert empty.status_code == 422 and "请填写当事人意见的内容。" in empty.get_data(as_text=True)
    with app.app_context():
        assert [t.bpmn_id for t in ready(case_id)] == []  # nothing delivered

    done = client.post(
        f"/cases/{case_id}/party-requests",
        data={"csrf_token": token, "kind": "statement", "summary": "已全部下架，请求<b>从轻</b>"},
    )
    assert done.status_code == 303
    with app.app_context():
        assert [t.bpmn_id for t in ready(case_id)] == []  # the window stays open
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="party-form"' in page  # more may come before the window ends
    assert "<dd>已全部下架，请求&lt;b&gt;从轻&lt;/b&gt;</dd>" in timeline_of(page)
    for kind, summary in (("statement", "补充：已退赔消费者"), ("waiver", "放弃听证权利")):
        answer = client.post(
            f"/cases/{case_id}/party-requests",
            data={"csrf_token": token, "kind": kind, "summary": summary},
        )
        assert answer.status_code == 303
    with app.app_context():
        # the written waiver ends the window early; both statements are to be reviewed
        assert [t.bpmn_id for t in ready(case_id)] == ["f_review_statement"]
        review = ready(case_id)[0].id
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="party-form"' not in page
    screen = client.get(f"/tasks/{review}").get_data(as_text=True)
    answers = screen[screen.index('id="party-answers"') :]
    assert "当事人已书面放弃陈述、申辩和听证权利。" in answers
    assert "<li>已全部下架，请求&lt;b&gt;从轻&lt;/b&gt;</li>" in answers
    assert "<li>补充：已退赔消费者</li>" in answers

    again = client.post(
        f"/cases/{case_id}/party-requests",
        data={"csrf_token": token, "kind": "hearing_request", "summary": "要求听证"},
    )
    assert again.status_code == 409
    assert "案件当前不在等待当事人陈述申辩或听证申请。" in again.get_data(as_text=True)

    other = app.test_client()
    other_token = login(other, "officer_bt")
    denied = other.post(
        f"/cases/{case_id}/party-requests",
        data={"csrf_token": other_token, "kind": "statement", "summary": "越权"},
    )
    assert denied.status_code == 403


def test_a_stage_shows_the_diagram_of_the_process_it_calls(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        case_id = warning_case()  # a_issue done: waiting for the self-check feedback
    login(client, "officer")
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f'href="/cases/{case_id}?process=stage_a_warning#diagram"' in page
    assert 'id="diagram-caption"' not in page

    page = client.get(f"/cases/{case_id}?process=stage_a_warning").get_data(as_text=True)
    assert "子流程：A 风险预警与行政指导" in page
    assert f'data-xml-url="/cases/{case_id}/diagram?process=stage_a_warning"' in page
    xml = client.get(f"/cases/{case_id}/diagram?process=stage_a_warning")
    assert xml.status_code == 200 and b'<bpmn:process id="stage_a_warning"' in xml.data
    states = client.get(f"/cases/{case_id}/diagram?process=stage_a_warning&format=states")
    assert {"a_assess", "a_issue"} <= set(states.get_json()["COMPLETED"])
    assert states.get_json()["READY"] == ["a_feedback"]

    # only the case's own processes: not an arbitrary file of the library
    refused = client.get(f"/cases/{case_id}/diagram?process=walking_skeleton")
    assert refused.status_code == 404
    other = app.test_client()
    login(other, "officer_bt")
    assert other.get(f"/cases/{case_id}/diagram?process=stage_a_warning").status_code == 403
