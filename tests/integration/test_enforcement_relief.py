"""Stages H and R through the API: a fine paid in instalments approved by the agency head, the
late fee (加处罚款) from the ledgers, court enforcement only after the periods for relief, and
the relief events (复议 / 诉讼 and their results) with their refusals.

Expected dates are counted by hand on the 2026 calendar (checked with
`chinese_calendar.is_workday`): 02-14 and 02-28 (Saturdays) are working days, 02-16 to 02-23 the
Spring Festival, 04-06 清明节, 05-01 to 05-05 劳动节 with 05-09 (Saturday) worked. A calendar
period rolls off a rest day to the next working day; a task's due moment is the midnight after
its last day. The late fee is 3 % of the overdue amount a day (LATE_FEE_DAILY_PCT)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app.enforcement import relief as relief_service
from app.enforcement.documents import issue
from app.enforcement.worker import run_once
from app.extensions import db
from app.models import Case, ReliefRecord
from app.platform.auth import create_token, create_user
from tests.conftest import login
from tests.integration.cases import account, ready, tally_rows
from tests.integration.test_api import Api
from tests.integration.test_credit_repair import (
    USERS,
    at,
    data_of,
    decided_and_published,
    midnight_after,
    noticed,
)
from tests.integration.test_cross_province_publicity import due_of


def tokens_with_others(app: Flask) -> dict[str, dict[str, str]]:
    with app.app_context():
        create_user("officer_ab", "pw-officer-ab-1", "阿拉善执法", "152900", ["officer"])
        db.session.commit()
        return {
            u: {"Authorization": f"Bearer {create_token(u, 'h-test')}"}
            for u in (*USERS, "officer_ab")
        }


def decided_on_13_january(app: Flask, client: FlaskClient) -> Api:
    """A ¥20,000.00 fine decided, served with the repair notice and published on 2026-01-13, not
    listed: stage H waits for the payment, due 15 days later, Wednesday 01-28."""
    tokens = tokens_with_others(app)
    with at("2026-01-05"):
        api = Api(app, client, tokens)
        noticed(api)
    with at("2026-01-13"):
        decided_and_published(api)
        api.do("credit", "g_serious_list", serious_list=False)
    return api


def worker_after(api: Api, day: str) -> None:
    """The worker runs just after the midnight that ends `day`: every timer of the case due by
    then fires (H, I, K and R wait side by side, each for timers of its own)."""
    with api.app.app_context():
        fired = run_once("h-test", midnight_after(day) + dt.timedelta(minutes=1)).get("fired")
        assert fired == 1, fired


def enforcement(api: Api) -> dict[str, Any]:
    answer = api.client.get(f"/api/v1/cases/{api.case_id}", headers=api.tokens["supervisor"])
    assert answer.status_code == 200
    return dict(answer.get_json()["enforcement"])


def submit(api: Api, user: str, bpmn_id: str, **data: Any) -> tuple[int, dict[str, Any]]:
    """Claim and complete a task, answering whatever the server says (for refusals)."""
    tasks = api.client.get("/api/v1/tasks", headers=api.tokens[user]).get_json()["tasks"]
    task = next(t for t in tasks if t["case_id"] == api.case_id and t["bpmn_id"] == bpmn_id)
    api.client.post(f"/api/v1/tasks/{task['id']}/claim", headers=api.tokens[user])
    response = api.client.post(
        f"/api/v1/tasks/{task['id']}/complete", json=data, headers=api.tokens[user]
    )
    return response.status_code, dict(response.get_json())


def test_a_penalty_paid_in_instalments_one_late_with_its_late_fee(
    app: Flask, client: FlaskClient
) -> None:
    api = decided_on_13_january(app, client)
    with at("2026-01-20"):
        assert due_of(api, "h_payment") == midnight_after("2026-01-28")
        shown = enforcement(api)
        assert shown["fine"] == "¥20,000.00" and shown["late_fee"] == "¥0.00"
        assert [(p["due_on"], p["amount"]) for p in shown["payments"]] == [
            ("2026-01-28", "¥20,000.00")
        ]
        # the party asks; the agency head approves two instalments (《行政处罚法》第六十六条)
        api.do("officer", "h_payment", payment_status="DEFERRAL_REQUESTED")
        plan = {"deferral_approved": True, "plan_kind": "INSTALMENTS"}
        status, answer = submit(
            api,
            "agency_head",
            "h_deferral",
            **plan,
            instalments="2026-02-27 10000\n2026-03-31 5000",
        )
        assert status == 422
        assert "各期金额之和 ¥15,000.00 应当等于应缴罚款 ¥20,000.00" in str(answer)
        api.do(
            "agency_head", "h_deferral", **plan, instalments="2026-02-27 10000\n2026-03-31 10000"
        )
        assert due_of(api, "h_payment") == midnight_after("2026-02-27")
        assert [(p["kind"], p["due_on"], p["amount"]) for p in enforcement(api)["payments"]] == [
            ("INSTALMENT", "2026-02-27", "¥10,000.00"),
            ("INSTALMENT", "2026-03-31", "¥10,000.00"),
        ]
        # no second plan: the law allows one approval, then its dates (refused, nothing changes)
        status, answer = submit(api, "officer", "h_payment", payment_status="DEFERRAL_REQUESTED")
        assert status == 409 and "已经批准过暂缓或分期缴纳" in str(answer)
    with at("2026-02-26"):
        status, answer = submit(
            api,
            "officer",
            "h_payment",
            payment_status="PAID",
            paid_on="2026-02-26",
            amount_paid=5000,
        )
        assert status == 422 and "本期应缴 ¥10,000.00" in str(answer)
        api.do(
            "officer", "h_payment", payment_status="PAID", paid_on="2026-02-26", amount_paid=10000
        )
        assert due_of(api, "h_payment") == midnight_after("2026-03-31")
    worker_after(api, "2026-03-31")  # the second instalment is late
    with at("2026-04-03"):
        # overdue 04-01, 04-02, 04-03: 3 days × 3 % × ¥10,000.00
        assert enforcement(api)["late_fee"] == "¥900.00"
        api.do("officer", "h_urge", urge_served_on="2026-04-03")
        # 10 working days after Friday 04-03: 04-06 is 清明节 → 04-07 … 04-10 (4), 04-13 … 04-17
        # (9), 04-20 (10)
        assert api.stage() == "H 执行"
    worker_after(api, "2026-04-20")
    with at("2026-04-21"):
        api.do("officer", "h_after_urge", paid_after_urge=True, paid_on="2026-04-21")
        # 04-01 … 04-21: 21 days × ¥300.00; it stops on payment
        assert enforcement(api)["late_fee"] == "¥6,300.00"
        assert api.stage() == "I 整改核查"
    with at("2026-05-11"):
        shown = enforcement(api)
        assert shown["late_fee"] == "¥6,300.00"
        assert [p["paid_on"] for p in shown["payments"]] == ["2026-02-26", "2026-04-21"]
        login(client, "supervisor")  # the case page says the same, in words and yuan
        page = client.get(f"/cases/{api.case_id}").get_data(as_text=True)
        assert '加处罚款 <strong id="late-fee">¥6,300.00</strong>' in page
        assert "2026年3月31日</td><td>¥10,000.00</td><td>2026年4月21日" in page


def test_court_enforcement_only_after_the_relief_periods(app: Flask, client: FlaskClient) -> None:
    """《行政强制法》第五十三条、第五十四条: 催告 10 working days; the periods for 复议 (60 days
    from 01-13: 03-14, a Saturday → 03-16) and 诉讼 (6 months: 07-13) pass; then 3 months, to
    10-13."""
    api = decided_on_13_january(app, client)
    worker_after(api, "2026-01-28")  # unpaid
    with at("2026-01-30"):
        api.do("officer", "h_urge", urge_served_on="2026-01-30")
    # 10 working days after Friday 01-30: 02-02 … 02-06 (5), 02-09 … 02-13 (10)
    with at("2026-02-13"):
        assert enforcement(api)["court_apply_from"] == "2026-07-14"
    worker_after(api, "2026-02-13")
    with at("2026-02-14"):
        api.do("officer", "h_after_urge", paid_after_urge=False)
        shown = enforcement(api)
        assert shown["court_apply_from"] == "2026-07-14"
        assert shown["court_apply_until"] == "2026-10-13"
        assert shown["relief_ends_on"] == "2026-07-13"
        # 01-29 … 02-14: 17 days × ¥600.00
        assert shown["late_fee"] == "¥10,200.00"
        assert api.stage() == "H 执行"
    worker_after(api, "2026-07-13")  # the window opens on 07-14
    with at("2026-07-14"):
        assert enforcement(api)["late_fee"] == "¥20,000.00"  # capped at the fine
        assert due_of(api, "h_court") == midnight_after("2026-10-13")
        early = {"court_applied_on": "2026-07-13", "court_name": "新城区人民法院"}
        status, answer = submit(api, "officer", "h_court", **early)
        assert status == 422
        assert "申请强制执行的期间为 2026-07-14 至 2026-10-13" in str(answer)
        api.do("officer", "h_court", court_applied_on="2026-07-14", court_name="新城区人民法院")
        assert api.stage() == "I 整改核查"


def test_the_court_waits_for_a_litigation_still_running(app: Flask, client: FlaskClient) -> None:
    """行政强制法 art.53: a suit brought within the 6 months (on 07-10) holds the application
    back until its judgment (upheld on 08-03); then 3 months from it, to 11-03."""
    api = decided_on_13_january(app, client)
    worker_after(api, "2026-01-28")
    with at("2026-01-30"):
        api.do("officer", "h_urge", urge_served_on="2026-01-30")
    worker_after(api, "2026-02-13")
    with at("2026-02-14"):
        api.do("officer", "h_after_urge", paid_after_urge=False)
    with at("2026-07-10"):
        suit = {"kind": "LITIGATION", "applied_on": "2026-07-10", "body": "新城区人民法院"}
        assert post(api, "officer", "relief", suit)[0] == 202
    worker_after(api, "2026-07-13")  # the statutory window would open on 07-14
    with at("2026-07-14"):
        assert enforcement(api)["court_apply_from"] is None  # relief runs: no window
        application = {"court_applied_on": "2026-07-14", "court_name": "新城区人民法院"}
        status, answer = submit(api, "officer", "h_court", **application)
        assert status == 409 and "结果作出前不得申请人民法院强制执行" in answer["message"]
    with at("2026-08-03"):
        status, answer = post(
            api, "officer", "relief/result", {"result": "UPHELD", "result_on": "2026-08-03"}
        )
        assert status == 202, answer
        shown = enforcement(api)
        assert (shown["court_apply_from"], shown["court_apply_until"]) == (
            "2026-08-04",
            "2026-11-03",
        )
    worker_after(api, "2026-08-03")
    with at("2026-08-04"):
        assert due_of(api, "h_court") == midnight_after("2026-11-03")
        api.do("officer", "h_court", court_applied_on="2026-08-04", court_name="新城区人民法院")


def test_the_late_fee_is_not_counted_while_relief_runs(app: Flask, client: FlaskClient) -> None:
    """行政处罚法 art.73, on the ledgers alone: from the day the 复议 was applied for through the
    day of its result no late fee accrues; after an upheld 复议, 15 days remain to sue
    (行政诉讼法 art.45: 02-16 + 15 = 03-03)."""
    api = decided_on_13_january(app, client)
    with at("2026-02-02"), app.app_context():
        case = db.session.get(Case, api.case_id)
        assert case is not None
        record = relief_service.add_application(
            case, "RECONSIDERATION", dt.date(2026, 1, 30), "市人民政府", account("officer")
        )
        db.session.commit()
        record_id = record.id
    with at("2026-02-20"):
        shown = enforcement(api)
        assert shown["late_fee"] == "¥600.00"  # 01-29 only: 1 day × 3 % × ¥20,000.00
        assert shown["relief_running"] is True and shown["relief_ends_on"] is None
        with app.app_context():
            case = db.session.get(Case, api.case_id)
            pending = db.session.get(ReliefRecord, record_id)
            assert case is not None and pending is not None
            relief_service.add_result(case, pending, "UPHELD", dt.date(2026, 2, 16), None)
            db.session.commit()
        shown = enforcement(api)
        assert shown["late_fee"] == "¥3,000.00"  # 01-29, 02-17 … 02-20: 5 days
        assert shown["relief_ends_on"] == "2026-03-03"


def post(api: Api, user: str, path: str, body: Any) -> tuple[int, dict[str, Any]]:
    response = api.client.post(
        f"/api/v1/cases/{api.case_id}/{path}", json=body, headers=api.tokens[user]
    )
    return response.status_code, dict(response.get_json())


def test_relief_events_are_refused_with_reasons(app: Flask, client: FlaskClient) -> None:
    tokens = tokens_with_others(app)
    with at("2026-01-05"):
        api = Api(app, client, tokens)
        noticed(api)
        application = {"kind": "RECONSIDERATION", "applied_on": "2026-01-05", "body": "市政府"}
        # before the decision is served there is nothing to challenge
        status, answer = post(api, "officer", "relief", application)
        assert status == 409 and "处罚决定书送达后" in answer["message"]
    with at("2026-01-13"):
        decided_and_published(api)
        for user, expected in (("officer_ab", 403), ("credit", 403), ("supervisor", 403)):
            assert post(api, user, "relief", application)[0] == expected, user
        bad = [
            ({**application, "kind": "APPEAL"}, "kind"),
            ({**application, "applied_on": "2026-01-12"}, "不能早于处罚决定书送达之日"),
            ({**application, "applied_on": "2026-01-14"}, "不能晚于今天"),
            ({**application, "applied_on": "13 January"}, "请填写日期"),
            ({**application, "body": ""}, "复议机关或人民法院"),
            ([], "kind"),
        ]
        for body, reason in bad:
            status, answer = post(api, "officer", "relief", body)
            assert status == 422 and reason in answer["message"], (body, answer)
        status, answer = post(
            api, "officer", "relief/result", {"result": "UPHELD", "result_on": "2026-01-13"}
        )
        assert status == 409 and "没有尚未作出结果" in answer["message"]
        status, answer = post(api, "officer", "relief/result", {"result": "CHANGED"})
        assert status == 422 and "fine" in answer["message"]
        assert (
            client.get(f"/api/v1/cases/{api.case_id}", headers=tokens["officer"]).get_json()[
                "relief"
            ]
            == []
        )


def relief_of(api: Api) -> list[dict[str, Any]]:
    answer = api.client.get(f"/api/v1/cases/{api.case_id}", headers=api.tokens["officer"])
    return list(answer.get_json()["relief"])


def enterprise_record(api: Api) -> dict[str, Any]:
    with api.app.app_context():
        enterprise_id = db.session.get(Case, api.case_id).enterprise_id  # type: ignore[union-attr]
    answer = api.client.get(f"/api/v1/enterprises/{enterprise_id}", headers=api.tokens["officer"])
    return dict(answer.get_json())


def test_a_decision_overturned_in_reconsideration_withdraws_its_publicity(
    app: Flask, client: FlaskClient
) -> None:
    """Revoked in 复议 while the fine is still due: enforcement stops; the publicity is
    withdrawn within 3 working days (公示规定 art.11); the credit record, the dashboard and the
    return visit learn of it."""
    api = decided_on_13_january(app, client)
    with app.app_context():
        fines_before = {k: n for k, n in tally_rows().items() if k[2] == "fine"}
        assert fines_before
    with at("2026-01-20"):
        application = {"kind": "RECONSIDERATION", "applied_on": "2026-01-20", "body": "市人民政府"}
        status, answer = post(api, "officer", "relief", application)
        assert status == 202, answer
        assert relief_of(api)[0]["kind_label"] == "行政复议"
        assert relief_of(api)[0]["result"] is None
        status, answer = post(api, "officer", "relief", {**application, "kind": "LITIGATION"})
        assert status == 409 and "尚未作出结果" in answer["message"]
        assert enforcement(api)["relief_running"] is True
    # Monday 01-26: revoked. Publicity withdrawn within 3 working days: 01-27, 01-28, 01-29
    with at("2026-01-26"):
        result = {"result": "REVOKED", "result_on": "2026-01-26"}
        status, answer = post(api, "officer", "relief/result", result)
        assert status == 202, answer
        assert api.stage() == "I 整改核查"  # enforcement ended: nothing is collected
        assert due_of(api, "r_withdraw") == midnight_after("2026-01-29")
        assert relief_of(api)[0]["result_label"] == "撤销"
        # a second result for the same application is a conflict
        assert post(api, "officer", "relief/result", result)[0] == 409
        with app.app_context():
            assert relief_service.overturned(api.case_id) is True  # DMN-V1: HIGH visit
            fines_after = {k: n for k, n in tally_rows().items() if k[2] == "fine"}
            assert fines_after == {}  # the revoked fine no longer counts on the dashboard
    with at("2026-01-28"):
        record = enterprise_record(api)
        assert api.case_id in [c["case_id"] for c in record["checks"]]  # the history stays
        # no longer an earlier penalty for the first-offense lookback
        assert api.case_id not in [c["case_id"] for c in record["first_offense_lookback"]["found"]]
        api.do(
            "credit",
            "r_withdraw",
            withdrawn_on="2026-01-28",
            publicity_action="WITHDRAWN",
            withdraw_reason="复议机关撤销原处罚决定",
        )
        assert "公示已撤回或更正" in enterprise_record(api)["publicity"]
        with app.app_context():
            assert "publish_withdraw_overdue" not in data_of(api)
            # revoked: a priority return visit within 30 days of the result (DMN-V1 row 2)
            assert "r_visit" in [t.bpmn_id for t in ready(api.case_id)]
            assert (data_of(api)["priority"], data_of(api)["visit_due"]) == ("HIGH", "2026-02-25")


def test_a_fine_changed_in_reconsideration_pauses_the_late_fee(
    app: Flask, client: FlaskClient
) -> None:
    """The late fee is not counted while the 复议 runs (行政处罚法 art.73); the changed fine
    replaces what is unpaid; the changed decision is issued from its record."""
    api = decided_on_13_january(app, client)
    with at("2026-01-27"):
        application = {"kind": "RECONSIDERATION", "applied_on": "2026-01-27", "body": "市人民政府"}
        assert post(api, "officer", "relief", application)[0] == 202
    worker_after(api, "2026-01-28")  # unpaid: 催告 (复议 does not stop enforcement)
    with at("2026-02-02"):
        assert enforcement(api)["late_fee"] == "¥0.00"  # overdue since 01-29, all in 复议
        api.do("officer", "h_urge", urge_served_on="2026-02-02")
    # Tuesday 02-10: changed to ¥12,000.00; corrected within 3 working days: 02-11 … 02-13
    with at("2026-02-10"):
        result = {"result": "CHANGED", "result_on": "2026-02-10", "fine": 12000}
        status, answer = post(api, "officer", "relief/result", result)
        assert status == 202, answer
        with app.app_context():  # the changed decision comes first
            relief_steps = [t.bpmn_id for t in ready(api.case_id) if t.bpmn_id.startswith("r_")]
            assert relief_steps == ["r_changed_decision"]
        api.do(
            "officer",
            "r_changed_decision",
            decided_on="2026-02-10",
            sanctions=["FINE"],
            fine=12000,
            decision_summary="罚款由二万元变更为一万二千元",
        )
        assert due_of(api, "r_withdraw") == midnight_after("2026-02-13")
        with app.app_context():
            issued = issue(api.case_id, "CHANGED_DECISION", account("officer"))
            assert "¥12,000.00" in issued.html and "行政复议" in issued.html
        shown = enforcement(api)
        assert shown["fine"] == "¥12,000.00"
        assert [(p["kind"], p["amount"]) for p in shown["payments"]] == [("CHANGED", "¥12,000.00")]
    with at("2026-02-13"):
        # counted only after the result: 02-11, 02-12, 02-13 × 3 % × ¥12,000.00
        assert enforcement(api)["late_fee"] == "¥1,080.00"
        api.do(
            "credit",
            "r_withdraw",
            withdrawn_on="2026-02-13",
            publicity_action="CORRECTED",
            withdraw_reason="复议机关变更罚款数额",
        )
