"""Publishing a 违法风险预警 batch from the graded risk list: one warning case per recipient,
assessed, served and with its 提醒书 (合规指引清单 attached); public posting of the levels the
rule marks public; refusals change nothing."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.clock import china_today
from app.extensions import db
from app.models import (
    AuditEvent,
    Case,
    Document,
    Enterprise,
    HumanTask,
    WarningBatch,
    WarningRecipient,
)
from app.prevention.complaints import import_rows
from app.prevention.hotspots import risk_list
from app.prevention.warning_batches import recipients
from tests.conftest import login
from tests.integration.cases import account
from tests.integration.test_risk_list import orders


def _seed(app: Flask, food: int = 7) -> None:
    """呼和浩特 food work orders (7: level 1, not public; 25: level 3, public)."""
    with app.app_context():
        import_rows(orders("W", food, "150102", "FOOD", 4), "test", None)
        import_rows(orders("WP", 25, "150203", "FOOD", 4), "test", None)  # 包头: not ours
        db.session.commit()


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (WarningBatch, WarningRecipient, Case, Document)
    )


def _publish(client: FlaskClient, token: str, risks: list[str], served: str | None = None) -> int:
    response = client.post(
        "/prevention/warnings?days=90",
        data={
            "csrf_token": token,
            "risks": risks,
            "served_on": served or china_today().isoformat(),
        },
    )
    return response.status_code


def test_a_batch_opens_one_served_warning_case_per_recipient(
    app: Flask, client: FlaskClient
) -> None:
    _seed(app)
    with app.app_context():
        credit = account("credit")
        graded = {f"{r.unit_code}-{r.domain}": r for r in risk_list(credit, china_today()).items}
        assert "150200-FOOD" not in graded  # another 盟市's risk is not on 呼和浩特's list
        expected = recipients(credit, [graded["150100-FOOD"]])
        names = {r.enterprise.name for r in expected}
        food_here = set(
            db.session.execute(
                select(Enterprise.name).where(
                    Enterprise.domain == "FOOD", Enterprise.region_code.like("1501%")
                )
            ).scalars()
        )
        assert names == food_here  # every food business of 呼和浩特, and only those
        assert {"呼和浩特市餐饮行业协会", "呼和浩特市食品工业协会"} <= names
        before = _counts()
    token = login(client, "credit")
    page = client.post(
        "/prevention/warnings/preview?days=90", data={"csrf_token": token, "risks": "150100-FOOD"}
    ).get_data(as_text=True)
    assert f"共 {len(expected)} 个送达对象" in page and "行业协会" in page
    assert _publish(client, token, ["150100-FOOD"]) == 303
    with app.app_context():
        batch = db.session.execute(select(WarningBatch)).scalar_one()
        assert batch.recipients == len(expected) and batch.risks[0]["level"] == 1
        assert not batch.risks[0]["public"]
        rows = list(db.session.execute(select(WarningRecipient)).scalars())
        assert len(rows) == len(expected) == _counts()[2] - before[2]
        assert sum(r.is_association for r in rows) == 2
        for row in rows:
            case = db.session.get(Case, row.case_id)
            assert case is not None and case.enterprise_id == row.enterprise_id
            notice = db.session.execute(
                select(Document).where(Document.case_id == case.id)
            ).scalar_one()
            assert notice.doc_type == "WARNING_NOTICE" and notice.pdf.startswith(b"%PDF")
            assert "附：合规指引清单" in notice.html and "食品经营许可" in notice.html
            assert "投诉举报 7 件" in notice.html
            waiting = db.session.execute(
                select(HumanTask.bpmn_id, HumanTask.lane).where(
                    HumanTask.case_id == case.id, HumanTask.state == "READY"
                )
            ).all()
            assert waiting == [("a_feedback", "officer")]  # served; the officer follows up
        audit = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "publish_warnings")
        ).scalar_one()
        assert audit.detail["recipients"] == len(expected)
    listing = client.get(f"/prevention/warnings/{batch.id}").get_data(as_text=True)
    assert listing.count("/cases/") >= len(expected)
    public = client.application.test_client()  # no login
    assert "暂无公开的风险预警" in public.get("/public/warnings").get_data(as_text=True)


def test_the_levels_the_rule_marks_public_are_posted_without_names(
    app: Flask, client: FlaskClient
) -> None:
    _seed(app, food=25)
    token = login(client, "credit")
    assert _publish(client, token, ["150100-FOOD"]) == 303
    page = client.application.test_client().get("/public/warnings")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "呼和浩特" in text and "投诉举报 25 件" in text
    assert "青城乳业" not in text  # a warning names no enterprise in public


def test_refused_batches_change_nothing(app: Flask, client: FlaskClient) -> None:
    _seed(app)
    with app.app_context():
        before = _counts()
    token = login(client, "credit")
    tomorrow = china_today().toordinal() + 1
    future = type(china_today()).fromordinal(tomorrow).isoformat()
    assert _publish(client, token, ["150100-FOOD"], future) == 422
    assert _publish(client, token, ["150200-FOOD"]) == 422  # not on this user's list
    assert _publish(client, token, []) == 422
    page = client.post(
        "/prevention/warnings?days=90",
        data={"csrf_token": token, "risks": ["150100-FOOD"], "served_on": future},
    ).get_data(as_text=True)
    assert "日期不能晚于今天" in page
    officer = client.application.test_client()
    officer_token = login(officer, "officer")
    assert _publish(officer, officer_token, ["150100-FOOD"]) == 403
    with app.app_context():
        assert _counts() == before
