"""The worker under load: cases whose timers all fall due at once, fired by `tijian worker`
processes (one, then two), timed until they have nothing left to do."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time

from sqlalchemy import func, select

from app.clock import utcnow
from app.enforcement.cases import start_case
from app.extensions import db
from app.models import Case, Job, ProcessVersion

from .figures import Figure
from .generator import generate
from .http import demo_officer_and_parties

TIMER_PROCESS = "bench_timer"  # app/bench/workflows/: waits one hour, then ends
FIRE_AT = dt.timedelta(hours=2)  # the workers act this far ahead: every timer is due


def arm(count: int) -> None:
    """`count` open cases waiting on a timer: one started by the services, the rest cloned."""
    officer, parties = demo_officer_and_parties()
    case = start_case(officer, TIMER_PROCESS, parties[0].id, "基准定时", "CLUE")
    if count > 1:
        generate(count - 1, seed=3, open_share=1.0, case_ids=[case.id])


def waiting() -> int:
    """Timer jobs of the timer process not fired yet."""
    return int(
        db.session.execute(
            select(func.count(Job.id))
            .join(Case, Case.id == Job.case_id)
            .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
            .where(ProcessVersion.process_id == TIMER_PROCESS)
        ).scalar_one()
    )


def fire(database_url: str, workers: int) -> float:
    """Seconds until `workers` worker processes, started together, have drained every job."""
    now = (utcnow() + FIRE_AT).strftime("%Y-%m-%dT%H:%M:%S%z")
    env = dict(os.environ, TIJIAN_DATABASE_URL=database_url)
    command = [sys.executable, "-m", "app.cli", "worker", "--drain", "--interval", "0.1"]
    start = time.perf_counter()
    processes = [
        subprocess.Popen(  # noqa: S603 - our own command line
            [*command, "--now", now], env=env, stdout=subprocess.DEVNULL
        )
        for _ in range(workers)
    ]
    for process in processes:
        if process.wait(timeout=3600) != 0:
            raise RuntimeError(f"a worker exited with {process.returncode}")
    return time.perf_counter() - start


def timer_figures(database_url: str, count: int, two: bool) -> list[Figure]:
    """Arm `count` timers and fire them with one worker; with `two`, arm again and fire with
    two. Each run must leave no timer job of the benchmark's process behind."""
    figures = []
    runs = (1, 2) if two else (1,)
    seconds = {}
    for workers in runs:
        arm(count)
        db.session.commit()
        db.engine.dispose()  # the workers are processes of their own
        seconds[workers] = fire(database_url, workers)
        left = waiting()
        if left:
            raise RuntimeError(f"{left} timers were not fired")
        figures.append(
            Figure(
                f"{count} due timers fired, {workers} worker{'s' if workers > 1 else ''}",
                "s",
                seconds[workers],
                target_median=60.0 if workers == 1 and count >= 10_000 else None,
            )
        )
    if two:
        figures.append(
            Figure(
                "speed-up of 2 workers over 1",
                "×",
                seconds[1] / seconds[2],
                target_median=1.7,
                at_least=True,
            )
        )
    return figures
