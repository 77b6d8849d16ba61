"""The demo gallery: 30 cases replayed through the real services, every stage A–L represented."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.clock import utcnow
from app.demo.gallery import (
    GALLERY,
    NO_LEDGER,
    Step,
    Story,
    StoryFailed,
    penalty_path,
    play_story,
)
from app.demo.seed import seed_demo
from app.enforcement.cases import case_data
from app.engine import unpack
from app.extensions import db
from app.models import (
    AuditEvent,
    Case,
    Document,
    HumanTask,
    Incident,
    Job,
    User,
    UserRole,
    WorkflowInstance,
)
from app.platform.regions import in_scope

STAGES = "ABCDEFGHIJKL"


def test_the_gallery_covers_every_stage_in_several_regions(app: Flask) -> None:
    with app.app_context():
        before = db.session.execute(select(func.count(Case.id))).scalar_one()
        seed_demo()
        cases = db.session.execute(select(Case)).scalars().all()
        assert len(cases) - before == len(GALLERY) >= 30

        open_stages = {(c.stage or "")[:1] for c in cases if c.status == "OPEN"}
        assert set(STAGES) <= open_stages, f"missing stages: {set(STAGES) - open_stages}"
        assert {c.status for c in cases} == {"OPEN", "CLOSED"}
        units = {c.region_code[:4] for c in cases}
        assert {"1501", "1502", "1504", "1506"} <= units

        # replayed at their own dates: a case opened months ago has a history that long
        oldest = min(c.opened_at for c in cases)
        assert utcnow() - oldest > dt.timedelta(days=365)
        events = db.session.execute(
            select(AuditEvent.occurred_at).where(AuditEvent.action == "complete_task")
        ).scalars()
        assert all(moment <= utcnow() for moment in events)

        # nothing went wrong on the way, and the documents were issued
        assert db.session.execute(select(func.count(Incident.id))).scalar_one() == 0
        issued = set(db.session.execute(select(Document.doc_type)).scalars())
        assert {"PENALTY_NOTICE", "PENALTY_DECISION", "REPAIR_NOTICE", "SERVICE_RECEIPT"} <= issued
        assert {"NO_PENALTY_DECISION", "RECTIFY_ORDER", "VISIT_RECORD", "REPAIR_DECISION"} <= issued

        # every waiting task has a demo user of its lane in its region to do it
        for task in db.session.execute(
            select(HumanTask).where(HumanTask.state == "READY")
        ).scalars():
            holders = db.session.execute(
                select(User).join(UserRole).where(UserRole.role == task.lane)
            ).scalars()
            assert any(in_scope(u, task.case.region_code) for u in holders), task.bpmn_id

        # finished instances are stored compressed and still read back whole
        finished = (
            db.session.execute(
                select(WorkflowInstance).where(WorkflowInstance.status == "COMPLETED")
            )
            .scalars()
            .all()
        )
        running = (
            db.session.execute(select(WorkflowInstance).where(WorkflowInstance.status == "RUNNING"))
            .scalars()
            .all()
        )
        assert finished and all(i.state.startswith("z:") for i in finished)
        assert all(i.state.startswith("{") for i in running)
        for instance in finished:
            whole = unpack(instance.state)
            assert len(instance.state) * 4 < len(whole)
            assert case_data(instance.case) == json.loads(whole)["data"]

        seed_demo()  # a second run adds nothing
        assert db.session.execute(select(func.count(Case.id))).scalar_one() == len(cases)


def _counts() -> dict[str, int]:
    return {
        model.__name__: db.session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Case, HumanTask, Document, AuditEvent, WorkflowInstance, Job)
    }


def test_a_story_that_fails_leaves_nothing_behind_and_is_replayed_cleanly(app: Flask) -> None:
    # opened, filed, investigated, reviewed, decided, its 告知书 issued (a 文号 drawn) — then a
    # step the form refuses
    played = penalty_path(NO_LEDGER)[:9]
    assert played[-1].task == "doc:PENALTY_NOTICE"
    failing = Step("f_serve_notice", "officer", {"served_on": "下周", "service_method": "DIRECT"})
    title = "演示：中途失败的案件"
    broken = Story("91150102MA0N3K7P1", "CLUE", title, 40, (*played, failing))
    with app.app_context():
        before = _counts()
        with pytest.raises(StoryFailed, match=f"{title}：第 10 步 f_serve_notice"):
            play_story(broken)
        assert _counts() == before
        assert not db.session.execute(select(Case.id).where(Case.title == title)).first()

        play_story(
            Story(broken.credit_code17, "CLUE", title, 40, played + (failing,), "f_serve_notice")
        )
        case = db.session.execute(select(Case).where(Case.title == title)).scalar_one()
        notice = db.session.execute(
            select(Document).where(Document.case_id == case.id)
        ).scalar_one()
        assert notice.doc_no.endswith("〕1号")  # the failed story's number was not used up
        assert _counts()["Case"] == before["Case"] + 1
