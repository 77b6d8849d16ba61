"""Separation of duties and case numbers (issue 29, items 7 and 8), through the API, the screens
and the services: investigators are chosen at filing from the region's officers holding a 执法证号
(≥2), bound to the investigation and kept out of its review, hearing and approval; a drawn
inspection names its drawn inspectors and nobody else; a filed case gets a gap-free 立案号 of its
unit and year in the filing transaction, every other record a registration number of its kind."""

from __future__ import annotations

import datetime as dt
import re
import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.clock import china_today
from app.enforcement import inbox as inbox_service
from app.enforcement import tasks as task_service
from app.enforcement.documents import issue
from app.extensions import db
from app.models import (
    AuditEvent,
    Case,
    CaseOfficer,
    HumanTask,
    SamplingTarget,
    User,
    UserRole,
)
from app.platform import Forbidden, InvalidFields
from app.platform.auth import create_token, create_user, set_certificate
from app.platform.sequences import current_number
from app.reference.roles import Role
from tests.conftest import login
from tests.integration.cases import (
    INVESTIGATORS,
    REPORT,
    account,
    case_at_filing,
    complete,
    investigated_case,
    investigator_ids,
    notified_weeks_ago,
    ready,
    rectify_inspection_case,
    reviewed_case,
    warning_case,
)
from tests.integration.test_documents import pdf_text
from tests.integration.test_sampling_draws import _draw

YEAR = china_today().year
COUNTER = f"filing:150100:{YEAR}"  # 呼和浩特's 立案号 of this year


def _token(app: Flask, username: str) -> dict[str, str]:
    with app.app_context():
        return {"Authorization": f"Bearer {create_token(username, 'duties-test')}"}


def _task_id(case_id: int, bpmn_id: str) -> int:
    return next(t.id for t in ready(case_id) if t.bpmn_id == bpmn_id)


def _filing_state(case_id: int) -> tuple[Any, ...]:
    """What a filing writes: the case's 立案号 and officers, the counter, completions."""
    case = db.session.get(Case, case_id, populate_existing=True)
    assert case is not None
    officers = db.session.scalar(
        select(func.count()).select_from(CaseOfficer).where(CaseOfficer.case_id == case_id)
    )
    completions = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "complete_task")
    )
    return case.filing_no, officers, current_number(COUNTER), completions


