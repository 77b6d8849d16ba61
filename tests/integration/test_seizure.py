"""Seizure (查封、扣押) to 《行政强制法》第二十四、二十五、二十七、二十八条, driven through the
JSON API as an integrating system would: the custody runs beside the investigation; the one
extension is the agency head's, with its reason and a written notice to the party; a second
extension, a disposal other than release after the period, and leaving the investigation with
goods still held are refused with nothing stored; a period that passes without a disposal is
flagged to the unit head. Every date is checked against a computation of its own (the holiday
package, not app/calendar)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import chinese_calendar
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.clock import CHINA_TZ, travel_to
from app.enforcement.worker import run_once
from app.extensions import db
from app.models import Case, HumanTask, Notification, UserRole
from app.platform.auth import create_token
from tests.integration.cases import investigated_case, ready

SEIZED_ON = dt.date(2026, 3, 2)  # a Monday; 30 days later is 04-01, 60 days later 劳动节
NINE_AM = dt.time(9, tzinfo=CHINA_TZ)


@pytest.fixture(autouse=True)
def _on_the_seizure_day() -> Iterator[None]:
    with travel_to(dt.datetime.combine(SEIZED_ON, NINE_AM)):
        yield


def statutory_end(start: dt.date, days: int) -> dt.date:
    """`days` calendar days after `start`, rolled forward off rest days (DOMAIN.md G2, G4)."""
    end = start + dt.timedelta(days=days)
    while not chinese_calendar.is_workday(end):
        end += dt.timedelta(days=1)
    return end


def midnight_after(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), CHINA_TZ)


def post(
    client: FlaskClient, case_id: int, bpmn_id: str, username: str, **data: Any
) -> tuple[int, dict[str, Any]]:
    with client.application.app_context():
        task_id = next(t.id for t in ready(case_id) if t.bpmn_id == bpmn_id)
        token = create_token(username, "seizure-test")
    response = client.post(
        f"/api/v1/tasks/{task_id}/complete",
        json=data,
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.status_code, response.get_json()


def waiting(app: Flask, case_id: int) -> list[tuple[str, str | None]]:
    with app.app_context():
        return sorted((t.bpmn_id, t.lane) for t in ready(case_id))


def due_of(app: Flask, case_id: int, bpmn_id: str) -> dt.datetime:
    with app.app_context():
        due = next(t.due_at for t in ready(case_id) if t.bpmn_id == bpmn_id)
    assert due is not None
    return due


def seized_case(app: Flask, client: FlaskClient) -> int:
    """Filed, the head approved a seizure, the officers carried it out today."""
    with app.app_context():
        case_id = investigated_case(next_action="SEIZE")
    assert post(client, case_id, "d_seize_approval", "agency_head", approved=True)[0] == 200
    assert waiting(app, case_id) == [("d_investigate", "officer"), ("d_seize_execute", "officer")]
    status, _ = post(
        client,
        case_id,
        "d_seize_execute",
        "officer",
        seized_on=SEIZED_ON.isoformat(),
        seizure_grounds="涉嫌经营超过保质期的食品（《食品安全法》第一百一十条）",
        seized_items="超过保质期的乳制品12盒",
        decision_delivered=True,
    )
    assert status == 200
    return case_id


def test_a_seizure_extended_once_by_the_head_while_the_investigation_goes_on(
    app: Flask, client: FlaskClient
) -> None:
    case_id = seized_case(app, client)
    first_end = statutory_end(SEIZED_ON, 30)
    assert first_end == dt.date(2026, 4, 1)
    assert due_of(app, case_id, "d_seize_handle") == midnight_after(first_end)
    # the investigation and testing go on while the goods are held
    assert post(client, case_id, "d_investigate", "officer", next_action="TEST")[0] == 200
    status, _ = post(
        client, case_id, "d_test_sent", "officer", sent_on=SEIZED_ON.isoformat(), test_item="菌落"
    )
    assert status == 200
    assert waiting(app, case_id) == [("d_seize_handle", "officer"), ("d_test_received", "officer")]

    asked_on = SEIZED_ON + dt.timedelta(days=20)
    with travel_to(dt.datetime.combine(asked_on, NINE_AM)):
        status, _ = post(
            client,
            case_id,
            "d_seize_handle",
            "officer",
            seizure_action="EXTEND",
            seizure_notes="检验结果尚未出具，情况复杂",
        )
        assert status == 200
        assert ("d_seize_ext_approval", "agency_head") in waiting(app, case_id)
        # an officer cannot approve it; nor may an investigator of the case who is also a head
        status, answer = post(client, case_id, "d_seize_ext_approval", "officer", approved=True)
        assert status == 403 and "不属于您的岗位" in answer["message"]
        with app.app_context():
            officer_id = db.session.execute(
                select(HumanTask.completed_by_id).where(
                    HumanTask.case_id == case_id, HumanTask.bpmn_id == "d_seize_handle"
                )
            ).scalar_one()
            db.session.add(UserRole(user_id=officer_id, role="agency_head"))
            db.session.commit()
        status, answer = post(client, case_id, "d_seize_ext_approval", "officer", approved=True)
        assert status == 403 and "是本案的调查人员" in answer["message"]
        assert ("d_seize_ext_approval", "agency_head") in waiting(app, case_id)

        status, _ = post(
            client, case_id, "d_seize_ext_approval", "agency_head", approved=True, opinion="同意"
        )
        assert status == 200
        assert ("d_seize_ext_notice", "officer") in waiting(app, case_id)
        status, _ = post(
            client,
            case_id,
            "d_seize_ext_notice",
            "officer",
            ext_notice_served_on=asked_on.isoformat(),
        )
        assert status == 200
        # 30 + 30 days from the seizure; 05-01 to 05-05 are the 劳动节 holidays
        extended_end = statutory_end(SEIZED_ON, 60)
        assert extended_end == dt.date(2026, 5, 6)
        assert due_of(app, case_id, "d_seize_handle") == midnight_after(extended_end)

        # a second extension: refused, nothing stored
        before = waiting(app, case_id)
        status, answer = post(
            client,
            case_id,
            "d_seize_handle",
            "officer",
            seizure_action="EXTEND",
            seizure_notes="仍需检验",
        )
        assert status == 422 and "只能延长一次" in answer["message"]
        assert waiting(app, case_id) == before

        # the disposal within the period; the test report arrives on its own branch
        status, _ = post(
            client,
            case_id,
            "d_seize_handle",
            "officer",
            seizure_action="CONFISCATE",
            seizure_notes="依法应当没收的非法财物",
        )
        assert status == 200
        assert waiting(app, case_id) == [("d_test_received", "officer")]


def test_the_investigation_cannot_end_with_goods_still_held(
    app: Flask, client: FlaskClient
) -> None:
    case_id = seized_case(app, client)
    before = waiting(app, case_id)
    status, answer = post(client, case_id, "d_investigate", "officer", next_action="CONCLUDE")
    assert status == 409 and "尚未作出处理决定" in answer["message"]
    assert waiting(app, case_id) == before
    with app.app_context():
        assert db.session.get(Case, case_id).stage == "D 调查取证"  # type: ignore[union-attr]
    # nor through a transfer the police accept while the goods are still held here
    assert post(client, case_id, "d_investigate", "officer", next_action="CRIMINAL")[0] == 200
    assert post(client, case_id, "d_criminal_approval", "agency_head", approved=True)[0] == 200
    status, _ = post(
        client,
        case_id,
        "d_criminal_transfer",
        "officer",
        transferred_on=SEIZED_ON.isoformat(),
        receiving_authority="市公安局",
    )
    assert status == 200
    with app.app_context():
        headers = {"Authorization": f"Bearer {create_token('officer', 'police')}"}
        case_no = db.session.get(Case, case_id).case_no  # type: ignore[union-attr]
    reply = {"type": "judicial_reply", "case_no": case_no}
    payload = {"outcome": "ACCEPTED", "reason": "已立案侦查"}
    response = client.post(
        "/api/v1/events",
        json={**reply, "event_id": "police-1", "payload": payload},
        headers=headers,
    )
    assert response.status_code == 409
    assert "尚未作出处理决定" in response.get_json()["message"]
    # the goods go with the case (第二十一条); then the reply closes the investigation
    status, _ = post(
        client,
        case_id,
        "d_seize_handle",
        "officer",
        seizure_action="TRANSFER",
        seizure_notes="随案移送市公安局",
    )
    assert status == 200
    response = client.post(
        "/api/v1/events",
        json={**reply, "event_id": "police-2", "payload": payload},
        headers=headers,
    )
    assert response.status_code == 202
    with app.app_context():
        assert db.session.get(Case, case_id).stage != "D 调查取证"  # type: ignore[union-attr]


def test_a_period_without_a_disposal_is_flagged_and_then_only_a_release_is_allowed(
    app: Flask, client: FlaskClient
) -> None:
    case_id = seized_case(app, client)
    end = statutory_end(SEIZED_ON, 30)
    with app.app_context():
        run_once("w", midnight_after(end) + dt.timedelta(minutes=1))
        notes = db.session.execute(
            select(Notification.role, Notification.message).where(
                Notification.case_id == case_id, Notification.kind == "OVERDUE"
            )
        ).all()
    assert [role for role, message in notes if "查封扣押期限届满" in message] == ["unit_head"]
    with travel_to(dt.datetime.combine(end + dt.timedelta(days=1), NINE_AM)):
        status, answer = post(
            client,
            case_id,
            "d_seize_handle",
            "officer",
            seizure_action="CONFISCATE",
            seizure_notes="没收",
        )
        assert status == 422 and "应当作出解除决定" in answer["message"]
        status, _ = post(
            client,
            case_id,
            "d_seize_handle",
            "officer",
            seizure_action="RELEASE",
            seizure_notes="期限届满，解除并退还",
        )
        assert status == 200
        assert waiting(app, case_id) == [("d_investigate", "officer")]
        assert post(client, case_id, "d_investigate", "officer", next_action="CONCLUDE")[0] == 200
        assert waiting(app, case_id) == [("e_report", "officer")]
