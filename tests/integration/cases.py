"""Working on cases through the services, as the screens do, for the integration tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import HumanTask, User
from app.services import tasks as task_service


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
