"""The `tijian` command: a Flask CLI group over create_app()."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import importlib.util
import json
import logging
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from app import create_app, database
from app.clock import utcnow
from app.config import DEFAULT_SECRET_KEY, PROJECT_ROOT
from app.demo import seed as demo_service
from app.enforcement import clock_backfill
from app.enforcement import violation_types as violation_type_service
from app.extensions import db
from app.platform import ServiceError
from app.platform import audit as audit_service
from app.platform import auth as auth_service
from app.platform import parameters as parameter_service
from app.platform import workflows as workflow_service


def _create_app() -> Flask:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False)
def main() -> None:
    """体检 Tijian — enforcement workflow system."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Migrate, seed demo accounts and data, then serve.")
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn workers")
# one thread, as the benchmark serves (app/bench/run.py, WEB_THREADS, says why); the reverse
# proxy buffers slow clients
@click.option("--threads", default=1, show_default=True, type=int, help="threads per worker")
@click.option(
    "--access-log",
    is_flag=True,
    help="log every request to standard output (on with --demo; in production the reverse "
    "proxy keeps the access log)",
)
def serve(host: str, port: int, demo: bool, workers: int, threads: int, access_log: bool) -> None:
    """Serve the app with gunicorn."""
    if demo:
        os.environ["TIJIAN_DEMO"] = "1"
        os.environ.setdefault("TIJIAN_SECRET_KEY", _demo_secret_key())
    elif os.environ.get("TIJIAN_SECRET_KEY", DEFAULT_SECRET_KEY) == DEFAULT_SECRET_KEY:
        raise click.ClickException(
            "拒绝启动：未设置 TIJIAN_SECRET_KEY（refusing to start with the default secret key; "
            "set TIJIAN_SECRET_KEY or use --demo)."
        )
    app = create_app()
    with app.app_context():
        database.upgrade()
        if demo:
            logins = demo_service.seed_demo()
            click.echo(
                "演示账号 demo logins (password: demo; teams in 包头 _bt, 鄂尔多斯 _es, 赤峰 _cf):"
            )
            for username, role in logins:
                click.echo(f"  {username:<12} {role}")
            click.echo("  包头 _bt、鄂尔多斯 _es、赤峰 _cf 各有一组同名账号 (e.g. officer_es)")
            token = auth_service.create_token("officer", "demo")
            click.echo(f"演示接口令牌 demo API token (officer): {token}")
        workflow_service.parse_active_bundles()
        # Forked gunicorn workers must not inherit the master's pooled connections.
        db.engine.dispose()
    # What the workers inherit (the app, the parsed bundles) lives as long as they do: out of
    # the collector's sight, a worker's full collections no longer walk it (they took 90 ms in
    # the middle of a request) and its pages stay shared with the master.
    gc.freeze()
    click.echo(f"体检 Tijian: http://{host}:{port}/")
    background = _demo_worker() if demo else None
    try:
        _gunicorn(app, host, port, workers, threads, access_log or demo)
    finally:
        if background is not None:
            background.terminate()


def _demo_worker() -> subprocess.Popen[bytes]:
    """In demo mode timers must fire too: one worker process beside the web server (production
    runs `tijian worker` processes of its own)."""
    return subprocess.Popen([sys.executable, "-m", "app.cli", "worker"], env=dict(os.environ))  # noqa: S603


def _demo_secret_key() -> str:
    # Stable across restarts so demo sessions survive, but unique to this checkout.
    path = Path(create_app().instance_path) / "demo-secret-key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _gunicorn(
    app: Flask, host: str, port: int, workers: int, threads: int, access_log: bool
) -> None:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            if access_log:
                self.cfg.set("accesslog", "-")

        def load(self) -> Any:
            return app

    _without_server_header()
    Server().run()


def _without_server_header() -> None:
    """gunicorn names itself in a Server header on every answer and has no setting to stop it;
    the software behind the site is nobody's business (and the reverse proxy sets its own)."""
    from gunicorn.http.wsgi import Response

    default_headers = Response.default_headers

    def without_server(self: Any) -> list[str]:
        return [h for h in default_headers(self) if not h.startswith("Server:")]

    Response.default_headers = without_server


