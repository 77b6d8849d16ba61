"""What people see of the background work: incidents (with retry) and notifications."""

from __future__ import annotations

from sqlalchemy import select

from app.enforcement.worker import retry_incident as _retry
from app.extensions import db
from app.models import Case, Incident, Notification, User
from app.platform import Forbidden, NotFound
from app.platform.regions import in_scope, scope_of


def open_incidents(user: User) -> list[tuple[Incident, Case]]:
    query = (
        select(Incident, Case)
        .join(Case, Case.id == Incident.case_id)
        .where(Incident.resolved_at.is_(None))
        .order_by(Incident.created_at)
    )
    scope = scope_of(user)
    if scope is not None:
        query = query.where(Case.region_code.in_(scope))
    return [(incident, case) for incident, case in db.session.execute(query).all()]


def retry_incident(incident_id: int, user: User) -> Incident:
    incident = db.session.get(Incident, incident_id)
    if incident is None:
        raise NotFound("事件不存在。")
    case = db.session.get(Case, incident.case_id)
    if case is None or not in_scope(user, case.region_code):
        raise Forbidden("无权处理其他地区的事件。")
    return _retry(incident_id, user)


def notifications_for(user: User, limit: int = 100) -> list[Notification]:
    query = (
        select(Notification)
        .where(Notification.role.in_(user.role_names))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    scope = scope_of(user)
    if scope is not None:
        query = query.where(Notification.region_code.in_(scope))
    return list(db.session.execute(query).scalars())
