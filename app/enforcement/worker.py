"""The background worker: fires due timers under leases, retries, raises incidents, reminds.

Several workers on several hosts share one PostgreSQL database: a worker takes due jobs with
SELECT … FOR UPDATE SKIP LOCKED and marks them with a lease; another worker skips them until the
lease expires (so a killed worker's jobs are taken over). On SQLite run a single worker.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, inspect, or_, select, update
from sqlalchemy.orm.exc import StaleDataError

from app.clock import CHINA_TZ
from app.enforcement import tallies
from app.enforcement.cases import apply_run_result
from app.enforcement.watchdog import Progress
from app.engine import EngineError, RunContext, RunResult
from app.extensions import db
from app.models import (
    Case,
    CaseFact,
    Deadline,
    Incident,
    Job,
    Notification,
    User,
    WorkflowInstance,
    utcnow,
)
from app.platform import Conflict, NotFound, audit, mail, scheduling
from app.platform.parameters import run_context
from app.platform.scheduling import CASE_CLOCK
from app.platform.workflows import engine
from app.reference.roles import Role

log = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=60)
IDLE_DELAY = dt.timedelta(seconds=60)
MAX_ATTEMPTS = 3
BACKOFF_SECONDS = (5, 30, 120)
# jobs leased and fired per transaction: fewer commits, against the instance locks held longer
ROUND = 50


def acquire(owner: str, now: dt.datetime, limit: int = ROUND) -> list[int]:
    """Lease up to `limit` due jobs for `owner`; rows other workers hold are skipped."""
    due = (
        select(Job.id)
        .where(
            Job.failed.is_(False),
            Job.due_at <= now,
            or_(Job.lock_expires_at.is_(None), Job.lock_expires_at < now),
        )
        .order_by(Job.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(db.session.execute(due).scalars())
    if ids:
        db.session.execute(
            update(Job).where(Job.id.in_(ids)).values(lock_owner=owner, lock_expires_at=now + LEASE)
        )
    db.session.commit()
    return ids


def fire_round(
    job_ids: list[int],
    owner: str,
    now: dt.datetime,
    context: RunContext,
    progress: Progress | None = None,
) -> Counter[str]:
    """Fire what is due on the leased jobs' instances in one transaction: their rows are read
    together and the round commits once (per job a fired timer costs the engine run and its
    writes, not a transaction). A job whose engine run fails is left out of the round and
    counted as a failure afterwards; if the round cannot commit, each job runs on its own."""
    outcomes: Counter[str] = Counter()
    job_of = {
        instance_id: job_id
        for instance_id, job_id in db.session.execute(
            select(Job.instance_id, Job.id).where(Job.id.in_(job_ids))
        )
    }
    # instance rows first, in one order for every round: the lock order every writer keeps
    instances = db.session.execute(
        select(WorkflowInstance)
        .where(WorkflowInstance.id.in_(sorted(job_of)))
        .order_by(WorkflowInstance.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalars()
    locked = {
        job.id: job
        for job in db.session.execute(
            select(Job)
            .where(Job.id.in_(job_ids))
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalars()
    }
    cases = _rows_by_id(Case, {job.case_id for job in locked.values()})
    # referenced until the round ends (the session holds rows weakly), so the stage changes
    # find them in the session instead of reading them one by one
    _facts = _rows_by_id(CaseFact, set(cases))
    deadlines = _deadlines_of(set(job_of))
    overdue = {
        instance_id: late
        for instance_id, rows in deadlines.items()
        if (late := [row for row in rows if row.due_at <= now])
    }
    outcomes["lost"] = len(job_ids) - len(locked)  # done meanwhile
    failures: list[tuple[int, EngineError]] = []
    notes: list[Notification] = []
    try:
        # one flush, one tally upsert and one audit insert for the round, not one per job
        jobs = {job.instance_id: job for job in locked.values()}
        with (
            db.session.no_autoflush,
            tallies.batched(),
            audit.batched(),
            scheduling.rows_known(jobs, deadlines),
        ):
            for instance in instances:
                job = locked.get(job_of[instance.id])
                if job is None:
                    continue
                if job.lock_owner != owner:  # our lease expired and another worker took it
                    outcomes["lost"] += 1
                    continue
                if progress is not None:
                    progress.started(job.id)
                try:
                    result = engine().fire_due_timers(instance.state, context)
                except EngineError as exc:
                    failures.append((job.id, exc))
                    continue
                finally:
                    if progress is not None:
                        progress.finished()
                late = overdue.get(instance.id, [])
                outcome = _apply_fired(cases[job.case_id], instance, job, result, now)
                if outcome == "fired":
                    notes += _overdue_notes(cases[job.case_id], late)
                    audit.record(
                        "fire_timers",
                        "case",
                        job.case_id,
                        actor_name=f"worker:{owner}",
                        region_code=cases[job.case_id].region_code,
                        overdue=[d.name for d in late],
                    )
                outcomes[outcome] += 1
        db.session.commit()
    except StaleDataError:  # a person completed a task on one of the cases at the same moment
        db.session.rollback()
        if len(job_ids) == 1:
            return Counter(retry=1)
        return _one_by_one(job_ids, owner, now, context, progress)
    mail.send(notes)
    for job_id, error in failures:
        outcomes[_failed(job_id, now, error)] += 1
    return +outcomes  # without the zero counts


def _apply_fired(
    case: Case,
    instance: WorkflowInstance,
    job: Job,
    result: RunResult,
    now: dt.datetime,
) -> str:
    """Store one instance's timer run in the round's transaction: fired | idle."""
    _release(job)
    if result.state == instance.state:  # nothing was due after all: look again later
        next_due = result.next_timer
        job.due_at = max(next_due, now + IDLE_DELAY) if next_due else now + IDLE_DELAY
        return "idle"
    apply_run_result(case, instance, result)  # re-schedules (or removes) the job
    return "fired"


def _overdue_notes(case: Case, late: list[Deadline]) -> list[Notification]:
    return [
        _notify(case, Role.UNIT_HEAD, "OVERDUE", f"案件 {case.case_no}「{d.name}」已逾期，请督办。")
        for d in late
    ]


def _one_by_one(
    job_ids: list[int],
    owner: str,
    now: dt.datetime,
    context: RunContext,
    progress: Progress | None,
) -> Counter[str]:
    outcomes: Counter[str] = Counter()
    for job_id in job_ids:
        outcomes.update(fire_round([job_id], owner, now, context, progress))
    return outcomes


def _rows_by_id(model: type[Any], ids: set[int]) -> dict[int, Any]:
    key = inspect(model).primary_key[0]
    return {
        getattr(row, key.key): row
        for row in db.session.execute(select(model).where(key.in_(sorted(ids)))).scalars()
    }


def _release(job: Job) -> None:
    if job not in db.session.deleted:
        job.lock_owner, job.lock_expires_at = None, None


def _failed(job_id: int, now: dt.datetime, exc: EngineError) -> str:
    job = db.session.get(Job, job_id)
    if job is None:
        return "lost"
    job.attempts += 1
    job.last_error = str(exc)
    job.lock_owner, job.lock_expires_at = None, None
    if job.attempts < MAX_ATTEMPTS:
        job.due_at = now + dt.timedelta(seconds=BACKOFF_SECONDS[job.attempts - 1])
        db.session.commit()
        return "retry"
    job.failed = True
    case = db.session.get(Case, job.case_id)
    assert case is not None  # noqa: S101 - foreign key
    case.has_incident = True
    incident = Incident(
        case_id=case.id, instance_id=job.instance_id, element=exc.element, message=exc.reason
    )
    db.session.add(incident)
    note = _notify(
        case,
        Role.SUPERVISOR,
        "INCIDENT",
        f"案件 {case.case_no} 在「{exc.element or '流程'}」出错：{exc.reason}",
    )
    audit.record(
        "incident",
        "case",
        case.id,
        actor_name="worker",
        region_code=case.region_code,
        element=exc.element,
        error=exc.reason,
    )
    db.session.commit()
    mail.send([note])
    log.warning("incident on case %s: %s", case.case_no, exc)
    return "incident"


def run_once(
    owner: str,
    now: dt.datetime | None = None,
    size: int = ROUND,
    progress: Progress | None = None,
) -> dict[str, int]:
    """One round: fire what is due (up to `size` jobs), then send reminders. Returns counts per
    outcome. `progress` tells the watchdog which job is firing."""
    now = now or utcnow()
    context = run_context(now=now)  # one moment per round: the same values for every job
    job_ids = acquire(owner, now, size)
    outcomes = fire_round(job_ids, owner, now, context, progress) if job_ids else Counter()
    reminded = send_reminders(now, context)
    if reminded:
        outcomes["reminded"] = reminded
    escalated = escalate_decision_clocks(now)
    if escalated:
        outcomes["escalated"] = escalated
    return dict(outcomes)


def abandon(job_id: int | None, owner: str, job_timeout: float, now: dt.datetime) -> None:
    """After the watchdog killed a worker process: its leases are released at once rather than
    when they expire, and the job it hung in counts a failed attempt (an incident after the
    last), so that the other timers go on and the hanging one is set aside."""
    db.session.rollback()
    db.session.execute(
        update(Job).where(Job.lock_owner == owner).values(lock_owner=None, lock_expires_at=None)
    )
    db.session.commit()
    if job_id is not None:
        _failed(job_id, now, EngineError(f"运行超过 {job_timeout:g} 秒未结束，已由看门狗终止"))


def escalate_decision_clocks(now: dt.datetime) -> int:
    """Tell the unit head of every case whose 90-day decision clock ran out undecided (the
    clock's deadline row is there only while it runs: app/enforcement/case_clock.py)."""
    due = select(Deadline).where(
        Deadline.element_id == CASE_CLOCK,
        Deadline.escalated_at.is_(None),
        Deadline.due_at <= now,
    )
    return _notify_each(
        due,
        Role.UNIT_HEAD,
        "OVERDUE",
        lambda case, deadline, day: (
            f"案件 {case.case_no} 办案期限已于 {day:%Y年%m月%d日} 届满，尚未作出处理决定，请督办。"
        ),
        lambda deadline: setattr(deadline, "escalated_at", now),
    )


def send_reminders(now: dt.datetime, context: RunContext | None = None) -> int:
    """Remind the case officers of every deadline that is REMINDER_WD working days away."""
    context = context or run_context(now=now)
    days = int(context.parameters.get("REMINDER_WD", 2))
    # The last day a reminder is due for; due_at is the midnight after a deadline's last day
    # (end_of_day in the diagrams), so the last day is the day of the second before due_at.
    # Only the deadlines to remind now are read and locked: every round of every worker runs
    # this, and a province has thousands of deadlines in the weeks ahead.
    last_day = context.calendar.deadline(context.today(), days, "working_days").due
    until = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), CHINA_TZ)
    due = select(Deadline).where(
        Deadline.reminded_at.is_(None),
        Deadline.due_at < until + dt.timedelta(seconds=1),
        Deadline.due_at > now,
    )
    return _notify_each(
        due,
        Role.OFFICER,
        "REMINDER",
        lambda case, deadline, day: (
            f"案件 {case.case_no}「{deadline.name}」将于 {day:%Y年%m月%d日} 届满。"
        ),
        lambda deadline: setattr(deadline, "reminded_at", now),
    )


