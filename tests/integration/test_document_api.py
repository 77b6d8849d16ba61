"""Issuing documents through the API (issue 32 item 5): the rules of the case page — role and
region, 409 on a second issue unless a correction or revocation with a reason is asked and
confirmed, 422 with the missing facts in words — and the case resource lists its documents."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.clock import china_today
from app.extensions import db
from app.models import AuditEvent, Document
from app.platform.auth import create_token
from tests.integration.cases import account, reviewed_case
from tests.integration.test_documents import decided_case, pdf_text

YEAR = china_today().year


@pytest.fixture
def tokens(app: Flask) -> dict[str, dict[str, str]]:
    with app.app_context():
        return {
            u: {"Authorization": f"Bearer {create_token(u, 'api-test')}"}
            for u in ("officer", "officer_bt", "unit_head")
        }


def test_issue_then_409_then_a_confirmed_correction_listed_on_the_case(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    case_id = decided_case(app)
    url = f"/api/v1/cases/{case_id}/documents/PENALTY_DECISION"
    issued = client.post(url, headers=tokens["officer"])
    assert issued.status_code == 201, issued.get_json()
    first = issued.get_json()
    assert first["doc_no"] == f"呼市监处罚〔{YEAR}〕1号" and first["status"] == "live"
    pdf = client.get(first["download"], headers=tokens["officer"])
    assert pdf.mimetype == "application/pdf" and first["doc_no"] in pdf_text(pdf.data)

    again = client.post(url, headers=tokens["officer"])
    assert again.status_code == 409 and again.get_json()["error"] == "conflict"
    assert "本案已出具行政处罚决定书" in again.get_json()["message"]

    no_reason = client.post(url, json={"change": {"action": "CORRECT"}}, headers=tokens["officer"])
    assert no_reason.status_code == 422
    assert "须写明理由" in no_reason.get_json()["message"]
    change = {"action": "CORRECT", "reason": "当事人名称笔误"}
    asked = client.post(url, json={"change": change}, headers=tokens["officer"])
    assert asked.status_code == 409  # the confirmation step: what would happen, nothing done
    details = asked.get_json()["details"]
    assert details["confirm_required"] is True
    assert [d["new_doc_no"] for d in details["documents"]] == [
        f"呼市监处罚〔{YEAR}〕1号（更正）",
        f"呼市监修复〔{YEAR}〕1号（更正）",
        f"呼市监送达〔{YEAR}〕1号（更正）",
    ]
    with app.app_context():
        assert db.session.execute(select(Document.status)).scalars().all() == ["LIVE"] * 3

    confirmed = client.post(
        url, json={"change": {**change, "confirm": True}}, headers=tokens["officer"]
    )
    assert confirmed.status_code == 201, confirmed.get_json()
    corrected = confirmed.get_json()
    assert corrected["doc_no"] == f"呼市监处罚〔{YEAR}〕1号（更正）"
    assert corrected["corrects_id"] == first["id"] and corrected["version"] == 2

    listed = client.get(f"/api/v1/cases/{case_id}", headers=tokens["officer"]).get_json()
    by_id = {d["id"]: d for d in listed["documents"]}
    old = by_id[first["id"]]
    assert old["status"] == "corrected" and old["superseded_by_id"] == corrected["id"]
    assert old["change_reason"] == "当事人名称笔误"
    assert {d["status"] for d in listed["documents"]} == {"live", "corrected"}
    assert all(
        set(d) >= {"type", "doc_no", "issued_at", "status", "download"} for d in listed["documents"]
    )
    with app.app_context():
        event = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "correct_document")
        ).scalar_one()
        assert event.actor_id == account("officer").id

    companion = client.post(
        f"/api/v1/cases/{case_id}/documents/REPAIR_NOTICE",
        json={"change": {"action": "REVOKE", "reason": "单独撤销", "confirm": True}},
        headers=tokens["officer"],
    )
    assert companion.status_code == 422 and "随其一并更正或撤销" in companion.get_json()["message"]
    revoke = {"action": "REVOKE", "reason": "撤销重作", "confirm": True}
    revoked = client.post(url, json={"change": revoke}, headers=tokens["officer"])
    assert revoked.status_code == 201 and revoked.get_json()["status"] == "revoked"


def test_missing_data_role_and_region_are_refused(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    with app.app_context():
        case_id = reviewed_case("PENALTY")
    decision = client.post(
        f"/api/v1/cases/{case_id}/documents/PENALTY_DECISION", headers=tokens["officer"]
    )
    assert decision.status_code == 422 and "尚未作出决定" in decision.get_json()["message"]
    wrong_path = client.post(
        f"/api/v1/cases/{case_id}/documents/WARNING_NOTICE", headers=tokens["officer"]
    )
    assert wrong_path.status_code == 422
    assert "本案当前的阶段和程序不出具违法风险预警提醒书" in wrong_path.get_json()["message"]
    url = f"/api/v1/cases/{case_id}/documents/PENALTY_NOTICE"
    assert client.post(url, headers=tokens["unit_head"]).status_code == 403
    assert client.post(url, headers=tokens["officer_bt"]).status_code == 403
    bad = client.post(url, json={"change": "yes"}, headers=tokens["officer"])
    assert bad.status_code == 422
    assert client.post(url, headers=tokens["officer"]).status_code == 201
    with app.app_context():
        assert db.session.execute(select(Document.doc_type)).scalars().all() == ["PENALTY_NOTICE"]