def test_investigators_are_chosen_from_the_regions_certified_officers_through_the_api(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        case_id = case_at_filing()
        task_id = _task_id(case_id, "c_assign")
        officer, liu, bt = (account(n) for n in ("officer", "inspector_liu", "officer_bt"))
        # an officer of 呼和浩特 without a certificate, and a reviewer with one
        ids = {"officer": officer.id, "liu": liu.id, "bt": bt.id}
        team_names = f"{officer.display_name}、{liu.display_name}"
        ids["new"] = create_user(
            "officer_new", "demo", "新执法（呼和浩特）", "150100", ["officer"], is_demo=True
        ).id
        ids["reviewer"] = set_certificate("reviewer", "150100R0001").id
        before = _filing_state(case_id)
    headers = _token(app, "unit_head")
    offered = client.get(f"/api/v1/tasks/{task_id}", headers=headers).get_json()
    field = next(f for f in offered["form"]["fields"] if f["name"] == "case_officers")
    offered_ids = {c["value"] for c in field["choices"]}
    assert {ids["officer"], ids["liu"]} <= offered_ids
    assert not offered_ids & {ids["bt"], ids["new"], ids["reviewer"]}
    assert any("执法证号" in c["label"] for c in field["choices"])
    url = f"/api/v1/tasks/{task_id}/complete"
    refused = {
        "执法人员不少于两人": [ids["officer"]],
        "不是本案所在地区（新城区）的执法人员": [ids["officer"], ids["bt"]],
        "没有登记行政执法证号": [ids["officer"], ids["new"]],
        "不是执法人员": [ids["officer"], ids["reviewer"]],
        "请从列表中选择人员": "王执法、张三",
    }
    for reason, chosen in refused.items():
        response = client.post(url, json={"case_officers": chosen}, headers=headers)
        assert response.status_code == 422, response.get_json()
        assert reason in str(response.get_json()["details"]["case_officers"]), reason
        with app.app_context():
            assert _filing_state(case_id) == before  # nothing saved, no number taken
    response = client.post(
        url, json={"case_officers": [ids["officer"], ids["liu"]]}, headers=headers
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["case"]["filing_no"] == f"呼市监立〔{YEAR}〕1号"
    detail = client.get(f"/api/v1/cases/{case_id}", headers=headers).get_json()
    assert detail["filing_no"] == f"呼市监立〔{YEAR}〕1号"
    assert detail["case_no"].startswith(f"XS{YEAR}-150102-")  # its registration number stays
    with app.app_context():
        certs = {account(n).cert_no for n in INVESTIGATORS}
    assert [(o["duty"], o["cert_no"] in certs) for o in detail["officers"]] == [
        ("INVESTIGATOR", True),
        ("INVESTIGATOR", True),
    ]
    assert detail["data"]["case_officers"] == team_names


def test_the_filing_screen_offers_the_officers_and_refuses_typed_names(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        case_id = case_at_filing()
        task_id = _task_id(case_id, "c_assign")
        officer, liu = account("officer"), account("inspector_liu")
        before = _filing_state(case_id)
    token = login(client, "unit_head")
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert f'value="{liu.id}"' in page and f"{liu.display_name}（执法证号 {liu.cert_no}）" in page
    for posted, reason in (
        ("王执法、张三", "请从列表中选择人员"),
        ([str(officer.id)], "执法人员不少于两人"),
    ):
        response = client.post(
            f"/tasks/{task_id}", data={"csrf_token": token, "case_officers": posted}
        )
        assert response.status_code == 422 and reason in response.get_data(as_text=True)
        with app.app_context():
            assert _filing_state(case_id) == before
    chosen = [str(officer.id), str(liu.id)]
    response = client.post(f"/tasks/{task_id}", data={"csrf_token": token, "case_officers": chosen})
    assert response.status_code == 303
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f"呼市监立〔{YEAR}〕1号" in page
    shown = re.search(r'id="officers-investigator">(.*?)</dd>', page)
    assert shown and f"{officer.display_name}（执法证号 {officer.cert_no}）" in shown.group(1)
    assert "立案号" in page


def test_only_the_investigators_complete_the_investigation(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        case_id = case_at_filing()
        complete(case_id, "c_assign", "unit_head", case_officers=investigator_ids())
        task_id = _task_id(case_id, "d_investigate")
    body = {"evidence_summary": "证据", "next_action": "CONCLUDE"}
    # another certified officer of the same unit: API and screen refuse, nothing stored
    response = client.post(
        f"/api/v1/tasks/{task_id}/complete", json=body, headers=_token(app, "inspector_chen")
    )
    assert response.status_code == 403
    assert "只能由立案时指定的办案人员" in response.get_json()["message"]
    other = app.test_client()
    token = login(other, "inspector_chen")
    response = other.post(f"/tasks/{task_id}", data={"csrf_token": token, **body})
    assert response.status_code == 403 and "办案人员" in response.get_data(as_text=True)
    with app.app_context():
        assert [t.bpmn_id for t in ready(case_id)] == ["d_investigate"]
        # the second investigator may, and so the report is theirs too
        complete(case_id, "d_investigate", "inspector_liu", **body)
        with pytest.raises(Forbidden, match="只能由立案时指定的办案人员"):
            complete(case_id, "e_report", "inspector_chen", **REPORT)
        complete(case_id, "e_report", "officer", **REPORT)


@pytest.mark.parametrize(
    ("role", "bpmn_id", "data", "refused_as"),
    [
        ("legal_reviewer", "e_case_review", {"approved": True, "opinion": ""}, "审核人员"),
        (
            "agency_head",
            "e_head_decision",
            {"head_decision": "PENALTY", "head_opinion": ""},
            "审批负责人",
        ),
    ],
)
def test_a_designated_investigator_may_not_review_or_approve(
    app: Flask, client: FlaskClient, role: str, bpmn_id: str, data: dict[str, Any], refused_as: str
) -> None:
    with app.app_context():
        case_id = investigated_case()  # inspector_liu is named but did no investigating step
        complete(case_id, "e_report", "officer", **REPORT)
        if bpmn_id == "e_head_decision":
            complete(case_id, "e_case_review", "reviewer", approved=True, opinion="")
        liu = account("inspector_liu")
        db.session.add(UserRole(user_id=liu.id, role=role))
        db.session.commit()
        task_id = _task_id(case_id, bpmn_id)
    response = client.post(
        f"/api/v1/tasks/{task_id}/complete", json=data, headers=_token(app, "inspector_liu")
    )
    assert response.status_code == 403
    assert (
        f"您是本案立案时指定的办案人员，不能担任本案的{refused_as}"
        in response.get_json()["message"]
    )
    with app.app_context():
        assert [t.bpmn_id for t in ready(case_id)] == [bpmn_id]


@pytest.mark.parametrize(
    "investigator",
    [
        "officer",  # verified the clue and wrote the report
        "inspector_liu",  # named at filing, did no investigating step
    ],
)
def test_an_investigator_may_not_preside_over_the_hearing(app: Flask, investigator: str) -> None:
    with app.app_context():
        case_id = notified_weeks_ago("hearing_request", proposed_fine=150000, fine_max=200000)
        today = china_today().isoformat()
        db.session.add(UserRole(user_id=account(investigator).id, role="hearing_officer"))
        db.session.commit()
        hearing = {
            "hearing_date": (china_today() + dt.timedelta(days=21)).isoformat(),
            "hearing_notice_served_on": today,
            "hearing_location": "第一听证室",
        }
        with pytest.raises(Forbidden, match="不能担任本案的听证主持人"):
            complete(case_id, "f_schedule_hearing", investigator, **hearing)
        assert [t.bpmn_id for t in ready(case_id)] == ["f_schedule_hearing"]
        complete(case_id, "f_schedule_hearing", "hearing", **hearing)


def test_documents_after_filing_carry_the_filing_number_and_the_investigators(app: Flask) -> None:
    with app.app_context():
        case_id = reviewed_case("PENALTY")
        notice = issue(case_id, "PENALTY_NOTICE", account("officer"))
        text = pdf_text(notice.pdf)
        assert f"立案号：呼市监立〔{YEAR}〕1号" in text
        for name in INVESTIGATORS:
            person = account(name)
            assert f"{person.display_name}（执法证号：{person.cert_no}）" in text


def test_drawn_inspectors_are_locked_into_the_inspection_record(
    app: Flask, client: FlaskClient
) -> None:
    token = login(client, "credit")
    assert _draw(client, token) == 303
    with app.app_context():
        target = db.session.execute(select(SamplingTarget).limit(1)).scalar_one()
        task = db.session.execute(
            select(HumanTask).where(HumanTask.case_id == target.case_id)
        ).scalar_one()
        drawn = (
            db.session.execute(select(CaseOfficer).where(CaseOfficer.case_id == target.case_id))
            .scalars()
            .all()
        )
        assert [(o.duty, o.display_name) for o in drawn] == [
            ("INSPECTOR", name) for name in target.inspector_names
        ]
        assert all(o.cert_no for o in drawn)
        inspector = db.session.get(User, task.assignee_id)
        assert inspector is not None
        username, task_id, case_id = inspector.username, task.id, target.case_id
    names = "、".join(target.inspector_names)
    record = {
        "inspection_type": "RANDOM",
        "draw_id": "",
        "inspection_date": china_today().isoformat(),
        "inspectors": f"{target.inspector_names[0]}、张三",  # one replaced by a typed name
        "location": "经营场所",
        "findings": "未发现问题",
        "result": "COMPLIANT",
    }
    headers = _token(app, username)
    response = client.post(f"/api/v1/tasks/{task_id}/complete", json=record, headers=headers)
    assert response.status_code == 422
    assert "由抽取结果确定" in response.get_json()["details"]["inspectors"]
    screen = app.test_client()
    screen_token = login(screen, username)
    page = screen.get(f"/tasks/{task_id}").get_data(as_text=True)
    shown = re.search(r'<input[^>]*id="inspectors"[^>]*>', page)
    assert shown and "readonly" in shown.group(0) and names in shown.group(0)
    response = screen.post(f"/tasks/{task_id}", data={"csrf_token": screen_token, **record})
    assert response.status_code == 422 and "不能更换" in response.get_data(as_text=True)
    with app.app_context():
        assert [t.id for t in ready(case_id)] == [task_id]
    response = client.post(
        f"/api/v1/tasks/{task_id}/complete", json={**record, "inspectors": names}, headers=headers
    )
    assert response.status_code == 200, response.get_json()
    page = screen.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "检查人员（双随机抽取）" in page and drawn[0].cert_no in page


def test_every_kind_of_record_has_its_own_registration_number(app: Flask) -> None:
    with app.app_context():
        warning = db.session.get(Case, warning_case())
        clue = db.session.get(Case, case_at_filing())
        assert warning is not None and clue is not None
        assert warning.case_no.startswith(f"YJ{YEAR}-") and warning.filing_no is None
        assert clue.case_no.startswith(f"XS{YEAR}-150102-") and clue.filing_no is None
        inspection = db.session.get(Case, rectify_inspection_case())
        assert inspection is not None and inspection.case_no.startswith(f"JC{YEAR}-150102-")


def test_a_refused_or_rolled_back_filing_leaves_no_gap(app: Flask) -> None:
    with app.app_context():
        first, second = case_at_filing("甲"), case_at_filing("乙")
        with pytest.raises(InvalidFields):  # one investigator: refused before anything is written
            complete(first, "c_assign", "unit_head", case_officers=investigator_ids()[:1])
        db.session.rollback()
        # a filing that went through and was then rolled back (the commit failed, say)
        task = next(t for t in ready(first) if t.bpmn_id == "c_assign")
        data = {"case_officers": investigator_ids()}
        case, _ = task_service.complete_in_transaction(task, data, account("unit_head"))
        assert case.filing_no == f"呼市监立〔{YEAR}〕1号"
        db.session.rollback()
        assert current_number(COUNTER) == 0
        assert db.session.scalar(select(func.count()).select_from(CaseOfficer)) == 0
        complete(second, "c_assign", "unit_head", case_officers=investigator_ids())
        complete(first, "c_assign", "unit_head", case_officers=investigator_ids())
        numbers = [db.session.get(Case, i).filing_no for i in (second, first)]  # type: ignore[union-attr]
        assert numbers == [f"呼市监立〔{YEAR}〕1号", f"呼市监立〔{YEAR}〕2号"]


@pytest.mark.parametrize("first_commits", [True, False])
def test_concurrent_filings_queue_on_the_counter_and_leave_no_gap(
    postgres_app: Flask, first_commits: bool
) -> None:
    """Two filings of one unit at once: the second waits for the first's counter row; if the
    first is rolled back the second gets its number, otherwise the next one."""
    app = postgres_app
    with app.app_context():
        cases = [case_at_filing("甲"), case_at_filing("乙")]
    taken, finished = threading.Event(), []
    failures: list[BaseException] = []

    def first() -> None:
        try:
            with app.app_context():
                task = next(t for t in ready(cases[0]) if t.bpmn_id == "c_assign")
                data = {"case_officers": investigator_ids()}
                task_service.complete_in_transaction(task, data, account("unit_head"))
                taken.set()  # the counter row is locked until this transaction ends
                threading.Event().wait(1.0)
                finished.append("first")
                if first_commits:
                    db.session.commit()
                else:
                    db.session.rollback()
                db.session.remove()
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
            taken.set()

    def second() -> None:
        try:
            taken.wait()
            with app.app_context():
                complete(cases[1], "c_assign", "unit_head", case_officers=investigator_ids())
                finished.append("second")
                db.session.remove()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    assert finished == ["first", "second"]  # the second waited for the first
    with app.app_context():
        numbers = [db.session.get(Case, i).filing_no for i in cases]  # type: ignore[union-attr]
        if first_commits:
            assert numbers == [f"呼市监立〔{YEAR}〕1号", f"呼市监立〔{YEAR}〕2号"]
        else:
            assert numbers == [None, f"呼市监立〔{YEAR}〕1号"]
        assert current_number(COUNTER) == (2 if first_commits else 1)


def test_investigating_work_shows_only_in_the_designated_investigators_inboxes(
    app: Flask,
) -> None:
    with app.app_context():
        case_id = investigated_case()  # officer + inspector_liu; the report is to be written
        task = next(t for t in ready(case_id) if t.bpmn_id == "e_report")

        def listed(username: str) -> bool:
            rows = inbox_service.page(account(username), {"view": "group"}).rows
            return task.id in {row.id for row in rows}

        assert listed("officer") and listed("inspector_liu")
        # another officer of 呼和浩特 could not complete it (403), so it is not offered either
        other = account("inspector_chen")
        assert Role.OFFICER.value in other.role_names and other.region_code.startswith("1501")
        assert not listed("inspector_chen")
        with pytest.raises(Forbidden):
            complete(case_id, "e_report", "inspector_chen", **REPORT)
