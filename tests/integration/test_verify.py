"""`tijian verify`: the rows the services keep agree with the engine states they mirror, and
each kind of disagreement is named."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import delete, select, update

from app.cli import main
from app.enforcement import consistency
from app.extensions import db
from app.models import Case, HumanTask, Job, WorkflowInstance


def problems_of(case_no: str) -> list[str]:
    report = consistency.verify()
    return [p.what for p in report.problems if p.case_no == case_no]


def test_the_gallery_is_consistent_and_each_break_is_named(gallery_app: Flask) -> None:
    with gallery_app.app_context():
        report = consistency.verify()
        assert report.ok and report.problems == []
        assert report.cases >= 33 and 0 < report.loaded < report.cases  # closed ones not loaded

        # a waiting task row lost
        task = db.session.execute(
            select(HumanTask).where(HumanTask.state == "READY").limit(1)
        ).scalar_one()
        case_no = task.case.case_no
        db.session.execute(delete(HumanTask).where(HumanTask.id == task.id))
        db.session.commit()
        assert any("缺少待办任务行" in p for p in problems_of(case_no))

        # a stage written by hand
        other = db.session.execute(
            select(Case).where(Case.status == "OPEN", Case.case_no != case_no).limit(1)
        ).scalar_one()
        db.session.execute(update(Case).where(Case.id == other.id).values(stage="B 检查"))
        db.session.commit()
        assert any("案件阶段" in p for p in problems_of(other.case_no))

        # a timer job lost
        job = db.session.execute(select(Job).limit(1)).scalar_one()
        timed = db.session.get(Case, job.case_id)
        assert timed is not None
        db.session.execute(delete(Job).where(Job.id == job.id))
        db.session.commit()
        assert any("缺少定时任务" in p for p in problems_of(timed.case_no))

        # a case closed while its workflow still runs
        running = db.session.execute(
            select(Case)
            .join(WorkflowInstance, WorkflowInstance.case_id == Case.id)
            .where(WorkflowInstance.status == "RUNNING", Case.id.not_in([other.id, timed.id]))
            .limit(1)
        ).scalar_one()
        db.session.execute(update(Case).where(Case.id == running.id).values(status="CLOSED"))
        db.session.commit()
        assert any("案件状态 CLOSED" in p for p in problems_of(running.case_no))
        assert not consistency.verify().ok

    result = gallery_app.test_cli_runner().invoke(main, ["verify"])
    assert result.exit_code == 1
    assert f"problem: {case_no}: 缺少待办任务行" in result.output
    assert "audit chain intact" in result.output
