"""Keeping the worker's tables in step with an instance after every engine run."""

from __future__ import annotations

from sqlalchemy import delete, select

from app.engine import RunResult
from app.extensions import db
from app.models import Case, Deadline, Job, WorkflowInstance, utcnow


def sync(case: Case, instance: WorkflowInstance, result: RunResult) -> None:
    """One TIMER job due at the instance's earliest timer (none when it waits on no timer), and
    the deadline rows of its boundary timers (for reminders and escalation)."""
    if result.waiting_before == result.waiting:
        return  # the rows mirror what the instance waited for before: nothing moved
    job = db.session.execute(
        select(Job).where(Job.instance_id == instance.id, Job.kind == "TIMER")
    ).scalar_one_or_none()
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
    rows = {
        row.element_id: row
        for row in db.session.execute(
            select(Deadline).where(Deadline.instance_id == instance.id)
        ).scalars()
    }
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
