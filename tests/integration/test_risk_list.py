"""The graded risk list (违法风险预警分级清单): 盟市 × domain graded from work orders, their growth
and inspection findings by the decision table risk_grade — which a designer can change."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from flask.testing import FlaskClient

from app.clock import china_today
from app.extensions import db
from app.models import CaseFact
from app.prevention.complaints import import_rows
from tests.conftest import login
from tests.integration.cases import rectify_inspection_case
from tests.integration.test_designer_decisions import table_form


def orders(
    prefix: str, count: int, region: str, domain: str, days_ago: int
) -> list[tuple[int, dict[str, str]]]:
    day = china_today() - dt.timedelta(days=days_ago)
    return [
        (
            number,
            {
                "order_no": f"{prefix}{number}",
                "channel": "12315",
                "received_on": day.isoformat(),
                "region": region,
                "domain": domain,
                "issue_type": "FOOD_SAFETY" if domain == "FOOD" else "PRICE",
            },
        )
        for number in range(count)
    ]


def risk_rows(client: FlaskClient) -> dict[str, str]:
    page = client.get("/prevention/risks?days=90").get_data(as_text=True)
    return dict(re.findall(r'data-risk="([^"]+)" data-level="(\d)"', page))


def test_risks_are_graded_by_the_table_and_the_designer_can_change_it(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        rows = orders("F", 12, "150102", "FOOD", 5) + orders("FP", 6, "150102", "FOOD", 100)
        rows += orders("P", 7, "150105", "PRICE", 3)  # 呼和浩特 price: 7 orders
        rows += orders("B", 25, "150203", "FOOD", 10)  # 包头 food: 25 orders
        import_rows(rows, "test", None)
        rectify_inspection_case()  # 新城区 (呼和浩特) food inspection that found problems
        db.session.commit()
    login(client, "supervisor")
    graded = risk_rows(client)
    # 12 now, 6 before (+100%): rule 2 → 3; 7 orders: rule 5 → 1; 25: rule 1 → 3
    assert graded["150100-FOOD"] == "3" and graded["150200-FOOD"] == "3"
    assert graded["150100-PRICE"] == "1"
    page = client.get("/prevention/risks?days=90").get_data(as_text=True)
    assert "快速上升" in page  # the rule's annotation says why

    designer = client.application.test_client()
    token = login(designer, "designer")
    fields = table_form(designer.get("/designer/decisions/risk_grade").get_data(as_text=True))
    assert fields["rules-4-inputs-0"] == "5 <= ? < 10"
    fields.update(
        {
            "csrf_token": token,
            "rules-4-inputs-0": "8 <= ? < 10",
            "rules-5-inputs-0": "? < 8",
            "action": "deploy",
            "note": "1 级门槛提高到 8 件",
        }
    )
    assert designer.post("/designer/decisions/risk_grade", data=fields).status_code == 200
    assert "150100-PRICE" not in risk_rows(client)  # 7 orders no longer make a level-1 risk


def test_inspection_findings_alone_can_make_a_risk(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        for _ in range(3):
            case_id = rectify_inspection_case()
        fact = db.session.get(CaseFact, case_id)
        assert fact is not None and fact.inspection_result == "RECTIFY"
        assert fact.inspected_on == china_today()
        db.session.commit()
    login(client, "credit")
    assert risk_rows(client)["150100-FOOD"] == "2"  # rule 4: three inspections found problems


def test_a_unit_sees_its_own_risks(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        import_rows(orders("B", 25, "150203", "FOOD", 10), "test", None)
        db.session.commit()
    login(client, "credit")  # 呼和浩特
    assert "150200-FOOD" not in risk_rows(client)
    other = client.application.test_client()
    login(other, "officer")
    assert other.get("/prevention/risks").status_code == 403