def _notify_each(
    due: Select[Deadline],
    role: Role,
    kind: str,
    message: Callable[[Case, Deadline, dt.date], str],
    mark: Callable[[Deadline], None],
) -> int:
    """Notify `role` of each deadline `due` selects (locked, skipping those another worker
    holds), mark it so that no round notifies it twice, commit, then mail."""
    rows = db.session.execute(due.with_for_update(skip_locked=True)).scalars().all()
    notes = []
    for deadline in rows:
        # due_at is the midnight after the deadline's last day
        day = (deadline.due_at.astimezone(CHINA_TZ) - dt.timedelta(seconds=1)).date()
        case = db.session.get(Case, deadline.case_id)
        assert case is not None  # noqa: S101 - foreign key
        notes.append(_notify(case, role, kind, message(case, deadline, day)))
        mark(deadline)
    db.session.commit()
    mail.send(notes)
    return len(notes)


def _deadlines_of(instance_ids: set[int]) -> dict[int, list[Deadline]]:
    found: dict[int, list[Deadline]] = {}
    for deadline in db.session.execute(
        select(Deadline).where(Deadline.instance_id.in_(sorted(instance_ids))).order_by(Deadline.id)
    ).scalars():
        found.setdefault(deadline.instance_id, []).append(deadline)
    return found


