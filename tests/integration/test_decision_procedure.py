"""The decision procedure's safeguards on the server (issue 29, first part): the decision may not
be heavier than the notice — no added sanction, no higher fine — nor leave the legal range unless
reduced; and whoever investigated a case may not review, hear or approve it. Driven through the
JSON API as an integrating system would, and through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.clock import CHINA_TZ, china_today
from app.enforcement.tasks import screen_data
from app.enforcement.worker import run_once
from app.extensions import db
from app.models import AuditEvent, Case, HumanTask, UserRole
from app.platform import Forbidden, InvalidFields
from app.platform.auth import create_token
from tests.integration.cases import (
    REPORT,
    account,
    complete,
    head_approves,
    investigated_case,
    notified_weeks_ago,
    ready,
)


def notified(**report: Any) -> int:
    """A case whose 告知书 (by default a ¥5,000 fine) was served and whose statement window closed
    in silence: the head's approval of the decision waits."""
    return notified_weeks_ago(**report)


def awaiting_decision(**report: Any) -> int:
    """Notified, and the head approved what the notice said: the officer's decision waits."""
    case_id = notified(**report)
    proposal = {**REPORT, **report}
    head_approves(case_id, proposal["sanctions"], proposal["proposed_fine"])
    return case_id


def decide(client: FlaskClient, case_id: int, **data: Any) -> tuple[int, dict[str, Any]]:
    with client.application.app_context():
        task_id = next(t.id for t in ready(case_id) if t.bpmn_id == "g_penalty_decision")
        token = create_token("officer", "decision-test")
        completed_before = _completions()
    body = {"decided_on": china_today().isoformat(), "decision_summary": "", **data}
    response = client.post(
        f"/api/v1/tasks/{task_id}/complete", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    with client.application.app_context():
        if response.status_code != 200:  # refused: nothing of it stored
            assert _completions() == completed_before
            assert [t.bpmn_id for t in ready(case_id)] == ["g_penalty_decision"]
    return response.status_code, response.get_json()


def _completions() -> int:
    return db.session.execute(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "complete_task")
    ).scalar_one()


