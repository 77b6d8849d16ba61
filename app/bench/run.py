"""One benchmark run: fill the database, then every figure of the performance issue this
machine can take in one go, with the ratios computed from the same run."""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, text

from app import create_app
from app.database import upgrade
from app.demo.seed import seed_demo
from app.enforcement.documents import issuer
from app.enforcement.pdf import render_pdf
from app.enforcement.signing import sign_pdf
from app.extensions import db
from app.models import Case, Document, HumanTask
from app.platform.auth import create_token

from . import http
from .figures import Figure, timed
from .generator import Generated, generate
from .probes import subjects, time_pages
from .timers import timer_figures

CLIENTS = 8  # concurrent officers for the throughput figure
WEB_WORKERS = 2  # gunicorn worker processes: one per core
# Threads per process: these requests keep the CPU busy between short database round trips, and
# every round trip hands the GIL to another thread and back. Measured with 8 clients on
# PostgreSQL: 2 processes × 1 thread 235–259 completions/s, 2 × 2 133–196, 2 × 4 ~120 /s
# (docs/performance.md); `tijian serve` defaults to the same.
WEB_THREADS = 1
BYTES_SAMPLE = 1000  # closed cases generated to weigh one
TIMERS = 10_000  # timers due at once for the worker figures
DOCUMENT_KB = 60.0  # median issued PDF: a penalty case issues five or six, a province millions


@dataclass(frozen=True)
class BenchRun:
    database: str  # the dialect
    cases: int
    task_rows: int
    generated: Generated | None
    figures: list[Figure]


def run_bench(
    generate_count: int,
    rounds: int,
    database_url: str | None = None,
    stack: bool = True,
    timers: int = TIMERS,
) -> BenchRun:
    """Seed the demo (with its gallery) into an empty database, add `generate_count` generated
    cases, time the pages in process and — with `stack` — the engine, HTTP through gunicorn,
    PDF rendering, memory and bytes per closed case. A database that already holds cases is
    reused as it is, plus what `generate_count` adds."""
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "TIJIAN_DEMO": True, "SECRET_KEY": "bench"}
        )
        figures: list[Figure] = []
        with app.app_context():
            upgrade()
            if db.session.execute(select(func.count(Case.id))).scalar_one() == 0:
                seed_demo(gallery=True)
            figures.append(document_size())  # the gallery's documents: generated cases have none
            generated = generate(generate_count) if generate_count else None
            page_subjects = subjects()
            token = create_token("officer", "bench")
            if stack:
                figures.append(_bytes_per_closed_case())
                http.deploy_bench_workflows()
                warm = http.WARM_UP
                load = (http.LOAD_OFFICER, http.LOAD_REGION)
                latency_tasks = http.open_warning_cases(rounds + warm, *load)
                load_tasks = http.open_warning_cases(CLIENTS * max(3 * rounds, 25), *load)
                figures.append(http.engine_floor(latency_tasks[-1], rounds))
                figures.append(_pdf(rounds))
                credit_codes = [p.credit_code for p in http.demo_officer_and_parties()[1]]
            cases = db.session.execute(select(func.count(Case.id))).scalar_one()
            task_rows = db.session.execute(select(func.count(HumanTask.id))).scalar_one()
            dialect = db.engine.dialect.name
            figures.insert(0, _warm_database())
            db.engine.dispose()  # the server's processes must not share these connections
        figures[:0] = time_pages(app, rounds, page_subjects, token)
        if stack:
            with http.serving(url, WEB_WORKERS, WEB_THREADS) as server:
                latency = http.completion_latency(server, latency_tasks, dialect == "sqlite")
                sequence = http.three_task_sequence(server, token, credit_codes, rounds)
                rate = http.completion_throughput(server, load_tasks, CLIENTS)
                rss = max(server.worker_rss_mb())
            floor = next(f for f in figures if f.name.startswith("engine floor"))
            figures += [
                latency,
                Figure(
                    "HTTP completion ÷ engine floor (medians)",
                    "×",
                    latency.median / floor.median,
                    target_median=4.0 if dialect == "sqlite" else None,
                ),
                sequence,
                Figure(
                    f"task completions per second, {CLIENTS} clients",
                    "/s",
                    rate,
                    target_median=250.0 if dialect == "postgresql" else None,
                    at_least=True,
                ),
                Figure(
                    "resident memory per web worker after the load", "MB", rss, target_median=150.0
                ),
            ]
            with app.app_context():
                # two workers only where they can work side by side: SQLite has one writer
                figures += timer_figures(url, timers, two=dialect == "postgresql")
        with app.app_context():
            db.engine.dispose()
        return BenchRun(dialect, cases, task_rows, generated, figures)


