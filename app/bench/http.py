"""Timings through the real stack: gunicorn on a loopback port, session login, CSRF, form
validation, the engine, task rows, audit, commit and the response — what an officer's browser
goes through — next to the engine's own floor for the same task."""

from __future__ import annotations

import http.client
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select

from app.enforcement.cases import start_case
from app.engine import TaskNotReady
from app.extensions import db
from app.models import Enterprise, HumanTask, User, WorkflowInstance
from app.platform.parameters import run_context
from app.platform.workflows import deploy, engine

from .figures import Figure, timed

# The task every completion figure completes: a risk warning's first screen (stage A).
TASK = "a_assess"
# The completion figures' cases are opened and worked in 鄂尔多斯: every run leaves them waiting
# at their next step (an officer's), and in 呼和浩特 they would pile up, run after run, in the
# inbox whose page the probes time.
LOAD_OFFICER, LOAD_REGION = "officer_es", "1506"
TASK_USER = "credit_es"  # TASK's lane, in LOAD_REGION
TASK_DATA = {"situation": "INDIVIDUAL_RISK", "risk_summary": "冷链运输温控记录缺失"}
SEQUENCE_PROCESS = "bench_three_steps"  # app/bench/workflows/
SEQUENCE_DATA = {
    "inspection_type": "RANDOM",
    "draw_id": "DRAW-2026-001",
    "inspection_date": "2026-11-20",
    "inspectors": "张三、李四",
    "location": "呼和浩特市赛罕区",
    "findings": "现场检查未发现问题。",
    "result": "COMPLIANT",
}
BENCH_WORKFLOWS = Path(__file__).parent / "workflows"
WARM_UP = 8  # requests before timing starts


def deploy_bench_workflows() -> None:
    files = {p.name: p.read_text() for p in sorted(BENCH_WORKFLOWS.glob("*.bpmn"))}
    deploy(files, None, note="tijian bench")


# Parties the benchmark's cases are spread over: real enterprises do not collect thousands of
# cases each, and one party taking every run's cases would slow its own 体检档案 page run by run.
PARTIES = 500


def demo_officer_and_parties(
    username: str = "officer", region: str = "1501"
) -> tuple[User, list[Enterprise]]:
    """A demo officer (by default 呼和浩特's) and up to PARTIES enterprises in the officer's
    region: who opens the benchmark's cases, against whom (in turn)."""
    officer = db.session.execute(select(User).where(User.username == username)).scalar_one()
    parties = list(
        db.session.execute(
            select(Enterprise)
            .where(Enterprise.region_code.like(f"{region}%"), Enterprise.is_association.is_(False))
            .order_by(Enterprise.id)
            .limit(PARTIES)
        ).scalars()
    )
    if not parties:
        raise RuntimeError(f"no enterprise in region {region}: seed the demo data first")
    return officer, parties


def open_warning_cases(count: int, officer: str = "officer", region: str = "1501") -> list[int]:
    """`count` new risk-warning cases opened by `officer` in `region` (by default 呼和浩特),
    each waiting at TASK; their task ids."""
    officer_user, parties = demo_officer_and_parties(officer, region)
    tasks = []
    for n in range(count):
        party = parties[n % len(parties)]
        case = start_case(officer_user, "enforcement_case", party.id, f"基准预警{n}", "WARNING")
        tasks.append(
            db.session.execute(
                select(HumanTask.id).where(
                    HumanTask.case_id == case.id,
                    HumanTask.bpmn_id == TASK,
                    HumanTask.state == "READY",
                )
            ).scalar_one()
        )
    return tasks


def engine_floor(task_id: int, rounds: int) -> Figure:
    """Load, complete, run and serialize one case's workflow in process (no database), from
    the same stored state each time."""
    task = db.session.get(HumanTask, task_id)
    if task is None:
        raise TaskNotReady(task_id)
    state = db.session.execute(
        select(WorkflowInstance.state).where(WorkflowInstance.id == task.instance_id)
    ).scalar_one()
    context = run_context()
    times = []
    for _ in range(rounds + 1):
        start = time.perf_counter()
        engine().complete_task(state, task.task_guid, dict(TASK_DATA), context)
        times.append((time.perf_counter() - start) * 1000)
    # the first one warms the bundle cache
    return timed("engine floor: load, complete, run, save (in process)", times[1:])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """`tijian serve` (gunicorn) in a process group of its own, as in production (no demo worker
    beside it); the reliability suite kills it with SIGKILL and starts it again."""

    database_url: str
    workers: int
    threads: int = 4
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        self.port = self.port or free_port()
        env = dict(
            os.environ,
            TIJIAN_DATABASE_URL=self.database_url,
            TIJIAN_SECRET_KEY="bench-" + "0" * 32,
            TIJIAN_DEMO="1",  # the demo accounts may log in
        )
        command = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--workers", str(self.workers)]
        command += ["--threads", str(self.threads)]
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # master and workers share a group: one kill ends them all
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with Client(self.port) as probe:
                    if probe.request("GET", "/login")[0] == 200:
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("the server did not come up")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once: a crash, not a shutdown."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each gunicorn worker (the master's children)."""
        sizes = []
        master = self.process.pid if self.process else -1
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:  # a process that ended meanwhile
                continue
            if re.search(rf"^PPid:\s+{master}$", text, re.M):
                rss = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
                if rss:
                    sizes.append(int(rss.group(1)) / 1024)
        return sizes


