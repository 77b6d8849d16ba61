"""Crash safety: officers keep submitting through `tijian serve` while a `tijian worker` fires
timers, and the web server and the worker are killed with SIGKILL at random moments and started
again. Afterwards every case is consistent (`verify`) and every submission that was answered
with success is in the database."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.client import HTTPException

from sqlalchemy import create_engine, select, text

from app.bench.http import (
    TASK,
    TASK_DATA,
    Client,
    Server,
    deploy_bench_workflows,
    open_warning_cases,
)
from app.bench.timers import arm, waiting
from app.clock import china_today, utcnow
from app.enforcement.consistency import verify
from app.extensions import db
from app.models import HumanTask
from tests.figures import count

from .conftest import in_app

SEED = 20261124
CASES = 40  # each: the credit officer's assessment, then the officer's notice
CLIENTS = 4
TIMERS = 300  # due at once for the worker
LOAD_SECONDS_MAX = 180
KILLS = 9
ISSUE_DATA = {"served_on": china_today().isoformat(), "document_summary": "冷链温控提醒"}
WORKER_NOW = utcnow() + dt.timedelta(hours=2)  # every armed timer is due


def start_worker(url: str, now: dt.datetime, drain: bool = False) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "app.cli", "worker", "--interval", "0.1"]
    command += ["--now", now.strftime("%Y-%m-%dT%H:%M:%S%z"), *(["--drain"] if drain else [])]
    return subprocess.Popen(  # noqa: S603 - our own command line
        command,
        env=dict(os.environ, TIJIAN_DATABASE_URL=url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


@dataclass
class Load:
    """What the clients did: the submissions answered with success, the requests sent."""

    acknowledged: dict[int, dict[str, str]] = field(default_factory=dict)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def submit(self, client: Client, username: str, task_id: int, data: dict[str, str]) -> None:
        """Submit until the server answers: 303 (done now) or 409 (done by an earlier attempt
        whose answer the crash swallowed)."""
        deadline = time.monotonic() + LOAD_SECONDS_MAX
        while time.monotonic() < deadline:
            try:
                if not client.csrf:
                    client.log_in(username)
                status, location, _ = client.post_form(f"/tasks/{task_id}", data)
            except (OSError, HTTPException, RuntimeError):  # the server is down or died mid-answer
                client.connection.close()
                client.csrf = ""
                time.sleep(0.1)
                continue
            finally:
                with self.lock:
                    self.requests += 1
            if status == 303 and "/login" not in location:
                with self.lock:
                    self.acknowledged[task_id] = data
                return
            if status == 409:
                return
            client.csrf = ""  # e.g. a 400 for a session the restart did not keep: log in again
        raise AssertionError(f"task {task_id} was never answered")


def test_killing_server_and_worker_loses_nothing(pg_url: str) -> None:
    with in_app(pg_url):
        deploy_bench_workflows()
        assessments = open_warning_cases(CASES)
        arm(TIMERS)
        db.session.commit()
    server = Server(pg_url, workers=2).start()
    worker = start_worker(pg_url, WORKER_NOW)
    reader = create_engine(pg_url)
    load = Load()

    def officer_work(share: list[int]) -> None:
        with Client(server.port) as credit, Client(server.port) as officer:
            for assessment in share:
                load.submit(credit, "credit", assessment, TASK_DATA)
                with reader.connect() as connection:
                    notice = connection.execute(
                        text(
                            "SELECT id FROM human_task WHERE bpmn_id = 'a_issue' AND case_id ="
                            " (SELECT case_id FROM human_task WHERE id = :id)"
                        ),
                        {"id": assessment},
                    ).scalar_one()
                load.submit(officer, "officer", notice, ISSUE_DATA)

    threads = [
        threading.Thread(target=officer_work, args=(assessments[n::CLIENTS],))
        for n in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    chance = random.Random(SEED)  # noqa: S311 - a reproducible schedule, not a secret
    kills = {"web": 0, "worker": 0}
    try:
        # at random moments, the web server twice for each worker kill, at least KILLS times
        while any(thread.is_alive() for thread in threads) or sum(kills.values()) < KILLS:
            time.sleep(chance.uniform(0.3, 1.5))
            if sum(kills.values()) % 3 < 2:
                server.kill()
                kills["web"] += 1
                server.start()
            else:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
                kills["worker"] += 1
                worker = start_worker(pg_url, WORKER_NOW)
        for thread in threads:
            thread.join()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        server.stop()
        reader.dispose()
    # after the leases of killed workers have run out, one worker finishes what is due
    drain = start_worker(pg_url, WORKER_NOW + dt.timedelta(minutes=5), drain=True)
    assert drain.wait(timeout=300) == 0

    with in_app(pg_url):
        lost = 0
        for task_id, data in load.acknowledged.items():
            task = db.session.get(HumanTask, task_id)
            kept = task.submitted_data or {} if task and task.state == "COMPLETED" else {}
            if any(str(kept.get(name)) != value for name, value in data.items()):
                lost += 1
        ours = select(HumanTask.case_id).where(HumanTask.id.in_(assessments))
        left = db.session.execute(
            select(HumanTask.id).where(
                HumanTask.case_id.in_(ours),
                HumanTask.bpmn_id.in_([TASK, "a_issue"]),
                HumanTask.state == "READY",
            )
        ).all()
        timers_left = waiting()
        report = verify()
    count("requests_under_load", load.requests)
    count("faults_injected", kills["web"] + kills["worker"])
    count("acknowledged_submissions_checked", len(load.acknowledged))
    count("data_lost", lost)
    assert lost == 0
    assert len(load.acknowledged) >= CASES  # most answers arrived; the rest were 409 retries
    assert left == []  # every submission went through in the end
    assert timers_left == 0
    assert report.problems == [], report.problems