def test_the_officer_cannot_make_the_decision_heavier_than_the_notice(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        case_id = awaiting_decision()
    # the case: a licence revoked and ¥200,000 that neither head nor party ever saw
    status, answer = decide(
        client, case_id, sanctions=["WARNING", "FINE", "REVOKE_BIZ_LICENSE"], fine=200000
    )
    assert status == 422
    assert "警告、吊销营业执照" in answer["details"]["sanctions"]
    assert "¥5,000.00" in answer["details"]["fine"]
    # a higher fine alone, and a fine below the legal minimum without a reduced penalty
    assert decide(client, case_id, sanctions=["FINE"], fine=5000.01)[0] == 422
    status, answer = decide(client, case_id, sanctions=["FINE"], fine=4000)
    assert status == 422 and "第三十二条" in answer["details"]["fine"]
    # what was notified, or less within the range, is decided
    status, answer = decide(client, case_id, sanctions=["FINE"], fine=5000)
    assert status == 200, answer


def test_no_fine_without_the_fine_sanction_and_no_decision_before_the_approval(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        case_id = notified(sanctions=["WARNING", "FINE"])  # notified: a warning and ¥5,000
        with pytest.raises(InvalidFields) as refused:
            head_approves(case_id, ["WARNING"], 5000)  # a warning only, yet a fine
        assert "罚款数额应为零" in refused.value.details["approved_fine"]
        head_approves(case_id, ["WARNING"], 0)
    # the decision cannot slip a fine in beside a warning (the 决定书 would print it)
    status, answer = decide(client, case_id, sanctions=["WARNING"], fine=900000)
    assert status == 422 and "罚款数额应为零" in answer["details"]["fine"]
    # nor be dated before the head approved it (today), whatever the API sends
    earlier = (china_today() - dt.timedelta(days=10)).isoformat()
    status, answer = decide(client, case_id, sanctions=["WARNING"], fine=0, decided_on=earlier)
    assert status == 422 and "不能早于本案上一步骤" in answer["details"]["decided_on"]
    status, answer = decide(client, case_id, sanctions=["WARNING"], fine=0)
    assert status == 200, answer


def test_a_reduced_penalty_may_go_below_the_legal_minimum(app: Flask, client: FlaskClient) -> None:
    # harm eliminated of the party's own accord, and markedly so: DMN-P2 answers REDUCE
    with app.app_context():
        case_id = notified(
            mitigating_mandatory=["ELIMINATED_HARM"],
            significant_mitigation=True,
            proposed_fine=2000,
            discretion_reason="主动消除危害后果，情节显著，依法减轻处罚",
        )
        # 减轻处罚 goes to the heads' collective discussion (DMN-R3), then to the head's approval
        complete(
            case_id,
            "f_collective",
            "agency_head",
            collective_confirmed=True,
            collective_conclusion="同意减轻处罚",
        )
        head_approves(case_id, ["FINE"], 2000)
        task = next(t for t in ready(case_id) if t.bpmn_id == "g_penalty_decision")
        assert screen_data(task, ()).get("level") == "REDUCE"
    status, answer = decide(client, case_id, sanctions=["FINE"], fine=2000)
    assert status == 200, answer


def test_an_investigator_may_not_review_hear_or_approve_the_case(app: Flask) -> None:
    with app.app_context():
        case_id = investigated_case()
        # an officer who also holds the legal reviewer's and the head's roles writes the report
        officer = account("officer")
        for role in ("legal_reviewer", "agency_head"):
            db.session.add(UserRole(user_id=officer.id, role=role))
        db.session.commit()
        complete(case_id, "e_report", "officer", **REPORT)
        review = next(t for t in ready(case_id) if t.bpmn_id == "e_case_review")
        audit_before = _completions()
        with pytest.raises(Forbidden, match="是本案的调查人员，不能担任本案的审核人员"):
            complete(case_id, "e_case_review", "officer", approved=True, opinion="")
        assert _completions() == audit_before
        assert db.session.get(HumanTask, review.id).state == "READY"  # type: ignore[union-attr]
        # someone who took no part in the investigation reviews; the head may not be the author
        complete(case_id, "e_case_review", "reviewer", approved=True, opinion="")
        with pytest.raises(Forbidden, match="不能担任本案的审批负责人"):
            complete(
                case_id, "e_head_decision", "officer", head_decision="PENALTY", head_opinion=""
            )
        complete(
            case_id, "e_head_decision", "agency_head", head_decision="PENALTY", head_opinion=""
        )


def test_a_post_hearing_legal_review_that_fails_sends_the_case_back_to_the_report(
    app: Flask,
) -> None:
    with app.app_context():
        # ¥150,000 for a legal person: the notice tells of the right to a hearing, which is asked
        case_id = notified_weeks_ago("hearing_request", proposed_fine=150000, fine_max=200000)
        today = china_today()
        hearing_day = today + dt.timedelta(days=21)
        complete(
            case_id,
            "f_schedule_hearing",
            "hearing",
            hearing_date=hearing_day.isoformat(),
            hearing_notice_served_on=today.isoformat(),
            hearing_location="第一听证室",
        )
        run_once("w", dt.datetime.combine(hearing_day, dt.time(9), CHINA_TZ))
        complete(
            case_id,
            "f_hold_hearing",
            "hearing",
            party_attended=True,
            hearing_summary="当事人对违法事实提出异议",
            proposed_fine=150000,
        )
        complete(
            case_id,
            "f_post_hearing_review",
            "reviewer",
            approved=False,
            send_back_to="REPORT",
            opinion="听证中当事人提出的新证据未经核实，事实认定不清",
        )
        # no decision can follow a failed legal review: the report is written again
        assert [t.bpmn_id for t in ready(case_id)] == ["e_report"]
        case = db.session.get(Case, case_id)
        assert case is not None and case.stage is not None and case.stage.startswith("E")


def test_the_head_approves_within_the_notice_and_the_decision_within_the_approval(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        case_id = notified(proposed_fine=8000)  # notified ¥8,000, legal range ¥5,000–¥100,000
        assert [t.bpmn_id for t in ready(case_id)] == ["f_head_approval"]
        with pytest.raises(InvalidFields) as refused:
            head_approves(case_id, ["FINE", "WARNING"], 9000)
        assert set(refused.value.details) == {"approved_sanctions", "approved_fine"}
        assert "告知书载明的" in refused.value.details["approved_fine"]
        assert [t.bpmn_id for t in ready(case_id)] == ["f_head_approval"]  # nothing kept
        head_approves(case_id, ["FINE"], 6000)
    status, answer = decide(client, case_id, sanctions=["FINE"], fine=7000)
    assert status == 422 and "负责人批准的¥6,000.00" in answer["details"]["fine"]
    status, answer = decide(client, case_id, sanctions=["FINE"], fine=6000)
    assert status == 200, answer


def test_a_head_who_does_not_approve_sends_the_case_back_to_the_report(app: Flask) -> None:
    with app.app_context():
        case_id = notified()
        complete(
            case_id,
            "f_head_approval",
            "agency_head",
            head_approved=False,
            send_back_to="REPORT",
            approved_sanctions=["FINE"],
            approved_fine=5000,
            head_approval_opinion="违法所得未查清，退回补充",
        )
        assert [t.bpmn_id for t in ready(case_id)] == ["e_report"]
