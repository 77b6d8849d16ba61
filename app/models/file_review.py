"""案卷评查 (DOMAIN.md C18, J3): samples of closed case files drawn for review, and the scores."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .workflow import Case


class ReviewSample(Base):
    """A draw, recorded so that anyone can repeat it: the candidates in order and the seed."""

    __tablename__ = "review_sample"

    id: Mapped[int] = mapped_column(primary_key=True)
    method: Mapped[str] = mapped_column(String(10))  # RANDOM | TARGETED
    unit_code: Mapped[str | None] = mapped_column(String(6))  # None: every unit in scope
    closed_from: Mapped[date]
    closed_to: Mapped[date]
    seed: Mapped[str | None] = mapped_column(String(64))
    candidates: Mapped[list[int]] = mapped_column(JSON)  # case ids the draw was made from
    note: Mapped[str | None] = mapped_column(Text)
    drawn_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewItem(Base):
    """One case file of a sample: the checks the data answers, the reviewer's scores, findings."""

    __tablename__ = "review_item"
    __table_args__ = (
        UniqueConstraint("sample_id", "case_id"),
        Index("ix_review_item_case", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("review_sample.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"))
    unit_code: Mapped[str] = mapped_column(String(6))
    prechecks: Mapped[dict[str, Any]] = mapped_column(JSON)  # item → true / false / null
    scores: Mapped[dict[str, str] | None] = mapped_column(JSON)  # item → PASS | FLAW | FAIL
    findings: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reviewed_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship(lazy="joined")
