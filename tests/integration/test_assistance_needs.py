"""服务企业（实施意见 三(一)）: 局处长联系企业, 帮扶需求清单 and 进园区进企业 played to their
ends on the real engine (timers fired by the worker at a chosen moment), and the 帮扶需求 list:
where each need stands, within the reader's region only."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.clock import china_today
from app.enforcement.cases import case_data, start_case
from app.enforcement.worker import run_once
from app.extensions import db
from app.models import Case, Enterprise, HumanTask, Job, Notification
from tests.conftest import login
from tests.integration.cases import CHINA, account, complete, ready

MINUTE = dt.timedelta(minutes=1)


def enterprise_in(region_code: str) -> int:
    return db.session.execute(
        select(Enterprise.id).where(Enterprise.region_code == region_code)
    ).scalar_one()


def start(process_id: str, region_code: str = "150102", username: str = "officer") -> Case:
    return start_case(account(username), process_id, enterprise_in(region_code), "服务企业")


def waiting(case_id: int) -> list[tuple[str, str | None]]:
    return [(t.bpmn_id, t.lane) for t in ready(case_id)]


def day(offset: int = 0) -> str:
    return (china_today() + dt.timedelta(days=offset)).isoformat()


def timer_due(case_id: int) -> dt.datetime:
    return db.session.execute(select(Job.due_at).where(Job.case_id == case_id)).scalar_one()


def midnight_after(iso_day: str) -> dt.datetime:
    return dt.datetime.combine(
        dt.date.fromisoformat(iso_day) + dt.timedelta(days=1), dt.time(), CHINA
    )


def notices(case_id: int) -> list[tuple[str, str]]:
    return [
        (role, kind)
        for role, kind in db.session.execute(
            select(Notification.role, Notification.kind)
            .where(Notification.case_id == case_id)
            .order_by(Notification.id)
        )
    ]


def closed_at(case_id: int) -> tuple[str, str | None]:
    case = db.session.get(Case, case_id)
    assert case is not None
    return case.status, case.stage


def row_of(page: str, case_id: int) -> str:
    """The list row of one case (the page's whole <tr>)."""
    marker = f'data-case-id="{case_id}"'
    assert marker in page, f"case {case_id} not listed"
    return page.split(marker, 1)[1].split("</tr>", 1)[0]


def need_list(client: FlaskClient, query: str = "") -> str:
    response = client.get(f"/service/needs{query}")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


NEED: dict[str, Any] = {
    "need_category": "FINANCE_CREDIT",
    "need_description": "申请知识产权质押融资，需要办理专利权质押登记指导",
    "raised_on": None,  # today, set per test
    "need_contact": "张经理 13800000000",
}


def registered_need(region_code: str = "150102", username: str = "officer") -> int:
    case = start("service_assistance", region_code, username)
    complete(case.id, "sa_register", username, **{**NEED, "raised_on": day()})
    return case.id


def assigned_need(due: str) -> int:
    case_id = registered_need()
    complete(
        case_id,
        "sa_assign",
        "unit_head",
        responsible_department="知识产权科",
        responsible_person="刘科长",
        assist_due=due,
    )
    return case_id


def follow_up(case_id: int, solved: bool) -> None:
    complete(
        case_id,
        "sa_follow_up",
        "officer",
        followed_on=day(),
        progress="已对接银行和知识产权服务机构",
        solved=solved,
    )


def resolve_and_assess(case_id: int, satisfied: bool) -> None:
    complete(case_id, "sa_resolve", "officer", resolved_on=day(), resolution="指导办结质押登记")
    complete(
        case_id, "sa_feedback", "officer", feedback_on=day(), satisfied=satisfied, feedback_notes=""
    )


# ---------------------------------------------------------------- the processes


def test_the_service_processes_can_be_started_from_the_new_case_page(
    app: Flask, client: FlaskClient
) -> None:
    token = login(client, "officer")
    page = client.get("/cases/new").get_data(as_text=True)
    offered = set(re.findall(r'<option value="([a-z_]+)"', page))
    assert {"service_liaison", "service_assistance", "service_park_visit"} <= offered
    enterprise = re.search(r'<option value="(\d+)">呼和浩特市青城乳业', page)
    assert enterprise
    response = client.post(
        "/cases/new",
        data={
            "csrf_token": token,
            "process_id": "service_park_visit",
            "entry": "CLUE",
            "enterprise_id": enterprise.group(1),
            "title": "金桥开发区政企座谈会",
        },
    )
    assert response.status_code == 303
    case_id = int(response.location.rsplit("/", 1)[1])
    with app.app_context():
        assert closed_at(case_id) == ("OPEN", "进园区进企业、政企座谈")
        assert waiting(case_id) == [("sp_plan", "officer")]
    assert client.get(f"/cases/{case_id}").status_code == 200


def test_liaison_assigned_confirmed_contacted_in_cycle_and_ended(app: Flask) -> None:
    with app.app_context():
        case_id = start("service_liaison").id
        assert closed_at(case_id) == ("OPEN", "局处长联系企业")
        assert waiting(case_id) == [("sl_assign", "unit_head")]
        assignment = {
            "leader_name": "孙局长",
            "leader_post": "局长",
            "contact_cycle": "QUARTERLY",
            "liaison_focus": "乳制品质量提升",
        }
        complete(case_id, "sl_assign", "unit_head", **assignment)
        assert waiting(case_id) == [("sl_confirm", "agency_head")]
        complete(case_id, "sl_confirm", "agency_head", liaison_confirmed=False, confirm_opinion="")
        assert waiting(case_id) == [("sl_assign", "unit_head")]  # sent back
        complete(case_id, "sl_assign", "unit_head", **assignment)
        complete(case_id, "sl_confirm", "agency_head", liaison_confirmed=True, confirm_opinion="")
        assert waiting(case_id) == [("sl_contact", "officer")]
        # the first contact is due within one quarter of today
        due = timer_due(case_id)
        assert dt.timedelta(days=85) < due - dt.datetime.now(CHINA) < dt.timedelta(days=100)
        contact = ready(case_id)[0]
        assert contact.due_at == due

        # the quarter passes without a contact: the unit head is told, the contact still waits
        outcome = run_once("w", due + MINUTE)
        assert outcome.get("fired", 0) >= 1
        assert waiting(case_id) == [("sl_contact", "officer")]
        assert ("unit_head", "OVERDUE") in notices(case_id)
        assert case_data(db.session.get(Case, case_id))["contact_overdue"] is True  # type: ignore[arg-type]

        record = {"contact_way": "VISIT", "matters_raised": "希望指导申报自治区名牌产品"}
        complete(
            case_id,
            "sl_contact",
            "officer",
            contacted_on=day(),
            needs_found=True,
            liaison_next="CONTINUE",
            **record,
        )
        assert waiting(case_id) == [("sl_contact", "officer")]  # the next contact
        data = case_data(db.session.get(Case, case_id))  # type: ignore[arg-type]
        assert data["liaison_contacts"] == 1 and data["contact_overdue"] is False
        assert data["next_contact_due"] > day(85)
        complete(
            case_id,
            "sl_contact",
            "officer",
            contacted_on=day(),
            needs_found=False,
            liaison_next="END",
            **{**record, "contact_way": "PHONE"},
        )
        assert closed_at(case_id) == ("CLOSED", "联系结束")
        assert waiting(case_id) == []
        assert case_data(db.session.get(Case, case_id))["liaison_contacts"] == 2  # type: ignore[arg-type]


def test_need_followed_up_resolved_and_the_enterprise_satisfied(app: Flask) -> None:
    with app.app_context():
        case_id = registered_need()
        assert closed_at(case_id) == ("OPEN", "帮扶需求清单")
        assert waiting(case_id) == [("sa_assign", "unit_head")]
        complete(
            case_id,
            "sa_assign",
            "unit_head",
            responsible_department="知识产权科",
            responsible_person="刘科长",
            assist_due=day(10),
        )
        assert waiting(case_id) == [("sa_follow_up", "officer")]
        assert timer_due(case_id) == midnight_after(day(10))
        follow_up(case_id, solved=False)
        assert waiting(case_id) == [("sa_follow_up", "officer")]  # followed up again
        follow_up(case_id, solved=True)
        assert waiting(case_id) == [("sa_resolve", "officer")]
        assert db.session.execute(select(Job).where(Job.case_id == case_id)).first() is None
        resolve_and_assess(case_id, satisfied=True)
        assert closed_at(case_id) == ("CLOSED", "帮扶办结（企业满意）")
        data = case_data(db.session.get(Case, case_id))  # type: ignore[arg-type]
        assert (data["assist_result"], data["assist_escalations"]) == ("SATISFIED", 0)


def test_overdue_need_is_pressed_by_the_unit_head_and_done_again_once_when_unsatisfied(
    app: Flask, client: FlaskClient
) -> None:
    login(client, "unit_head")
    with app.app_context():
        case_id = assigned_need(due=day())  # due today
        due = timer_due(case_id)
        assert due == midnight_after(day())
        run_once("w", due - dt.timedelta(hours=1))
        assert waiting(case_id) == [("sa_follow_up", "officer")]  # not yet
    assert row_of(need_list(client), case_id).count('class="badge overdue"') == 0
    with app.app_context():
        assert run_once("w", due + MINUTE).get("fired", 0) >= 1
        assert waiting(case_id) == [("sa_escalate", "unit_head")]
        assert ("unit_head", "OVERDUE") in notices(case_id)
    row = row_of(need_list(client), case_id)
    assert 'data-overdue="yes"' in row and 'class="badge overdue"' in row
    assert "超期督办帮扶需求" in row and "督办 1 次" in row

    with app.app_context():
        complete(
            case_id, "sa_escalate", "unit_head", escalation_notes="限三日内办结", assist_due=day(3)
        )
        assert waiting(case_id) == [("sa_follow_up", "officer")]
        assert timer_due(case_id) == midnight_after(day(3))  # the new deadline
        follow_up(case_id, solved=True)
        resolve_and_assess(case_id, satisfied=False)
        assert waiting(case_id) == [("sa_follow_up", "officer")]  # done again, once
    row = row_of(need_list(client), case_id)
    assert "企业不满意，重新办理" in row and "跟踪办理帮扶需求" in row

    with app.app_context():
        follow_up(case_id, solved=True)
        resolve_and_assess(case_id, satisfied=False)
        assert closed_at(case_id) == ("CLOSED", "帮扶办结（企业不满意）")
        data = case_data(db.session.get(Case, case_id))  # type: ignore[arg-type]
        assert (data["assist_result"], data["assist_escalations"]) == ("UNSATISFIED", 1)
    row = row_of(need_list(client), case_id)
    assert "已解决，企业不满意" in row and "帮扶办结（企业不满意）" in row
    assert 'class="badge overdue"' not in row


def test_park_visit_planned_recorded_sent_back_and_approved(app: Flask) -> None:
    with app.app_context():
        case_id = start("service_park_visit").id
        complete(
            case_id,
            "sp_plan",
            "officer",
            visit_kind="PARK",
            venue="呼和浩特金桥经济技术开发区",
            planned_on=day(),
            participants="王执法、赵科长",
            visit_topics="个体工商户扶持政策",
        )
        record = {
            "held_on": day(),
            "enterprises_met": "青城乳业等 12 家",
            "issues_raised": "标准化生产改造资金不足",
            "policies_explained": "质量提升专项资金申报",
            "needs_found": False,
        }
        complete(case_id, "sp_record", "officer", **record)
        assert waiting(case_id) == [("sp_review", "unit_head")]
        complete(case_id, "sp_review", "unit_head", review_approved=False, review_opinion="补充")
        assert waiting(case_id) == [("sp_record", "officer")]  # sent back
        complete(
            case_id,
            "sp_record",
            "officer",
            **{**record, "needs_found": True, "needs_summary": "三家企业申请商标注册指导"},
        )
        complete(case_id, "sp_review", "unit_head", review_approved=True, review_opinion="")
        assert closed_at(case_id) == ("CLOSED", "走访座谈完成")
        assert waiting(case_id) == []


# ---------------------------------------------------------------- the list and the screens


def test_need_list_shows_status_within_the_readers_region_only(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        hohhot = assigned_need(due=day(7))
        hohhot_no = db.session.get(Case, hohhot).case_no  # type: ignore[union-attr]
        baotou = registered_need("150203", "officer_bt")
        baotou_no = db.session.get(Case, baotou).case_no  # type: ignore[union-attr]
        due_text = f"{china_today() + dt.timedelta(days=7):%Y年%-m月%-d日}"

    login(client, "officer")
    page = need_list(client)
    assert hohhot_no in page and baotou_no not in page
    row = row_of(page, hohhot)
    for shown in ("融资信用", NEED["need_description"], "呼和浩特市青城乳业有限公司"):
        assert shown in row, shown
    assert "<td>呼和浩特市 新城区</td>" in row and "知识产权科 刘科长" in row
    assert "跟踪办理帮扶需求" in row and due_text in row
    assert 'class="badge overdue"' not in row and "办理中" in row
    assert 'href="/service/needs"' in client.get("/cases/").get_data(as_text=True)  # nav

    other = app.test_client()
    login(other, "officer_bt")
    page = need_list(other)
    assert baotou_no in page and hohhot_no not in page
    row = row_of(page, baotou)
    assert "交办责任科室和责任人" in row and "<td>包头市 昆都仑区</td>" in row

    for reader in ("unit_head", "agency_head", "credit", "supervisor", "admin"):
        browser = app.test_client()
        login(browser, reader)
        page = need_list(browser)
        assert hohhot_no in page
        assert (baotou_no in page) == (reader in ("supervisor", "admin")), reader

    assert need_list(client, "?status=CLOSED").count("data-case-id=") == 0
    assert hohhot_no in need_list(client, "?status=OPEN")
    assert client.get("/service/needs?before=abc").status_code == 422

    for outsider in ("reviewer", "designer"):
        browser = app.test_client()
        login(browser, outsider)
        assert browser.get("/service/needs").status_code == 403
        assert 'href="/service/needs"' not in browser.get("/cases/").get_data(as_text=True)
    assert app.test_client().get("/service/needs").status_code == 302  # to the login page


def post_task(client: FlaskClient, token: str, task_id: int, **fields: str) -> tuple[int, str]:
    response = client.post(f"/tasks/{task_id}", data={"csrf_token": token, **fields})
    return response.status_code, response.get_data(as_text=True)


def ready_task(app: Flask, case_id: int) -> int:
    with app.app_context():
        return ready(case_id)[0].id


def test_service_screens_refuse_bad_input_with_422_and_store_nothing(
    app: Flask, client: FlaskClient
) -> None:
    token = login(client, "officer")
    with app.app_context():
        visit = start("service_park_visit").id
        need = start("service_assistance").id

    plan = ready_task(app, visit)
    status, page = post_task(
        client,
        token,
        plan,
        visit_kind="FORUM",
        venue="局三楼会议室",
        planned_on=day(-1),
        participants="王执法",
    )
    assert status == 422 and "计划日期不能早于今天。" in page
    status, _ = post_task(
        client,
        token,
        plan,
        visit_kind="FORUM",
        venue="局三楼会议室",
        planned_on=day(2),
        participants="王执法",
    )
    assert status == 303
    record = ready_task(app, visit)
    fields = {
        "held_on": day(),
        "enterprises_met": "8 家",
        "issues_raised": "办照时间长",
        "policies_explained": "登记便利化",
    }
    status, page = post_task(client, token, record, needs_found="yes", needs_summary=" ", **fields)
    assert status == 422 and "发现帮扶需求的，请列明需求。" in page

    register = ready_task(app, need)
    status, page = post_task(
        client, token, register, need_category="LOANS", need_description="贷款", raised_on=day()
    )
    assert status == 422 and "不是有效的选择" in page
    with app.app_context():
        assert waiting(visit) == [("sp_record", "officer")]
        assert waiting(need) == [("sa_register", "officer")]
        stored = db.session.get(HumanTask, register)
        assert stored is not None and stored.submitted_data is None

    with app.app_context():  # on to the enterprise's verdict, resolved today
        complete(need, "sa_register", "officer", **{**NEED, "raised_on": day()})
        complete(
            need,
            "sa_assign",
            "unit_head",
            responsible_department="登记注册科",
            responsible_person="陈科长",
            assist_due=day(5),
        )
        follow_up(need, solved=True)
        complete(need, "sa_resolve", "officer", resolved_on=day(), resolution="当场指导")
    feedback = ready_task(app, need)
    status, page = post_task(client, token, feedback, feedback_on=day(-1), satisfied="yes")
    assert status == 422 and "评价日期不能早于解决日期。" in page
    with app.app_context():
        assert waiting(need) == [("sa_feedback", "officer")]

    head = app.test_client()
    head_token = login(head, "unit_head")
    with app.app_context():
        liaison = start("service_liaison").id
    screen = head.get(f"/tasks/{ready_task(app, liaison)}").get_data(as_text=True)
    assert "联系领导姓名" in screen and "每季度" in screen
    status, page = post_task(
        head, head_token, ready_task(app, liaison), leader_name="孙局长", contact_cycle="YEARLY"
    )
    assert status == 422 and "此项必填。" in page and "不是有效的选择" in page
    with app.app_context():
        assigned = assigned_need(due=day(1))
        assert run_once("w", timer_due(assigned) + MINUTE).get("fired", 0) >= 1
    escalation = ready_task(app, assigned)
    status, page = post_task(
        head, head_token, escalation, escalation_notes="督办", assist_due=day(-1)
    )
    assert status == 422 and "办结期限不能早于今天。" in page
