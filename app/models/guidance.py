"""合规指引清单 (DOMAIN.md C2): the compliance guidance list, maintained per domain and
published on a public page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class ComplianceItem(Base):
    __tablename__ = "compliance_item"
    __table_args__ = (Index("ix_compliance_item_domain", "published", "domain", "sort_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    domain: Mapped[str] = mapped_column(String(20))
    matter: Mapped[str] = mapped_column(String(200))  # 事项
    legal_basis: Mapped[str] = mapped_column(Text)  # 法律依据
    requirement: Mapped[str] = mapped_column(Text)  # 合规要求
    common_violations: Mapped[str] = mapped_column(Text)  # 常见违法表现
    penalty: Mapped[str] = mapped_column(Text)  # 罚则
    self_check: Mapped[str] = mapped_column(Text)  # 自查方法
    # the exemption list the matter belongs to (the on_exempt_list values of DMN-P1), or NONE
    exemption: Mapped[str] = mapped_column(String(20), default="NONE")
    published: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
