"""POST /api/v1/events: token-authenticated, idempotent, addressed to exactly one case."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.clock import china_today
from app.enforcement.cases import case_data
from app.extensions import db
from app.models import Case, Enterprise
from app.platform.auth import create_token
from tests.integration.cases import close_window, complete, ready, reviewed_case

URL = "/api/v1/events"


def token_for(app: Flask, username: str) -> dict[str, str]:
    with app.app_context():
        return {"Authorization": f"Bearer {create_token(username, 'test')}"}


def case_count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.execute(select(func.count()).select_from(Case)).scalar_one())


def test_tokens_are_required_and_checked(app: Flask, client: FlaskClient) -> None:
    body = {"event_id": "x", "type": "statement", "case_no": "TJ"}
    for headers in ({}, {"Authorization": "Bearer tjn_wrong"}, {"Authorization": "Basic abc"}):
        response = client.post(URL, json=body, headers=headers)
        assert response.status_code == 401 and "令牌" in response.get_json()["message"]
    response = client.post(URL, json=body, headers=token_for(app, "designer"))
    assert response.status_code == 403


def test_a_complaint_opens_one_case_however_often_it_is_sent(
    app: Flask, client: FlaskClient
) -> None:
    headers = token_for(app, "officer")
    with app.app_context():
        code = db.session.execute(
            select(Enterprise.credit_code).where(Enterprise.region_code == "150105")
        ).scalar_one()
    before = case_count(app)
    body = {
        "event_id": "12315-20261124-0001",
        "type": "complaint_received",
        "payload": {"credit_code": code, "summary": "烧烤店使用过期食材", "channel": "12315"},
    }
    first = client.post(URL, json=body, headers=headers)
    assert first.status_code == 201, first.get_json()
    answer = first.get_json()
    assert answer["stage"] == "C 线索核查与立案" and answer["case_no"].startswith("XS")  # a clue
    again = client.post(URL, json=body, headers=headers)
    assert again.status_code == 201
    assert again.get_json() == {**answer, "repeated": True}
    assert case_count(app) == before + 1
    joined = client.post(
        URL,
        headers=headers,
        json={
            "event_id": "12315-20261124-0002",
            "type": "complaint_received",
            "case_no": answer["case_no"],
            "payload": {"summary": "再次投诉"},
        },
    )
    assert joined.status_code == 202 and joined.get_json()["joined"] is True
    assert case_count(app) == before + 1


def test_unknown_case_and_bad_bodies_answer_with_reasons(app: Flask, client: FlaskClient) -> None:
    headers = token_for(app, "officer")
    missing = {"event_id": "e-404", "type": "statement", "case_no": "TJ1900-150100-99999"}
    response = client.post(URL, json=missing, headers=headers)
    assert response.status_code == 404 and "不存在" in response.get_json()["message"]
    assert client.post(URL, json=missing, headers=headers).status_code == 404  # same answer
    for body, field in (
        ([1, 2], "JSON"),
        ({"type": "statement", "case_no": "x"}, "event_id"),
        ({"event_id": "e", "type": "party_dance", "case_no": "x"}, "type"),
        ({"event_id": "e", "type": "statement"}, "case_no"),
        ({"event_id": "e", "type": "statement", "case_no": "x", "payload": []}, "payload"),
    ):
        response = client.post(URL, json=body, headers=headers)
        assert response.status_code == 422 and field in response.get_json()["message"]
    response = client.post(
        URL, data="not json", headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 422


def notice_served_case(app: Flask, proposed_fine: float) -> str:
    """A case whose penalty notice has just been served: it waits for the party (F)."""
    with app.app_context():
        case_id = reviewed_case("PENALTY", proposed_fine=proposed_fine, fine_max=200000)
        complete(
            case_id,
            "f_serve_notice",
            "officer",
            served_on=china_today().isoformat(),
            service_method="DIRECT",
        )
        case = db.session.get(Case, case_id)
        assert case is not None
        return case.case_no


def test_a_hearing_request_reaches_only_the_addressed_case(app: Flask, client: FlaskClient) -> None:
    headers = token_for(app, "officer")
    addressed = notice_served_case(app, 150000)
    bystander = notice_served_case(app, 150000)
    body = {
        "event_id": "gov-portal-77",
        "type": "hearing_request",
        "case_no": addressed,
        "payload": {"requested_on": "2026-11-24"},
    }
    response = client.post(URL, json=body, headers=headers)
    assert response.status_code == 202, response.get_json()
    with app.app_context():
        cases = {c.case_no: c for c in db.session.execute(select(Case)).scalars()}
        # recorded on the addressed case only; the window stays open to its end on both
        assert case_data(cases[addressed])["hearing_requested"] is True
        assert case_data(cases[bystander])["hearing_requested"] is False
        assert [t.bpmn_id for t in ready(cases[addressed].id)] == []
        close_window(cases[addressed].id)  # (the bystander's window closes too, in silence)
        assert [t.bpmn_id for t in ready(cases[addressed].id)] == ["f_schedule_hearing"]
        assert [t.bpmn_id for t in ready(cases[bystander].id)] == ["f_head_approval"]
    assert client.post(URL, json=body, headers=headers).get_json()["repeated"] is True
    again = client.post(URL, headers=headers, json={**body, "event_id": "gov-portal-78"})
    assert again.status_code == 409  # the window has closed: no longer waiting for it
    elsewhere = client.post(
        URL,
        headers=token_for(app, "officer_bt"),
        json={**body, "event_id": "bt-1", "case_no": bystander},
    )
    assert elsewhere.status_code == 403