def _notify(case: Case, role: Role, kind: str, message: str) -> Notification:
    note = Notification(
        case_id=case.id, role=role.value, region_code=case.region_code, kind=kind, message=message
    )
    db.session.add(note)
    return note


def open_incidents() -> list[Incident]:
    return list(
        db.session.execute(
            select(Incident).where(Incident.resolved_at.is_(None)).order_by(Incident.created_at)
        ).scalars()
    )


def retry_incident(incident_id: int, user: User) -> Incident:
    """After the cause is fixed: clear the incident and let the worker run the job again now."""
    incident = db.session.get(Incident, incident_id, with_for_update=True)
    if incident is None:
        raise NotFound("事件不存在。")
    if incident.resolved_at is not None:
        raise Conflict("该事件已处理。")
    job = db.session.execute(
        select(Job).where(Job.instance_id == incident.instance_id, Job.kind == "TIMER")
    ).scalar_one_or_none()
    now = utcnow()
    incident.resolved_at, incident.resolved_by_id = now, user.id
    if job is not None:
        job.failed, job.attempts, job.due_at, job.last_error = False, 0, now, None
    others = db.session.execute(
        select(Incident.id).where(
            Incident.case_id == incident.case_id,
            Incident.resolved_at.is_(None),
            Incident.id != incident.id,
        )
    ).first()
    case = db.session.get(Case, incident.case_id)
    if case is not None:
        case.has_incident = others is not None
    audit.record("retry_incident", "case", incident.case_id, actor=user, incident=incident.id)
    db.session.commit()
    return incident