@main.command()
@click.option("--drain", is_flag=True, help="work until nothing is due, then exit")
@click.option("--interval", default=1.0, show_default=True, help="seconds between rounds when idle")
@click.option(
    "--now",
    "fixed_now",
    type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z"]),
    default=None,
    help="act as if it were this time (drills and tests), e.g. 2027-01-01T09:00:00+0800",
)
@click.option(
    "--round-size",
    default=50,
    show_default=True,
    type=click.IntRange(1, 500),
    help="due jobs leased and fired per transaction",
)
@click.option(
    "--job-timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(1, 3600),
    help="seconds one job may run before the watchdog kills the worker process and sets the job "
    "aside (a job takes milliseconds; a hung one would stop every timer)",
)
@with_appcontext
def worker(
    drain: bool,
    interval: float,
    fixed_now: dt.datetime | None,
    round_size: int,
    job_timeout: float,
) -> None:
    """Fire due timers, retry failures, raise incidents and send reminders."""
    from app.enforcement import watchdog
    from app.enforcement import worker as worker_service

    def work(progress: watchdog.Progress, stop: threading.Event) -> None:
        db.engine.dispose(close=False)  # the supervisor's connections are not ours
        owner = watchdog.owner_name(os.getpid())
        click.echo(f"worker {owner} started")
        while not stop.is_set():
            try:
                outcomes = worker_service.run_once(owner, fixed_now, round_size, progress)
            except Exception:  # a database hiccup must not kill the worker; the next round retries
                db.session.rollback()
                logging.getLogger(__name__).exception("worker round failed")
                outcomes = {}
            if outcomes:
                click.echo(f"worker {owner}: {outcomes}")
            if drain and not outcomes:
                break
            if not outcomes:
                stop.wait(interval)
        db.session.remove()

    def abandon(job_id: int | None, owner: str) -> None:
        worker_service.abandon(job_id, owner, job_timeout, fixed_now or utcnow())
        db.session.remove()
        db.engine.dispose()  # the next child must not inherit this connection
        click.echo(f"worker {owner}: job {job_id} stopped by the watchdog")

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    db.engine.dispose()
    watchdog.supervise(work, abandon, job_timeout, stop)


@main.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head); at head, cases filed before the 90-day
    clock's ledger existed get one from their recorded steps."""
    database.upgrade(revision)
    click.echo(f"database at {revision}")
    if revision == "head":
        rebuilt = clock_backfill.rebuild_all()
        if rebuilt:
            click.echo(f"90-day clock rebuilt for {rebuilt} case(s) filed before it existed")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION."""
    database.downgrade(revision)
    click.echo(f"database at {revision}")


@main.command("create-user")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="显示名 display name")
@click.option("--region", required=True, help="region code, e.g. 150100")
@click.option("--role", "roles", multiple=True, required=True, help="role (repeatable)")
@click.option("--email", default=None, help="for notification mail (optional)")
@click.option("--cert", "cert_no", default=None, help="执法证号 law-enforcement certificate no.")
@click.password_option()
@with_appcontext
def create_user(
    username: str,
    display_name: str,
    region: str,
    roles: tuple[str, ...],
    email: str | None,
    cert_no: str | None,
    password: str,
) -> None:
    """Create an account."""
    try:
        auth_service.create_user(
            username, password, display_name, region, roles, email=email, cert_no=cert_no
        )
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {username}")


@main.command("create-integration-account")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="显示名, e.g. 信用平台接口")
@click.option("--region", required=True, help="region code, e.g. 150100")
@click.option("--role", "roles", multiple=True, required=True, help="role (repeatable)")
@click.option("--reason", required=True, help="设立理由 why another system needs it (audited)")
@with_appcontext
def create_integration_account(
    username: str, display_name: str, region: str, roles: tuple[str, ...], reason: str
) -> None:
    """Create an account for another system: nobody can log in with it; an admin issues its
    API tokens on the tokens screen."""
    try:
        auth_service.create_integration_account(username, display_name, region, roles, reason)
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created integration account {username}")


@main.command("set-certificate")
@click.argument("username")
@click.argument("cert_no", required=False)
@with_appcontext
def set_certificate(username: str, cert_no: str | None) -> None:
    """Record an account's 执法证号 (without CERT_NO: withdraw it)."""
    try:
        auth_service.set_certificate(username, cert_no)
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{username}: {cert_no or 'no certificate'}")


