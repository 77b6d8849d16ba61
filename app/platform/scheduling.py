"""Keeping the worker's tables in step with an instance after every engine run."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from sqlalchemy import delete, select

from app.engine import RunResult
from app.extensions import db
from app.models import Case, Deadline, Job, WorkflowInstance, utcnow

_KNOWN = "scheduling_rows"
# The deadline row of the case-level decision clock (app/enforcement/case_clock.py): kept by the
# clock's ledger, not by the diagrams' timers.
CASE_CLOCK = "case_decision_clock"


@contextmanager
def rows_known(
    jobs: Mapping[int, Job], deadlines: Mapping[int, Sequence[Deadline]]
) -> Iterator[None]:
    """Within, `sync` takes the job and the deadline rows of the instances in `jobs` (by
    instance id; an instance missing from `deadlines` has none) from here: a worker round reads
    them for all its instances at once instead of two queries per fired timer."""
    db.session.info[_KNOWN] = (jobs, deadlines)
    try:
        yield
    finally:
        del db.session.info[_KNOWN]


def _rows_of(instance_id: int) -> tuple[Job | None, Sequence[Deadline]]:
    known = db.session.info.get(_KNOWN)
    if known is not None and instance_id in known[0]:
        job = known[0][instance_id]
        return (job if job.kind == "TIMER" else None), known[1].get(instance_id, ())
    job = db.session.execute(
        select(Job).where(Job.instance_id == instance_id, Job.kind == "TIMER")
    ).scalar_one_or_none()
    deadlines = db.session.execute(select(Deadline).where(Deadline.instance_id == instance_id))
    return job, list(deadlines.scalars())


def sync(case: Case, instance: WorkflowInstance, result: RunResult) -> None:
    """One TIMER job due at the instance's earliest timer (none when it waits on no timer), and
    the deadline rows of its boundary timers (for reminders and escalation)."""
    if result.waiting_before == result.waiting:
        return  # the rows mirror what the instance waited for before: nothing moved
    job, deadlines = _rows_of(instance.id)
    due = result.next_timer
    if due is None:
        if job is not None:
            db.session.delete(job)
    elif job is None:
        db.session.add(Job(instance_id=instance.id, case_id=case.id, due_at=due))
    else:
        job.due_at, job.attempts, job.failed, job.last_error = due, 0, False, None
        job.updated_at = utcnow()

    current = {w.bpmn_id: w for w in result.waiting if w.boundary and w.due is not None}
    rows = {row.element_id: row for row in deadlines if row.element_id != CASE_CLOCK}
    gone = [element for element in rows if element not in current]
    if gone:
        db.session.execute(
            delete(Deadline).where(
                Deadline.instance_id == instance.id, Deadline.element_id.in_(gone)
            )
        )
    for element, waiting in current.items():
        row = rows.get(element)
        if row is None:
            db.session.add(
                Deadline(
                    case_id=case.id,
                    instance_id=instance.id,
                    element_id=element,
                    name=waiting.name,
                    due_at=waiting.due,
                )
            )
        elif row.due_at != waiting.due:  # moved (an extension): remind again
            row.due_at, row.reminded_at = waiting.due, None  # type: ignore[assignment]
