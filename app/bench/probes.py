"""`tijian bench`: request timings on a generated database, against stated targets.

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
from sqlalchemy import func, select

from app import create_app
from app.database import upgrade
from app.extensions import db
from app.models import Case, Enterprise, HumanTask
from app.services.auth import create_token
from app.services.demo import seed_demo

from .generator import Generated, generate

# p95 targets in milliseconds for one request, in process (no network), on a 2-core machine:
# the performance issue's at 1M cases (inbox, case file, case search, dashboard), ours for the
# rest.
TARGETS_MS = {
    "inbox": 30.0,
    "inbox search": 100.0,
    "task screen": 60.0,
    "case file": 30.0,
    "enterprise record": 100.0,
    "decision API": 60.0,
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


@dataclass(frozen=True)
class BenchRun:
    database: str  # the dialect
    cases: int
    task_rows: int
    generated: Generated | None
    timings: list[Timing]


def run_bench(generate_count: int, rounds: int, database_url: str | None = None) -> BenchRun:
    """Seed the demo (with its gallery) into an empty database, add `generate_count` generated
    cases, and time each probe `rounds` times. A database that already holds cases is reused
    as it is, plus what `generate_count` adds."""
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "TIJIAN_DEMO": True, "SECRET_KEY": "bench"}
        )
        with app.app_context():
            upgrade()
            if db.session.execute(select(func.count(Case.id))).scalar_one() == 0:
                seed_demo(gallery=True)
            generated = generate(generate_count) if generate_count else None
            target = _targets()
            token = create_token("officer", "bench")
            cases = db.session.execute(select(func.count(Case.id))).scalar_one()
            task_rows = db.session.execute(select(func.count(HumanTask.id))).scalar_one()
            dialect = db.engine.dialect.name
        client = _logged_in(app, "officer")
        supervisor = _logged_in(app, "supervisor")
        api = {"Authorization": f"Bearer {token}"}
        decision = {"minor": True, "corrected": True, "harm": "SLIGHT"}
        probes: dict[str, Callable[[], object]] = {
            "inbox": lambda: client.get("/tasks/?view=group"),
            "inbox search": lambda: client.get("/tasks/", query_string={"q": target.words}),
            "task screen": lambda: client.get(f"/tasks/{target.task_id}"),
            "case file": lambda: client.get(f"/cases/{target.case_id}"),
            "enterprise record": lambda: client.get(f"/enterprises/{target.enterprise_id}"),
            "decision API": lambda: client.post(
                "/api/v1/decisions/punish_or_not/evaluate", json=decision, headers=api
            ),
            "case search": lambda: supervisor.get(
                "/cases/", query_string={"q": target.enterprise_name, "status": "OPEN"}
            ),
            "dashboard": lambda: supervisor.get("/supervision/dashboard"),
            "heatmap": lambda: supervisor.get("/supervision/heatmap?process=stage_a_warning"),
            "audit log": lambda: supervisor.get("/supervision/audit?action=complete_task"),
        }
        timings = [_time(name, probe, rounds) for name, probe in probes.items()]
        with app.app_context():
            db.engine.dispose()
        return BenchRun(dialect, cases, task_rows, generated, timings)


@dataclass(frozen=True)
class _Target:
    task_id: int
    case_id: int
    enterprise_id: int
    enterprise_name: str
    words: str  # from the case's title, for the inbox search


def _targets() -> _Target:
    """The newest waiting officer task in 呼和浩特 (the demo officer's), its case and party."""
    task = db.session.execute(
        select(HumanTask)
        .where(
            HumanTask.state == "READY",
            HumanTask.lane == "officer",
            HumanTask.region_code.like("1501%"),
        )
        .order_by(HumanTask.id.desc())
        .limit(1)
    ).scalar_one()
    enterprise = db.session.get(Enterprise, task.case.enterprise_id)
    assert enterprise is not None  # noqa: S101 - a foreign key
    return _Target(task.id, task.case_id, enterprise.id, enterprise.name, task.case.title[:4])


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