def _pdf(rounds: int) -> Figure:
    """An issued 行政处罚决定书 (its stored HTML) rendered to PDF/A by WeasyPrint and signed by
    its issuer, as issuing does."""
    html, case_id = db.session.execute(
        select(Document.html, Document.case_id)
        .where(Document.doc_type == "PENALTY_DECISION")
        .limit(1)
    ).one()
    case = db.session.get(Case, case_id)
    assert case is not None  # noqa: S101 - the document's own case
    body, unit = issuer(case)
    sign_pdf(render_pdf(html), body, unit)  # fonts, styles and the signing key loaded once
    times = []
    for _ in range(max(5, rounds // 3)):
        start = time.perf_counter()
        sign_pdf(render_pdf(html), body, unit)
        times.append((time.perf_counter() - start) * 1000)
    return timed("PDF/A of a 行政处罚决定书, rendered and signed", times, target_p95=300)


def document_size() -> Figure:
    """The median size of the issued PDFs (PDF/A, fonts subset, signed) in the database: on a
    fresh bench, the documents the demo gallery issued."""
    sizes = db.session.execute(select(func.length(Document.pdf))).scalars().all()
    return Figure(
        "median issued document size",
        "KB",
        statistics.median(sizes) / 1024 if sizes else 0.0,
        target_median=DOCUMENT_KB,
    )


def _bytes_per_closed_case() -> Figure:
    """How much the database grows by per closed case: generated cases closed in the last month
    (written where a month of real work would write them), weighed by the database's own size
    before and after. Documents and the audit trail are not cloned."""
    before = _database_bytes()
    generate(BYTES_SAMPLE, seed=2, open_share=0.0, recent=True)
    after = _database_bytes()
    return Figure(
        "database bytes per closed case",
        "KB",
        (after - before) / BYTES_SAMPLE / 1024,
        target_median=12.0,
    )


def _warm_database() -> Figure:
    """Read the database into memory once, as a server that has been running holds it: the
    generator's gigabytes, or anything else on the machine, may have pushed it out of the page
    cache, and a cold run times the disk (at 1M cases on SQLite: completion 8.1 ms cold, 6.3 ms
    warm). PostgreSQL's tables and indexes go through pg_prewarm where that extension is
    installed (it needs a superuser: `CREATE EXTENSION pg_prewarm`), not their TOAST tables:
    those hold mostly the stored states of finished cases; else nothing is read."""
    read = 0
    if db.engine.dialect.name == "postgresql":
        installed = db.session.execute(
            text("SELECT 1 FROM pg_extension WHERE extname = 'pg_prewarm'")
        ).first()
        if installed:
            read = int(  # numeric on PostgreSQL
                db.session.execute(
                    text(
                        "SELECT coalesce(sum(pg_prewarm(c.oid)), 0)"
                        " * current_setting('block_size')::bigint FROM pg_class c"
                        " JOIN pg_namespace n ON n.oid = c.relnamespace"
                        " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i')"
                    )
                ).scalar_one()
            )
    else:
        path = Path(db.engine.url.database or "")
        for part in (path, path.with_name(path.name + "-wal")):
            if part.exists():
                with part.open("rb") as file:
                    while chunk := file.read(1 << 23):
                        read += len(chunk)
    return Figure("database read into memory before timing", "MB", read / 1024 / 1024)


def _database_bytes() -> int:
    if db.engine.dialect.name == "postgresql":
        return int(
            db.session.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        )
    db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    pages = db.session.execute(text("PRAGMA page_count")).scalar_one()
    free = db.session.execute(text("PRAGMA freelist_count")).scalar_one()
    size = db.session.execute(text("PRAGMA page_size")).scalar_one()
    return int((pages - free) * size)
