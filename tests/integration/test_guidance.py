"""合规指引清单: maintained by credit officers, published on a page without login, each item
marked with the exemption list it belongs to; refusals change nothing."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, ComplianceItem
from tests.conftest import login

ITEM = {
    "domain": "METROLOGY",
    "matter": "强制检定计量器具",
    "legal_basis": "《中华人民共和国计量法》第九条",
    "requirement": "用于贸易结算的计量器具按规定申请强制检定。",
    "common_violations": "使用未经检定或者超过检定周期的电子秤。",
    "penalty": "《计量法实施细则》：责令停止使用，可以并处一千元以下的罚款。",
    "self_check": "核对每台电子秤的检定合格标志和有效期。",
    "exemption": "NATIONAL_MINOR",
    "sort_order": "3",
}


def _stored() -> int:
    return db.session.scalar(select(func.count()).select_from(ComplianceItem)) or 0


def test_an_item_is_added_changed_and_published(app: Flask, client: FlaskClient) -> None:
    public = client.application.test_client()
    page = public.get("/public/guidance")
    assert page.status_code == 200 and "食品经营许可" in page.get_data(as_text=True)
    token = login(client, "credit")
    response = client.post("/prevention/guidance", data={"csrf_token": token, **ITEM})
    assert response.status_code == 303
    with app.app_context():
        item = db.session.execute(
            select(ComplianceItem).where(ComplianceItem.matter == ITEM["matter"])
        ).scalar_one()
        assert not item.published and item.exemption == "NATIONAL_MINOR"
        item_id = item.id
    assert ITEM["matter"] not in public.get("/public/guidance").get_data(as_text=True)
    changed = {**ITEM, "published": "y", "requirement": "贸易结算用电子秤每年检定。"}
    response = client.post(
        f"/prevention/guidance?item={item_id}", data={"csrf_token": token, **changed}
    )
    assert response.status_code == 303
    text = public.get("/public/guidance?domain=METROLOGY").get_data(as_text=True)
    assert ITEM["matter"] in text and "每年检定" in text and "总局轻微免罚清单" in text
    assert "食品经营许可" not in text  # the domain filter
    with app.app_context():
        audits = list(
            db.session.execute(
                select(AuditEvent).where(AuditEvent.action == "change_guidance")
            ).scalars()
        )
        assert len(audits) == 2 and audits[1].detail["changed"] == ["published", "requirement"]


def test_bad_items_and_other_roles_change_nothing(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        before = _stored()
    token = login(client, "credit")
    response = client.post(
        "/prevention/guidance", data={"csrf_token": token, **ITEM, "legal_basis": ""}
    )
    assert response.status_code == 422 and "此项必填" in response.get_data(as_text=True)
    bad_domain = client.post(
        "/prevention/guidance", data={"csrf_token": token, **ITEM, "domain": "NOPE"}
    )
    assert bad_domain.status_code == 422
    assert (
        client.post(
            "/prevention/guidance?item=999999", data={"csrf_token": token, **ITEM}
        ).status_code
        == 404
    )
    officer = client.application.test_client()
    officer_token = login(officer, "officer")
    assert officer.get("/prevention/guidance").status_code == 403
    assert (
        officer.post("/prevention/guidance", data={"csrf_token": officer_token, **ITEM}).status_code
        == 403
    )
    with app.app_context():
        assert _stored() == before
