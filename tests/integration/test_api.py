"""The JSON API: the decision and calendar contract, and whole cases driven only through it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.clock import china_today
from app.enforcement import documents as document_service
from app.enforcement.worker import run_once
from app.extensions import db
from app.models import Case, CaseLibraryEntry, Enterprise, Job, WorkflowInstance
from app.platform.auth import create_integration_account, create_token
from app.platform.workflows import engine
from app.reference.decision_contract import CONTRACT
from tests.conftest import login
from tests.integration.cases import INVESTIGATORS, account
from tests.integration.test_documents import pdf_text
from tests.unit.test_decisions import CASES

USERS = ("officer", "unit_head", "reviewer", "agency_head", "credit", "supervisor")


@pytest.fixture
def tokens(app: Flask) -> dict[str, dict[str, str]]:
    with app.app_context():
        return {u: {"Authorization": f"Bearer {create_token(u, 'api-test')}"} for u in USERS}


DATED = {"credit_repair_eligibility", "serious_list_removal"}
# the public tables' cases that need no changed configuration (internal tables are not served)
PLAIN_CASES = [c for c in CASES if not c[4] and c[0] in CONTRACT]


@pytest.mark.parametrize(("decision", "inputs", "expected", "rule", "overrides"), PLAIN_CASES[::3])
def test_decision_endpoint_answers_per_contract(
    client: FlaskClient,
    tokens: dict[str, dict[str, str]],
    decision: str,
    inputs: dict[str, Any],
    expected: dict[str, Any],
    rule: int,
    overrides: dict[str, Any],
) -> None:
    body = {**inputs, "today": "2026-11-24"} if decision in DATED else inputs
    response = client.post(
        f"/api/v1/decisions/{decision}/evaluate", json=body, headers=tokens["officer"]
    )
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer["decision"] == decision and answer["outputs"] == expected
    assert [r["id"] for r in answer["matched_rules"]] == [f"{decision}_r{rule}"]
    assert answer["matched_rules"][0]["annotation"] and len(answer["version"]) == 64


def test_decision_endpoint_errors(client: FlaskClient, tokens: dict[str, dict[str, str]]) -> None:
    headers = tokens["officer"]
    assert (
        client.post("/api/v1/decisions/nope/evaluate", json={}, headers=headers).status_code == 404
    )
    bad = client.post(
        "/api/v1/decisions/procedure/evaluate", json={"sanctions": ["FINE"]}, headers=headers
    )
    assert bad.status_code == 422
    assert bad.get_json()["error"] == "invalid_input" and "party_type" in bad.get_json()["details"]
    assert (
        client.post(
            "/api/v1/decisions/procedure/evaluate",
            data="x",
            headers=headers,
            content_type="application/json",
        ).status_code
        == 422
    )


@pytest.mark.parametrize(
    ("query", "due", "rolled", "source"),
    [
        ("start=2025-09-26&amount=5&unit=working_days", "2025-10-10", False, "chinese-calendar"),
        ("start=2025-07-03&amount=90&unit=calendar_days", "2025-10-09", True, "chinese-calendar"),
        # 2026-02-28 is a Saturday, but a make-up working day: no roll
        ("start=2026-01-31&amount=1&unit=months", "2026-02-28", False, "chinese-calendar"),
        ("start=2030-09-27&amount=5&unit=working_days", "2030-10-04", False, "weekends-only"),
    ],
)
def test_calendar_endpoint(
    client: FlaskClient,
    tokens: dict[str, dict[str, str]],
    query: str,
    due: str,
    rolled: bool,
    source: str,
) -> None:
    answer = client.get(f"/api/v1/calendar/deadline?{query}", headers=tokens["officer"]).get_json()
    assert (answer["due"], answer["rolled"], answer["calendar_source"]) == (due, rolled, source)


@pytest.mark.parametrize(
    "query",
    [
        "start=2026-02-30&amount=1&unit=months",
        "start=2026-01-01&amount=-1&unit=months",
        "start=2026-01-01&amount=1&unit=weeks",
        "amount=1&unit=months",
    ],
)
def test_calendar_endpoint_refuses_bad_queries(
    client: FlaskClient, tokens: dict[str, dict[str, str]], query: str
) -> None:
    response = client.get(f"/api/v1/calendar/deadline?{query}", headers=tokens["officer"])
    assert response.status_code == 422 and response.get_json()["details"]


def test_openapi_document_and_reference_page(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    assert (
        "/decisions/punish_or_not/evaluate" in spec["paths"]
        and "/calendar/deadline" in spec["paths"]
    )
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "POST /decisions/fine_band/evaluate" in page and "MUST_NOT_PUNISH" in page


class Api:
    """Drives a case through /api/v1 alone, each step as the user who holds the task."""

    def __init__(self, app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]):
        self.app, self.client, self.tokens = app, client, tokens
        self.case_id = 0
        self.today = china_today().isoformat()

    def start(self, entry: str = "CLUE", credit_code: str | None = None) -> dict[str, Any]:
        """A case on `credit_code`'s enterprise (default: the demo's one of 150102)."""
        with self.app.app_context():
            code = (
                credit_code
                or db.session.execute(
                    select(Enterprise.credit_code).where(Enterprise.region_code == "150102")
                ).scalar_one()
            )
        response = self.client.post(
            "/api/v1/cases",
            headers=self.tokens["officer"],
            json={"credit_code": code, "title": "接口办案", "entry": entry},
        )
        assert response.status_code == 201, response.get_json()
        self.case_id = response.get_json()["id"]
        return dict(response.get_json())

    def do(self, user: str, bpmn_id: str, **data: Any) -> dict[str, Any]:
        tasks = self.client.get("/api/v1/tasks", headers=self.tokens[user]).get_json()["tasks"]
        mine = [t for t in tasks if t["case_id"] == self.case_id and t["bpmn_id"] == bpmn_id]
        assert mine, (
            f"{user} has no {bpmn_id}: {[t['bpmn_id'] for t in tasks if t['case_id'] == self.case_id]}"
        )
        task_id = mine[0]["id"]
        described = self.client.get(
            f"/api/v1/tasks/{task_id}", headers=self.tokens[user]
        ).get_json()
        assert set(data) <= {f["name"] for f in described["form"]["fields"]}
        assert (
            self.client.post(
                f"/api/v1/tasks/{task_id}/claim", headers=self.tokens[user]
            ).status_code
            == 200
        )
        response = self.client.post(
            f"/api/v1/tasks/{task_id}/complete", json=data, headers=self.tokens[user]
        )
        assert response.status_code == 200, response.get_json()
        return dict(response.get_json())

    def party_applies_for_repair(self, event_id: str) -> None:
        """The party's 信用修复申请 arrives through the events API (the portal's message)."""
        with self.app.app_context():
            case = db.session.get(Case, self.case_id)
            assert case is not None
            case_no = case.case_no
        response = self.client.post(
            "/api/v1/events",
            headers=self.tokens["credit"],
            json={
                "event_id": event_id,
                "type": "repair_application",
                "case_no": case_no,
                "payload": {"summary": "信用修复申请书、守信承诺书"},
            },
        )
        assert response.status_code == 202, response.get_json()

    def accounts(self, *usernames: str) -> list[int]:
        with self.app.app_context():
            return [account(name).id for name in usernames]

    def stage(self) -> str:
        return str(
            self.client.get(
                f"/api/v1/cases/{self.case_id}", headers=self.tokens["supervisor"]
            ).get_json()["stage"]
        )

    def pass_time_to(self, element_id: str) -> None:
        """The worker runs just after the timer of `element_id`, firing it and whatever else is
        due by then (stages running side by side each wait for timers of their own)."""
        with self.app.app_context():
            state = db.session.execute(
                select(WorkflowInstance.state).where(WorkflowInstance.case_id == self.case_id)
            ).scalar_one()
            waiting = engine().inspect(state).waiting
            due = next(w.due for w in waiting if w.bpmn_id == element_id and w.due is not None)
            assert run_once("api-test", due + dt.timedelta(minutes=1)).get("fired") == 1

    def pass_time(self) -> None:
        """The worker fires the case's next timer (time travel to just after it)."""
        with self.app.app_context():
            due = db.session.execute(
                select(Job.due_at).where(Job.case_id == self.case_id)
            ).scalar_one()
            assert run_once("api-test", due + dt.timedelta(minutes=1)).get("fired") == 1


