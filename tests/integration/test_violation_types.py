"""The catalogue of violation types on the 调查终结报告 and the first-offense rule through
/api/v1: a first offense exempted, then a second of the same type within two years (not a first
offense: refused when ticked) and one of another type (exempted)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.calendar import add_months
from app.cli import main
from app.enforcement import violation_types
from app.extensions import db
from app.models import AuditEvent, Case, HumanTask, ViolationType
from app.platform import InvalidInput
from tests.conftest import login
from tests.integration.test_api import REPORT, Api, to_review, tokens

__all__ = ["tokens"]  # the fixture, shared with the API tests

FIRST = {"first_offense_2y": True, "corrected": True, "harm": "SLIGHT"}


def report_task(api: Api) -> int:
    listed = api.client.get("/api/v1/tasks", headers=api.tokens["officer"]).get_json()["tasks"]
    mine = [t["id"] for t in listed if t["case_id"] == api.case_id and t["bpmn_id"] == "e_report"]
    return int(mine[0])


def submit_report(api: Api, **data: Any) -> tuple[int, dict[str, Any]]:
    task_id = report_task(api)
    api.client.post(f"/api/v1/tasks/{task_id}/claim", headers=api.tokens["officer"])
    response = api.client.post(
        f"/api/v1/tasks/{task_id}/complete",
        json={**REPORT, **data},
        headers=api.tokens["officer"],
    )
    return response.status_code, response.get_json()


def exempt(api: Api) -> None:
    api.do("reviewer", "e_case_review", approved=True)
    api.do("agency_head", "e_head_decision", head_decision="NO_PENALTY")
    api.do("officer", "g_no_penalty_decision", decided_on=api.today, education_done=True)


def lookback(api: Api, enterprise_id: int, **query: str) -> dict[str, Any]:
    response = api.client.get(
        f"/api/v1/enterprises/{enterprise_id}", query_string=query, headers=api.tokens["officer"]
    )
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json()["first_offense_lookback"])


def test_first_offense_by_type_and_violation_date(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    today = dt.date.fromisoformat(Api(app, client, tokens).today)
    month_ago = (today - dt.timedelta(days=30)).isoformat()

    first = Api(app, client, tokens)
    to_review(first)
    task = client.get(f"/api/v1/tasks/{report_task(first)}", headers=tokens["officer"]).get_json()
    field = next(f for f in task["form"]["fields"] if f["name"] == "violation_code")
    assert {"value": "FOOD-EXPIRED", "label": "销售超过保质期的食品"} in field["choices"]
    # the typed basis and range give way to the catalogue's
    status, body = submit_report(
        first,
        violation_code="FOOD-EXPIRED",
        violated_on=month_ago,
        legal_basis="手写的依据",
        fine_min=1,
        fine_max=2,
        proposed_fine=50000,
        **FIRST,
    )
    assert status == 200, body
    with app.app_context():
        case = db.session.get(Case, first.case_id)
        assert case is not None
        enterprise_id, first_no = case.enterprise_id, case.case_no
        assert (case.violation_code, case.violated_on) == (
            "FOOD-EXPIRED",
            dt.date.fromisoformat(month_ago),
        )
        data = db.session.execute(
            select(HumanTask.submitted_data).where(
                HumanTask.case_id == first.case_id, HumanTask.bpmn_id == "e_report"
            )
        ).scalar_one()
    assert data["legal_basis"] == (
        "违反《中华人民共和国食品安全法》第三十四条第（十）项，"
        "依据《中华人民共和国食品安全法》第一百二十四条第一款第（五）项"
    )
    assert (data["fine_min"], data["fine_max"], data["violation_type"]) == (
        50000,
        100000,
        "销售超过保质期的食品",
    )
    exempt(first)

    # the same type within two years before the second violation: not a first offense
    found = lookback(first, enterprise_id, violation_type="FOOD-EXPIRED", violated_on=first.today)
    assert (found["first_offense"], found["decisions"]) == (False, 1)
    assert [(c["case_no"], c["on"], c["violation_type"]) for c in found["found"]] == [
        (first_no, first.today, "FOOD-EXPIRED")
    ]
    assert found["since"] == add_months(today, -24).isoformat()
    # counted back from the violation, not from today: a violation before the decision
    earlier = lookback(first, enterprise_id, violation_type="FOOD-EXPIRED", violated_on=month_ago)
    assert earlier["first_offense"] and earlier["found"] == []
    # two years and a day after the decision it no longer counts
    later = add_months(today, 24) + dt.timedelta(days=1)
    assert lookback(
        first, enterprise_id, violation_type="FOOD-EXPIRED", violated_on=later.isoformat()
    )["first_offense"]

    second = Api(app, client, tokens)
    to_review(second)
    status, body = submit_report(
        second, violation_code="FOOD-EXPIRED", violated_on=second.today, **FIRST
    )
    assert status == 422
    assert first_no in body["details"]["first_offense_2y"]
    assert "不属于初次违法" in body["details"]["first_offense_2y"]
    status, body = submit_report(
        second,
        violation_code="FOOD-EXPIRED",
        violated_on=second.today,
        **{**FIRST, "first_offense_2y": False},
    )
    assert status == 200, body
    assert second.stage() != ""

    other = Api(app, client, tokens)
    to_review(other)
    status, body = submit_report(
        other, violation_code="FOOD-LABEL", violated_on=other.today, proposed_fine=5000, **FIRST
    )
    assert status == 200, body
    exempt(other)
    label = lookback(other, enterprise_id, violation_type="FOOD-LABEL", violated_on=other.today)
    assert label["first_offense"] is False and len(label["found"]) == 1
    # the enterprise's overall record counts both exemptions
    overall = lookback(other, enterprise_id)
    assert overall["decisions"] == 2 and overall["violation_type"] is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"violation_code": "NO-SUCH"}, "violation_code"),
        ({"violation_code": "FOOD-EXPIRED"}, "violated_on"),
        ({"legal_basis": ""}, "legal_basis"),
        (
            {"violation_code": "PQ-SUBSTANDARD", "violated_on": "2026-01-05", "fine_max": None},
            "fine_max",
        ),
    ],
)
def test_a_report_without_what_the_rule_needs_is_refused(
    app: Flask,
    client: FlaskClient,
    tokens: dict[str, dict[str, str]],
    data: dict[str, Any],
    field: str,
) -> None:
    api = Api(app, client, tokens)
    to_review(api)
    status, body = submit_report(api, **data)
    assert status == 422 and field in body["details"], body
    with app.app_context():
        case = db.session.get(Case, api.case_id)
        assert case is not None and case.violation_code is None
    assert report_task(api)  # still waiting


def test_the_enterprise_page_shows_the_lookback(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    api = Api(app, client, tokens)
    to_review(api)
    status, _ = submit_report(
        api, violation_code="FOOD-EXPIRED", violated_on=api.today, proposed_fine=50000, **FIRST
    )
    assert status == 200
    exempt(api)
    with app.app_context():
        case = db.session.get(Case, api.case_id)
        assert case is not None
        enterprise_id, case_no = case.enterprise_id, case.case_no
    login(client, "officer")
    html = client.get(
        f"/enterprises/{enterprise_id}?violation_type=FOOD-EXPIRED&violated_on={api.today}"
    ).get_data(as_text=True)
    found = html[html.index('id="lookback-found"') : html.index('id="health-checks"')]
    assert case_no in found and "销售超过保质期的食品" in found
    assert "近2年内有1次处罚或免罚决定，不属于初次违法" in html
    other = client.get(
        f"/enterprises/{enterprise_id}?violation_type=FOOD-LABEL&violated_on={api.today}"
    ).get_data(as_text=True)
    assert "近2年内无处罚或免罚决定" in other
    assert client.get(f"/enterprises/{enterprise_id}?violated_on=tomorrow").status_code == 422


def test_administrators_keep_the_catalogue(app: Flask) -> None:
    runner = app.test_cli_runner()
    args = [
        "violation-type",
        "set",
        "METRO-UNVERIFIED",
        "--name",
        "使用未经检定的计量器具",
        "--domain",
        "METROLOGY",
        "--violated",
        "《中华人民共和国计量法》第九条",
        "--penalty",
        "《中华人民共和国计量法实施细则》第四十三条",
        "--fine-min",
        "0",
        "--fine-max",
        "1000",
        "--source",
        "计量法第九条；实施细则第四十三条 [P]",
    ]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    with app.app_context():
        entry = db.session.get(ViolationType, "METRO-UNVERIFIED")
        assert entry is not None and entry.fine_max == 1000 and entry.active
        audit = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "save_violation_type")
        ).scalar_one()
        assert audit.object_id == "METRO-UNVERIFIED"
    withdrawn = runner.invoke(main, [*args, "--withdrawn"])
    assert withdrawn.exit_code == 0, withdrawn.output
    listed = runner.invoke(main, ["violation-type", "list"])
    assert "METRO-UNVERIFIED" in listed.output and "[withdrawn]" in listed.output
    with app.app_context():
        assert "METRO-UNVERIFIED" not in {e.code for e in violation_types.catalogue()}
    bad = runner.invoke(main, [*args[:-6], "--fine-min", "10", "--fine-max", "5", *args[-2:]])
    assert bad.exit_code != 0 and "罚款上限不能低于下限" in bad.output
    with app.app_context():  # nothing changed by the refusal
        entry = db.session.get(ViolationType, "METRO-UNVERIFIED")
        assert entry is not None and entry.fine_max == 1000
        with pytest.raises(InvalidInput, match="名称已用于"):
            violation_types.save(
                violation_types.Entry(
                    "OTHER", "销售超过保质期的食品", "FOOD", "x", "y", None, None, "z", "s"
                )
            )


def test_a_first_offense_not_filed_is_on_record_for_the_same_type_only(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    not_filed = Api(app, client, tokens)
    not_filed.start()
    not_filed.do(
        "officer", "c_register", source="INSPECTION", found_on=not_filed.today, clue_summary="检查"
    )
    not_filed.do(
        "officer",
        "c_verify",
        evidence_initial=True,
        should_punish=False,
        within_jurisdiction=True,
        within_limitation=True,
        facts_clear=True,
        sanctions=["WARNING"],
    )
    listed = client.get("/api/v1/tasks", headers=tokens["agency_head"]).get_json()["tasks"]
    task_id = next(
        t["id"]
        for t in listed
        if t["case_id"] == not_filed.case_id and t["bpmn_id"] == "c_not_filed"
    )
    client.post(f"/api/v1/tasks/{task_id}/claim", headers=tokens["agency_head"])
    answer = {"not_filed_reason": "FIRST_OFFENSE", "order_rectification": True}
    refused = client.post(
        f"/api/v1/tasks/{task_id}/complete", json=answer, headers=tokens["agency_head"]
    )
    assert refused.status_code == 422 and "violation_code" in refused.get_json()["details"]
    not_filed.do(
        "agency_head",
        "c_not_filed",
        **answer,
        violation_code="FOOD-EXPIRED",
        violated_on=not_filed.today,
        not_filed_notes="当场改正",
    )
    with app.app_context():
        case = db.session.get(Case, not_filed.case_id)
        assert case is not None and case.violation_code == "FOOD-EXPIRED"
        enterprise_id, case_no = case.enterprise_id, case.case_no
    found = lookback(
        not_filed, enterprise_id, violation_type="FOOD-EXPIRED", violated_on=not_filed.today
    )
    assert not found["first_offense"]
    assert [(c["case_no"], c["kind"]) for c in found["found"]] == [
        (case_no, "初次违法不予立案（首违不罚）")
    ]

    second = Api(app, client, tokens)
    to_review(second)
    status, body = submit_report(
        second, violation_code="FOOD-EXPIRED", violated_on=second.today, **FIRST
    )
    assert status == 422 and case_no in body["details"]["first_offense_2y"]

    other = Api(app, client, tokens)
    to_review(other)
    status, body = submit_report(
        other, violation_code="FOOD-LABEL", violated_on=other.today, proposed_fine=5000, **FIRST
    )
    assert status == 200, body
