"""The page probes: the main requests through the whole Flask stack in process (session cookie,
CSRF, access checks, SQL, templates), each timed against its p95 target."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Enterprise, HumanTask

from .figures import Figure, timed

# p95 targets in milliseconds, in process (no network), on a 2-core machine: the performance
# issue's at 1M cases (inbox, case file, case search, dashboard), ours for the rest.
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
class Subjects:
    """What the probes open: the newest waiting officer task in 呼和浩特 (the demo officer's),
    its case and party."""

    task_id: int
    case_id: int
    enterprise_id: int
    enterprise_name: str
    words: str  # from the case's title, for the inbox search


def subjects() -> Subjects:
    task = db.session.execute(
        select(HumanTask)
        .where(
            HumanTask.waiting(),
            HumanTask.lane == "officer",
            HumanTask.region_code.like("1501%"),
        )
        .order_by(HumanTask.id.desc())
        .limit(1)
    ).scalar_one()
    enterprise = db.session.get(Enterprise, task.case.enterprise_id)
    assert enterprise is not None  # noqa: S101 - a foreign key
    return Subjects(task.id, task.case_id, enterprise.id, enterprise.name, task.case.title[:4])


def time_pages(app: Flask, rounds: int, target: Subjects, token: str) -> list[Figure]:
    client = logged_in(app, "officer")
    supervisor = logged_in(app, "supervisor")
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
    return [_time(name, probe, rounds) for name, probe in probes.items()]


def logged_in(app: Flask, username: str) -> FlaskClient:
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


def _time(name: str, probe: Callable[[], object], rounds: int) -> Figure:
    probe()  # warm caches (parsed bundles, templates) as a running server has them
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = probe()
        samples.append((time.perf_counter() - start) * 1000)
        status = getattr(response, "status_code", 0)
        if status != 200:
            raise RuntimeError(f"{name}: HTTP {status}")
    return timed(name, samples, target_p95=TARGETS_MS[name])
