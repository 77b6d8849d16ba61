"""Background work: timer jobs with leases, incidents, statutory deadlines and notifications."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Job(Base):
    """Engine work for the worker. One TIMER job per instance, due at its earliest timer.

    A worker takes a job by setting a lease (lock_owner, lock_expires_at) in a transaction that
    skips rows other workers hold (SELECT … FOR UPDATE SKIP LOCKED); a worker that dies leaves a
    lease that simply expires."""

    __tablename__ = "job"
    __table_args__ = (
        UniqueConstraint("instance_id", "kind"),
        Index("ix_job_due", "failed", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), default="TIMER")
    instance_id: Mapped[int] = mapped_column(ForeignKey("workflow_instance.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"))
    due_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    failed: Mapped[bool] = mapped_column(default=False)  # retries used up: an incident is open
    lock_owner: Mapped[str | None] = mapped_column(String(100))
    lock_expires_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Incident(Base):
    """A job that kept failing. The case is flagged until someone retries after the fix."""

    __tablename__ = "incident"
    __table_args__ = (Index("ix_incident_open", "resolved_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("workflow_instance.id"))
    element: Mapped[str | None] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class Deadline(Base):
    """A statutory deadline a case is waiting on (a BPMN timer), for reminders and escalation."""

    __tablename__ = "deadline"
    __table_args__ = (
        UniqueConstraint("instance_id", "element_id"),
        Index("ix_deadline_due", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("workflow_instance.id"))
    element_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime]
    reminded_at: Mapped[datetime | None]
    # when the unit head was told it ran out (the case-level decision clock; the diagrams'
    # timers tell them when they fire)
    escalated_at: Mapped[datetime | None]


class CaseClockEntry(Base):
    """One change of a case's 90-day decision clock (程序规定第六十四条): filed (START, with the
    days of the period), an excluded period begun (PAUSE) or ended (RESUME), an approved
    extension (EXTEND) or the clock's end (STOP). Append-only: the due date is a function of the
    rows (app/enforcement/case_clock.py)."""

    __tablename__ = "case_clock_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # START | PAUSE | RESUME | EXTEND | STOP
    # FILING | HEARING | TESTING | PUBLIC_NOTICE | TRANSFER | HEAD | COLLECTIVE | DECISION | CLOSED
    cause: Mapped[str] = mapped_column(String(20))
    day: Mapped[date]  # the day the change takes effect
    days: Mapped[int | None]  # START: the period; EXTEND: the days added
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor_name: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(Base):
    """An in-app message to the holders of a role in a region (like the inbox)."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_inbox", "role", "region_code", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_case.id"))
    role: Mapped[str] = mapped_column(String(32))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    kind: Mapped[str] = mapped_column(String(12))  # REMINDER | OVERDUE | INCIDENT
    message: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExternalEvent(Base):
    """An event another system sent (POST /api/v1/events), kept with the answer it got, so that
    a repeated event id answers the same and changes nothing."""

    __tablename__ = "external_event"
    __table_args__ = (UniqueConstraint("client_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    event_id: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[int]
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class FineInstalment(Base):
    """One due payment of a fine (H 执行): the fine due 15 days after service (ORIGINAL), or as
    the agency head approved a deferral (DEFERRAL) or instalments (INSTALMENT, 《行政处罚法》
    第六十六条). An approval supersedes the unpaid rows before it; the late fee is a function of
    these rows and the relief ledger (app/enforcement/payments.py)."""

    __tablename__ = "fine_instalment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # ORIGINAL | DEFERRAL | INSTALMENT
    seq: Mapped[int]  # 1, 2, … within the plan
    due_on: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    paid_on: Mapped[date | None]
    superseded: Mapped[bool] = mapped_column(default=False)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReliefRecord(Base):
    """A 复议 or 诉讼 against the decision (R 复议与诉讼): applied for on a day, its result (维持,
    变更, 撤销, 确认违法) on a later one. Stage H reads it for the late fee (not counted while
    relief runs, 《行政处罚法》第七十三条) and the court window (《行政强制法》第五十三条)."""

    __tablename__ = "relief_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # RECONSIDERATION | LITIGATION
    applied_on: Mapped[date]
    body: Mapped[str] = mapped_column(String(200))  # the 复议机关 or the court
    result: Mapped[str | None] = mapped_column(
        String(20)
    )  # UPHELD|CHANGED|REVOKED|CONFIRMED_ILLEGAL
    result_on: Mapped[date | None]
    changed_fine: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