@main.command("create-token")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="what the token is for")
@with_appcontext
def create_token(username: str, name: str) -> None:
    """Create an API token for an account on the server (recorded as created by "cli"); the
    token is printed once, as the last line."""
    try:
        token = auth_service.create_token(username, name)
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("API token (shown once, stored hashed):", err=True)
    click.echo(token)


@main.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Create the demo accounts and data (demo mode only)."""
    try:
        logins = demo_service.seed_demo()
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"demo data ready: {len(logins)} accounts")


@main.command("set-parameter")
@click.argument("key")
@click.argument("value")
@click.option(
    "--from",
    "effective_from",
    type=click.DateTime(["%Y-%m-%d"]),
    required=True,
    help="effective date, YYYY-MM-DD",
)
@click.option("--note", default=None)
@with_appcontext
def set_parameter(key: str, value: str, effective_from: dt.datetime, note: str | None) -> None:
    """Set a configuration key (VALUE is JSON: 15, 0.3, true, null) from a date on."""
    try:
        parsed = json.loads(value)
        parameter_service.set_parameter(key, parsed, effective_from.date(), None, note)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"VALUE 不是合法的 JSON: {exc}") from exc
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{key} = {value} from {effective_from.date().isoformat()}")


@main.command("set-holiday")
@click.argument("day", type=click.DateTime(["%Y-%m-%d"]))
@click.argument("name")
@click.option(
    "--working/--rest",
    "is_working_day",
    default=False,
    help="--rest: a public holiday (default); --working: a make-up workday (调休)",
)
@with_appcontext
def set_holiday(day: dt.datetime, name: str, is_working_day: bool) -> None:
    """Record one day of an official holiday schedule the built-in calendar does not know."""
    try:
        parameter_service.set_holiday(day.date(), is_working_day, name, None)
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    kind = "working day" if is_working_day else "holiday"
    click.echo(f"{day.date().isoformat()} {kind}: {name}")


@main.group("violation-type")
def violation_type_group() -> None:
    """The catalogue of violation types (违法行为目录) the investigation report chooses from."""


@violation_type_group.command("list")
@with_appcontext
def violation_type_list() -> None:
    """Every entry, withdrawn ones marked."""
    for entry in violation_type_service.catalogue(active_only=False):
        fines = (
            f"{entry.fine_min}–{entry.fine_max}" if entry.fine_max is not None else entry.fine_note
        )
        state = "" if entry.active else " [withdrawn]"
        click.echo(f"{entry.code}\t{entry.name}\t{entry.domain}\t{fines}{state}")


@violation_type_group.command("set")
@click.argument("code")
@click.option("--name", required=True, help="违法行为名称")
@click.option("--domain", required=True, help="FOOD, DRUG, SPECIAL_EQUIP, AD, PRICE, …")
@click.option("--violated", "violated_provision", required=True, help="违反的条款")
@click.option("--penalty", "penalty_provision", required=True, help="处罚依据条款")
@click.option("--fine-min", type=click.FLOAT, default=None, help="法定罚款下限（元）")
@click.option("--fine-max", type=click.FLOAT, default=None, help="法定罚款上限（元）")
@click.option("--note", "fine_note", default=None, help="倍数型罚款或其他说明")
@click.option("--source", required=True, help="provenance: the law's text, list or decision")
@click.option("--withdrawn", is_flag=True, help="no longer offered on the report")
@click.option(
    "--life-fin/--no-life-fin",
    "life_fin_safety",
    default=False,
    help="涉及公民生命健康安全、金融安全（有危害后果的处罚时效为5年）",
)
@with_appcontext
def violation_type_set(
    code: str,
    name: str,
    domain: str,
    violated_provision: str,
    penalty_provision: str,
    fine_min: float | None,
    fine_max: float | None,
    fine_note: str | None,
    source: str,
    withdrawn: bool,
    life_fin_safety: bool,
) -> None:
    """Add an entry or change it (by CODE); audited."""
    entry = violation_type_service.Entry(
        code,
        name,
        domain,
        violated_provision,
        penalty_provision,
        None if fine_min is None else Decimal(str(fine_min)),
        None if fine_max is None else Decimal(str(fine_max)),
        fine_note,
        source,
        active=not withdrawn,
        life_fin_safety=life_fin_safety,
    )
    try:
        saved = violation_type_service.save(entry)
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{saved.code}: {saved.name}")


@main.command("deploy-workflows")
@click.option("--note", default=None)
@with_appcontext
def deploy_workflows(note: str | None) -> None:
    """Deploy the files of the workflows directory as the active process versions."""
    files = workflow_service.directory_files()
    try:
        hash_ = workflow_service.deploy(files, actor=None, note=note)
    except ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"deployed bundle {hash_[:12]}")


@main.command("verify-audit")
@with_appcontext
def verify_audit() -> None:
    """Recompute the audit trail's hash chain; exit 1 if any entry was changed or removed."""
    report = audit_service.verify_chain()
    for problem in report.problems:
        click.echo(f"problem: {problem}")
    if not report.intact:
        click.echo(f"审计链已被破坏 audit chain broken ({report.checked} entries read)")
        sys.exit(1)
    click.echo(f"审计链完整 audit chain intact: {report.checked} entries")


