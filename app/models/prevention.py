"""The prevention side (before any case exists): imported 12315/12345 work orders."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class ComplaintImport(Base):
    """One import (a file, or a call of the events API) with its report of refused rows."""

    __tablename__ = "complaint_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(200))  # the file name, or "API"
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    # [{"row": 7, "order_no": "…", "reasons": ["…"]}] — what was refused and why
    rejected_rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Complaint(Base):
    """A work order, normalized: the 盟市 it belongs to, domain, issue type, date received."""

    __tablename__ = "complaint"
    __table_args__ = (
        UniqueConstraint("channel", "order_no"),
        # hotspots read a period of one unit (or of the province) by date
        Index("ix_complaint_unit_received", "unit_code", "received_on"),
        Index("ix_complaint_received", "received_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    order_no: Mapped[str] = mapped_column(String(40))
    received_on: Mapped[date]
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    unit_code: Mapped[str] = mapped_column(String(6))  # the 盟市 (or 计划单列市) of region_code
    domain: Mapped[str] = mapped_column(String(20))
    issue_type: Mapped[str] = mapped_column(String(24))
    enterprise_name: Mapped[str | None] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"))
    summary: Mapped[str | None] = mapped_column(Text)
    import_id: Mapped[int] = mapped_column(ForeignKey("complaint_import.id"), index=True)
