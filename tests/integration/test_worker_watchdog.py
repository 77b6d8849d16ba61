"""Issue 31, finding 1, end to end: a diagram whose step hangs in one C-level operation (which the
expression sandbox cannot interrupt from inside) behind a timer no longer holds `tijian worker`
and its lease forever: the watchdog kills the worker process, the job becomes an incident, and a
new worker process fires every other timer."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time

from flask import Flask
from sqlalchemy import select

from app.bench.http import deploy_bench_workflows
from app.clock import china_today
from app.enforcement.cases import start_case
from app.enforcement.worker import MAX_ATTEMPTS
from app.extensions import db
from app.models import Case, Enterprise, Incident, Job
from app.platform.workflows import deploy
from tests.integration.cases import CHINA, account
from tests.integration.test_worker import FAILING

# Two lists sharing their halves 80 levels deep: each is small, comparing them walks 2**80 pairs
# inside one C call, with no step of the sandbox's budget in between.
HANGING = FAILING.replace(
    'ratio = 100 / param("LATE_FEE_DAILY_PCT")',
    "a = [0]\nb = [0]\nfor i in range(80):\n    a = [a, a]\n    b = [b, b]\nratio = a == b",
)


def test_a_job_hanging_in_c_code_is_killed_and_the_other_timers_still_fire(
    app: Flask, database_url: str
) -> None:
    with app.app_context():
        deploy_bench_workflows()  # bench_timer: waits an hour, then the case ends
        deploy({"fragile.bpmn": HANGING}, None, "test")
        enterprise = db.session.execute(select(Enterprise.id).limit(1)).scalar_one()
        officer = account("officer")
        hanging = start_case(officer, "fragile", enterprise, "挂起", "CLUE").id
        ending = start_case(officer, "bench_timer", enterprise, "定时").id
        job = db.session.execute(select(Job).where(Job.case_id == hanging)).scalar_one()
        job.attempts = MAX_ATTEMPTS - 1  # its last attempt: the kill makes it an incident
        db.session.commit()
    after = dt.datetime.combine(china_today() + dt.timedelta(days=1), dt.time(9), CHINA)
    env = {
        **os.environ,
        "TIJIAN_DATABASE_URL": database_url,
        "TIJIAN_DEMO": "1",
        "TIJIAN_SECRET_KEY": "test-secret-key",
    }
    worker = subprocess.run(  # noqa: S603 - our own command
        [
            sys.executable,
            "-m",
            "app.cli",
            "worker",
            "--drain",
            "--job-timeout",
            "3",
            "--now",
            after.strftime("%Y-%m-%dT%H:%M:%S%z"),
        ],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    output = worker.stdout.decode() + worker.stderr.decode()
    assert worker.returncode == 0, output
    assert "stopped by the watchdog" in output
    with app.app_context():
        job = db.session.execute(select(Job).where(Job.case_id == hanging)).scalar_one()
        assert job.failed and job.lock_owner is None and job.lock_expires_at is None
        incident = db.session.execute(select(Incident)).scalar_one()
        assert incident.case_id == hanging and "看门狗" in incident.message
        case = db.session.get(Case, hanging)
        assert case is not None and case.has_incident
        closed = db.session.get(Case, ending)
        assert closed is not None and closed.status == "CLOSED"  # fired by the next process


def test_the_worker_process_does_not_outlive_its_supervisor(database_url: str) -> None:
    """An orphaned child would fire timers beside the next worker, out of any watchdog's sight."""
    env = {
        **os.environ,
        "TIJIAN_DATABASE_URL": database_url,
        "TIJIAN_DEMO": "1",
        "TIJIAN_SECRET_KEY": "test-secret-key",
    }
    supervisor = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "app.cli", "worker"], env=env, stdout=subprocess.PIPE, text=True
    )
    assert supervisor.stdout is not None
    started = supervisor.stdout.readline()  # "worker <host>:<pid> started", from the child
    child = int(started.split()[1].rsplit(":", 1)[1])
    assert child != supervisor.pid
    os.kill(child, 0)  # running
    supervisor.kill()
    supervisor.wait()
    supervisor.stdout.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise AssertionError(f"worker process {child} outlived its supervisor")