REPORT = {
    "facts": "事实",
    "legal_basis": "依据",
    "sanctions": ["FINE"],
    "proposed_fine": 30000,
    "confiscation_value": 0,
    "fine_min": 10000,
    "fine_max": 100000,
    "harm": "GENERAL",
    "on_exempt_list": "NONE",
    "adopt_exemption": True,
    "discretion_reason": "理由",
}


def decide_serve_and_publish(api: Api, fine: int) -> None:
    """The head approves the notified fine, the officer decides and serves it with the repair
    notice, the credit officer publishes it — all on `api.today`."""
    api.do(
        "agency_head",
        "f_head_approval",
        head_approved=True,
        approved_sanctions=["FINE"],
        approved_fine=fine,
        head_approval_opinion="同意",
    )
    api.do("officer", "g_penalty_decision", decided_on=api.today, sanctions=["FINE"], fine=fine)
    api.do(
        "officer",
        "g_serve_two",
        served_on=api.today,
        repair_notice_served=True,
        service_method="DIRECT",
    )
    api.do("credit", "g_publish", published_on=api.today)


def to_review(api: Api, credit_code: str | None = None) -> None:
    api.start(credit_code=credit_code)
    api.do("officer", "c_register", source="COMPLAINT", found_on=api.today, clue_summary="投诉")
    api.do(
        "officer",
        "c_verify",
        evidence_initial=True,
        should_punish=True,
        within_jurisdiction=True,
        within_limitation=True,
        facts_clear=False,
        sanctions=["FINE"],
        proposed_fine=30000,
    )
    api.do("agency_head", "c_filing_approval", approved=True)
    api.do("unit_head", "c_assign", case_officers=api.accounts(*INVESTIGATORS))
    api.do("officer", "d_investigate", next_action="CONCLUDE", evidence_summary="证据")


