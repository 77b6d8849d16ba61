"""An inspection whose re-check fails becomes a clue; the order to correct it is not followed
either, and the failed rectification check opens a new linked case (DOMAIN.md I1, issue 30
item 5) while the first case is visited and closed. Driven through /api/v1 at its own dates in
November 2026 (no holiday from 2 November to 10 December: every working day is Monday to Friday,
counted here by hand, not by the calendar under test)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Case, WorkflowInstance
from tests.conftest import login
from tests.integration.test_api import Api, tokens  # noqa: F401 - fixture
from tests.integration.test_hearing_case_api import fire_timers, on, summary
from tests.integration.test_warning_inspection_api import data, overdue_notices, waiting_at


def inspected_and_not_corrected(api: Api) -> None:
    with on("2026-11-02"):  # Monday
        api.start("INSPECTION")
        api.do(
            "officer",
            "b_record",
            inspection_type="TARGETED",
            inspection_date="2026-11-02",
            inspectors="王海军、李娜",
            location="经营场所",
            findings="散装食品未标注生产日期",
            result="RECTIFY",
        )
        api.do("credit", "b_publish", published_on="2026-11-02", publish_channel="GSXT")
        api.do(
            "officer", "b_order", order_served_on="2026-11-02", rectify_days=5, requirements="补标"
        )
        # 5 working days: Tue 3, Wed 4, Thu 5, Fri 6, Mon 9; re-check by Thu 12 November
        assert (data(api)["rectify_due"], data(api)["recheck_due"]) == ("2026-11-09", "2026-11-12")
    with on("2026-11-10"):
        api.do("officer", "b_recheck", verify_result="FAIL", verify_notes="仍未补标")
        assert summary(api)["stage"] == "C 线索核查与立案"  # the inspection's finding is a clue


def test_a_failed_rectification_check_opens_a_new_linked_case(
    app: Flask,
    client: FlaskClient,
    tokens: dict[str, dict[str, str]],  # noqa: F811
) -> None:
    api = Api(app, client, tokens)
    inspected_and_not_corrected(api)
    with on("2026-11-10"):  # Tuesday
        api.do(
            "officer",
            "c_register",
            source="INSPECTION",
            found_on="2026-11-10",
            clue_summary="复查未改正",
        )
        api.do(
            "officer",
            "c_verify",
            evidence_initial=True,
            should_punish=False,
            within_jurisdiction=True,
            within_limitation=True,
            facts_clear=True,
            sanctions=["WARNING"],
        )
        api.do(
            "agency_head",  # 不予立案 is the head's decision
            "c_not_filed",
            not_filed_reason="FIRST_OFFENSE",
            violation_code="FOOD-LABEL",
            violated_on="2026-11-02",
            order_rectification=True,
            not_filed_notes="初次违法，责令限期改正",
        )
        # the 责令改正通知书 and the 教育记录 of the case not filed (C3b)
        api.do(
            "officer",
            "c_rectify_educate",
            order_served_on="2026-11-10",
            rectify_days=10,
            requirements="补标",
            educated_on="2026-11-10",
            education="讲解散装食品标注要求",
        )
        # the rectification check (waiting for the period ordered in C, no second order) and
        # the return visit run side by side (DMN-V1: 首违不罚 is visited); the visit's 30
        # calendar days count from the order, 10 November → 10 December
        assert sorted(waiting_at(app, api)) == ["k_visit"]
        assert data(api)["visit_due"] == "2026-12-10"
        # 10 working days: 11, 12, 13, 16, 17, 18, 19, 20, 23, 24 November; then checked within
        # 3 working days: 25, 26, 27 November
        assert (data(api)["rectify_due"], data(api)["verify_due"]) == ("2026-11-24", "2026-11-27")
    fire_timers(app, "2026-11-25")
    assert "i_verify" in waiting_at(app, api)
    fire_timers(app, "2026-11-27")
    assert "verify_overdue" not in data(api)
    fire_timers(app, "2026-11-28")  # nobody checked by the end of Friday 27 November
    assert data(api)["verify_overdue"] is True and "i_verify" in waiting_at(app, api)
    assert len(overdue_notices(app, api)) == 1  # the unit head is told

    with on("2026-11-30"):
        answer = api.do(
            "officer", "i_verify", verify_result="FAIL", verify_notes="仍在销售未标注日期的散装食品"
        )
    with app.app_context():
        first = db.session.get(Case, api.case_id)
        follow_up = db.session.execute(
            select(Case).where(Case.follows_case_id == api.case_id)
        ).scalar_one()
        assert first is not None and follow_up.enterprise_id == first.enterprise_id
        assert follow_up.case_no != first.case_no and follow_up.case_no.startswith("XS")
        assert follow_up.stage == "C 线索核查与立案" and follow_up.status == "OPEN"
        instances = db.session.execute(
            select(WorkflowInstance.case_id).where(
                WorkflowInstance.case_id.in_([first.id, follow_up.id])
            )
        ).scalars()
        assert sorted(instances) == sorted([first.id, follow_up.id])  # an instance of its own
        first_no, follow_up_id, follow_up_no = first.case_no, follow_up.id, follow_up.case_no
    assert answer["case"]["stage"] == "K 回访"  # the first case goes on to its visit

    new = client.get(f"/api/v1/cases/{follow_up_id}", headers=tokens["officer"]).get_json()
    assert new["follows_case_no"] == first_no
    assert new["data"]["found_on"] == "2026-11-30" and first_no in new["data"]["clue_summary"]
    assert [t["bpmn_id"] for t in new["tasks"] if t["state"] == "READY"] == ["c_register"]
    assert summary(api)["followed_by_case_nos"] == [follow_up_no]

    with on("2026-12-01"):
        api.do(
            "officer",
            "k_visit",
            visited_on="2026-12-01",
            rectification_ok=False,
            conduct_ok=True,
            rights_informed=True,
            integrity_ok=True,
        )
        api.do("officer", "j_report", closure_reason="NOT_PUNISHED")
        api.do("agency_head", "j_approval", approved=True)
        closed = api.do("officer", "j_archive", archive_no="呼市监档〔2026〕88号")
    assert closed["case"]["status"] == "CLOSED"
    # the new case is still open, at its clue registration
    assert (
        client.get(f"/api/v1/cases/{follow_up_id}", headers=tokens["officer"]).get_json()["status"]
        == "OPEN"
    )

    login(client, "officer")
    page = client.get(f"/cases/{api.case_id}").get_data(as_text=True)
    assert "复查未改正另立案件" in page and follow_up_no in page
    page = client.get(f"/cases/{follow_up_id}").get_data(as_text=True)
    assert "线索来源案件" in page and first_no in page
