"""The 不予立案 path end to end through /api/v1 (issue 30, "Done when"): a first offense not
filed (责令改正, 教育, the 不予立案审批表 / 责令改正通知书 / 教育记录 as PDFs, the check after
the period), then a second offense of the same type within two years, which is not exempted
(and is ordered to correct during the investigation, 行政处罚法 art.28), and one of another type,
which is — corrected on the spot (立即改正) and checked at once. Also the 处罚时效 at filing.

Expected dates are counted by hand on the 2026 calendar (no holiday falls in the periods used:
2026-11-02 to 2026-12-31 has working days Monday to Friday only):
- clue found Monday 2026-11-02, 15 working days: 11-03 … 11-23 → check due 2026-11-23;
- 5 working days from Monday 2026-11-02: 11-03, 04, 05, 06, 09 → due 2026-11-09, the check
  waits until midnight after it (2026-11-10 00:00 China time);
- the return visit of the not-filed case, 30 calendar days from the order of 2026-11-02:
  2026-12-02 (a Wednesday, no roll);
- 5 working days from Tuesday 2026-12-08: 12-09, 10, 11, 14, 15 → due 2026-12-15;
- the 处罚时效 of a violation on 2026-10-20: two years → 2028-10-20; one on 2024-06-30,
  found 2026-12-08: ended 2026-06-30, before it was found."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.cli import main
from app.clock import CHINA_TZ, travel_to
from app.enforcement.cases import case_data
from app.extensions import db
from app.models import Case, Document, Job, ViolationType
from tests.conftest import login
from tests.integration.cases import INVESTIGATORS, investigated_case
from tests.integration.test_api import Api, tokens
from tests.integration.test_documents import pdf_text
from tests.integration.test_violation_types import FIRST, lookback, submit_report

__all__ = ["tokens"]  # the fixture, shared with the API tests


def at(day: str, hour: int = 10) -> Any:
    return travel_to(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), CHINA_TZ))


def midnight_after(day: str) -> dt.datetime:
    return dt.datetime.combine(
        dt.date.fromisoformat(day) + dt.timedelta(days=1), dt.time(), CHINA_TZ
    )


VERIFIED = {
    "evidence_initial": True,
    "within_jurisdiction": True,
    "within_limitation": True,
    "facts_clear": False,
    "sanctions": ["FINE"],
    "proposed_fine": 50000,
}


def clue(api: Api, found_on: str, **verify: Any) -> None:
    api.start()
    api.do("officer", "c_register", source="INSPECTION", found_on=found_on, clue_summary="检查发现")
    api.do("officer", "c_verify", **{**VERIFIED, **verify})


def not_filed_first_offense(api: Api, code: str, violated_on: str) -> None:
    api.do(
        "agency_head",
        "c_not_filed",
        not_filed_reason="FIRST_OFFENSE",
        order_rectification=True,
        violation_code=code,
        violated_on=violated_on,
        not_filed_notes="同意，首违不罚",
    )


def issue(api: Api, client: FlaskClient, code: str) -> str:
    """Issue the document on the case page as the officer; its PDF's text."""
    token = login(client, "officer")
    response = client.post(f"/cases/{api.case_id}/documents/{code}", data={"csrf_token": token})
    assert response.status_code == 303, response.get_data(as_text=True)
    with api.app.app_context():
        document = db.session.execute(
            select(Document)
            .where(Document.case_id == api.case_id, Document.doc_type == code)
            .order_by(Document.id.desc())
            .limit(1)
        ).scalar_one()
        return pdf_text(document.pdf)


def visited(api: Api, day: str) -> None:
    api.do(
        "officer",
        "k_visit",
        visited_on=day,
        rectification_ok=True,
        conduct_ok=True,
        rights_informed=True,
        integrity_ok=True,
    )


def timer_due(api: Api) -> dt.datetime:
    with api.app.app_context():
        due = db.session.execute(select(Job.due_at).where(Job.case_id == api.case_id)).scalar_one()
    return due.astimezone(CHINA_TZ)


def data_of(api: Api) -> dict[str, Any]:
    with api.app.app_context():
        case = db.session.get(Case, api.case_id)
        assert case is not None
        return case_data(case)


def case_no(api: Api) -> str:
    with api.app.app_context():
        case = db.session.get(Case, api.case_id)
        assert case is not None
        return case.case_no


