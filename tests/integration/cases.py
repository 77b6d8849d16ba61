"""Working on cases through the services, as the screens do, for the integration tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Enterprise, HumanTask, User
from app.services import tasks as task_service
from app.services.cases import start_case
from app.services.parameters import run_context

CHINA = dt.timezone(dt.timedelta(hours=8))


def account(name: str) -> User:
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def ready(case_id: int) -> list[HumanTask]:
    return list(
        db.session.execute(
            select(HumanTask)
            .where(HumanTask.case_id == case_id, HumanTask.state == "READY")
            .order_by(HumanTask.id)
        ).scalars()
    )


def complete(case_id: int, bpmn_id: str, username: str, **data: Any) -> None:
    task = next(t for t in ready(case_id) if t.bpmn_id == bpmn_id)
    task_service.complete_task(task, data, account(username))


def warning_case() -> int:
    """A risk-warning case served today, waiting for the self-check feedback (5 working days)."""
    served_on = dt.date.today().isoformat()
    enterprise = db.session.execute(select(Enterprise).order_by(Enterprise.id)).scalars().first()
    assert enterprise is not None
    case = start_case(account("officer"), "enforcement_case", enterprise.id, "冷链风险", "WARNING")
    complete(case.id, "a_assess", "credit", situation="INDIVIDUAL_RISK", risk_summary="冷链")
    complete(case.id, "a_issue", "officer", served_on=served_on, document_summary="提醒书")
    return case.id


def self_check_due_day() -> dt.date:
    """The last day of the 5-working-day self-check period that starts today."""
    calendar = run_context().calendar
    return calendar.deadline(dt.date.today(), 5, "working_days").due
