"""A party registered in another province, through the API (issue 30, publicity across
provinces; 《市场监督管理行政处罚信息公示规定》第十条、第十三条): the enterprise is registered with
its 登记地, the decision is pushed through the 自治区局 within 10 working days, the registration
province publishes within 10 working days of receipt, and the dashboard judges those deadlines;
the 较低数额罚款 standard of the deciding or the registration province, by the setting.

The expected due days are counted by hand on the 2026 calendar (checked with
`chinese_calendar.is_workday`): Sunday 09-20 is a make-up working day, 09-25 to 09-27 中秋节,
10-01 to 10-07 国庆节, Saturday 10-10 a make-up working day. A task's due moment is the midnight
after its last day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.enforcement.cases import case_data
from app.enforcement.worker import run_once
from app.extensions import db
from app.models import Case, CaseFact, HumanTask
from app.platform.auth import create_token
from app.platform.parameters import set_parameter
from tests.conftest import login
from tests.integration.test_api import REPORT, Api, to_review
from tests.integration.test_credit_repair import USERS, at, midnight_after

HUBEI_COMPANY = {
    "credit_code": "91420100MA4K0ABC35",
    "name": "武汉楚天食品有限公司",
    "party_type": "LEGAL_PERSON",
    "domain": "FOOD",
    "credit_class": "B",
    "region_code": "150102",
    "registration_province": "420000",
    "address": "湖北省武汉市江汉区",
}


def due_of(api: Api, bpmn_id: str) -> dt.datetime | None:
    with api.app.app_context():
        return db.session.execute(
            select(HumanTask.due_at).where(
                HumanTask.case_id == api.case_id,
                HumanTask.bpmn_id == bpmn_id,
                HumanTask.state == "READY",
            )
        ).scalar_one()


def data_of(api: Api) -> dict[str, Any]:
    with api.app.app_context():
        case = db.session.get(Case, api.case_id)
        assert case is not None
        return case_data(case)


def refused(api: Api, user: str, bpmn_id: str, **data: Any) -> dict[str, Any]:
    """The step's answer when the server refuses it (422), the task left as it was."""
    tasks = api.client.get("/api/v1/tasks", headers=api.tokens[user]).get_json()["tasks"]
    task_id = next(
        t["id"] for t in tasks if t["case_id"] == api.case_id and t["bpmn_id"] == bpmn_id
    )
    response = api.client.post(
        f"/api/v1/tasks/{task_id}/complete", json=data, headers=api.tokens[user]
    )
    assert response.status_code == 422, response.get_json()
    return dict(response.get_json())


def register(client: FlaskClient, tokens: dict[str, dict[str, str]]) -> int:
    """The enterprise with its 登记地 through the API; an unknown province is refused with the
    reason and nothing is stored, then corrected."""
    headers = tokens["officer"]
    bad = client.post(
        "/api/v1/enterprises",
        json={**HUBEI_COMPANY, "registration_province": "990000"},
        headers=headers,
    )
    assert (
        bad.status_code == 422 and "未知省份代码: 990000" in bad.get_json()["details"]["enterprise"]
    )
    created = client.post("/api/v1/enterprises", json=HUBEI_COMPANY, headers=headers)
    assert created.status_code == 201, created.get_json()
    enterprise = created.get_json()["enterprise"]
    assert enterprise["registration_province"] == "420000"
    assert enterprise["registration_province_name"] == "湖北省"
    path = f"/api/v1/enterprises/{enterprise['id']}"
    wrong = client.patch(
        path, json={"registration_province": "42", "credit_code": "x"}, headers=headers
    )
    assert wrong.status_code == 422
    assert "未知省份代码: 42" in wrong.get_json()["details"]["enterprise"]
    assert "不能修改的字段: credit_code" in wrong.get_json()["details"]["enterprise"]
    assert client.get(path, headers=headers).get_json()["enterprise"]["registration_province"] == (
        "420000"
    )
    # 包头's officer may not correct 呼和浩特's enterprise
    assert (
        client.patch(path, json={"address": "x"}, headers=tokens["officer_bt"]).status_code == 403
    )
    fixed = client.patch(path, json={"address": "湖北省武汉市江汉区解放大道1号"}, headers=headers)
    assert fixed.status_code == 200
    assert fixed.get_json()["enterprise"]["address"] == "湖北省武汉市江汉区解放大道1号"
    return int(enterprise["id"])


