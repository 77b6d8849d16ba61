"""Administrator-maintained values: configuration keys over time and the holiday table."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class ParameterValue(Base):
    """A configuration value from `effective_from` on; rows are never edited, only added."""

    __tablename__ = "parameter_value"
    __table_args__ = (Index("ix_parameter_value_key_from", "key", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60))
    value: Mapped[Any] = mapped_column(JSON)
    tag: Mapped[str] = mapped_column(String(1))  # provenance: V P U D
    effective_from: Mapped[dt.date]
    note: Mapped[str | None] = mapped_column(String(500))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class HolidayDay(Base):
    """One day of a year's official schedule: a public holiday or a make-up workday (调休).
    A year with any row here is taken from this table instead of the built-in calendar."""

    __tablename__ = "holiday_day"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    is_working_day: Mapped[bool]
    name: Mapped[str] = mapped_column(String(60))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
