"""Stage L through the API: the party's 信用修复申请 as an event, one notice to complete the
materials (一次性告知补正), acceptance within 2 working days, the decision within 15 and the end
of publicity within 3 after it (REPAIR_ACCEPT_WD, REPAIR_DECIDE_WD, REPAIR_STOP_PUBLISH_WD).

The expected due days are counted by hand on the 2026 calendar (checked with
`chinese_calendar.is_workday`): 09-25 is 中秋节, 10-01 to 10-07 国庆节, 10-10 (Saturday) a
make-up working day. A task's due moment is the midnight after its last day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.clock import CHINA_TZ, travel_to
from app.enforcement.cases import case_data
from app.enforcement.worker import run_once
from app.extensions import db
from app.models import Case, HumanTask, Notification
from app.platform.auth import create_token, create_user
from tests.integration.test_api import REPORT, Api, decide_serve_and_publish, finish, to_review

USERS = ("officer", "unit_head", "reviewer", "agency_head", "credit", "supervisor", "officer_bt")


def at(day: str, hour: int = 10) -> Any:
    return travel_to(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), CHINA_TZ))


def midnight_after(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), CHINA_TZ) + dt.timedelta(
        days=1
    )


def noticed(api: Api) -> None:
    """A fine of ¥20,000.00 proposed; the 行政处罚告知书 served on 2026-01-05."""
    to_review(api)
    api.do("officer", "e_report", **REPORT)
    api.do("reviewer", "e_case_review", approved=True)
    api.do("agency_head", "e_head_decision", head_decision="PENALTY")
    api.do("officer", "f_serve_notice", served_on=api.today, service_method="DIRECT")
    api.pass_time()  # the statement/hearing window closes in silence


def decided_and_published(api: Api) -> None:
    """Decided, served and published on 2026-01-13."""
    api.today = "2026-01-13"
    decide_serve_and_publish(api, 20000)


def decided_and_closed(api: Api) -> None:
    """Not listed, paid, rectified, closed and visited: stage L waits for the earliest repair
    date (6 months of publicity)."""
    decided_and_published(api)
    api.do("credit", "g_serious_list", serious_list=False)
    api.do("officer", "h_payment", payment_status="PAID", paid_on=api.today, amount_paid=20000)
    finish(api)
    assert api.stage() == "L 信用修复"
    api.pass_time_to("l_wait_earliest")  # 2026-07-13: six months of publicity have passed


def applies(api: Api, event_id: str, user: str = "credit") -> tuple[int, dict[str, Any]]:
    with api.app.app_context():
        case_no = db.session.get(Case, api.case_id).case_no  # type: ignore[union-attr]
    response = api.client.post(
        "/api/v1/events",
        headers=api.tokens[user],
        json={
            "event_id": event_id,
            "type": "repair_application",
            "case_no": case_no,
            "payload": {"summary": "信用修复申请书、守信承诺书"},
        },
    )
    return response.status_code, dict(response.get_json())


def task_row(api: Api, bpmn_id: str) -> HumanTask:
    return db.session.execute(
        select(HumanTask).where(
            HumanTask.case_id == api.case_id,
            HumanTask.bpmn_id == bpmn_id,
            HumanTask.state == "READY",
        )
    ).scalar_one()


def data_of(api: Api) -> dict[str, Any]:
    case = db.session.get(Case, api.case_id)
    assert case is not None
    return case_data(case)


def test_a_credit_repair_with_one_notice_to_complete_the_materials(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        # a credit officer of 包头, who may not answer 呼和浩特's applications
        create_user("credit_bt", "pw-credit-bt-1", "包头信用", "150200", ["credit_officer"])
        db.session.commit()
        tokens = {
            u: {"Authorization": f"Bearer {create_token(u, 'l-test')}"}
            for u in (*USERS, "credit_bt")
        }
    with at("2026-01-05"):
        api = Api(app, client, tokens)
        noticed(api)
    with at("2026-01-13"):
        decided_and_closed(api)

    # Thursday 09-24: the party applies; the acceptance is due in 2 working days: 09-25
    # (中秋节) and the weekend do not count → 09-28, 09-29
    with at("2026-09-24"):
        status, answer = applies(api, "portal-repair-1")
        assert status == 202, answer
        assert answer["delivered"] == "repair_application"
        with app.app_context():
            assert task_row(api, "l_accept").due_at == midnight_after("2026-09-29")
            assert data_of(api)["repair_applied_on"] == "2026-09-24"
        # a second application while the first is being answered is not expected
        assert applies(api, "portal-repair-1b")[0] == 409

    # refused: another region's system, another region's credit officer, the wrong role
    with at("2026-09-28"):
        with app.app_context():
            task_id = task_row(api, "l_accept").id
        assert applies(api, "bt-repair", user="officer_bt")[0] == 403
        answer = {"repair_accepted": False, "answered_on": "2026-09-28", "fast_track": False}
        for user in ("credit_bt", "officer"):
            response = client.post(
                f"/api/v1/tasks/{task_id}/complete", json=answer, headers=tokens[user]
            )
            assert response.status_code == 403, (user, response.get_json())
        # not accepted without naming what is missing
        response = client.post(
            f"/api/v1/tasks/{task_id}/complete", json=answer, headers=tokens["credit"]
        )
        assert response.status_code == 422
        assert "一次性写明需要补正的全部材料" in str(response.get_json())
        api.do(
            "credit",
            "l_accept",
            repair_accepted=False,
            answered_on="2026-09-28",
            missing_materials="缺守信承诺书；缺罚款缴纳凭证",
            fast_track=False,
        )
        with app.app_context():
            assert data_of(api)["missing_materials"] == "缺守信承诺书；缺罚款缴纳凭证"

    # Wednesday 09-30: the completed application; due 2 working days later across 国庆节
    # (10-01 to 10-07) → 10-08, 10-09
    with at("2026-09-30"):
        assert applies(api, "portal-repair-2")[0] == 202
        with app.app_context():
            assert task_row(api, "l_accept").due_at == midnight_after("2026-10-09")
    with app.app_context():  # not answered by 10-09: flagged, the unit head told
        assert run_once("w", midnight_after("2026-10-09") + dt.timedelta(minutes=1))["fired"] == 1
        assert data_of(api)["repair_accept_overdue"] is True
        assert (
            db.session.execute(
                select(Notification.message).where(
                    Notification.case_id == api.case_id, Notification.kind == "OVERDUE"
                )
            )
            .scalars()
            .all()
        )

    # accepted Monday 10-12: the decision is due 15 working days later, 10-10 (a Saturday)
    # is before it: 10-13 … 10-16 (4), 10-19 … 10-23 (9), 10-26 … 10-30 (14), 11-02 (15)
    with at("2026-10-12"):
        api.do(
            "credit",
            "l_accept",
            repair_accepted=True,
            answered_on="2026-10-12",
            fast_track=False,
        )
        with app.app_context():
            assert task_row(api, "l_verify").due_at == midnight_after("2026-11-02")
        api.do("credit", "l_verify", verification_method="ONLINE")
        with app.app_context():
            assert task_row(api, "l_decide").due_at == midnight_after("2026-11-02")

    # decided Friday 10-30: publicity stops within 3 working days: 11-02, 11-03, 11-04
    with at("2026-10-30"):
        api.do(
            "agency_head",
            "l_decide",
            repair_approved=True,
            repair_decided_on="2026-10-30",
            decision_reason="已履行处罚决定并整改到位",
        )
        with app.app_context():
            assert task_row(api, "l_stop_publicity").due_at == midnight_after("2026-11-04")
    with at("2026-11-04"):
        result = api.do(
            "credit", "l_stop_publicity", stopped_on="2026-11-04", shared_with_credit_china=True
        )
    assert result["case"]["status"] == "CLOSED"
    with app.app_context():
        data = data_of(api)
        assert data["l_result"] == "REPAIRED"
        assert "repair_decide_overdue" not in data and "repair_stop_overdue" not in data


def test_a_listing_goes_to_the_heads_and_needs_the_upper_levels_consent(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        create_user("head_nm", "pw-head-nm-1", "自治区局局长", "150000", ["agency_head"])
        db.session.commit()
        tokens = {
            u: {"Authorization": f"Bearer {create_token(u, 'l-test')}"} for u in (*USERS, "head_nm")
        }
    with at("2026-01-05"):
        api = Api(app, client, tokens)
        noticed(api)
    with at("2026-01-13"):
        decided_and_published(api)
        api.do("credit", "g_serious_list", serious_list=True, serious_reason="情节严重")
        with app.app_context():  # DMN-R3 rule 4 (serious_list): the heads discuss it
            assert data_of(api)["collective"] is True
        api.do("agency_head", "g_serious_approval", approved=True, opinion="集体讨论同意列入")
        # 呼和浩特's head neither sees nor may give the upper level's consent
        tasks = client.get("/api/v1/tasks", headers=tokens["agency_head"]).get_json()["tasks"]
        assert [t["bpmn_id"] for t in tasks if t["case_id"] == api.case_id] == []
        with app.app_context():
            task_id = task_row(api, "g_upper_consent").id
        refused = client.post(
            f"/api/v1/tasks/{task_id}/complete",
            json={"upper_consented": True},
            headers=tokens["agency_head"],
        )
        assert refused.status_code == 403
        assert "内蒙古自治区市场监督管理局" in refused.get_json()["message"]
        with app.app_context():
            assert data_of(api)["on_serious_list"] is False
        api.do("head_nm", "g_upper_consent", upper_consented=True, consent_opinion="同意列入")
        with app.app_context():
            data = data_of(api)
            assert data["on_serious_list"] is True and data["listed_on"] == "2026-01-13"