@pytest.mark.parametrize(
    ("pushed_on", "by_registration", "in_time", "months"),
    [
        # pushed on the last day; Hubei's standard (organisations below ¥100,000): 3 months
        ("2026-09-22", True, True, 3),
        # pushed a day late (flagged); Inner Mongolia's standard (not set): 3 years
        ("2026-09-23", False, False, 36),
    ],
)
def test_a_party_registered_in_another_province(
    app: Flask,
    client: FlaskClient,
    pushed_on: str,
    by_registration: bool,
    in_time: bool,
    months: int,
) -> None:
    with app.app_context():
        set_parameter(
            "LOW_FINE_BY_REGISTRATION_PROVINCE", by_registration, dt.date(2026, 1, 1), None, "测试"
        )
        tokens = {u: {"Authorization": f"Bearer {create_token(u, 'pub')}"} for u in USERS}
    with at("2026-09-01"):
        enterprise_id = register(client, tokens)
        api = Api(app, client, tokens)
        to_review(api, HUBEI_COMPANY["credit_code"])
        assert data_of(api)["registration_province"] == "420000"
        api.do("officer", "e_report", **{**REPORT, "proposed_fine": 50000})
        api.do("reviewer", "e_case_review", approved=True)
        api.do("agency_head", "e_head_decision", head_decision="PENALTY")
        api.do("officer", "f_serve_notice", served_on=api.today, service_method="DIRECT")
        api.pass_time()  # the 5-working-day window (09-02 … 09-08) closes in silence

    # decided Wednesday 09-09; served within 7 working days: 09-10, 11, 14 … 18
    with at("2026-09-09"):
        api.today = "2026-09-09"
        api.do(
            "agency_head",
            "f_head_approval",
            head_approved=True,
            approved_sanctions=["FINE"],
            approved_fine=50000,
            head_approval_opinion="同意",
        )
        api.do(
            "officer", "g_penalty_decision", decided_on=api.today, sanctions=["FINE"], fine=50000
        )
        assert due_of(api, "g_serve_two") == midnight_after("2026-09-18")
        api.do(
            "officer",
            "g_serve_two",
            served_on=api.today,
            repair_notice_served=True,
            service_method="DIRECT",
        )
        data = data_of(api)
        assert data["low_fine_province"] == ("420000" if by_registration else None)
        assert data["publish"] is True and data["period_months"] == months
        # the push, not the 20-working-day publication: 10 working days after 09-09 are
        # 09-10 … 09-18 (7), Sunday 09-20 made up (8), 09-21, 09-22
        assert data["publish_cross"] is True and data["push_due"] == "2026-09-22"
        assert due_of(api, "g_push") == midnight_after("2026-09-22")
        detail = client.get(f"/api/v1/cases/{api.case_id}", headers=tokens["credit"]).get_json()
        assert dt.datetime.fromisoformat(detail["next_timer"]) == midnight_after("2026-09-22")
        tasks = client.get("/api/v1/tasks", headers=tokens["credit"]).get_json()["tasks"]
        assert [t["bpmn_id"] for t in tasks if t["case_id"] == api.case_id] == ["g_push"]
        # the case page shows the push deadline by its last day
        login(client, "credit")
        page = client.get(f"/cases/{api.case_id}").get_data(as_text=True)
        assert "推送期限届满" in page and "2026年9月22日" in page
        assert "湖北省" in page  # the party's 登记地, in words
        # not before the decision
        answer = refused(api, "credit", "g_push", pushed_on="2026-09-08", via_home_bureau=True)
        assert "推送日期不能早于决定日期" in str(answer)

    if pushed_on > "2026-09-22":  # the deadline passes: flagged by the worker
        with app.app_context():
            fired = run_once("w", midnight_after("2026-09-22") + dt.timedelta(minutes=1))
            assert fired["fired"] == 1
        assert data_of(api)["push_overdue"] is True
    with at(pushed_on):
        api.do("credit", "g_push", pushed_on=pushed_on, via_home_bureau=True)

    # received Thursday 09-24; published there within 10 working days: 09-28 … 30 (3),
    # 10-08, 10-09 (5), Saturday 10-10 made up (6), 10-12 … 10-15 (10)
    with at("2026-09-24"):
        answer = refused(api, "credit", "g_remote_receipt", received_on="2026-09-21")
        assert "收到日期不能早于推送日期" in str(answer)
        api.do("credit", "g_remote_receipt", received_on="2026-09-24")
        assert data_of(api)["publish_due"] == "2026-10-15"
        assert due_of(api, "g_publish_remote") == midnight_after("2026-10-15")
    with at("2026-10-14"):
        api.do("credit", "g_publish_remote", published_on="2026-10-14")
        api.do("credit", "g_serious_list", serious_list=False)
        assert api.stage() == "H 执行"
        with app.app_context():
            fact = db.session.get(CaseFact, api.case_id)
            assert fact is not None
            assert fact.published_on == dt.date(2026, 10, 14)
            assert fact.published_in_time is in_time
        record = client.get(f"/api/v1/enterprises/{enterprise_id}", headers=tokens["officer"])
        assert record.get_json()["publicity"] == "行政处罚信息公示中"
        login(client, "credit")  # weeks later: the morning's session has long ended
        page = client.get(f"/enterprises/{enterprise_id}").get_data(as_text=True)
        assert "湖北省" in page and "处罚信息推送至登记地" in page
        assert "处罚信息公示（登记地）" in page
