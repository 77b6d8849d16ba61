"""Reference data: regions and 经营主体 (enterprises)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Region(Base):
    """自治区局, the 12 盟市, 满洲里市, 二连浩特市 and the 旗县区 under them (GB/T 2260)."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(10))  # PROVINCE | UNIT | COUNTY
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    sort_order: Mapped[int]


class Enterprise(Base):
    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    party_type: Mapped[str] = mapped_column(String(20))
    domain: Mapped[str] = mapped_column(String(20))
    credit_class: Mapped[str] = mapped_column(String(1))
    # The Inner Mongolia unit that supervises it, and where it is registered (may be elsewhere).
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    registered_province: Mapped[str] = mapped_column(String(20), default="内蒙古自治区")
    address: Mapped[str | None] = mapped_column(String(300))
    legal_representative: Mapped[str | None] = mapped_column(String(100))
    # 行业协会 receive risk warnings with the enterprises of their domain; never drawn for
    # inspection
    is_association: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
