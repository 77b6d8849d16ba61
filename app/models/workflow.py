"""Deployed workflow bundles, cases, their engine state and the READY user tasks (inbox rows)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .reference import Enterprise


class WorkflowBundle(Base):
    """The BPMN/DMN files deployed together, keyed by the SHA-256 of their content."""

    __tablename__ = "workflow_bundle"

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    files: Mapped[dict[str, str]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class ProcessVersion(Base):
    __tablename__ = "process_version"
    __table_args__ = (
        UniqueConstraint("process_id", "bundle_hash"),
        Index("ix_process_version_active", "process_id", "is_active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    bundle_hash: Mapped[str] = mapped_column(ForeignKey("workflow_bundle.hash"))
    is_active: Mapped[bool] = mapped_column(default=True)
    deployed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Case(Base):
    __tablename__ = "enforcement_case"
    __table_args__ = (
        Index("ix_enforcement_case_region_status", "region_code", "status"),
        # running cases per process version (the process library), read from the index alone;
        # the version leads: SQLite (no statistics) would take a status-first index for every
        # status filter and scan the province (case search went from 50 to 90 ms at 1M cases)
        Index("ix_enforcement_case_version_status", "process_version_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # the registration number of its kind (线索 XS…, 预警 YJ…, 检查 JC…; TJ… before migration 0029)
    case_no: Mapped[str] = mapped_column(String(40), unique=True)
    # 立案号, given in the transaction that files the case (docs/numbers.md)
    filing_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    stage: Mapped[str | None] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(12), default="OPEN")  # OPEN | CLOSED
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    has_incident: Mapped[bool] = mapped_column(default=False)
    # the 90-day decision clock as its ledger (case_clock_entry) leaves it: RUNNING | PAUSED
    # (an excluded period) | SUSPENDED (中止: transferred to the police) | STOPPED; None: not filed
    decision_clock: Mapped[str | None] = mapped_column(String(12))
    decision_due: Mapped[date | None]  # the last day, as of the last change
    # the violation as the 调查终结报告 (or a 不予立案) names it from the catalogue; None for
    # cases whose type was typed as free text before migration 0030 and matched no entry
    violation_code: Mapped[str | None] = mapped_column(ForeignKey("violation_type.code"))
    violated_on: Mapped[date | None]  # the date of the violation (the first-offense lookback)
    # the case whose rectification check found the violation not corrected (DOMAIN.md I1): this
    # one is its new clue, with its own number and instance
    follows_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("enforcement_case.id"), index=True
    )

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")


class CaseOfficer(Base):
    """An account named on a case: its investigators (办案人员, designated at filing) and the
    inspectors a 双随机 draw chose. Name and 执法证号 are kept as they were when named, as the
    case file prints them."""

    __tablename__ = "case_officer"
    __table_args__ = (UniqueConstraint("case_id", "duty", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    duty: Mapped[str] = mapped_column(String(12))  # INVESTIGATOR | INSPECTOR
    position: Mapped[int]  # the order they were named in (the first leads)
    display_name: Mapped[str] = mapped_column(String(100))
    cert_no: Mapped[str] = mapped_column(String(32))
    named_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkflowInstance(Base):
    """Engine state of one case, without the embedded spec (see app/engine/serializer.py)."""

    __tablename__ = "workflow_instance"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), unique=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    state: Mapped[str] = mapped_column(Text)
    serializer_version: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default="RUNNING")  # RUNNING | COMPLETED
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship()

    # Optimistic lock: a concurrent writer's UPDATE matches no row and fails: no lost update.
    __mapper_args__ = {"version_id_col": version}


# Waiting tasks are a few per cent of the rows a province keeps (53,506 of 5.2 million at 1M
# cases): the inbox, deadline and heatmap indexes hold only those, so they stay small and hot,
# and completing a task takes its row out of them instead of writing it into them again.
# A query reaches them only with this condition written as a literal: a bound parameter proves
# nothing to SQLite's planner, nor to a generic PostgreSQL plan.
WAITING = "state = 'READY'"
_WAITING_ONLY: dict[str, Any] = {"postgresql_where": text(WAITING), "sqlite_where": text(WAITING)}


class HumanTask(Base):
    """One row per user task the engine made READY, so inboxes never deserialize a workflow."""

    __tablename__ = "human_task"
    __table_args__ = (
        UniqueConstraint("instance_id", "task_guid"),
        # the inbox counts and pages a 盟市's waiting tasks from this index alone (the id is in
        # every SQLite index entry anyway; PostgreSQL's needs it included)
        Index(
            "ix_human_task_inbox",
            "lane",
            "region_code",
            "assignee_id",
            "due_at",
            "created_at",
            postgresql_include=["id"],
            **_WAITING_ONLY,
        ),
        Index("ix_human_task_due", "due_at", "id", **_WAITING_ONLY),
        Index("ix_human_task_element", "bpmn_id", "created_at", **_WAITING_ONLY),  # the heatmap
        # A case's (an instance's) tasks in one state. With the state in these indexes SQLite,
        # which keeps no statistics here, never prefers an index on the state alone — that
        # would walk every waiting task of the province for one case's.
        Index("ix_human_task_case_state", "case_id", "state"),
        Index("ix_human_task_instance_state", "instance_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"))
    instance_id: Mapped[int] = mapped_column(ForeignKey("workflow_instance.id"))
    task_guid: Mapped[str] = mapped_column(String(36))
    process_id: Mapped[str] = mapped_column(String(100))
    bpmn_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    form_key: Mapped[str | None] = mapped_column(String(100))
    lane: Mapped[str | None] = mapped_column(String(32))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    documentation: Mapped[str | None] = mapped_column(Text)
    instructions: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default="READY")  # READY|COMPLETED|CANCELLED
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    due_at: Mapped[datetime | None]  # the statutory deadline on the task (its boundary timer)
    follow_up_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    submitted_data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    draft: Mapped[dict[str, list[str]] | None] = mapped_column(JSON)  # the screen as last saved

    case: Mapped[Case] = relationship(lazy="joined", innerjoin=True)

    @classmethod
    def waiting(cls) -> ColumnElement[bool]:
        """READY, written so that the partial indexes serve the query (see WAITING)."""
        return cls.state == literal_column("'READY'")


class NumberSequence(Base):
    """Gap-free counters (case numbers, later 文号), incremented under a row lock."""

    __tablename__ = "number_sequence"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


class CaseLibraryEntry(Base):
    """A closed case entered in the 执法案例库: what similar-case lookups and medians read."""

    __tablename__ = "case_library_entry"
    __table_args__ = (Index("ix_case_library_similar", "violation_type", "level", "decided_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), unique=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    violation_type: Mapped[str] = mapped_column(String(100))
    level: Mapped[str | None] = mapped_column(String(12))
    fine: Mapped[float | None]
    decided_on: Mapped[date | None]
    summary: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # what the library's search filters on (copied from the case when catalogued)
    domain: Mapped[str | None] = mapped_column(String(20))
    party_type: Mapped[str | None] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(20))  # PUNISH, NO_PENALTY, …
    circumstances: Mapped[str | None] = mapped_column(Text)  # 情节
    # the decision with the party's name, credit code, address and people's names masked
    anonymized_decision: Mapped[str | None] = mapped_column(Text)
    # 典型案例: marked by a unit head or agency head; published (public page) once approved
    typical: Mapped[bool] = mapped_column(default=False, server_default=false())
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # what the public page shows and the public search reads: masked again when published, as
    # the publisher previewed and confirmed it (public_digest); None while unpublished
    public_violation_type: Mapped[str | None] = mapped_column(String(100))
    public_summary: Mapped[str | None] = mapped_column(Text)
    public_decision: Mapped[str | None] = mapped_column(Text)
    public_digest: Mapped[str | None] = mapped_column(String(64))


class CaseComment(Base):
    """A remark on the case file (意见), by anyone who may read the case."""

    __tablename__ = "case_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    author_name: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
