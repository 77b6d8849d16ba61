"""The enterprise's 体检档案: what it lists, who may see it, and the first-offense lookback."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.calendar import add_months
from app.clock import CHINA_TZ, china_today, travel_to
from app.extensions import db
from app.models import Case, Enterprise
from app.platform.auth import create_token, create_user
from tests.conftest import login
from tests.integration.cases import complete, investigated_case, ready, reviewed_case


def first_offense_ticked(html: str) -> bool:
    tag = re.search(r'<input[^>]*name="first_offense_2y"[^>]*>', html)
    assert tag, "no first-offense box on the report screen"
    return "checked" in tag.group(0)


@pytest.mark.parametrize(("years_ago", "counted"), [(0, True), (3, False)])
def test_record_lists_the_exemption_and_the_lookback_reads_it(
    app: Flask, client: FlaskClient, years_ago: int, counted: bool
) -> None:
    decided_on = add_months(china_today(), -12 * years_ago)
    with app.app_context():
        # the earlier case ran at its own dates (a decision is never dated before its steps)
        with travel_to(dt.datetime.combine(decided_on, dt.time(10), CHINA_TZ)):
            exempted = reviewed_case(
                "NO_PENALTY", first_offense_2y=True, corrected=True, harm="SLIGHT"
            )
            complete(
                exempted,
                "g_no_penalty_decision",
                "officer",
                decided_on=decided_on.isoformat(),
                education_done=True,
            )
        case = db.session.get(Case, exempted)
        assert case is not None
        enterprise_id, case_no = case.enterprise_id, case.case_no
        second = investigated_case("再次销售过期食品")
        report_task = next(t.id for t in ready(second) if t.bpmn_id == "e_report")

    login(client, "officer")
    page = client.get(f"/enterprises/{enterprise_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    checks = html[html.index('id="health-checks"') : html.index('id="enterprise-cases"')]
    assert "不予行政处罚（免罚）" in checks and case_no in checks
    assert f"{decided_on.year}年{decided_on.month}月{decided_on.day}日" in checks
    lookback = re.search(r'id="first-offense">([^<]*)<', html)
    assert lookback
    if counted:
        assert "近2年内有1次处罚或免罚决定" in lookback.group(1)
    else:
        assert "近2年内无处罚或免罚决定" in lookback.group(1)
    assert "无行政处罚信息公示" in html

    with app.app_context():
        token = create_token("officer", "record-test")
    api = client.get(
        f"/api/v1/enterprises/{enterprise_id}", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    lookback = api["first_offense_lookback"]
    assert {k: lookback[k] for k in ("years", "decisions", "first_offense")} == {
        "years": 2,
        "decisions": 1 if counted else 0,
        "first_offense": not counted,
    }
    # without a type every decision within two years before today counts
    assert (lookback["violation_type"], lookback["violated_on"]) == (
        None,
        china_today().isoformat(),
    )
    assert lookback["since"] == add_months(china_today(), -24).isoformat()
    assert [c["case_no"] for c in lookback["found"]] == ([case_no] if counted else [])
    assert {"kind": "不予行政处罚（免罚）", "case_no": case_no, "on": decided_on.isoformat()} in [
        {k: c[k] for k in ("kind", "case_no", "on")} for c in api["checks"]
    ]

    report = client.get(f"/tasks/{report_task}").get_data(as_text=True)
    assert first_offense_ticked(report) is not counted
    assert f'href="/enterprises/{enterprise_id}"' in report


def test_record_is_denied_outside_the_region(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        create_user("baotou", "long enough pw", "包头执法", "150200", ["officer"])
        hohhot = db.session.execute(
            select(Enterprise.id).where(Enterprise.region_code == "150102")
        ).scalar_one()
    login(client, "baotou", "long enough pw")
    assert client.get(f"/enterprises/{hohhot}").status_code == 403
    assert client.get("/enterprises/987654").status_code == 404
    with app.app_context():
        token = create_token("baotou", "record-test")
    denied = client.get(
        f"/api/v1/enterprises/{hohhot}", headers={"Authorization": f"Bearer {token}"}
    )
    assert denied.status_code == 403 and denied.get_json()["error"]
