"""What the supervisors' dashboard counts, kept up to date by the services as cases move, so no
figure needs a workflow loaded or a JSON column searched."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class CaseFact(Base):
    """One row per case: where it belongs and the outcomes the policy promises are judged on."""

    __tablename__ = "case_fact"
    __table_args__ = (
        Index("ix_case_fact_unit_opened", "unit_code", "opened_on"),
        Index("ix_case_fact_decided", "decided_on"),
        # the dashboard names the outlying fines of one violation type
        Index("ix_case_fact_violation_fine", "violation_type", "fine"),
        Index("ix_case_fact_unit_inspected", "unit_code", "inspected_on"),  # the risk list
    )

    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(6))  # the 盟市 (or the bureau itself)
    domain: Mapped[str] = mapped_column(String(20))
    opened_on: Mapped[date]
    decision: Mapped[str | None] = mapped_column(String(12))  # PENALTY | NO_PENALTY
    decided_on: Mapped[date | None]
    level: Mapped[str | None] = mapped_column(String(20))  # discretion level (DMN-P2)
    violation_type: Mapped[str | None] = mapped_column(String(100))
    fine: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    served_together: Mapped[bool | None]  # decision and repair notice served at once
    published_on: Mapped[date | None]
    # by the publicity deadline: 20 WD; a party of another province: pushed within 10 WD and
    # published there within 10 WD of the receipt
    published_in_time: Mapped[bool | None]
    archived_on: Mapped[date | None]
    visited_on: Mapped[date | None]
    repair_applied_on: Mapped[date | None]
    repaired_on: Mapped[date | None]  # publicity stopped after credit repair
    inspected_on: Mapped[date | None]  # a 双随机 or targeted inspection (stage B) was recorded
    inspection_result: Mapped[str | None] = mapped_column(String(12))  # COMPLIANT|RECTIFY|CLUE


class StageVisit(Base):
    """A case's time in one stage: entered when its stage changed to it, left when it moved on."""

    __tablename__ = "stage_visit"
    __table_args__ = (
        Index("ix_stage_visit_case", "case_id", "left_at"),
        Index("ix_stage_visit_left", "left_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"))
    unit_code: Mapped[str] = mapped_column(String(6))
    stage: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime]
    left_at: Mapped[datetime | None]


class DashboardTally(Base):
    """Running counts of the dashboard's figures, kept by the services in the transaction that
    changes a case (app/enforcement/tallies.py), so a figure over a year of a province's cases
    reads a few thousand rows. `unit_code` and `domain` are also written as "*" (all), so that
    no filter combination has to add up rows of its own."""

    __tablename__ = "dashboard_tally"

    unit_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    domain: Mapped[str] = mapped_column(String(20), primary_key=True)
    measure: Mapped[str] = mapped_column(String(12), primary_key=True)
    period: Mapped[date] = mapped_column(primary_key=True)  # a day or the first of a month
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # fen, days, 0.1 days
    count: Mapped[int]
