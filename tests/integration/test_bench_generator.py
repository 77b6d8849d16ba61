"""The bench's generator: clones of the demo's replayed cases that the app reads like real ones."""

from __future__ import annotations

from collections import Counter

from flask import Flask
from sqlalchemy import func, select

from app.bench import generate
from app.bench.http import SEQUENCE_PROCESS, deploy_bench_workflows
from app.clock import utcnow
from app.enforcement import tallies
from app.enforcement.numbers import REGISTRATION_PREFIXES
from app.extensions import db
from app.models import (
    Case,
    CaseFact,
    Enterprise,
    HumanTask,
    ProcessVersion,
    StageVisit,
    User,
    WorkflowInstance,
)
from app.platform.auth import create_token
from app.platform.regions import region_tree
from app.supervision import dashboard
from tests.conftest import login
from tests.integration.cases import tally_rows


def test_generated_cases_read_like_the_ones_they_were_cloned_from(gallery_app: Flask) -> None:
    app = gallery_app
    with app.app_context():
        before = db.session.execute(select(func.max(Case.id))).scalar_one()
        made = generate(2000, seed=7)
        assert made.cases == 2000 and made.enterprises > 0
        clones = db.session.execute(select(Case).where(Case.id > before)).scalars().all()
        assert len(clones) == 2000
        # each clone is whole: an instance, facts, its history of task rows and stage visits
        for model, column in (
            (WorkflowInstance, WorkflowInstance.case_id),
            (CaseFact, CaseFact.case_id),
        ):
            assert db.session.execute(
                select(func.count()).select_from(model).where(column > before)
            ).scalar_one() == len(clones)
        tasks = db.session.execute(
            select(func.count(HumanTask.id)).where(HumanTask.case_id > before)
        ).scalar_one()
        assert tasks == made.task_rows >= 4 * len(clones)
        assert db.session.execute(
            select(func.count(StageVisit.id)).where(StageVisit.case_id > before)
        ).scalar_one() >= len(clones)

        # mostly closed, spread over the years, none ahead of now; numbers as the services make
        status = Counter(c.status for c in clones)
        assert status["CLOSED"] > status["OPEN"] > 0
        now = utcnow()
        assert all((c.closed_at or c.updated_at) <= now for c in clones)
        assert min(c.opened_at for c in clones).year <= now.year - 3
        assert len({c.case_no for c in clones}) == len(clones)
        assert all(
            c.case_no[:2] in REGISTRATION_PREFIXES.values()
            and c.case_no[2:].startswith(f"{c.opened_at.year}-{c.region_code}-")
            for c in clones
        )
        filed = [c.filing_no for c in clones if c.filing_no]
        assert filed and len(set(filed)) == len(filed)
        # the party is the clone's own, in the clone's county, and the facts follow it
        tree = region_tree()
        for case in clones[:50]:
            enterprise = db.session.get(Enterprise, case.enterprise_id)
            fact = db.session.get(CaseFact, case.id)
            assert enterprise is not None and fact is not None
            assert enterprise.region_code == case.region_code
            assert fact.unit_code == tree.unit_of(case.region_code)
            assert fact.domain == enterprise.domain

        # the tallies were recounted with the clones in them
        kept = tally_rows()
        tallies.rebuild()
        assert tally_rows() == kept
        supervisor_board = dashboard.build(
            db.session.execute(select(User).where(User.username == "supervisor")).scalar_one(),
            {"since": f"{now.year - 5}-01"},
        )
        open_cases = db.session.execute(
            select(func.count(Case.id)).where(Case.status == "OPEN")
        ).scalar_one()
        assert sum(n for _, n in supervisor_board.table("stages").rows) == open_cases

        closed = next(c for c in clones if c.status == "CLOSED")
        waiting = db.session.execute(
            select(HumanTask)
            .where(
                HumanTask.case_id > before,
                HumanTask.state == "READY",
                HumanTask.lane == "officer",
                HumanTask.region_code.like("1501%"),
            )
            .limit(1)
        ).scalar_one()

    # the officer opens a cloned closed case, and a cloned waiting task, like any other
    client = app.test_client()
    login(client, "supervisor")
    assert client.get(f"/cases/{closed.id}").status_code == 200
    officer = app.test_client()
    login(officer, "officer")
    page = officer.get(f"/tasks/{waiting.id}")
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    assert officer.get(f"/cases/{waiting.case_id}").status_code == 200


def test_tables_stay_in_force_when_a_bundle_without_tables_is_deployed(app: Flask) -> None:
    """The bench deploys its three-screen process as a bundle of its own: the decision tables in
    force remain those of the enforcement case process."""
    with app.app_context():
        token = create_token("officer", "tables")
        deploy_bench_workflows()
        assert db.session.execute(
            select(ProcessVersion.process_id).where(
                ProcessVersion.is_active.is_(True), ProcessVersion.process_id == SEQUENCE_PROCESS
            )
        ).scalar_one()
    answer = app.test_client().post(
        "/api/v1/decisions/punish_or_not/evaluate",
        json={"minor": True, "corrected": True, "harm": "SLIGHT"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["outputs"]