@main.command("backup")
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(destination: Path) -> None:
    """Copy the database while the app runs (SQLite online backup; PostgreSQL pg_dump)."""
    from app.platform.backup import backup as make_backup  # noqa: PLC0415 - only this command

    how = make_backup(destination)
    click.echo(
        f"备份完成 backup written: {destination} ({how}, {destination.stat().st_size} bytes)"
    )


@main.command("verify")
@with_appcontext
def verify() -> None:
    """Check that every case's rows agree with its workflow state, and the audit chain; exit 1
    on any disagreement (after a crash, a restore or a manual repair)."""
    from app.enforcement import consistency  # noqa: PLC0415 - only this command needs it

    report = consistency.verify()
    for problem in report.problems:
        click.echo(f"problem: {problem.case_no}: {problem.what}")
    audit = report.audit
    assert audit is not None  # noqa: S101 - verify() always checks the chain
    for broken in audit.problems:
        click.echo(f"problem: 审计链 audit: {broken}")
    click.echo(
        f"{report.cases} cases checked ({report.loaded} running instances compared with their "
        f"engine state), {report.documents} documents checked, {len(report.problems)} "
        f"problem(s); audit chain "
        f"{'intact' if audit.intact else 'BROKEN'} ({audit.checked} entries)"
    )
    if not report.ok:
        sys.exit(1)


@main.command("check-workflows")
@click.option("--dir", "directory", default=None, help="defaults to TIJIAN_WORKFLOWS_DIR")
@click.option(
    "--coverage", is_flag=True, help="also run the engine tests and report element coverage"
)
@with_appcontext
def check_workflows(directory: str | None, coverage: bool) -> None:
    """Parse and validate every BPMN/DMN file; exit 1 on any problem."""
    files = workflow_service.directory_files(directory)
    report = workflow_service.check_bundle(files)
    for problem in report.problems:
        click.echo(f"problem: {problem}")
    if report.bundle is not None:
        for process in report.bundle.processes.values():
            click.echo(f"ok: {process.process_id} ({process.name})")
        click.echo(f"ok: {len(report.bundle.decisions)} decision table(s)")
    click.echo(f"{len(files)} file(s), {len(report.problems)} problem(s)")
    if report.problems or report.bundle is None:
        sys.exit(1)
    if coverage:
        executed, failure = _run_engine_tests()
        covered, total, missing = workflow_service.element_coverage(report.bundle, executed)
        for element in missing:
            click.echo(f"not covered: {element}")
        if failure:
            click.echo(f"引擎测试未通过 engine tests failed:\n{failure}")
        click.echo(f"element coverage: {covered}/{total} ({100 * covered / total:.1f}%)")
        if failure:
            sys.exit(1)