@contextmanager
def serving(database_url: str, workers: int, threads: int = 4) -> Iterator[Server]:
    server = Server(database_url, workers, threads).start()
    try:
        yield server
    finally:
        server.stop()


# gunicorn closes a keep-alive connection after 2 idle seconds; as a browser would, a client
# idle longer opens a new one rather than write into a closed socket.
IDLE_REOPEN_SECONDS = 1.5


class Client:
    """One browser: a keep-alive connection, the session cookie, the CSRF token."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.last_answer = 0.0

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.connection.close()

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str, bytes]:
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if time.monotonic() - self.last_answer > IDLE_REOPEN_SECONDS:
            self.connection.close()  # reopened by the request: the server has let it go
        self.connection.request(method, path, body=body, headers=sent)
        response = self.connection.getresponse()
        data = response.read()
        self.last_answer = time.monotonic()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.headers.get("Location", ""), data

    def log_in(self, username: str) -> None:
        status, _, page = self.request("GET", "/login")
        self.csrf = _csrf(page)
        status, _, _ = self.post_form("/login", {"username": username, "password": "demo"})
        if status != 302:
            raise RuntimeError(f"bench login failed: {status}")
        self.csrf = _csrf(self.request("GET", "/tasks/")[2])

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, str, bytes]:
        body = urlencode({"csrf_token": self.csrf, **fields}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, body, headers)

    def post_json(self, path: str, payload: Any, token: str) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        status, _, data = self.request("POST", path, json.dumps(payload).encode(), headers)
        return status, json.loads(data)


def _csrf(page: bytes) -> str:
    found = re.search(rb'name="csrf_token" value="([^"]+)"', page)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1).decode()


def _complete(client: Client, task_id: int) -> None:
    status, location, _ = client.post_form(f"/tasks/{task_id}", TASK_DATA)
    if status != 303:
        raise RuntimeError(f"completing task {task_id}: HTTP {status}")


def completion_latency(server: Server, task_ids: Sequence[int], targets: bool) -> Figure:
    """One officer completing tasks one after the other: the time of each POST. The issue
    sets its targets on SQLite (`targets`); on PostgreSQL the figure is for comparison."""
    with Client(server.port) as client:
        client.log_in(TASK_USER)
        for task_id in task_ids[:WARM_UP]:  # every worker loads the bundle once
            _complete(client, task_id)
        times = []
        for task_id in task_ids[WARM_UP:]:
            start = time.perf_counter()
            _complete(client, task_id)
            times.append((time.perf_counter() - start) * 1000)
    if not targets:
        return timed("HTTP task completion, 1 client", times)
    return timed("HTTP task completion, 1 client", times, target_median=8, target_p95=25)


def completion_throughput(server: Server, task_ids: Sequence[int], clients: int) -> float:
    """`clients` officers completing their own tasks at once: completions per second."""
    shares = [task_ids[n::clients] for n in range(clients)]
    sessions = []
    for _ in range(clients):
        client = Client(server.port)
        client.log_in(TASK_USER)
        sessions.append(client)
    errors: list[BaseException] = []

    def work(client: Client, share: Sequence[int]) -> None:
        try:
            for task_id in share:
                _complete(client, task_id)
        except BaseException as exc:  # reported after the run
            errors.append(exc)

    threads = [
        threading.Thread(target=work, args=(c, s)) for c, s in zip(sessions, shares, strict=True)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    for client in sessions:
        client.connection.close()
    if errors:
        raise RuntimeError(f"{len(errors)} client(s) failed: {errors[0]}")
    return len(task_ids) / elapsed


def three_task_sequence(
    server: Server, token: str, credit_codes: Sequence[str], rounds: int
) -> Figure:
    """Start a case of the three-screen process and complete its three tasks, over the JSON
    API (one request each, the next task read from each answer); the parties in turn."""
    parties = itertools.cycle(credit_codes)

    def once(client: Client) -> None:
        status, answer = client.post_json(
            "/api/v1/cases",
            {
                "process_id": SEQUENCE_PROCESS,
                "credit_code": next(parties),
                "title": "基准三步检查",
            },
            token,
        )
        for _ in range(3):
            if status not in (200, 201) or not answer.get("ready_tasks"):
                raise RuntimeError(f"sequence: HTTP {status} {answer}")
            task_id = answer["ready_tasks"][0]["id"]
            status, answer = client.post_json(
                f"/api/v1/tasks/{task_id}/complete", SEQUENCE_DATA, token
            )
        if status != 200 or answer["ready_tasks"]:
            raise RuntimeError(f"sequence did not end: HTTP {status} {answer}")

    with Client(server.port) as client:
        for _ in range(4):  # warm every worker that may answer
            once(client)
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            once(client)
            times.append((time.perf_counter() - start) * 1000)
    return timed("start a case + complete 3 tasks over HTTP", times, target_median=30)
