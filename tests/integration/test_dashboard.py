"""The supervisors' dashboard on the demo gallery: every figure equals a direct SQL count over
the tables the cases themselves live in (cases, task rows and what was submitted on them)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from collections import Counter, defaultdict
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import and_, func, inspect, select

from app.clock import CHINA_TZ, china_today, utcnow
from app.database import downgrade, upgrade
from app.enforcement import tallies
from app.extensions import db
from app.i18n import shown
from app.models import (
    Case,
    CaseFact,
    Deadline,
    HumanTask,
    Incident,
    Region,
    StageVisit,
    User,
)
from app.platform.auth import create_user
from app.platform.parameters import work_calendar
from app.supervision import dashboard
from tests.conftest import login
from tests.integration.cases import tally_rows


def completed(bpmn_id: str) -> Any:
    return select(HumanTask).where(HumanTask.bpmn_id == bpmn_id, HumanTask.state == "COMPLETED")


def rows_of(board: dashboard.Dashboard, key: str) -> dict[Any, Any]:
    return {shown(row[0]): row[1] for row in board.table(key).rows}


def test_every_figure_equals_a_direct_count(gallery_app: Flask) -> None:
    app = gallery_app
    with app.app_context():
        supervisor = db.session.execute(
            select(User).where(User.username == "supervisor")
        ).scalar_one()
        board = dashboard.build(supervisor, {"since": "2024-01"})  # the whole gallery

        # open cases per stage and per 盟市, from the case rows and the region table
        per_stage = db.session.execute(
            select(Case.stage, func.count()).where(Case.status == "OPEN").group_by(Case.stage)
        ).all()
        assert rows_of(board, "stages") == dict(per_stage)
        units = db.session.execute(
            select(Region.parent_code, Region.code, Region.level, Case.id)
            .join(Case, Case.region_code == Region.code)
            .where(Case.status == "OPEN")
        ).all()
        names = {code: name for code, name in db.session.execute(select(Region.code, Region.name))}
        per_unit = Counter(
            names[(parent if level == "COUNTY" else None) or code]
            for parent, code, level, _ in units
        )
        assert rows_of(board, "units") == dict(per_unit)

        # new cases per week (Monday), from the cases' opening moments in China
        opened = db.session.execute(select(Case.opened_at)).scalars()
        days = [moment.astimezone(CHINA_TZ).date() for moment in opened]
        weeks = Counter((d - dt.timedelta(days=d.weekday())).isoformat() for d in days)
        assert rows_of(board, "weekly") == dict(weeks)

        # outcomes, from the decision screens that were submitted
        penalties = db.session.execute(completed("g_penalty_decision")).scalars().all()
        exemptions = db.session.execute(completed("g_no_penalty_decision")).scalars().all()
        assert rows_of(board, "decisions") == {
            "行政处罚": len(penalties),
            "不予行政处罚": len(exemptions),
        }
        levels = db.session.execute(
            select(CaseFact.level, func.count())
            .where(CaseFact.decided_on.is_not(None))
            .group_by(CaseFact.level)
        ).all()
        assert (
            sum(rows_of(board, "levels").values())
            == sum(n for _, n in levels)
            == len(penalties) + len(exemptions)
        )

        # the policy's promises
        rates = {rate.label[:4]: (rate.done, rate.total) for rate in board.rates}
        archived = {t.case_id for t in db.session.execute(completed("j_archive")).scalars()}
        visited = {t.case_id for t in db.session.execute(completed("k_visit")).scalars()}
        assert rates["回访率（"] == (len(archived & visited), len(archived)) and archived
        served = db.session.execute(completed("g_serve_two")).scalars().all()
        together = [t for t in served if t.submitted_data["repair_notice_served"] is True]
        assert rates["两书同达"] == (len(together), len(served)) and served
        published = db.session.execute(completed("g_publish")).scalars().all()
        decided_on = {t.case_id: t.submitted_data["decided_on"] for t in penalties}
        calendar = work_calendar()
        in_time = [
            t
            for t in published
            if dt.date.fromisoformat(t.submitted_data["published_on"])
            <= calendar.deadline(
                dt.date.fromisoformat(decided_on[t.case_id]), 20, "working_days"
            ).due
        ]
        assert rates["按时公示"] == (len(in_time), len(published)) and published

        # fines per violation type (类案同罚), from the report and decision screens
        violation = {
            t.case_id: t.submitted_data.get("violation_type") or "未注明"
            for t in db.session.execute(completed("e_report")).scalars()
        }
        fines: dict[str, list[float]] = defaultdict(list)
        for t in penalties:
            fines[violation[t.case_id]].append(float(t.submitted_data["fine"]))
        table = {row[0]: row[1:5] for row in board.table("fines").rows}
        assert table == {
            v: (len(f), statistics.median_low(f), min(f), max(f)) for v, f in fines.items()
        }

        # time per stage, from the stage visits; credit repairs done
        left = db.session.execute(
            select(StageVisit.stage, func.count())
            .where(StageVisit.left_at.is_not(None))
            .group_by(StageVisit.stage)
        ).all()
        assert {row[0]: row[1] for row in board.table("stage_times").rows} == dict(left)
        repaired = db.session.execute(
            select(func.count()).select_from(completed("l_stop_publicity").subquery())
        ).scalar_one()
        assert board.table("repair").rows[0][0] == repaired > 0

        # the running clocks: overdue and due soon, timers and task due dates together
        now = utcnow()
        overdue = (
            db.session.execute(
                select(func.count(Deadline.id)).where(Deadline.due_at <= now)
            ).scalar_one()
            + db.session.execute(
                select(func.count(HumanTask.id)).where(
                    and_(HumanTask.state == "READY", HumanTask.due_at <= now)
                )
            ).scalar_one()
        )
        assert len(board.table("overdue").rows) == overdue
        # due soon: still running, with at most DUE_SOON_WD working days left (last day counts)
        today = china_today()
        last_days = [
            (moment.astimezone(CHINA_TZ) - dt.timedelta(seconds=1)).date()
            for moment in [
                *db.session.execute(select(Deadline.due_at).where(Deadline.due_at > now)).scalars(),
                *db.session.execute(
                    select(HumanTask.due_at).where(
                        HumanTask.state == "READY", HumanTask.due_at > now
                    )
                ).scalars(),
            ]
            if moment is not None
        ]
        soon = [
            d for d in last_days if calendar.working_days_left(today, d) <= dashboard.DUE_SOON_WD
        ]
        assert len(board.table("due_soon").rows) == len(soon)
        assert (
            board.open_incidents
            == db.session.execute(
                select(func.count(Incident.id)).where(Incident.resolved_at.is_(None))
            ).scalar_one()
        )

        # the heatmap: cases waiting per stage of the loop, and per task inside a stage
        loop = dashboard.heatmap(supervisor, "enforcement_case", {})
        waiting = db.session.execute(
            select(Case.stage, func.count())
            .where(Case.status == "OPEN", Case.stage.like("_ %"))
            .group_by(Case.stage)
        ).all()
        assert {c.name: c.waiting for c in loop} == dict(waiting)
        assert all(c.element_id.startswith("m_") and c.average_days >= 0 for c in loop)
        inside = dashboard.heatmap(supervisor, "stage_e_review", {})
        ready = db.session.execute(
            select(HumanTask.bpmn_id, func.count())
            .where(HumanTask.state == "READY", HumanTask.bpmn_id.like("e\\_%", escape="\\"))
            .group_by(HumanTask.bpmn_id)
        ).all()
        assert {c.element_id: c.waiting for c in inside} == dict(ready) != {}


def test_filters_scope_and_exports(gallery_app: Flask) -> None:
    app, client = gallery_app, gallery_app.test_client()
    with app.app_context():
        create_user("head_bt", "long enough pw", "包头科长", "150200", ["unit_head"])
        baotou_open = db.session.execute(
            select(func.count(Case.id)).where(Case.status == "OPEN", Case.region_code.like("1502%"))
        ).scalar_one()
    login(client, "supervisor")
    page = client.get("/supervision/dashboard", query_string={"unit": "150200"})
    assert page.status_code == 200
    with app.app_context():
        supervisor = db.session.execute(
            select(User).where(User.username == "supervisor")
        ).scalar_one()
        board = dashboard.build(supervisor, {"unit": "150200"})
        assert rows_of(board, "units") == {"包头市": baotou_open}
        food = dashboard.build(supervisor, {"domain": "FOOD"})
        food_open = db.session.execute(
            select(func.count(Case.id))
            .join(CaseFact, CaseFact.case_id == Case.id)
            .where(Case.status == "OPEN", CaseFact.domain == "FOOD")
        ).scalar_one()
        assert sum(rows_of(food, "stages").values()) == food_open > 0

    bad = client.get("/supervision/dashboard", query_string={"since": "2026-13"})
    assert bad.status_code == 422 and "月份应为 YYYY-MM" in bad.get_data(as_text=True)

    exported = client.get("/supervision/dashboard/units.csv", query_string={"unit": "150200"})
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert lines == [["盟市", "案件数"], ["包头市", str(baotou_open)]]
    rates = client.get("/supervision/dashboard/rates.csv", query_string={"unit": "150200"})
    lines = list(csv.reader(io.StringIO(rates.data.decode("utf-8-sig"))))
    assert lines[0] == ["指标", "达成", "应达成", "百分比"] and len(lines) == 4
    assert lines[1][0].startswith("回访率")
    sheet = client.get("/supervision/dashboard/stages.xlsx")
    workbook = load_workbook(io.BytesIO(sheet.data))
    values = list(workbook.active.iter_rows(values_only=True))
    assert values[0] == ("阶段", "案件数") and all(isinstance(v[1], int) for v in values[1:])
    assert client.get("/supervision/dashboard/nothing.csv").status_code == 404

    head = FlaskClient(app, use_cookies=True)
    login(head, "head_bt", "long enough pw")  # a 盟市 sees its own figures only
    assert head.get("/supervision/dashboard").status_code == 200
    assert head.get("/supervision/dashboard", query_string={"unit": "150100"}).status_code == 403
    officer = app.test_client()
    login(officer, "officer")
    assert officer.get("/supervision/dashboard").status_code == 403


def test_the_tallies_kept_by_the_services_equal_a_recount(gallery_app: Flask) -> None:
    """The gallery's tallies were kept change by change as its cases moved; recounting them from
    the facts, the open cases and the stage visits (as the migration does) finds the same."""
    with gallery_app.app_context():
        kept = tally_rows()
        assert {key[2] for key in kept} == {"open", "opened", *tallies.DATED}
        assert tallies.rebuild() == len(kept)
        assert tally_rows() == kept
        db.session.rollback()
        db.session.remove()
        downgrade("0015")
        assert "dashboard_tally" not in inspect(db.engine).get_table_names()
        upgrade()
        assert tally_rows() == kept
