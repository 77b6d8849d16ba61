"""Reference data: regions, 经营主体 (enterprises) and the catalogue of violation types."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column

from app.reference.provinces import HOME_PROVINCE

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
    # 登记地: the province of its registration authority (app/reference/provinces.py)
    registration_province: Mapped[str] = mapped_column(
        String(6), default=HOME_PROVINCE, server_default=HOME_PROVINCE
    )
    address: Mapped[str | None] = mapped_column(String(300))
    legal_representative: Mapped[str | None] = mapped_column(String(100))
    # 行业协会 receive risk warnings with the enterprises of their domain; never drawn for
    # inspection
    is_association: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ViolationType(Base):
    """违法行为目录: one kind of violation, what it breaches and what the law sets for it. Chosen
    on the 调查终结报告; "the same kind of violation" of the first-offense rule is the same row.
    Seeded by migration 0030 and kept by the administrators (`tijian violation-type`), each row
    with its source."""

    __tablename__ = "violation_type"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    domain: Mapped[str] = mapped_column(String(20))
    violated_provision: Mapped[str] = mapped_column(String(300))
    penalty_provision: Mapped[str] = mapped_column(String(300))
    # the statutory fine in yuan; None where the law sets it as a multiple (see fine_note)
    fine_min: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    fine_max: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    fine_note: Mapped[str | None] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(Text)  # provenance: the law's text, list or decision
    # concerns citizens' life and health or financial safety: with harmful consequences the
    # limitation is 5 years instead of 2 (《行政处罚法》第三十六条, migration 0033)
    life_fin_safety: Mapped[bool] = mapped_column(default=False, server_default=false())
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
