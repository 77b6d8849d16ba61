"""The prevention side (before any case exists): imported 12315/12345 work orders."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, event
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


class WarningBatch(Base):
    """A published 违法风险预警 batch: the risk rows it covers and when it was served."""

    __tablename__ = "warning_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_no: Mapped[str] = mapped_column(String(40), unique=True)
    served_on: Mapped[date]
    period_start: Mapped[date]
    period_end: Mapped[date]
    rule_version: Mapped[str] = mapped_column(String(64))  # the risk_grade bundle that graded it
    # [{"unit_code", "unit_name", "domain", "domain_label", "level", "public", "complaints",
    #   "summary"}] — the graded rows as they stood when published
    risks: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    recipients: Mapped[int] = mapped_column(default=0)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class WarningRecipient(Base):
    """One recipient of a batch and the warning case opened for it."""

    __tablename__ = "warning_recipient"
    __table_args__ = (UniqueConstraint("batch_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("warning_batch.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), unique=True)
    unit_code: Mapped[str] = mapped_column(String(6))
    domain: Mapped[str] = mapped_column(String(20))
    level: Mapped[int]
    is_association: Mapped[bool] = mapped_column(default=False)


class InspectionItem(Base):
    """抽查事项清单 (DOMAIN.md B1): code, matter, basis, method, content."""

    __tablename__ = "inspection_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    domain: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    basis: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(40))  # 现场检查, 书面检查, 网络监测…
    content: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)


class InspectorConflict(Base):
    """A declared conflict of interest: the officer is never drawn for that enterprise."""

    __tablename__ = "inspector_conflict"
    __table_args__ = (UniqueConstraint("user_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    reason: Mapped[str] = mapped_column(String(200))
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)


class SamplingDraw(Base):
    """A 双随机 draw as it was made: the pools, the ratios, the seed and the result, sealed by a
    digest. Rows are never updated (a listener refuses it); anyone may re-run the draw from the
    recorded seed and pools and compare."""

    __tablename__ = "sampling_draw"

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_no: Mapped[str] = mapped_column(String(40), unique=True)
    unit_code: Mapped[str] = mapped_column(String(6), index=True)
    domain: Mapped[str] = mapped_column(String(20))
    item_codes: Mapped[list[str]] = mapped_column(JSON)
    trigger: Mapped[bool] = mapped_column(default=False)  # class A enterprises drawn too
    seed: Mapped[str] = mapped_column(String(64))
    # {"enterprises": {"B": [ids…], …}, "inspectors": [ids…], "conflicts": [[user, ent]…]}
    pools: Mapped[dict[str, Any]] = mapped_column(JSON)
    ratios: Mapped[dict[str, Any]] = mapped_column(JSON)  # per class: mode, ratio_min/max, count
    # [{"enterprise_id", "credit_class", "inspector_ids": [..]}] in draw order
    result: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    rule_version: Mapped[str] = mapped_column(String(64))
    drawn_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)


class SamplingTarget(Base):
    """A drawn enterprise, its inspectors and the inspection case the draw opened."""

    __tablename__ = "sampling_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("sampling_draw.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), unique=True)
    credit_class: Mapped[str] = mapped_column(String(1))
    inspector_names: Mapped[list[str]] = mapped_column(JSON)


@event.listens_for(SamplingDraw, "before_update")
@event.listens_for(SamplingDraw, "before_delete")
def _draws_are_sealed(*_: Any) -> None:
    raise PermissionError("抽取结果已留痕，不得改动。")