def _run_engine_tests() -> tuple[set[tuple[str, str]], str]:
    """Run tests/unit (the engine tests) and collect the BPMN elements they executed; the
    second value is the end of pytest's report when they failed, else empty."""
    tests = PROJECT_ROOT / "tests" / "unit"
    if not tests.is_dir():
        raise click.ClickException(
            f"engine tests not found at {tests} (a source checkout is needed)"
        )
    if importlib.util.find_spec("pytest") is None:
        raise click.ClickException(
            "覆盖率要运行引擎测试，需要测试依赖 the coverage runs the engine tests, which need "
            "the test extra: pip install -e '.[test]'"
        )
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "coverage.json"
        env = {**os.environ, "TIJIAN_ELEMENT_COVERAGE_FILE": str(out)}
        run = subprocess.run(  # noqa: S603 - our own interpreter on our own tests
            [sys.executable, "-m", "pytest", str(tests), "-q", "-p", "no:cacheprovider"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        executed = {(p, e) for p, e in json.loads(out.read_text())} if out.exists() else set()
    failure = "" if run.returncode == 0 else "\n".join((run.stdout + run.stderr).splitlines()[-20:])
    return executed, failure


if __name__ == "__main__":
    main()


@main.command("bench")
@click.option(
    "--generate",
    "generate_count",
    default=1000,
    show_default=True,
    help="cases to generate (cloned from the demo's replayed cases) before timing",
)
# 50: the "median of 50" for start + 3 tasks, and as many samples for every figure
@click.option("--rounds", default=50, show_default=True, help="samples per timed figure")
@click.option(
    "--database-url",
    default=None,
    help="the database to fill and time (default: a temporary SQLite); one that already holds "
    "cases is reused, so a generated province can be timed again",
)
@click.option(
    "--pages-only", is_flag=True, help="time the pages only (no gunicorn, engine, PDF figures)"
)
@click.option(
    "--timers", default=10_000, show_default=True, help="timers due at once for the worker figures"
)
@click.option("--report", type=click.Path(dir_okay=False), help="also write the figures as JSON")
@click.option("--strict", is_flag=True, help="exit 1 when a target is missed")
def bench(
    generate_count: int,
    rounds: int,
    database_url: str | None,
    pages_only: bool,
    timers: int,
    report: str | None,
    strict: bool,
) -> None:
    """Measure Tijian against the performance targets (app/bench/)."""
    from app.bench import run_bench  # noqa: PLC0415 - only this command needs it

    run = run_bench(generate_count, rounds, database_url, stack=not pages_only, timers=timers)
    if run.generated:
        g = run.generated
        click.echo(
            f"generated {g.cases} cases ({g.enterprises} enterprises, {g.task_rows} task rows) "
            f"in {g.seconds:.1f} s"
        )
    click.echo(f"{run.database}: {run.cases} cases, {run.task_rows} task rows")
    click.echo("")
    click.echo("| figure | median | p95 | target | met |")
    click.echo("|---|---:|---:|---|:-:|")
    for f in run.figures:
        p95 = "" if f.p95 is None else f"{f.p95:.1f}"
        targets = [
            f"{label} {'≥' if f.at_least else '≤'} {value:g}"
            for label, value in (("median", f.target_median), ("p95", f.target_p95))
            if value is not None
        ]
        mark = {True: "✓", False: "✗", None: "–"}[f.ok]
        click.echo(
            f"| {f.name} | {f.median:.1f} {f.unit} | {p95} | {', '.join(targets)} | {mark} |"
        )
    click.echo("")
    click.echo(f"({rounds} samples per timed figure)")
    if report:
        Path(report).write_text(json.dumps(dataclasses.asdict(run), indent=2) + "\n")
    if strict and any(f.ok is False for f in run.figures):
        raise SystemExit(1)
