"""The append-only audit trail (DOMAIN.md G7). UPDATE and DELETE are refused by database
triggers created in the first migration, not only by convention."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.audit_chain import entry_hash

from .base import Base, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_object", "object_type", "object_id"),
        # the audit viewer's filters, newest first
        Index("ix_audit_event_actor_name_seq", "actor_name", "seq"),
        Index("ix_audit_event_action_seq", "action", "seq"),
        Index("ix_audit_event_region_code_seq", "region_code", "seq"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor_name: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    region_code: Mapped[str | None] = mapped_column(String(6))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # made with an API token: which one, and who created it (the owner, an admin for an
    # integration account, or "cli")
    token_id: Mapped[int | None]
    token_creator: Mapped[str | None] = mapped_column(String(64))
    # the hash chain (app/audit_chain.py): position, the previous entry's hash, this entry's
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), unique=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    def computed_hash(self) -> str:
        return entry_hash(
            self.seq,
            self.prev_hash,
            self.occurred_at,
            self.actor_id,
            self.actor_name,
            self.action,
            self.object_type,
            self.object_id,
            self.region_code,
            self.remote_addr,
            self.detail,
            token_id=self.token_id,
            token_creator=self.token_creator,
        )
