"""`tijian bench`: request timings on a seeded throw-away database, against stated targets.

Targets live here, not in tests: a slow run is reported (and fails with --strict), never a
flaky assertion in the suite."""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import create_app
from app.database import upgrade
from app.extensions import db
from app.models import Enterprise, HumanTask, User
from app.services import tasks as task_service
from app.services.auth import create_token
from app.services.cases import start_case
from app.services.demo import seed_demo

# p95 targets in milliseconds for one request, in process (no network), on a 2-core machine.
TARGETS_MS = {
    "inbox": 250.0,
    "inbox search": 250.0,
    "task screen": 300.0,
    "case file": 400.0,
    "enterprise record": 250.0,
    "decision API": 60.0,
    # the performance issue's targets at 1M cases (here measured at the bench's size)
    "case search": 100.0,
    "dashboard": 150.0,
    "heatmap": 150.0,
    "audit log": 100.0,
}


@dataclass(frozen=True)
class Timing:
    name: str
    p50_ms: float
    p95_ms: float
    target_ms: float

    @property
    def ok(self) -> bool:
        return self.p95_ms <= self.target_ms


def run_bench(cases: int, rounds: int, database_url: str | None = None) -> list[Timing]:
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "TIJIAN_DEMO": True, "SECRET_KEY": "bench"}
        )
        with app.app_context():
            upgrade()
            seed_demo(gallery=False)
            case_id, task_id, enterprise_id = _seed_cases(cases)
            token = create_token("officer", "bench")
        client = _logged_in(app, "officer")
        supervisor = _logged_in(app, "supervisor")
        api = {"Authorization": f"Bearer {token}"}
        decision = {"minor": True, "corrected": True, "harm": "SLIGHT"}
        probes: dict[str, Callable[[], object]] = {
            "inbox": lambda: client.get("/tasks/?view=group"),
            "inbox search": lambda: client.get("/tasks/?q=冷链"),
            "task screen": lambda: client.get(f"/tasks/{task_id}"),
            "case file": lambda: client.get(f"/cases/{case_id}"),
            "enterprise record": lambda: client.get(f"/enterprises/{enterprise_id}"),
            "decision API": lambda: client.post(
                "/api/v1/decisions/punish_or_not/evaluate", json=decision, headers=api
            ),
            "case search": lambda: supervisor.get("/cases/?q=冷链风险1&status=OPEN"),
            "dashboard": lambda: supervisor.get("/supervision/dashboard"),
            "heatmap": lambda: supervisor.get("/supervision/heatmap?process=stage_a_warning"),
            "audit log": lambda: supervisor.get("/supervision/audit?action=complete_task"),
        }
        timings = [_time(name, probe, rounds) for name, probe in probes.items()]
        with app.app_context():
            db.engine.dispose()
        return timings


def _seed_cases(count: int) -> tuple[int, int, int]:
    """`count` risk-warning cases in 呼和浩特, each waiting for its self-check feedback."""
    officer = db.session.execute(select(User).where(User.username == "officer")).scalar_one()
    credit = db.session.execute(select(User).where(User.username == "credit")).scalar_one()
    enterprises = list(
        db.session.execute(
            select(Enterprise.id).where(Enterprise.region_code.like("1501%"))
        ).scalars()
    )
    case_id = 0
    for n in range(count):
        enterprise_id = enterprises[n % len(enterprises)]
        case_id = start_case(
            officer, "enforcement_case", enterprise_id, f"冷链风险{n}", "WARNING"
        ).id
        for bpmn_id, user, data in (
            ("a_assess", credit, {"situation": "INDIVIDUAL_RISK", "risk_summary": "冷链"}),
            ("a_issue", officer, {"served_on": "2026-11-02", "document_summary": "提醒书"}),
        ):
            task = db.session.execute(
                select(HumanTask).where(
                    HumanTask.case_id == case_id,
                    HumanTask.bpmn_id == bpmn_id,
                    HumanTask.state == "READY",
                )
            ).scalar_one()
            task_service.complete_task(task, data, user)
    task_id = db.session.execute(
        select(HumanTask.id).where(HumanTask.case_id == case_id, HumanTask.state == "READY")
    ).scalar_one()
    return case_id, task_id, enterprises[(count - 1) % len(enterprises)]


def _logged_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None  # noqa: S101 - the login page always carries one
    response = client.post(
        "/login", data={"csrf_token": token.group(1), "username": username, "password": "demo"}
    )
    if response.status_code != 302:
        raise RuntimeError(f"bench login failed: {response.status_code}")
    return client


def _time(name: str, probe: Callable[[], object], rounds: int) -> Timing:
    probe()  # warm caches (parsed bundles, templates) as a running server has them
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = probe()
        samples.append((time.perf_counter() - start) * 1000)
        status = getattr(response, "status_code", 0)
        if status != 200:
            raise RuntimeError(f"{name}: HTTP {status}")
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return Timing(name, statistics.median(samples), p95, TARGETS_MS[name])