def finish(api: Api) -> None:
    """Rectified and visited (side by side with enforcement), then closed."""
    api.do("officer", "i_order", order_served_on=api.today, rectify_days=5, requirements="整改")
    api.pass_time()
    api.do("officer", "i_verify", verify_result="PASS")
    api.do(
        "officer",
        "k_visit",
        visited_on=api.today,
        rectification_ok=True,
        conduct_ok=True,
        rights_informed=True,
        integrity_ok=True,
    )
    api.do("officer", "j_report", closure_reason="EXECUTED")
    api.do("agency_head", "j_approval", approved=True)
    api.do("officer", "j_archive", archive_no="档案1")


def test_a_whole_ordinary_penalty_case_through_the_api(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    api = Api(app, client, tokens)
    to_review(api)
    api.do("officer", "e_report", **REPORT)
    api.do("reviewer", "e_case_review", approved=True)
    api.do("agency_head", "e_head_decision", head_decision="PENALTY")
    api.do("officer", "f_serve_notice", served_on=api.today, service_method="DIRECT")
    case_no = client.get(f"/api/v1/cases/{api.case_id}", headers=tokens["officer"]).get_json()[
        "case_no"
    ]
    statement = client.post(
        "/api/v1/events",
        headers=tokens["officer"],
        json={
            "event_id": f"stmt-{case_no}",
            "type": "statement",
            "case_no": case_no,
            "payload": {"text": "请求从轻"},
        },
    )
    assert statement.status_code == 202
    # the window stays open until the party waives the rest in writing; only then may the
    # decision come before its fifth working day
    waiver = client.post(
        "/api/v1/events",
        headers=tokens["officer"],
        json={
            "event_id": f"waiver-{case_no}",
            "type": "waiver",
            "case_no": case_no,
            "payload": {"text": "放弃听证权利"},
        },
    )
    assert waiver.status_code == 202, waiver.get_json()
    api.do("officer", "f_review_statement", statement_adopted=True, proposed_fine=20000)
    decide_serve_and_publish(api, 20000)
    api.do("credit", "g_serious_list", serious_list=False)
    api.do("officer", "h_payment", payment_status="PAID", paid_on=api.today, amount_paid=20000)
    finish(api)
    assert api.stage() == "L 信用修复"
    api.pass_time_to("l_wait_earliest")  # 6 months of publicity (the relief periods too)
    api.party_applies_for_repair("api-repair-1")
    api.do(
        "credit",
        "l_accept",
        repair_accepted=True,
        answered_on=china_today().isoformat(),
        fast_track=False,
    )
    api.do("credit", "l_verify", verification_method="ONLINE")
    api.do(
        "agency_head",
        "l_decide",
        repair_approved=True,
        repair_decided_on=china_today().isoformat(),
        decision_reason="符合条件",
    )
    result = api.do(
        "credit", "l_stop_publicity", stopped_on=api.today, shared_with_credit_china=True
    )
    assert result["case"]["status"] == "CLOSED" and result["case"]["stage"] == "信用修复结束"

    # the closed case's records as official documents (C14, C13, C17)
    with app.app_context():
        texts = {
            code: pdf_text(document_service.issue(api.case_id, code, account("officer")).pdf)
            for code in ("RECTIFY_CHECK", "REPAIR_DECISION", "VISIT_RECORD")
        }
    year = china_today().year
    assert (
        f"呼市监复查〔{year}〕1号" in texts["RECTIFY_CHECK"]
        and "整改合格" in texts["RECTIFY_CHECK"]
    )
    assert f"呼市监修复决〔{year}〕1号" in texts["REPAIR_DECISION"]
    assert "本局决定准予信用修复" in texts["REPAIR_DECISION"]
    assert "符合条件" in texts["REPAIR_DECISION"] and "网上核实" in texts["REPAIR_DECISION"]
    assert f"呼市监回访〔{year}〕1号" in texts["VISIT_RECORD"]
    assert "未发现执法问题" in texts["VISIT_RECORD"]


def test_a_whole_exemption_case_through_the_api(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    api = Api(app, client, tokens)
    to_review(api)
    api.do(
        "officer",
        "e_report",
        **{**REPORT, "first_offense_2y": True, "corrected": True, "harm": "SLIGHT"},
    )
    api.do("reviewer", "e_case_review", approved=True)
    api.do("agency_head", "e_head_decision", head_decision="NO_PENALTY")
    api.do("officer", "g_no_penalty_decision", decided_on=api.today, education_done=True)
    api.do("officer", "g_serve_no_penalty", served_on=api.today, guidance_attached=True)
    finish(api)
    result = api.do("reviewer", "j_library", violation_type="首违")
    with app.app_context():  # catalogued for the similar-case lookups
        entry = db.session.execute(
            select(CaseLibraryEntry).where(CaseLibraryEntry.case_id == api.case_id)
        ).scalar_one()
        assert (entry.violation_type, entry.level, entry.fine) == ("首违", "NO_PENALTY", None)
        assert entry.decided_on == dt.date.fromisoformat(api.today)
    assert result["case"]["status"] == "CLOSED" and result["case"]["stage"] == "案件办结"


def test_task_api_errors(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    api = Api(app, client, tokens)
    api.start()
    tasks = client.get("/api/v1/tasks", headers=tokens["officer"]).get_json()["tasks"]
    task_id = next(t["id"] for t in tasks if t["case_id"] == api.case_id)
    bad = client.post(
        f"/api/v1/tasks/{task_id}/complete", json={"source": "X"}, headers=tokens["officer"]
    )
    assert bad.status_code == 422 and set(bad.get_json()["details"]) >= {"source", "found_on"}
    unknown = client.post(
        f"/api/v1/tasks/{task_id}/complete", json={"hack": 1}, headers=tokens["officer"]
    )
    assert unknown.status_code == 422 and "hack" in unknown.get_json()["details"]
    assert client.get(f"/api/v1/tasks/{task_id}", headers=tokens["reviewer"]).status_code == 403
    assert (
        client.post(f"/api/v1/tasks/{task_id}/claim", headers=tokens["officer"]).status_code == 200
    )
    with app.app_context():
        other = create_token("officer_bt", "x")
    assert (
        client.post(
            f"/api/v1/tasks/{task_id}/claim", headers={"Authorization": f"Bearer {other}"}
        ).status_code
        == 403
    )
    listing = client.get("/api/v1/cases?status=OPEN", headers=tokens["supervisor"]).get_json()
    assert any(c["id"] == api.case_id for c in listing["cases"])
    assert client.get("/api/v1/cases?after=x", headers=tokens["supervisor"]).status_code == 422
    assert client.get("/api/v1/health", headers=tokens["supervisor"]).get_json()["database"] == "ok"


def test_regressions_found_by_the_fuzz_run(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    headers = tokens["supervisor"]
    assert client.get("/api/v1/cases?stage=a%00b", headers=headers).status_code == 400  # NUL
    assert client.get("/api/v1/cases/100000000000", headers=headers).status_code == 404  # > int32
    far = client.get(
        "/api/v1/calendar/deadline?start=9990-01-01&amount=1000&unit=months", headers=headers
    )
    assert far.status_code == 422  # past the year 9999
    body = {"event_id": "nul\u0000", "type": "statement", "case_no": "x"}
    assert client.post("/api/v1/events", json=body, headers=headers).status_code == 400


def test_admin_issues_and_revokes_tokens(app: Flask, client: FlaskClient) -> None:
    """For an integration account (tests/integration/test_token_attribution.py: for nobody else)."""
    with app.app_context():
        create_integration_account(
            "credit_platform", "信用平台", "150100", ["credit_officer"], "对接"
        )
    token = login(client, "admin")
    page = client.post(
        "/supervision/tokens",
        data={
            "csrf_token": token,
            "username": "credit_platform",
            "name": "信用平台",
            "reason": "信用平台对接",
        },
    ).get_data(as_text=True)
    issued = re.search(r'<code class="secret">(tjn_[^<]+)</code>', page)
    assert issued
    headers = {"Authorization": f"Bearer {issued.group(1)}"}
    assert client.get("/api/v1/processes", headers=headers).status_code == 200
    token_id = re.search(r"/supervision/tokens/(\d+)/revoke", page)
    assert token_id
    assert (
        client.post(
            f"/supervision/tokens/{token_id.group(1)}/revoke", data={"csrf_token": token}
        ).status_code
        == 303
    )
    assert client.get("/api/v1/processes", headers=headers).status_code == 401
    bad = client.post(
        "/supervision/tokens",
        data={"csrf_token": token, "username": "ghost", "name": "x", "reason": "x"},
    )
    assert bad.status_code == 404
    other = app.test_client()
    csrf = login(other, "supervisor")  # sees their own tokens only, and issues none
    assert "credit_platform" not in other.get("/supervision/tokens").get_data(as_text=True)
    refused = other.post(
        "/supervision/tokens",
        data={"csrf_token": csrf, "username": "credit_platform", "name": "x", "reason": "x"},
    )
    assert refused.status_code == 403


def test_a_case_for_a_new_enterprise_registers_it_in_the_same_transaction(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    from app.reference.enterprise import credit_code_check_char

    first17 = "92150102MA0XY1234"
    new = {
        "credit_code": first17 + credit_code_check_char(first17),
        "name": "新城区小王烧烤店",
        "party_type": "INDIVIDUAL_BIZ",
        "domain": "FOOD",
        "credit_class": "B",
        "region_code": "150102",
    }
    bad = client.post(
        "/api/v1/cases",
        headers=tokens["officer"],
        json={"title": "投诉", "enterprise": {**new, "credit_code": first17 + "?"}},
    )
    assert bad.status_code == 422 and "enterprise" in bad.get_json()["details"]
    created = client.post(
        "/api/v1/cases", headers=tokens["officer"], json={"title": "投诉", "enterprise": new}
    )
    assert created.status_code == 201, created.get_json()
    detail = client.get(
        f"/api/v1/cases/{created.get_json()['id']}", headers=tokens["officer"]
    ).get_json()
    assert detail["enterprise"]["name"] == "新城区小王烧烤店" and detail["documents"] == []
    assert detail["data"]["entry"] == "CLUE" and detail["data"]["credit_code"] == new["credit_code"]
    with app.app_context():
        count = db.session.execute(
            select(func.count())
            .select_from(Enterprise)
            .where(Enterprise.credit_code == new["credit_code"])
        ).scalar_one()
    assert count == 1


def test_internal_decision_tables_are_not_served(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    # risk_grade drives the risk list; DECISIONS.md's public contract does not include it
    response = client.post(
        "/api/v1/decisions/risk_grade/evaluate", json={"complaints": 25}, headers=tokens["officer"]
    )
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