def test_a_not_filed_first_offense_then_the_same_type_and_another_type(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    # ---- 1. a first offense, not filed: ordered to correct within 5 working days, educated
    with at("2026-11-02"):
        first = Api(app, client, tokens)
        clue(
            first,
            "2026-11-02",
            should_punish=False,
            violation_code="FOOD-EXPIRED",
            violated_on="2026-10-20",
        )
        data = data_of(first)
        assert (data["check_due"], data["limitation_ends"]) == ("2026-11-23", "2028-10-20")
        assert data["limitation_expired"] is False
        not_filed_first_offense(first, "FOOD-EXPIRED", "2026-10-20")
        first.do(
            "officer",
            "c_rectify_educate",
            order_served_on="2026-11-02",
            rectify_days=5,
            requirements="下架全部过期乳制品并销毁",
            educated_on="2026-11-02",
            education="讲解《食品安全法》第三十四条，督促建立临期食品检查制度",
        )
        assert first.stage() == "I 整改核查"
        # the period ordered in C is what I checks: no second order; the return visit
        # (DMN-V1: 不予处罚 is visited) runs beside it, 30 days from the order
        data = data_of(first)
        assert (data["rectify_due"], data["visit_due"]) == ("2026-11-09", "2026-12-02")
        assert timer_due(first) == midnight_after("2026-11-09")  # the earlier of the two
        approval = issue(first, client, "NOT_FILED_APPROVAL")
        order = issue(first, client, "RECTIFY_ORDER")
        education = issue(first, client, "EDUCATION_RECORD")
    assert "不予立案审批表" in approval and "初次违法且危害后果轻微并及时改正" in approval
    assert "销售超过保质期的食品" in approval and "同意，首违不罚" in approval
    assert "2026年11月2日" in approval and "责令改正并进行教育" in approval
    assert "责令改正通知书" in order and "《中华人民共和国行政处罚法》第二十八条" in order
    assert "《中华人民共和国食品安全法》第三十四条第（十）项" in order
    assert "即于2026年11月9日前改正完毕" in order and "六十日内" in order
    assert "教育记录" in education and "第三十三条第三款" in education
    assert "督促建立临期食品检查制度" in education and "2026年11月2日" in education
    first.pass_time()  # 2026-11-10 00:01: the period is over
    with at("2026-11-10"):
        first.do("officer", "i_verify", verify_result="PASS", verify_notes="已全部下架销毁")
        assert timer_due(first) == midnight_after("2026-12-02")  # the visit's deadline
        visited(first, "2026-11-10")
        first.do("officer", "j_report", closure_reason="NOT_FILED")
        first.do("agency_head", "j_approval", approved=True)
        first.do("officer", "j_archive", archive_no="呼市监档〔2026〕12号")
    with app.app_context():
        enterprise_id = db.session.get(Case, first.case_id).enterprise_id  # type: ignore[union-attr]
    first_no = case_no(first)

    # ---- 2. the same type within two years: not a first offense, filed and punished
    with at("2026-12-08"):
        found = lookback(
            first, enterprise_id, violation_type="FOOD-EXPIRED", violated_on="2026-12-07"
        )
        assert found["first_offense"] is False
        assert [(c["case_no"], c["kind"]) for c in found["found"]] == [
            (first_no, "初次违法不予立案（首违不罚）")
        ]
        second = Api(app, client, tokens)
        clue(
            second,
            "2026-12-08",
            should_punish=True,
            violation_code="FOOD-EXPIRED",
            violated_on="2026-12-07",
        )
        second.do("agency_head", "c_filing_approval", approved=True)
        second.do("unit_head", "c_assign", case_officers=second.accounts(*INVESTIGATORS))
        # 责令改正 during the investigation (行政处罚法 art.28), 5 working days
        ordered = client.post(
            f"/api/v1/cases/{second.case_id}/rectification-order",
            json={"order_served_on": "2026-12-08", "rectify_days": 5, "requirements": "下架召回"},
            headers=tokens["officer"],
        )
        assert ordered.status_code == 201, ordered.get_json()
        assert ordered.get_json()["stage"] == "D 调查取证"
        document_id = ordered.get_json()["document"]["id"]
        pdf = client.get(f"/api/v1/documents/{document_id}", headers=tokens["officer"])
        assert "即于2026年12月15日前改正完毕" in pdf_text(pdf.data)
        # once per stage
        again = client.post(
            f"/api/v1/cases/{second.case_id}/rectification-order",
            json={"order_served_on": "2026-12-08", "rectify_days": 3, "requirements": "再次"},
            headers=tokens["officer"],
        )
        assert again.status_code == 409 and "同一阶段内一次" in again.get_json()["message"]
        second.do("officer", "d_investigate", next_action="CONCLUDE", evidence_summary="证据")
        status, body = submit_report(
            second, violation_code="FOOD-EXPIRED", violated_on="2026-12-07", **FIRST
        )
        assert status == 422 and first_no in body["details"]["first_offense_2y"]
        status, body = submit_report(
            second,
            violation_code="FOOD-EXPIRED",
            violated_on="2026-12-07",
            **{**FIRST, "first_offense_2y": False, "proposed_fine": 50000},
        )
        assert status == 200, body
        second.do("reviewer", "e_case_review", approved=True)
        if "e_legal_review" in [t["bpmn_id"] for t in _tasks(second, "reviewer")]:
            second.do("reviewer", "e_legal_review", approved=True)
        second.do("agency_head", "e_head_decision", head_decision="PENALTY")
        second.do("officer", "f_serve_notice", served_on="2026-12-08", service_method="DIRECT")
        second.pass_time()  # the window for statements closes in silence (2026-12-15)
    with at("2026-12-16"):
        second.do(
            "agency_head",
            "f_head_approval",
            head_approved=True,
            approved_sanctions=["FINE"],
            approved_fine=50000,
            head_approval_opinion="同意",
        )
        second.do(
            "officer", "g_penalty_decision", decided_on="2026-12-16", sanctions=["FINE"], fine=50000
        )
        second.do(
            "officer",
            "g_serve_two",
            served_on="2026-12-16",
            repair_notice_served=True,
            service_method="DIRECT",
        )
        second.do("credit", "g_publish", published_on="2026-12-16")
        second.do("credit", "g_serious_list", serious_list=False)
        second.do(
            "officer", "h_payment", payment_status="PAID", paid_on="2026-12-16", amount_paid=50000
        )
        # stage I checks the order given during the investigation: no second order; its
        # period ended on 2026-12-15, so the check is due at once
        assert second.stage() == "I 整改核查"
        assert [t["bpmn_id"] for t in _tasks(second, "officer")] == ["i_verify", "k_visit"]
        assert (data_of(second)["rectify_due"], data_of(second)["requirements"]) == (
            "2026-12-15",
            "下架召回",
        )
        decision = issue(second, client, "PENALTY_DECISION")
    assert "¥50,000.00" in decision and "2026年12月16日" in decision

    # ---- 3. another type: a first offense, corrected on the spot and checked at once
    with at("2026-12-16"):
        other = Api(app, client, tokens)
        clue(
            other,
            "2026-12-16",
            should_punish=False,
            violation_code="FOOD-LABEL",
            violated_on="2026-12-15",
        )
        not_filed_first_offense(other, "FOOD-LABEL", "2026-12-15")
        other.do(
            "officer",
            "c_rectify_educate",
            order_served_on="2026-12-16",
            rectify_days=0,
            requirements="当场撤下标签不符的商品",
            educated_on="2026-12-16",
            education="讲解预包装食品标签要求",
        )
        assert other.stage() == "I 整改核查"
        assert [t["bpmn_id"] for t in _tasks(other, "officer")] == ["i_verify", "k_visit"]
        assert data_of(other)["rectify_due"] == "2026-12-16"
        order = issue(other, client, "RECTIFY_ORDER")
        other.do("officer", "i_verify", verify_result="PASS", verify_notes="当场改正")
    assert "改正期限：立即改正" in order and "2026年12月16日" in order
    label = lookback(other, enterprise_id, violation_type="FOOD-LABEL", violated_on="2026-12-17")
    assert label["first_offense"] is False and [c["case_no"] for c in label["found"]] == [
        case_no(other)
    ]


def _tasks(api: Api, user: str) -> list[dict[str, Any]]:
    listed = api.client.get("/api/v1/tasks", headers=api.tokens[user]).get_json()["tasks"]
    return [t for t in listed if t["case_id"] == api.case_id]


def test_a_violation_found_after_the_limitation_is_not_filed_for_penalty(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    """行政处罚法 art.36: two years from the day it occurred (a label violation of 2024-06-30,
    found 2026-12-08); the officer's 「在处罚时效内」 does not override the dates."""
    with at("2026-12-08"):
        api = Api(app, client, tokens)
        clue(
            api,
            "2026-12-08",
            should_punish=True,
            violation_code="FOOD-LABEL",
            violated_on="2024-06-30",
        )
        data = data_of(api)
        assert (data["limitation_ends"], data["limitation_expired"]) == ("2026-06-30", True)
        assert [t["bpmn_id"] for t in _tasks(api, "agency_head")] == ["c_not_filed"]
        listed = _tasks(api, "agency_head")
        task_id = listed[0]["id"]
        client.post(f"/api/v1/tasks/{task_id}/claim", headers=tokens["agency_head"])
        refused = client.post(
            f"/api/v1/tasks/{task_id}/complete",
            json={"not_filed_reason": "OTHER", "order_rectification": False},
            headers=tokens["agency_head"],
        )
        assert refused.status_code == 422
        assert "处罚时效已于2026-06-30届满" in refused.get_json()["message"]
        api.do(
            "agency_head", "c_not_filed", not_filed_reason="LIMITATION", order_rectification=False
        )
        assert api.stage() == "不予立案"
        approval = issue(api, client, "NOT_FILED_APPROVAL")
    assert "超过行政处罚时效" in approval and "于2026年6月30日届满" in approval


def test_the_verification_names_the_type_of_a_dated_violation(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    with at("2026-12-08"):
        api = Api(app, client, tokens)
        api.start()
        api.do(
            "officer", "c_register", source="INSPECTION", found_on="2026-12-08", clue_summary="x"
        )
        task_id = _tasks(api, "officer")[0]["id"]
        client.post(f"/api/v1/tasks/{task_id}/claim", headers=tokens["officer"])
        for answer, field in (
            ({"violated_on": "2026-12-01"}, "violation_code"),
            (
                {
                    "violation_code": "FOOD-LABEL",
                    "violated_on": "2026-12-01",
                    "violation_ended_on": "2026-12-02",
                },
                "violation_ended_on",
            ),
            (
                {
                    "violation_code": "FOOD-LABEL",
                    "violated_on": "2026-12-01",
                    "continuing": True,
                    "violation_ended_on": "2026-11-30",
                },
                "violation_ended_on",
            ),
        ):
            response = client.post(
                f"/api/v1/tasks/{task_id}/complete",
                json={**VERIFIED, "should_punish": True, **answer},
                headers=tokens["officer"],
            )
            assert response.status_code == 422 and field in response.get_json()["details"]
        assert [t["bpmn_id"] for t in _tasks(api, "officer")] == ["c_verify"]


def test_an_order_outside_the_stages_from_filing_to_the_decision_is_refused(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    with at("2026-12-08"):
        api = Api(app, client, tokens)
        clue(api, "2026-12-08", should_punish=True)
        body = {"order_served_on": "2026-12-08", "rectify_days": 5, "requirements": "下架"}
        url = f"/api/v1/cases/{api.case_id}/rectification-order"
        refused = client.post(url, json=body, headers=tokens["officer"])
        assert (
            refused.status_code == 409 and "立案后至作出处理决定前" in refused.get_json()["message"]
        )
        bad = client.post(url, json={**body, "rectify_days": 91}, headers=tokens["officer"])
        assert bad.status_code == 422 and "rectify_days" in bad.get_json()["details"]
        assert client.post(url, json=body, headers=tokens["reviewer"]).status_code == 403
        with app.app_context():
            assert (
                db.session.execute(select(Document).where(Document.case_id == api.case_id)).first()
                is None
            )


def test_the_officer_orders_a_correction_on_the_case_page(app: Flask, client: FlaskClient) -> None:
    with at("2026-12-08"), app.app_context():
        case_id = investigated_case()  # stage E: the investigation report waits
    with at("2026-12-08"):
        token = login(client, "officer")
        page = client.get(f"/cases/{case_id}").get_data(as_text=True)
        assert 'id="rectification-form"' in page and "出具责令改正通知书" in page
        url = f"/cases/{case_id}/rectification-order"
        refused = client.post(
            url, data={"csrf_token": token, "order_served_on": "2026-12-09", "rectify_days": "5"}
        )
        assert refused.status_code == 422
        assert "日期不能晚于今天" in refused.get_data(as_text=True)
        done = client.post(
            url,
            data={
                "csrf_token": token,
                "order_served_on": "2026-12-08",
                "rectify_days": "0",
                "requirements": "当场下架",
            },
        )
        assert done.status_code == 303
    with app.app_context():
        document = db.session.execute(
            select(Document).where(Document.case_id == case_id)
        ).scalar_one()
        assert document.doc_type == "RECTIFY_ORDER"
        text = pdf_text(document.pdf)
    assert "改正期限：立即改正" in text and "2026年12月8日" in text and "当场下架" in text


def test_the_catalogue_says_which_types_carry_the_five_year_limitation(app: Flask) -> None:
    """Migration 0033 flags the seeded food, drug and special-equipment types; administrators
    set the flag with `tijian violation-type set … --life-fin`."""
    with app.app_context():
        flagged = set(
            db.session.execute(
                select(ViolationType.code).where(ViolationType.life_fin_safety)
            ).scalars()
        )
    assert {"FOOD-EXPIRED", "DRUG-PRESCRIPTION", "SE-UNINSPECTED"} <= flagged
    assert "PRICE-TAG" not in flagged and "AD-ABSOLUTE" not in flagged
    args = [
        "violation-type",
        "set",
        "FIN-ILLEGAL-RAISE",
        "--name",
        "以预付卡形式非法集资",
        "--domain",
        "OTHER",
        "--violated",
        "《单用途商业预付卡管理办法》",
        "--penalty",
        "《单用途商业预付卡管理办法》",
        "--note",
        "依具体情形",
        "--source",
        "test",
        "--life-fin",
    ]
    result = app.test_cli_runner().invoke(main, args)
    assert result.exit_code == 0, result.output
    with app.app_context():
        entry = db.session.get(ViolationType, "FIN-ILLEGAL-RAISE")
        assert entry is not None and entry.life_fin_safety
